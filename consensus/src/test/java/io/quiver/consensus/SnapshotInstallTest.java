package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.storage.PointId;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a data replica that missed more entries than the leader's log keeps is caught up by a
 * snapshot install through the node's storage engine: the leader's checkpoint (the store as SST
 * files) is streamed, ingested into a new column family, and the old store is dropped. Oracle: the
 * points written (count and last vector through the returning replica), the replica's install
 * counter, its shard directory (one {@code STORE} file, no files left to ingest) and the engine's
 * store count (one per replica).
 */
@Timeout(180)
class SnapshotInstallTest {

  @TempDir Path dir;

  @Test
  void aReplicaBehindThePurgedLogIsInstalledThroughTheEngine() throws Exception {
    // Earlier tests of this JVM left stores whose directories are gone: swept first, then counted.
    io.quiver.storage.Shard.dropUnreferencedStores();
    int storesBefore = io.quiver.storage.ShardResources.processWide().engine().storeCount();
    int p1 = TestNodes.freePort();
    int p2 = TestNodes.freePort();
    int p3 = TestNodes.freePort();
    RaftNode n1 = TestNodes.start(dir, 1, p1, null, 20);
    RaftNode n2 = TestNodes.start(dir, 2, p2, p1, 20);
    RaftNode n3 = TestNodes.start(dir, 3, p3, p1, 20);
    try {
      CollectionConfig config =
          new CollectionConfig(
              VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 1, 3, 1);
      CollectionDescriptor c = n2.catalog().create("c", config).join();
      TestNodes.writePoints(n2, c, 0, 30);
      n1.close();
      n1 = null;
      TestNodes.writePoints(
          n2, c, 30, 400); // 370 entries: far more than the 4 x 20 the log keeps behind a snapshot
      n1 = TestNodes.start(dir, 1, p1, null, 20);
      RaftNode back = n1;
      long deadline = System.nanoTime() + 60_000_000_000L;
      // The count may be answered by another replica while this one installs, and right after the
      // install this one still applies the log that followed its snapshot (CI once read 400, then
      // 399 from it): wait for the install, then for five counts of 400 in a row.
      while (installs(back) < 1 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      for (int stable = 0; stable < 5 && System.nanoTime() < deadline; ) {
        stable = TestNodes.countPoints(back, c) == 400 ? stable + 1 : 0;
        Thread.sleep(100);
      }
      assertEquals(400, TestNodes.countPoints(back, c), "the returning replica holds every point");
      var record =
          back.shardClients()
              .forShard("c", c.shardMap().shard(0))
              .retrieve(List.of(PointId.of(399)), false, true, ReadConsistency.ANY)
              .join();
      assertEquals(399f, record.getFirst().vectors().get("")[0]);
      assertTrue(
          installs(back) >= 1,
          "caught up by a snapshot install, not the log: " + back.localReplicas());
      try (Stream<Path> walk = Files.walk(dir.resolve("n1"))) {
        List<Path> shardDirs =
            walk.filter(p -> p.getFileName().toString().equals("shard") && Files.isDirectory(p))
                .toList();
        assertEquals(1, shardDirs.size(), "one shard replica on n1: " + shardDirs);
        Path shard = shardDirs.getFirst();
        assertTrue(Files.exists(shard.resolve("STORE")), "the shard names its store in the engine");
        assertTrue(
            !Files.exists(shard.resolve("store")) && !Files.exists(shard.resolve("CURRENT")),
            "nothing left to ingest and no RocksDB of its own in " + shard);
      }
      assertEquals(
          storesBefore + 3,
          io.quiver.storage.ShardResources.processWide().engine().storeCount(),
          "one store per replica: the store the install replaced was dropped");
    } finally {
      TestNodes.closeAll(n1, n2, n3);
    }
  }

  private static long installs(RaftNode node) {
    return node.localReplicas().stream().mapToLong(ReplicaStats::snapshotInstalls).sum();
  }
}
