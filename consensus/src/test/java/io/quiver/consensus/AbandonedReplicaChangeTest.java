package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica change abandoned between its two steps, as when the node carrying it out dies: a drop
 * takes the replica out of the shard group's configuration, then out of the metadata. Here the
 * second step never comes, on two real Ratis servers where no other step would ever touch the shard
 * (replication_factor 2 with two nodes: no witness, nothing to move). Without a repair the metadata
 * would go on naming node 2 as a replica that the group no longer replicates to. The meta leader's
 * audit (every 12 s here) finds the disagreement, follows it every second, waits for it to look
 * abandoned (shortened here from 60 s) and repairs it: node 2 still hosts the group, so the change
 * is made whole again with node 2 a voter (were it gone, both would keep node 1 and the ordinary
 * planning would add node 2 back). The group's voters are nodes 1 and 2 again and node 2's own
 * replica holds every write.
 */
@Timeout(120)
class AbandonedReplicaChangeTest {

  @TempDir Path dir;

  @BeforeEach
  void shortTimes() {
    System.setProperty("quiver.test.abandoned_change_ms", "3000");
    // Audits further apart than a change's sightings may be (10 s): the change, found by an audit
    // only (no step is planned for this shard), is followed between audits.
    System.setProperty("quiver.test.replica_audit_ms", "12000");
  }

  @AfterEach
  void usualTimes() {
    System.clearProperty("quiver.test.abandoned_change_ms");
    System.clearProperty("quiver.test.replica_audit_ms");
  }

  @Test
  void aDropAbandonedAfterItsConfigurationChangeIsRepaired() throws Exception {
    int p1 = TestNodes.freePort();
    int p2 = TestNodes.freePort();
    RaftNode n1 = TestNodes.start(dir, 1, p1, null, 1000);
    RaftNode n2 = TestNodes.start(dir, 2, p2, p1, 1000);
    try {
      CollectionConfig config =
          new CollectionConfig(
              VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 1, 2, 1);
      CollectionDescriptor c = n1.catalog().create("c", config).join();
      ShardPlacement shard = c.shardMap().shard(0);
      assertEquals(List.of(1L, 2L), shard.replicas().stream().sorted().toList());
      for (int i = 0; i < 10; i++) {
        n1.shardClients()
            .forShard("c", shard)
            .upsert(
                List.of(new Point(PointId.of(i), Map.of("", new float[] {i, 1}), Payload.EMPTY)))
            .join();
      }

      // The drop's first step only: node 2 leaves the group's configuration, the metadata keeps it.
      RaftGroup group = RaftNode.shardGroup(shard, n1.clusterState().nodes());
      List<RaftPeer> onlyNode1 =
          group.getPeers().stream()
              .filter(p -> RaftNode.nodeIdOf(p.getId().toString()) == 1L)
              .toList();
      try (RaftClient client =
          new RaftClients(n1.config().requestTimeout(), null).newClient(group)) {
        RaftClientReply reply = client.admin().setConfiguration(onlyNode1);
        assertEquals(true, reply.isSuccess(), String.valueOf(reply.getException()));
      }
      assertEquals(Set.of(1L), voters(n1, shard));

      TestNodes.awaitTrue(
          () ->
              voters(n1, shard).equals(Set.of(1L, 2L))
                  && n1.clusterState().collections().get("c").shardMap().shard(0).replicas().size()
                      == 2,
          "node 2 is a voter of the group and a replica in the metadata again",
          60_000);
      TestNodes.awaitTrue(
          () ->
              n2.shardClients()
                      .forShard("c", n2.clusterState().collections().get("c").shardMap().shard(0))
                      .count(ReadConsistency.ANY)
                      .join()
                  == 10,
          "node 2's own replica holds every write",
          30_000);
    } finally {
      TestNodes.closeAll(n1, n2);
    }
  }

  /**
   * The voters of the shard group as node 1 (its only voter after the drop, so its leader) sees
   * them.
   */
  private static Set<Long> voters(RaftNode n1, ShardPlacement shard) {
    try {
      Set<Long> voters = new TreeSet<>();
      n1.server()
          .getDivision(RaftGroupId.valueOf(shard.groupId()))
          .getRaftConf()
          .getCurrentPeers()
          .forEach(p -> voters.add(RaftNode.nodeIdOf(p.getId().toString())));
      return voters;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
