package io.quiver.consensus.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shard snapshot's COMPLETE marker holds the points the snapshot holds, when known. */
class ShardSnapshotMarkerTest {

  @TempDir Path dir;

  @Test
  void theMarkerSaysHowManyPointsTheSnapshotHolds() throws Exception {
    ShardSnapshotStorage storage = new ShardSnapshotStorage();
    storage.markComplete(dir, 30_000);
    assertEquals(30_000, ShardSnapshotStorage.points(dir));
    storage.markComplete(dir, -1); // marked again without a count: unknown, not the old count
    assertEquals(-1, ShardSnapshotStorage.points(dir));
    Files.writeString(dir.resolve(ShardSnapshotStorage.COMPLETE), ""); // an older build's marker
    assertEquals(-1, ShardSnapshotStorage.points(dir));
  }
}
