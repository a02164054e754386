package io.quiver.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.RaftNode;
import io.quiver.consensus.TestNodes;
import io.quiver.index.vector.Distance;
import io.quiver.sharding.AliasAction;
import io.quiver.sharding.CollectionConfig;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes. Node 2 stops; a meta entry commits on nodes 1 and 3 (node 2's meta log is now
 * the shorter one, so only node 3 can win an election); node 1 stops. For 30 s node 3 stands for
 * election alone, and its gRPC channel to node 2 falls into gRPC's connect backoff (more than 10 s
 * by then). Node 2 returns: node 3 must get its vote, so the meta group has a leader and node 2 has
 * caught up within seconds, not when the backoff happens to end (this took more than 90 s in CI
 * before {@link PeerReconnects}).
 */
@Timeout(180)
class PeerReconnectsTest {

  @TempDir Path dir;

  @Test
  void aNodeBackAfterALongOutageGetsItsVoteAskedAtOnce() throws Exception {
    int p1 = TestNodes.freePort();
    int p2 = TestNodes.freePort();
    int p3 = TestNodes.freePort();
    RaftNode[] nodes = TestNodes.startCluster(dir, 100, p1, p2, p3);
    RaftNode n1 = nodes[0];
    RaftNode n2 = nodes[1];
    RaftNode n3 = nodes[2];
    try {
      RaftNode seed = n1;
      TestNodes.awaitTrue(() -> seed.metaVoters().size() == 3, "three meta voters", 30_000);
      n1.catalog()
          .create(
              "c",
              new CollectionConfig(
                  VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 1, 1, 1))
          .join();
      n2.close();
      n2 = null;
      n1.catalog().updateAliases(List.of(new AliasAction.Create("a", "c"))).join();
      n1.close();
      n1 = null;
      Thread.sleep(30_000);

      long start = System.nanoTime();
      n2 = TestNodes.start(dir, 2, p2, p3, 100);
      long caughtUpMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(
          "c", n2.catalog().aliases().get("a"), "node 2 applied the entry only node 3 had");
      assertTrue(caughtUpMs < 8_000, "node 2 caught up " + caughtUpMs + " ms after its restart");
    } finally {
      TestNodes.closeAll(n1, n2, n3);
    }
  }
}
