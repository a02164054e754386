package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster.auto_rebalance} and {@code DELETE /cluster/peer/{id}?force=true}, with real node
 * processes: two nodes launched at once with automatic rebalancing, a collection of 4 shards x 1
 * replica under a writer; a third node joins and takes replicas without being asked (every
 * acknowledged write still there once, replicas identical). Drained, it gives them up; the drain
 * cancelled, it takes some again without being asked. Removing it is refused (409, it holds only
 * copies) until {@code force=true}, which removes it: the shards whose only copy it held start
 * again empty on the remaining nodes (their points are lost, as documented) and the collection
 * takes writes and reads on every shard again.
 */
@Timeout(300)
class AutoRebalanceIT {

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path tmp;

  @Test
  void aJoiningOrUndrainedNodeTakesReplicasByItselfAndAForcedRemovalLosesOnlyItsShards()
      throws Exception {
    Map<String, String> auto = Map.of("QUIVER__CLUSTER__AUTO_REBALANCE", "true");
    try (ScalingCluster cluster = ScalingCluster.start(tmp, 2, auto)) {
      QdrantHttp http = cluster.http.get(0);
      assertEquals(
          200,
          http.send(
                  "PUT",
                  "/collections/a",
                  "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":4,\"replication_factor\":1}")
              .status());
      long newPeer;
      try (ScalingCluster.Writer writer = new ScalingCluster.Writer(cluster.http, "a")) {
        Thread.sleep(1000);
        long started = System.nanoTime();
        QdrantHttp third = cluster.add(auto);
        newPeer = cluster.peerId(third);
        awaitOneReplicaEach(cluster, newPeer, true, "auto rebalance onto a 3rd node", started);
        assertEvenWithinOne(http);
        ScalingCluster.checkReplicas(cluster.http, "a", writer);

        // A drain moves the replicas off the node; once it is cancelled, the node may take
        // replicas again, and the automatic rebalance gives it some without being asked (a plain
        // cluster leaves it empty until POST /cluster/rebalance).
        started = System.nanoTime();
        QdrantHttp.Reply drain = http.send("POST", "/cluster/peer/" + newPeer + "/drain", null);
        assertEquals(200, drain.status(), drain.raw());
        awaitOneReplicaEach(cluster, newPeer, false, "drained the 3rd node", started);
        ScalingCluster.checkReplicas(cluster.http, "a", writer);
        started = System.nanoTime();
        QdrantHttp.Reply cancelled =
            http.send("POST", "/cluster/peer/" + newPeer + "/drain?cancel=true", null);
        assertEquals(200, cancelled.status(), cancelled.raw());
        awaitOneReplicaEach(
            cluster, newPeer, true, "auto rebalance after the drain was cancelled", started);
        assertEvenWithinOne(http);
        ScalingCluster.checkReplicas(cluster.http, "a", writer);
      }

      int before = count(http);
      QdrantHttp.Reply refused = http.send("DELETE", "/cluster/peer/" + newPeer, null);
      assertEquals(409, refused.status(), refused.raw());
      assertTrue(
          refused.raw().contains("only copy") && refused.raw().contains("force=true"),
          refused.raw());
      QdrantHttp.Reply forced =
          http.send("DELETE", "/cluster/peer/" + newPeer + "?force=true", null);
      assertEquals(200, forced.status(), forced.raw());
      cluster.nodes.get(2).close();
      List<QdrantHttp> remaining = cluster.http.subList(0, 2);
      ScalingCluster.awaitPlacement(
          remaining,
          "a",
          60_000,
          p ->
              p.size() == 4
                  && p.values().stream().allMatch(s -> s.size() == 1 && !s.contains(newPeer)));
      int after = count(http);
      assertTrue(
          after < before,
          "the shards held only by the removed node start empty: " + before + " -> " + after);
      StringBuilder points = new StringBuilder();
      for (int id = 1_000_000; id < 1_000_040; id++) {
        points
            .append(points.isEmpty() ? "" : ",")
            .append("{\"id\":")
            .append(id)
            .append(",\"vector\":[1,1]}");
      }
      QdrantHttp.Reply write =
          http.send("PUT", "/collections/a/points?wait=true", "{\"points\":[" + points + "]}");
      assertEquals(200, write.status(), write.raw());
      assertEquals(after + 40, count(http), "every shard takes writes again");
    }
  }

  /**
   * Waits until each of the 4 shards of `a` has one replica, and {@code peer} holds some of them
   * ({@code holdsSome}) or none; prints how long it took since {@code startedNanos}.
   */
  private static void awaitOneReplicaEach(
      ScalingCluster cluster, long peer, boolean holdsSome, String what, long startedNanos)
      throws Exception {
    Map<Integer, Set<Long>> placed =
        ScalingCluster.awaitPlacement(
            cluster.http,
            "a",
            90_000,
            p ->
                p.size() == 4
                    && p.values().stream().allMatch(s -> s.size() == 1)
                    && p.values().stream().anyMatch(s -> s.contains(peer)) == holdsSome);
    System.out.printf(
        "%s: %s after %.1f s%n", what, placed, (System.nanoTime() - startedNanos) / 1e9);
  }

  /** Every node holds 1 or 2 of the 4 replicas, once the rebalance has ended. */
  private static void assertEvenWithinOne(QdrantHttp http) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    JsonNode scaling = http.get("/cluster").result().get("quiver_scaling");
    while (scaling.get("rebalancing").asBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      scaling = http.get("/cluster").result().get("quiver_scaling");
    }
    for (JsonNode n : scaling.get("replicas_per_peer")) {
      assertTrue(n.asInt() >= 1 && n.asInt() <= 2, "even within one: " + scaling);
    }
  }

  private static int count(QdrantHttp http) throws Exception {
    QdrantHttp.Reply r = http.send("POST", "/collections/a/points/count", "{\"exact\":true}");
    assertEquals(200, r.status(), r.raw());
    return r.result().get("count").asInt();
  }
}
