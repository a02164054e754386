package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebalance weighted by shard size, with leaders evened out, on real node processes: three nodes
 * launched at once hold collections whose shards weigh very differently (256, 32 and 4 dimensions;
 * one of replication factor 3); a fourth node joins and {@code POST /cluster/rebalance} runs. The
 * plan ({@code GET /cluster/rebalance}) shows each step with its shard's size and the loads after
 * it; once done, the spread of bytes per node has narrowed, no node leads two groups more than
 * another replica of one of them (the planner has nothing left, leadership transfers included), and
 * every point is still there exactly once.
 */
@Timeout(150)
class WeightedRebalanceIT {

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path tmp;

  /** collection -> {dimensions, shards, replication factor, points}. */
  private static final Map<String, int[]> COLLECTIONS =
      new TreeMap<>(
          Map.of(
              "large", new int[] {256, 4, 1, 1800},
              "medium", new int[] {32, 3, 1, 1800},
              "tiny", new int[] {4, 6, 1, 300},
              "led", new int[] {4, 6, 3, 300}));

  @Test
  void aFourthNodeEvensOutBytesAndLeaders() throws Exception {
    try (ScalingCluster cluster = ScalingCluster.start(tmp, 3, Map.of())) {
      QdrantHttp http = cluster.http.get(0);
      for (var e : COLLECTIONS.entrySet()) {
        int[] c = e.getValue();
        QdrantHttp.Reply created =
            http.send(
                "PUT",
                "/collections/" + e.getKey(),
                "{\"vectors\":{\"size\":"
                    + c[0]
                    + ",\"distance\":\"Dot\"},\"shard_number\":"
                    + c[1]
                    + ",\"replication_factor\":"
                    + c[2]
                    + "}");
        assertEquals(200, created.status(), created.raw());
        upload(http, e.getKey(), c[0], c[3]);
      }

      long started = System.nanoTime();
      QdrantHttp fourth = cluster.add(Map.of());
      long newPeer = cluster.peerId(fourth);
      JsonNode plan = awaitPlanWith(http, newPeer);
      JsonNode before = plan.get("loads_before");
      System.out.println(
          "rebalance plan: "
              + plan.get("moves").size()
              + " steps, loads before "
              + before
              + ", after "
              + plan.get("loads_after"));
      for (JsonNode step : plan.get("moves")) {
        assertTrue(
            step.get("shard_bytes").asLong() >= 0
                && step.has("loads_after")
                && step.get("loads_after").has(Long.toString(newPeer)),
            step.toString());
      }
      QdrantHttp.Reply rebalance = http.send("POST", "/cluster/rebalance", null);
      assertEquals(200, rebalance.status(), rebalance.raw());
      ScalingCluster.awaitPlacement(cluster.http, "large", 120_000, p -> p.size() == 4);
      double seconds = (System.nanoTime() - started) / 1e9;

      JsonNode settled = awaitSettledPlan(http);
      JsonNode after = settled.get("loads_before");
      long spreadBefore = spread(before, "bytes");
      long spreadAfter = spread(after, "bytes");
      JsonNode scaling = http.get("/cluster").result().get("quiver_scaling");
      long transfers = 0;
      for (QdrantHttp h : cluster.http) {
        for (String line : h.send("GET", "/metrics", null).raw().split("\n")) {
          if (line.startsWith("quiver_shard_transfers_completed_total{kind=\"transfer_leader\"}")) {
            transfers += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      }
      System.out.printf(
          "weighted rebalance onto a 4th node in %.1f s: bytes spread %d -> %d, leaders %s -> %s "
              + "(%d leadership transfers); %s%n",
          seconds,
          spreadBefore,
          spreadAfter,
          column(before, "leaders"),
          column(after, "leaders"),
          transfers,
          column(after, "bytes"));
      assertTrue(settled.get("moves").isEmpty(), "nothing left to move or transfer: " + settled);
      assertTrue(
          after.get(Long.toString(newPeer)).get("bytes").asLong() > 0,
          "the new node took data: " + after);
      assertTrue(
          spreadAfter * 2 < spreadBefore, "bytes per node evened out: " + before + " -> " + after);
      assertTrue(
          spread(after, "leaders") <= spread(before, "leaders") || spread(after, "leaders") <= 2,
          "leaders spread: " + before + " -> " + after + ", " + scaling);

      for (var e : COLLECTIONS.entrySet()) {
        assertEveryPointOnce(cluster, e.getKey(), e.getValue()[3]);
      }
    }
  }

  /**
   * Waits until the plan (of any node, here the seed) moves something onto {@code peer}: it knows
   * the node joined.
   */
  private static JsonNode awaitPlanWith(QdrantHttp http, long peer) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    JsonNode plan = null;
    while (System.currentTimeMillis() < deadline) {
      QdrantHttp.Reply r = http.get("/cluster/rebalance");
      assertEquals(200, r.status(), r.raw());
      plan = r.result();
      if (plan.get("loads_before").has(Long.toString(peer)) && !plan.get("moves").isEmpty()) {
        return plan;
      }
      Thread.sleep(300);
    }
    throw new AssertionError("no plan onto node " + peer + ": " + plan);
  }

  /**
   * The plan once it is empty, polled for up to 20 s: a node plans from sizes and leaders up to 2 s
   * old, so right after the last transfer it may still see the leader it replaced.
   */
  private static JsonNode awaitSettledPlan(QdrantHttp http) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    JsonNode plan;
    do {
      plan = http.get("/cluster/rebalance").result();
      if (plan.get("moves").isEmpty()) {
        return plan;
      }
      Thread.sleep(1000);
    } while (System.currentTimeMillis() < deadline);
    return plan;
  }

  private static void upload(QdrantHttp http, String collection, int dims, int points)
      throws Exception {
    for (int from = 0; from < points; from += 300) {
      StringBuilder body = new StringBuilder("{\"points\":[");
      for (int id = from; id < Math.min(points, from + 300); id++) {
        body.append(id == from ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":[");
        for (int d = 0; d < dims; d++) {
          body.append(d == 0 ? "" : ",").append((id + d) % 7);
        }
        body.append("]}");
      }
      body.append("]}");
      QdrantHttp.Reply r =
          http.send("PUT", "/collections/" + collection + "/points?wait=true", body.toString());
      assertEquals(200, r.status(), r.raw());
    }
  }

  /** Every node counts exactly {@code points} and scrolls each id 0..points-1 once. */
  private static void assertEveryPointOnce(ScalingCluster cluster, String collection, int points)
      throws Exception {
    for (QdrantHttp h : cluster.http) {
      QdrantHttp.Reply scroll =
          h.send(
              "POST",
              "/collections/" + collection + "/points/scroll",
              "{\"limit\":100000,\"with_vector\":false,\"with_payload\":false}");
      assertEquals(200, scroll.status(), scroll.raw());
      Set<Integer> ids = new HashSet<>();
      for (JsonNode p : scroll.result().get("points")) {
        assertTrue(
            ids.add(p.get("id").asInt()), collection + ": point " + p.get("id") + " twice on " + h);
      }
      assertEquals(points, ids.size(), collection + " on " + h);
      QdrantHttp.Reply count =
          h.send("POST", "/collections/" + collection + "/points/count", "{\"exact\":true}");
      assertEquals(points, count.result().get("count").asInt(), count.raw());
    }
  }

  private static long spread(JsonNode loads, String field) {
    long max = Long.MIN_VALUE;
    long min = Long.MAX_VALUE;
    for (JsonNode load : loads) {
      max = Math.max(max, load.get(field).asLong());
      min = Math.min(min, load.get(field).asLong());
    }
    return max - min;
  }

  private static String column(JsonNode loads, String field) {
    StringBuilder out = new StringBuilder("{");
    loads
        .fieldNames()
        .forEachRemaining(
            peer ->
                out.append(out.length() > 1 ? ", " : "")
                    .append(peer.substring(Math.max(0, peer.length() - 4)))
                    .append('=')
                    .append(loads.get(peer).get(field).asLong()));
    return out.append('}').toString();
  }
}
