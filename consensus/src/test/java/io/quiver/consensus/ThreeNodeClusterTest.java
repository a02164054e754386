package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardPlacement;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real Ratis servers in one JVM: two join the first through its Raft address, a collection
 * with three shards replicated three times is written through one node and read through another,
 * and the shards keep a majority (and every acknowledged write) when one node stops. The stopped
 * node misses more entries than the leaders keep in their logs (snapshots every 20 entries, log
 * purged up to them), so when it returns it is caught up by snapshot installation.
 */
@Timeout(180)
class ThreeNodeClusterTest {

  @TempDir Path dir;

  private RaftNode start(long id, int port, Integer bootstrapPort) throws IOException {
    return start(id, port, bootstrapPort, 20);
  }

  private RaftNode start(long id, int port, Integer bootstrapPort, long snapshotThreshold)
      throws IOException {
    return TestNodes.start(dir, id, port, bootstrapPort, snapshotThreshold);
  }

  @Test
  void joinReplicateAndSurviveANodeLoss() throws Exception {
    int p1 = TestNodes.freePort();
    int p2 = TestNodes.freePort();
    int p3 = TestNodes.freePort();
    RaftNode n1 = start(1, p1, null);
    RaftNode n2 = start(2, p2, p1);
    RaftNode n3 = start(3, p3, p2); // joins through a follower
    try {
      for (RaftNode n : List.of(n1, n2, n3)) {
        assertEquals(3, n.clusterState().nodes().size(), "every node sees the three members");
      }
      CollectionConfig config =
          new CollectionConfig(
              VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 3, 3, 1);
      CollectionDescriptor c = n2.catalog().create("c", config).join();
      for (ShardPlacement s : c.shardMap().shards()) {
        assertEquals(3, s.replicas().size());
      }
      for (int i = 0; i < 30; i++) {
        PointId id = PointId.of(i);
        RaftNode via = List.of(n1, n2, n3).get(i % 3);
        via.shardClients()
            .forShard("c", c.shardMap().shardOf(id))
            .upsert(List.of(new Point(id, Map.of("", new float[] {i, 1}), Payload.EMPTY)))
            .join();
      }
      assertEquals(30, count(n3, c, ReadConsistency.LINEARIZABLE));
      n1.close();
      n1 = null;
      for (int i = 30; i < 130; i++) {
        PointId id = PointId.of(i);
        n2.shardClients()
            .forShard("c", c.shardMap().shardOf(id))
            .upsert(List.of(new Point(id, Map.of("", new float[] {i, 1}), Payload.EMPTY)))
            .join();
      }
      assertEquals(130, count(n3, c, ReadConsistency.LINEARIZABLE));
      // Both survivors hold every point in their own replicas.
      assertTrue(awaitCount(n2, c, 130) && awaitCount(n3, c, 130), "replicas converge");
      n1 = start(1, p1, null);
      assertTrue(
          awaitCount(n1, c, 130),
          "the returning node's replicas catch up: " + count(n1, c, ReadConsistency.ANY));
      PointId last = PointId.of(129);
      var record =
          n1.shardClients()
              .forShard("c", c.shardMap().shardOf(last))
              .retrieve(List.of(last), false, true, ReadConsistency.ANY)
              .join();
      assertEquals(129f, record.getFirst().vectors().get("")[0]);
    } finally {
      TestNodes.closeAll(n1, n2, n3);
    }
  }

  /**
   * Move, replicate and drop under a stream of writes. Still flaky, so excluded from the default
   * run (run it with -Dquiver.excluded.groups= -Dgroups=flaky). A replica joining a running group
   * now starts with an empty configuration (Ratis' documented way), which removed the CLOSING
   * failures; what remains is the drop of a replica that leads the group: the survivor sometimes
   * takes about 19 s to lead (the wait here is 15 s). Handing leadership over first passed 8 runs
   * alone but left the group stuck once in a full build, so it was taken out again. ShardMoveIT
   * covers move_shard through REST with real processes.
   */
  @Test
  @org.junit.jupiter.api.Tag("flaky")
  void moveReplicateAndDropAShardUnderWrites() throws Exception {
    int p1 = TestNodes.freePort();
    int p2 = TestNodes.freePort();
    int p3 = TestNodes.freePort();
    try (RaftNode n1 = start(1, p1, null, 100);
        RaftNode n2 = start(2, p2, p1, 100);
        RaftNode n3 = start(3, p3, p1, 100)) {
      CollectionConfig config =
          new CollectionConfig(
              VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 1, 1, 1);
      CollectionDescriptor c = n1.catalog().create("m", config).join();
      long first = c.shardMap().shard(0).replicas().getFirst();
      List<RaftNode> nodes = List.of(n1, n2, n3);
      long second = first % 3 + 1;
      long third = second % 3 + 1;
      // More entries than a snapshot interval (100), so the new replica is caught up by a snapshot.
      for (int i = 0; i < 300; i++) {
        write(n1, "m", i);
      }
      // A writer keeps writing through n1 while the shard moves: nothing acknowledged may be lost.
      var written = new java.util.concurrent.atomic.AtomicInteger(300);
      var stop = new java.util.concurrent.atomic.AtomicBoolean();
      Thread writer =
          new Thread(
              () -> {
                while (!stop.get()) {
                  int i = written.get();
                  try {
                    write(n1, "m", i);
                    written.incrementAndGet();
                  } catch (RuntimeException unavailableDuringTheMove) {
                    // not acknowledged; retried with the same id
                  }
                }
              });
      writer.start();
      n2.replicaChanges()
          .move("m", 0, first, second)
          .get(120, java.util.concurrent.TimeUnit.SECONDS);
      stop.set(true);
      writer.join(30_000);
      // The node that ran an operation has applied its metadata change when it returns; others
      // follow.
      CollectionDescriptor moved = n2.catalog().get("m").orElseThrow();
      assertEquals(List.of(second), moved.shardMap().shard(0).replicas());
      RaftNode target = nodes.get((int) second - 1);
      assertTrue(
          awaitCount(target, moved, written.get()),
          "the moved replica holds every acknowledged write");
      RaftNode source = nodes.get((int) first - 1);
      assertTrue(awaitGone(source, moved), "the old replica's group is removed");

      n3.replicaChanges()
          .replicate("m", 0, second, third)
          .get(120, java.util.concurrent.TimeUnit.SECONDS);
      CollectionDescriptor replicated = n3.catalog().get("m").orElseThrow();
      assertEquals(2, replicated.shardMap().shard(0).replicas().size());
      assertTrue(
          awaitCount(nodes.get((int) third - 1), replicated, written.get()),
          "the new replica caught up");
      write(n2, "m", 100_000);
      n1.replicaChanges().drop("m", 0, second).get(120, java.util.concurrent.TimeUnit.SECONDS);
      CollectionDescriptor dropped = n1.catalog().get("m").orElseThrow();
      assertEquals(List.of(third), dropped.shardMap().shard(0).replicas());
      assertEquals(written.get() + 1, count(n1, dropped, ReadConsistency.LINEARIZABLE));
      var error =
          org.junit.jupiter.api.Assertions.assertThrows(
              java.util.concurrent.CompletionException.class,
              () -> n1.replicaChanges().drop("m", 0, third).join());
      assertTrue(
          error.getCause().getMessage().contains("last replica"), error.getCause().getMessage());
    }
  }

  private static void write(RaftNode via, String collection, int i) {
    CollectionDescriptor c = via.catalog().get(collection).orElseThrow();
    PointId id = PointId.of(i);
    via.shardClients()
        .forShard(collection, c.shardMap().shardOf(id))
        .upsert(List.of(new Point(id, Map.of("", new float[] {i, 1}), Payload.EMPTY)))
        .join();
  }

  private static boolean awaitGone(RaftNode node, CollectionDescriptor c)
      throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      if (node.shardStatus(c.shardMap().shard(0).groupId()).isEmpty()) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  private static long count(RaftNode via, CollectionDescriptor c, ReadConsistency consistency) {
    long n = 0;
    for (ShardPlacement s : c.shardMap().shards()) {
      n += via.shardClients().forShard(c.name(), s).count(consistency).join();
    }
    return n;
  }

  private static boolean awaitCount(RaftNode node, CollectionDescriptor c, long expected)
      throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      if (count(node, c, ReadConsistency.ANY) == expected) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }
}
