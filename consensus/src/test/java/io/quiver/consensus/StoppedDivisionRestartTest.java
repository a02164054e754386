package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard's Raft division that closes although nobody removed it (Ratis closes a division that
 * finds itself outside its configuration at an election, which a snapshot install can make it
 * believe for a moment) is restarted by the node from its data within seconds, with every
 * acknowledged write, and takes writes again. A real Ratis server and a real RocksDB shard.
 */
@Timeout(120)
class StoppedDivisionRestartTest {

  @TempDir Path dir;

  @Test
  void aDivisionThatClosedByItselfIsRestartedWithItsData() throws Exception {
    int port = TestNodes.freePort();
    try (RaftNode node =
        RaftNode.start(
            RaftNodeConfig.builder(1, dir.resolve("n1"))
                .raftAddress("127.0.0.1", port)
                .httpAddress("127.0.0.1:" + (port + 1))
                .snapshotThreshold(1000)
                .logSegmentBytes(1 << 20)
                .build())) {
      node.awaitCaughtUp(Duration.ofSeconds(60));
      CollectionConfig config =
          new CollectionConfig(
              VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 1, 1, 1);
      CollectionDescriptor c = node.catalog().create("c", config).join();
      ShardPlacement shard = c.shardMap().shards().get(0);
      upsert(node, c, shard, 0, 20);

      RaftGroupId groupId = RaftGroupId.valueOf(shard.groupId());
      RaftServer.Division division = node.server().getDivision(groupId);
      division.close(); // what Ratis' LeaderElection does on NOT_IN_CONF
      assertFalse(division.getInfo().isAlive());

      long deadline = System.nanoTime() + 20_000_000_000L;
      RaftServer.Division restarted = division;
      while (restarted == division || !restarted.getInfo().isAlive()) {
        assertTrue(
            System.nanoTime() < deadline, "the closed division was not restarted within 20 s");
        Thread.sleep(100);
        try {
          restarted = node.server().getDivision(groupId);
        } catch (java.io.IOException beingRestarted) {
          // removed, not added back yet
        }
      }
      upsert(node, c, shard, 20, 10);
      assertEquals(
          30,
          node.shardClients().forShard("c", shard).count(ReadConsistency.LINEARIZABLE).join(),
          "the writes before the close survived it, and the restarted division takes new ones");
    }
  }

  private static void upsert(
      RaftNode node, CollectionDescriptor c, ShardPlacement shard, int from, int count) {
    for (int i = from; i < from + count; i++) {
      node.shardClients()
          .forShard(c.name(), shard)
          .upsert(List.of(new Point(PointId.of(i), Map.of("", new float[] {i, 1}), Payload.EMPTY)))
          .join();
    }
  }
}
