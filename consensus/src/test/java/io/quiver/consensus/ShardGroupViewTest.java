package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ShardPlacement;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@link ShardGroupView#ask} describes each shard group as its leader sees it, from any node,
 * and asks the other nodes through one client each, however many groups it asks about (the meta
 * leader's audit asks every group every 30 s). Oracle: the metadata's replicas and witnesses (the
 * voters), the leader among them, and {@link PeerInfoClients#opened} after two rounds over 6
 * groups.
 */
@Timeout(180)
class ShardGroupViewTest {

  @TempDir Path dir;

  @Test
  void everyGroupIsDescribedThroughOneClientPerNode() throws Exception {
    RaftNode[] nodes =
        TestNodes.startCluster(
            dir, 100, TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort());
    RaftNode n1 = nodes[0];
    try {
      CollectionConfig config =
          new CollectionConfig(
              VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 6, 2, 1);
      CollectionDescriptor c = n1.catalog().create("c", config).join();
      ShardGroupViews views = new ShardGroupViews(n1.server(), n1.nodeId(), n1.peerInfoClients());
      int remote = 0;
      for (int round = 0; round < 2; round++) {
        for (ShardPlacement shard : c.shardMap().shards()) {
          ShardGroupView view = views.ask(n1.clusterState(), shard);
          assertNotNull(view, "a leader answered for shard " + shard.shardId());
          Set<Long> voters = new TreeSet<>(shard.replicas());
          voters.addAll(shard.witnesses()); // rf 2: a witness on the third node
          assertEquals(voters, view.voters(), "voters of shard " + shard.shardId());
          assertTrue(
              shard.replicas().contains(view.leader()),
              "the leader of shard " + shard.shardId() + " is a replica: " + view);
          assertTrue(
              view.appending().containsAll(voters), "the leader appends to its followers: " + view);
          remote += view.leader() == n1.nodeId() ? 0 : 1;
        }
      }
      assertTrue(
          remote >= 2,
          "some groups are led elsewhere, so node 1 asked other nodes: " + remote + " answers");
      assertTrue(
          n1.peerInfoClients().opened() <= 2,
          remote
              + " remote answers through "
              + n1.peerInfoClients().opened()
              + " clients (one per other node at most)");
    } finally {
      TestNodes.closeAll(nodes);
    }
  }
}
