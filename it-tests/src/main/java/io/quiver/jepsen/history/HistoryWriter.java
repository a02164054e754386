package io.quiver.jepsen.history;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends a run's events to a JSON-lines file as they happen: one line per invocation and one per
 * completion (the completion line repeats the invocation's fields, so it is self-contained). Each
 * line is flushed when written, so a client crash loses at most the line being written, and {@link
 * HistoryReader} turns invocations left without a completion into {@code info}.
 *
 * <p>Thread-safe: lines from concurrent clients are written whole, in call order.
 */
public final class HistoryWriter implements Closeable {

  private final Writer out;

  /** Creates (or truncates) {@code file}. */
  public HistoryWriter(Path file) throws IOException {
    this.out =
        Files.newBufferedWriter(
            file,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
  }

  /** Writes to {@code out}, which this writer closes. */
  public HistoryWriter(Writer out) {
    this.out = out instanceof BufferedWriter ? out : new BufferedWriter(out);
  }

  /** Writes every operation of {@code history} (completion lines only) to {@code file}. */
  public static void write(Path file, History history) throws IOException {
    try (HistoryWriter writer = new HistoryWriter(file)) {
      for (Op op : history.ops()) {
        writer.append(op);
      }
    }
  }

  /**
   * Appends one event (an invocation or a completion) and flushes.
   *
   * @throws UncheckedIOException if the file cannot be written
   */
  public synchronized void append(Op op) {
    try {
      out.write(HistoryJson.toLine(op));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to history", e);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
