package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Growing and shrinking a cluster under a continuous writer and a reader (queries and exact
 * counts), with real node processes:
 *
 * <ol>
 *   <li>three nodes launched at once; a collection of 4 shards x 2 replicas being written, and one
 *       of 2 shards x 1 replica;
 *   <li>a fourth node joins with {@code cluster.auto_rebalance} off everywhere: it gets nothing
 *       until {@code POST /cluster/rebalance}, which moves replicas onto it one at a time until
 *       every node holds about the same number (within one);
 *   <li>{@code DELETE /cluster/peer/{id}} of a node that holds the only copy of a shard is a 409
 *       that says so; {@code POST /cluster/peer/{id}/drain} moves every replica off it (each shard
 *       keeps its replication factor), after which the delete succeeds and the peer is gone.
 * </ol>
 *
 * After each step every acknowledged write is present exactly once and every replica of every shard
 * is identical ({@link ScalingCluster#checkReplicas}); at the end, no write, query or count has
 * failed.
 */
@Timeout(240)
class RebalanceDrainIT {

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path tmp;

  @Test
  void addANodeAndRebalanceThenDrainAndRemoveANodeUnderWrites() throws Exception {
    try (ScalingCluster cluster = ScalingCluster.start(tmp, 3, Map.of())) {
      QdrantHttp http = cluster.http.get(0);
      assertEquals(
          200,
          http.send(
                  "PUT",
                  "/collections/w",
                  "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":4,\"replication_factor\":2}")
              .status());
      assertEquals(
          200,
          http.send(
                  "PUT",
                  "/collections/solo",
                  "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,\"replication_factor\":1}")
              .status());
      try (ScalingCluster.Writer writer = new ScalingCluster.Writer(cluster.http, "w");
          ScalingCluster.Reader reader = new ScalingCluster.Reader(cluster.http, "w")) {
        Thread.sleep(1000);

        // A fourth node joins: nothing moves by itself (auto_rebalance is off).
        long started = System.nanoTime();
        QdrantHttp fourth = cluster.add(Map.of());
        long newPeer = cluster.peerId(fourth);
        Thread.sleep(2000);
        assertEquals(0, replicasOf(http, newPeer), "no replica moves unless asked");
        JsonNode plan = http.get("/cluster/rebalance").result().get("moves");
        int moves = 0;
        for (JsonNode move : plan) {
          String operation = move.get("operation").asText();
          assertTrue(
              operation.equals("move_replica") || operation.equals("transfer_leader"),
              plan.toString());
          moves += operation.equals("move_replica") ? 1 : 0;
        }
        assertTrue(moves >= 2, "the plan moves replicas onto the new node: " + plan);
        QdrantHttp.Reply rebalance = http.send("POST", "/cluster/rebalance", null);
        assertEquals(200, rebalance.status(), rebalance.raw());
        List<QdrantHttp> four = new ArrayList<>(cluster.http);
        ScalingCluster.awaitPlacement(
            four,
            "w",
            120_000,
            p -> p.size() == 4 && p.values().stream().allMatch(s -> s.size() == 2));
        ScalingCluster.awaitPlacement(
            four,
            "solo",
            30_000,
            p -> p.size() == 2 && p.values().stream().allMatch(s -> s.size() == 1));
        JsonNode perPeer = http.get("/cluster").result().at("/quiver_scaling/replicas_per_peer");
        int max = 0;
        int min = Integer.MAX_VALUE;
        for (JsonNode n : perPeer) {
          max = Math.max(max, n.asInt());
          min = Math.min(min, n.asInt());
        }
        System.out.printf(
            "rebalance onto a 4th node: %s after %.1f s (%d moves planned)%n",
            perPeer, (System.nanoTime() - started) / 1e9, plan.size());
        assertTrue(max - min <= 1, "replicas even within one: " + perPeer);
        assertTrue(
            perPeer.get(Long.toString(newPeer)).asInt() >= 2,
            "the new node took replicas: " + perPeer);
        ScalingCluster.checkReplicas(four, "w", writer);

        // The node with the only copy of a `solo` shard: removing it is refused, draining moves all
        // away.
        long victim = soloHolder(four);
        QdrantHttp.Reply refused = http.send("DELETE", "/cluster/peer/" + victim, null);
        assertEquals(409, refused.status(), refused.raw());
        assertTrue(
            refused.raw().contains("only copy") && refused.raw().contains("solo/"), refused.raw());
        started = System.nanoTime();
        QdrantHttp.Reply drain = http.send("POST", "/cluster/peer/" + victim + "/drain", null);
        assertEquals(200, drain.status(), drain.raw());
        assertTrue(
            http.get("/cluster")
                .result()
                .at("/quiver_scaling/draining_peers")
                .toString()
                .contains(Long.toString(victim)));
        ScalingCluster.awaitPlacement(
            four,
            "w",
            120_000,
            p ->
                p.size() == 4
                    && p.values().stream().allMatch(s -> s.size() == 2 && !s.contains(victim)));
        ScalingCluster.awaitPlacement(
            four,
            "solo",
            60_000,
            p ->
                p.size() == 2
                    && p.values().stream().allMatch(s -> s.size() == 1 && !s.contains(victim)));
        assertEquals(0, replicasOf(http, victim));
        System.out.printf(
            "drained peer %d in %.1f s%n", victim, (System.nanoTime() - started) / 1e9);
        // The removed node stops serving the cluster: the clients go through the others.
        for (QdrantHttp h : cluster.http) {
          if (cluster.peerId(h) == victim) {
            writer.avoid(h, true);
            reader.avoid(h, true);
          }
        }
        writer.pause(); // their requests in flight through it end first
        reader.pause();
        writer.resume();
        reader.resume();
        QdrantHttp.Reply removed = http.send("DELETE", "/cluster/peer/" + victim, null);
        assertEquals(200, removed.status(), removed.raw());
        assertFalse(
            http.get("/cluster").result().get("peers").has(Long.toString(victim)),
            "the removed peer is gone");

        List<QdrantHttp> remaining = cluster.live(Set.of(victim));
        assertEquals(3, remaining.size());
        ScalingCluster.checkReplicas(remaining, "w", writer);
        assertTrue(
            writer.acknowledged.size() > 100,
            "the writer made progress: "
                + writer.acknowledged.size()
                + ", last failure "
                + writer.lastFailure());
        // Moves, the drain and the removal are graceful: nothing a client sent failed meanwhile.
        ScalingCluster.assertNoFailures(writer, reader);
      }
    }
  }

  private static int replicasOf(QdrantHttp http, long peer) throws Exception {
    JsonNode n = http.get("/cluster").result().at("/quiver_scaling/replicas_per_peer/" + peer);
    return n.isMissingNode() ? 0 : n.asInt();
  }

  /** A peer holding the only copy of a shard of `solo` (every shard of it has one copy). */
  private static long soloHolder(List<QdrantHttp> nodes) throws Exception {
    Set<Long> holders = new HashSet<>();
    ScalingCluster.activeReplicas(nodes, "solo").values().forEach(holders::addAll);
    return holders.iterator().next();
  }
}
