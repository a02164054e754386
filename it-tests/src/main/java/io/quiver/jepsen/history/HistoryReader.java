package io.quiver.jepsen.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON-lines history written by {@link HistoryWriter} into a {@link History}.
 *
 * <p>Pairing: an {@code invoke} line opens an operation of its process; the next completion line of
 * that process, with the same {@code invokeNanos}, closes it. A completion line without an open
 * invocation stands alone (whole histories are written that way). Invocations still open at the end
 * of the file become {@code info} with no completion time: the client may have crashed after
 * sending them. Blank lines are skipped.
 */
public final class HistoryReader {

  private HistoryReader() {}

  /**
   * @throws IllegalArgumentException on a malformed line, a process invoking twice without
   *     completing, or a completion that matches another invocation (the message names the line)
   */
  public static History read(Path file) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in);
    }
  }

  /** As {@link #read(Path)}, from an open reader (not closed). */
  public static History read(BufferedReader in) throws IOException {
    Map<Integer, Op> open = new HashMap<>();
    List<Op> completed = new ArrayList<>();
    int lineNumber = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      Op op;
      try {
        op = HistoryJson.fromLine(line);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + lineNumber + ": " + e.getMessage(), e);
      }
      if (op.type() == OpType.INVOKE) {
        Op previous = open.putIfAbsent(op.process(), op);
        if (previous != null) {
          throw new IllegalArgumentException(
              "line "
                  + lineNumber
                  + ": process "
                  + op.process()
                  + " invoked again while "
                  + previous
                  + " is in flight");
        }
        continue;
      }
      Op invocation = open.remove(op.process());
      if (invocation != null && invocation.invokeNanos() != op.invokeNanos()) {
        throw new IllegalArgumentException(
            "line "
                + lineNumber
                + ": completion "
                + op
                + " does not match the invocation in flight "
                + invocation);
      }
      completed.add(op);
    }
    for (Op invocation : open.values()) {
      completed.add(
          new Op(
              invocation.process(),
              OpType.INFO,
              invocation.f(),
              invocation.key(),
              invocation.value(),
              invocation.ids(),
              invocation.required(),
              invocation.invokeNanos(),
              Op.NEVER,
              "no completion recorded",
              invocation.note()));
    }
    return History.of(completed);
  }
}
