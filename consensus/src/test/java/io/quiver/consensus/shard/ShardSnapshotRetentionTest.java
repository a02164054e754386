package io.quiver.consensus.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.snapshot.SnapshotSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a shard replica offers any complete snapshot it still holds by its term and index (a peer
 * resumes the one it staged), keeps the two newest and those written or read by a peer within the
 * last two minutes, and removes the others. Oracle: the directories left on disk after {@code
 * cleanupOldSnapshots}, over real files.
 */
class ShardSnapshotRetentionTest {

  @TempDir Path sm;

  private static final long TEN_MINUTES_AGO = System.currentTimeMillis() - 600_000;

  /** A complete snapshot at {@code 1_index} with one segment file, marked ten minutes ago. */
  private Path snapshot(ShardSnapshotStorage storage, long index) throws Exception {
    Path dir = storage.snapshotsDir().resolve("1_" + index);
    Files.createDirectories(dir.resolve("segments"));
    Files.writeString(dir.resolve("segments/a"), "segment of " + index);
    storage.markComplete(dir, index * 10);
    Files.setLastModifiedTime(
        dir.resolve(ShardSnapshotStorage.COMPLETE), FileTime.fromMillis(TEN_MINUTES_AGO));
    return dir;
  }

  @Test
  void anOlderSnapshotIsOfferedByNameAndKeptWhileAPeerReadsIt() throws Exception {
    ShardSnapshotStorage storage = new ShardSnapshotStorage(sm);
    for (long index : List.of(10L, 20L, 30L, 40L)) {
      snapshot(storage, index);
    }
    assertEquals(40, storage.latest().termIndex().getIndex());
    SnapshotSource.Offered older = storage.at(1, 10);
    assertNotNull(older, "1_10 is complete and on disk");
    assertEquals(List.of(storage.snapshotsDir().resolve("1_10/segments/a")), older.files());
    assertEquals(100, older.points());
    assertNull(storage.at(1, 15), "no such snapshot");
    assertNull(storage.at(2, 10), "another term's");

    // A peer reads a file of 1_10: it stays; 1_20, neither among the two newest nor read, goes.
    assertNotNull(storage.file(1, 10, "segments/a"));
    storage.cleanupOldSnapshots(null);
    assertTrue(Files.exists(storage.snapshotsDir().resolve("1_10")), "kept while read");
    assertFalse(Files.exists(storage.snapshotsDir().resolve("1_20")), "old and not read");
    assertTrue(Files.exists(storage.snapshotsDir().resolve("1_30")));
    assertTrue(Files.exists(storage.snapshotsDir().resolve("1_40")));
    assertNull(storage.at(1, 20));
    assertNull(storage.file(1, 20, "segments/a"));
  }

  @Test
  void readsKeepASnapshotHalfAnHourAfterItWasWrittenAtMost() throws Exception {
    ShardSnapshotStorage storage = new ShardSnapshotStorage(sm);
    for (long index : List.of(10L, 20L, 30L)) {
      snapshot(storage, index);
    }
    Path old = storage.snapshotsDir().resolve("1_10");
    // read a minute ago, but written 40 minutes ago: a peer stuck on its own side keeps it no more
    Files.setLastModifiedTime(
        old.resolve(ShardSnapshotStorage.COMPLETE),
        FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    Files.setLastModifiedTime(old, FileTime.fromMillis(System.currentTimeMillis() - 40 * 60_000));
    assertNull(storage.at(1, 10), "past the cap it is offered by name no more");
    assertNull(storage.file(1, 10, "segments/missing"), "a file the snapshot does not hold");
    storage.cleanupOldSnapshots(null);
    assertFalse(Files.exists(old), "and it goes at the next cleanup");
    assertTrue(Files.exists(storage.snapshotsDir().resolve("1_20")));
  }
}
