package io.quiver.consensus.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * A state machine's side of the snapshot fetch: it describes its latest snapshot and reads ranges
 * of that snapshot's files (or of an older one that is still on disk) for a peer that fetches it
 * ({@link SnapshotFetcher}), and says which snapshots its node is receiving. The files are read on
 * a small pool of the process, never on the Raft thread that delivered the request.
 */
public final class SnapshotSource {

  /** The largest range one read returns. */
  static final int MAX_READ = 8 << 20;

  /**
   * A snapshot a state machine offers: its root directory, its files (absolute paths), and the
   * points it holds (-1: not known).
   */
  public record Offered(
      TermIndex termIndex, Path root, List<Path> files, boolean data, long points) {

    /** A snapshot whose points are not known. */
    public Offered(TermIndex termIndex, Path root, List<Path> files, boolean data) {
      this(termIndex, root, files, data, -1);
    }

    /** A witness's snapshot: a term and index without files. */
    public static Offered withoutData(TermIndex termIndex) {
      return new Offered(termIndex, null, List.of(), false);
    }
  }

  /** Where a state machine keeps its snapshots. */
  public interface Snapshots {
    /** The snapshot it would give now, or null when it has none. */
    Offered latest();

    /**
     * Snapshot {@code term_index} while it is complete and on disk, or null: a peer that staged
     * part of it resumes it although a newer one was taken since. By default only the latest.
     */
    default Offered at(long term, long index) {
      Offered latest = latest();
      return latest != null
              && latest.termIndex().getTerm() == term
              && latest.termIndex().getIndex() == index
          ? latest
          : null;
    }

    /**
     * File {@code path} (relative to the snapshot's root, as {@link #latest} names it) of snapshot
     * {@code term_index} while that snapshot is complete and on disk and offers the file, else
     * null: a peer reads the files of a snapshot, nothing else of this node.
     */
    Path file(long term, long index, String path);
  }

  private static final ExecutorService READERS =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "snapshot-source");
            t.setDaemon(true);
            return t;
          });

  private final Snapshots snapshots;
  private final java.util.function.Supplier<List<IncomingTransfer>> incoming;

  /** A source that does not answer {@link SnapshotMessages.Transfers} (a shard group's). */
  public SnapshotSource(Snapshots snapshots) {
    this(snapshots, null);
  }

  /**
   * @param incoming the snapshots this node is receiving, the answer to {@link
   *     SnapshotMessages.Transfers} (asked of the meta group's replica), or null to refuse it
   */
  public SnapshotSource(
      Snapshots snapshots, java.util.function.Supplier<List<IncomingTransfer>> incoming) {
    this.snapshots = snapshots;
    this.incoming = incoming;
  }

  /** Answers a request for which {@link SnapshotMessages#isRequest} holds. */
  public CompletableFuture<Message> answer(ByteString content) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return switch (SnapshotMessages.decodeRequest(content)) {
              case SnapshotMessages.Describe d -> describe(snapshots.latest());
              case SnapshotMessages.DescribeAt d -> describe(snapshots.at(d.term(), d.index()));
              case SnapshotMessages.Read r -> read(r);
              case SnapshotMessages.Transfers t -> {
                if (incoming == null) {
                  throw new IOException("a node's transfers are asked of its meta group replica");
                }
                yield SnapshotMessages.transferList(incoming.get());
              }
            };
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        },
        READERS);
  }

  private static Message describe(Offered offered) throws IOException {
    if (offered == null) {
      return SnapshotMessages.none();
    }
    List<SnapshotManifest.File> files = new ArrayList<>(offered.files().size());
    for (Path f : offered.files()) {
      BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
      Object key = a.fileKey() == null ? f.toAbsolutePath() : a.fileKey();
      String identity = key + ":" + a.size() + ":" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
      files.add(
          new SnapshotManifest.File(offered.root().relativize(f).toString(), a.size(), identity));
    }
    return SnapshotMessages.manifest(
        new SnapshotManifest(
            offered.termIndex().getTerm(),
            offered.termIndex().getIndex(),
            offered.data(),
            files,
            offered.points()));
  }

  private Message read(SnapshotMessages.Read r) throws IOException {
    Path file = snapshots.file(r.term(), r.index(), r.path());
    if (file == null || !Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          "no file "
              + r.path()
              + " in snapshot "
              + r.term()
              + "_"
              + r.index()
              + " here (gone, or never one of its files)");
    }
    if (r.offset() < 0 || r.length() < 0 || r.length() > MAX_READ) {
      throw new IOException("bad range " + r.offset() + "+" + r.length() + " of " + r.path());
    }
    byte[] data = new byte[r.length()];
    ByteBuffer buffer = ByteBuffer.wrap(data);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long position = r.offset();
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, position);
        if (n < 0) {
          break;
        }
        position += n;
      }
    }
    return SnapshotMessages.chunk(data, buffer.position());
  }
}
