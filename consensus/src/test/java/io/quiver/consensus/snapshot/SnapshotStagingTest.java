package io.quiver.consensus.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a staged snapshot survives a restart as far as it was forced, and a new snapshot of the
 * same peer keeps the files it shares with the staged one (same identity), wherever their path;
 * anything else is dropped. Oracle: the bytes each prepare reports as already here, and the files'
 * contents on disk.
 */
class SnapshotStagingTest {

  @TempDir Path dir;

  private static SnapshotManifest manifest(long index, SnapshotManifest.File... files) {
    return new SnapshotManifest(1, index, true, List.of(files));
  }

  private static void write(SnapshotStaging staging, int file, byte[] bytes) throws Exception {
    try (FileChannel out = staging.open(file)) {
      out.write(ByteBuffer.wrap(bytes), 0);
      out.force(false);
    }
  }

  @Test
  void aRestartKeepsTheForcedBytesAndNothingBeyond() throws Exception {
    SnapshotManifest m =
        manifest(
            10,
            new SnapshotManifest.File("store/1.sst", 100, "a"),
            new SnapshotManifest.File("segments/s1", 50, "b"));
    SnapshotStaging staging = new SnapshotStaging(dir);
    assertEquals(0, staging.prepare("n1", m));
    byte[] first = new byte[100];
    Arrays.fill(first, (byte) 7);
    write(staging, 0, first);
    staging.forced(0, 100);
    byte[] second = new byte[40];
    Arrays.fill(second, (byte) 9);
    write(staging, 1, second); // 40 bytes written but only 30 recorded as forced
    staging.forced(1, 30);

    SnapshotStaging restarted = new SnapshotStaging(dir);
    assertEquals("n1", restarted.source());
    assertEquals(130, restarted.prepare("n1", m));
    assertEquals(100, restarted.durable(0));
    assertEquals(30, restarted.durable(1));
    assertArrayEquals(first, Files.readAllBytes(restarted.files().resolve("store/1.sst")));
    assertEquals(30, Files.size(restarted.files().resolve("segments/s1")), "cut to its forced end");
  }

  @Test
  void aNewerSnapshotKeepsTheFilesItSharesAndDropsTheRest() throws Exception {
    SnapshotStaging staging = new SnapshotStaging(dir);
    staging.prepare(
        "n1",
        manifest(
            10,
            new SnapshotManifest.File("store/1.sst", 4, "a"),
            new SnapshotManifest.File("store/2.sst", 4, "b")));
    write(staging, 0, new byte[] {1, 2, 3, 4});
    staging.forced(0, 4);
    write(staging, 1, new byte[] {5, 6, 7, 8});
    staging.forced(1, 4);

    // The newer snapshot still has file "a" (under another path) but not "b".
    long here =
        staging.prepare(
            "n1",
            manifest(
                20,
                new SnapshotManifest.File("store/3.sst", 8, "c"),
                new SnapshotManifest.File("store/1-renamed.sst", 4, "a")));
    assertEquals(4, here);
    assertEquals(0, staging.durable(0));
    assertEquals(4, staging.durable(1));
    assertArrayEquals(
        new byte[] {1, 2, 3, 4},
        Files.readAllBytes(staging.files().resolve("store/1-renamed.sst")));
    assertFalse(Files.exists(staging.files().resolve("store/2.sst")), "a file it lacks is dropped");

    // The same identities on another peer are other bytes: nothing is kept.
    assertEquals(
        0, staging.prepare("n2", manifest(20, new SnapshotManifest.File("store/1.sst", 4, "a"))));
  }
}
