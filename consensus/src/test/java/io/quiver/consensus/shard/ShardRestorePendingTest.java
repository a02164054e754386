package io.quiver.consensus.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.snapshot.SnapshotManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a snapshot fetched from a peer and installed stays marked as not yet restored into the live
 * shard until a restore finishes, so that a replica killed between the two restores its shard from
 * it at the next start instead of starting Ratis from the snapshot's index over its older shard
 * (SnapshotInstallIT saw such a replica: shard at index 21, Ratis at 215). Oracle: the marker over
 * real files, as the state machine reads it when it opens its shard.
 */
class ShardRestorePendingTest {

  @TempDir Path sm;

  @Test
  void anInstalledSnapshotIsPendingUntilTheShardIsRestoredFromIt() throws Exception {
    ShardSnapshotStorage storage = new ShardSnapshotStorage(sm);
    Path own = storage.snapshotsDir().resolve("1_21");
    Files.createDirectories(own);
    storage.markComplete(own, 100);
    assertFalse(storage.restorePending(own), "a snapshot of the replica's own shard");

    Path staged = Files.createDirectories(sm.resolve("incoming/1_215"));
    Files.writeString(staged.resolve("store.sst"), "the peer's store");
    storage.installFetched(
        new SnapshotManifest(
            1, 215, true, List.of(new SnapshotManifest.File("store.sst", 16, "x")), 465),
        staged);
    Path installed = storage.latestDir();
    assertEquals("1_215", installed.getFileName().toString());
    assertTrue(storage.restorePending(installed), "installed, the shard not restored from it");
    assertFalse(storage.restorePending(own), "the marker names the installed snapshot only");

    // A second storage over the same directory: what a restarted replica reads.
    assertTrue(new ShardSnapshotStorage(sm).restorePending(installed));

    storage.clearRestorePending();
    assertFalse(new ShardSnapshotStorage(sm).restorePending(installed), "restored");
  }
}
