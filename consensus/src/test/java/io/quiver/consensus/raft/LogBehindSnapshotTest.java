package io.quiver.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.MetadataProto;
import org.apache.ratis.server.raftlog.segmented.SegmentedRaftLogOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log a crash right after a snapshot install leaves (segments, the last one open, all below the
 * installed snapshot) is dropped before Ratis opens it; a log that reaches the snapshot is kept.
 * Segment files are written with Ratis' own writer. The whole sequence on real nodes is in {@code
 * SnapshotInstallIT}.
 */
class LogBehindSnapshotTest {

  @TempDir Path dir;

  @Test
  void dropsAnOpenSegmentThatEndsBelowTheSnapshot() throws IOException {
    Path closed = segment("log_1-10", 1, 10);
    Path open = segment("log_inprogress_11", 11, 24);
    assertEquals(
        List.of(), LogBehindSnapshot.dropIfBehind(dir, 24), "the log reaches the snapshot");
    assertEquals(List.of(), LogBehindSnapshot.dropIfBehind(dir, 20));
    assertTrue(Files.exists(closed) && Files.exists(open));

    List<Path> dropped = LogBehindSnapshot.dropIfBehind(dir, 215);
    assertEquals(2, dropped.size(), dropped.toString());
    assertFalse(Files.exists(closed));
    assertFalse(Files.exists(open));
  }

  @Test
  void keepsALogThatGoesPastTheSnapshot() throws IOException {
    Path closed = segment("log_1-300", 1, 300);
    assertEquals(List.of(), LogBehindSnapshot.dropIfBehind(dir, 215));
    assertTrue(Files.exists(closed));
    assertEquals(
        List.of(), LogBehindSnapshot.dropIfBehind(dir.resolve("none"), 215), "no log directory");
    assertEquals(List.of(), LogBehindSnapshot.dropIfBehind(dir, -1), "no snapshot");
  }

  private Path segment(String name, long first, long last) throws IOException {
    Path file = dir.resolve(name);
    try (SegmentedRaftLogOutputStream out =
        new SegmentedRaftLogOutputStream(
            file.toFile(), false, 1L << 20, 0, ByteBuffer.allocateDirect(64 << 10))) {
      for (long i = first; i <= last; i++) {
        out.write(
            LogEntryProto.newBuilder()
                .setTerm(1)
                .setIndex(i)
                .setMetadataEntry(MetadataProto.newBuilder().setCommitIndex(i - 1))
                .build());
      }
      out.flush();
    }
    return file;
  }
}
