package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Multivectors on a three-node cluster launched at once (3 shards, replication factor 3): points
 * written through every node and some of their multivectors replaced through another ({@code PUT
 * points/vectors}); MaxSim queries (a list of vectors, with and without a filter) and recommend
 * best_score by a point id through every node equal a brute-force ranking; a node killed with
 * SIGKILL while points are deleted answers the same from its own replicas ({@code consistency=any})
 * once it has caught up after restart, so multivectors survive the shard Raft logs, replay and
 * restart.
 *
 * <p>Oracle: small integers under Dot, so MaxSim scores are exact; ties by id.
 */
@Timeout(300)
class MultivectorClusterIT {

  private static final int DIM = 3;

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  private final Map<Integer, float[][]> model = new TreeMap<>();

  @Test
  void maxSimQueriesThroughEveryNodeEqualBruteForce() throws Exception {
    Random random = new Random(9);
    List<NodeProcess> nodes = NODES.startCluster(3, n -> {});
    List<QdrantHttp> http = nodes.stream().map(n -> new QdrantHttp(n.baseUrl())).toList();
    awaitPeers(http.get(0), 3);
    ok(
        http.get(0)
            .send(
                "PUT",
                "/collections/m",
                "{\"vectors\":{\"late\":{\"size\":3,\"distance\":\"Dot\","
                    + "\"multivector_config\":{\"comparator\":\"max_sim\"}}},\"shard_number\":3,\"replication_factor\":3}"));
    for (int batch = 0; batch < 12; batch++) {
      StringBuilder body = new StringBuilder("{\"points\":[");
      for (int i = 0; i < 25; i++) {
        int id = batch * 25 + i;
        model.put(id, rows(random, 1 + random.nextInt(4)));
        body.append(i == 0 ? "" : ",")
            .append("{\"id\":")
            .append(id)
            .append(",\"vector\":{\"late\":")
            .append(rowsJson(model.get(id)))
            .append("},\"payload\":{\"odd\":")
            .append(id % 2 == 1)
            .append("}}");
      }
      ok(
          http.get(batch % 3)
              .send("PUT", "/collections/m/points?wait=true", body.append("]}").toString()));
    }
    StringBuilder update = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 30; i++) {
      int id = i * 10 + 3;
      model.put(id, rows(random, 1 + random.nextInt(4)));
      update
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(id)
          .append(",\"vector\":{\"late\":")
          .append(rowsJson(model.get(id)))
          .append("}}");
    }
    ok(
        http.get(1)
            .send(
                "PUT", "/collections/m/points/vectors?wait=true", update.append("]}").toString()));
    List<float[][]> queries = new ArrayList<>();
    for (int n = 0; n < 6; n++) {
      queries.add(rows(random, 1 + random.nextInt(3)));
    }
    for (QdrantHttp h : http) {
      checkQueries(h, queries, "");
    }
    nodes.get(2).kill9();
    ok(
        http.get(0)
            .send(
                "POST",
                "/collections/m/points/delete?wait=true",
                "{\"points\":[0,1,2,3,4,5,6,7,8,9]}"));
    for (int id = 0; id < 10; id++) {
      model.remove(id);
    }
    nodes.get(2).start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try {
        checkQueries(http.get(2), queries, "?consistency=any");
        break;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(500); // its replicas are still catching up
      }
    }
    checkQueries(http.get(2), queries, "");
  }

  private static void awaitPeers(QdrantHttp h, int peers) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      Set<String> ids = new HashSet<>();
      h.get("/cluster").result().get("peers").fieldNames().forEachRemaining(ids::add);
      if (ids.size() == peers) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "3 peers, got " + ids);
      Thread.sleep(200);
    }
  }

  private void checkQueries(QdrantHttp h, List<float[][]> queries, String params) throws Exception {
    for (float[][] q : queries) {
      for (Boolean odd : new Boolean[] {null, true}) {
        String filter =
            odd == null
                ? ""
                : ",\"filter\":{\"must\":[{\"key\":\"odd\",\"match\":{\"value\":true}}]}";
        QdrantHttp.Reply r =
            h.send(
                "POST",
                "/collections/m/points/query" + params,
                "{\"query\":" + rowsJson(q) + ",\"using\":\"late\",\"limit\":10" + filter + "}");
        assertEquals(200, r.status(), r.raw());
        List<Map.Entry<Integer, Double>> expected = truth(q, odd != null);
        JsonNode points = r.result().get("points");
        List<Integer> ids = new ArrayList<>();
        points.forEach(p -> ids.add(p.get("id").asInt()));
        String where = h + " " + rowsJson(q) + " odd " + odd + params;
        assertEquals(expected.subList(0, 10).stream().map(Map.Entry::getKey).toList(), ids, where);
        for (int i = 0; i < ids.size(); i++) {
          assertEquals(
              expected.get(i).getValue(), points.get(i).get("score").asDouble(), 1e-4, where);
        }
        checkRecommend(h, q, odd != null, filter, params);
      }
    }
  }

  /**
   * recommend best_score with a point id as the positive (its own multivector) and {@code q} as the
   * negative: every other point compared with each by MaxSim, Qdrant's formula over them.
   */
  private void checkRecommend(
      QdrantHttp h, float[][] q, boolean oddOnly, String filter, String params) throws Exception {
    List<Integer> ids = new ArrayList<>(model.keySet());
    int positive = ids.get(Math.floorMod(java.util.Arrays.deepHashCode(q), ids.size()));
    QdrantHttp.Reply r =
        h.send(
            "POST",
            "/collections/m/points/query" + params,
            "{\"query\":{\"recommend\":{\"positive\":["
                + positive
                + "],\"negative\":["
                + rowsJson(q)
                + "],\"strategy\":\"best_score\"}},\"using\":\"late\",\"limit\":10"
                + filter
                + "}");
    assertEquals(200, r.status(), r.raw());
    List<Map.Entry<Integer, Double>> expected = new ArrayList<>();
    float[][] p = model.get(positive);
    model.forEach(
        (id, rows) -> {
          if (id != positive && (!oddOnly || id % 2 == 1)) {
            float score =
                CustomObjectives.bestScore(
                    new float[] {(float) MaxSimDot.of(p, rows)},
                    new float[] {(float) MaxSimDot.of(q, rows)});
            expected.add(Map.entry(id, (double) score));
          }
        });
    expected.sort(
        Comparator.comparing((Map.Entry<Integer, Double> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    JsonNode points = r.result().get("points");
    String where = h + " recommend +" + positive + " -" + rowsJson(q) + " odd " + oddOnly + params;
    assertEquals(10, points.size(), where);
    for (int i = 0; i < 10; i++) {
      assertEquals(
          expected.get(i).getKey().intValue(),
          points.get(i).get("id").asInt(),
          where + " at " + i + ": " + points);
      assertEquals(expected.get(i).getValue(), points.get(i).get("score").asDouble(), 1e-6, where);
    }
  }

  private List<Map.Entry<Integer, Double>> truth(float[][] q, boolean oddOnly) {
    List<Map.Entry<Integer, Double>> out = new ArrayList<>();
    model.forEach(
        (id, rows) -> {
          if (oddOnly && id % 2 == 0) {
            return;
          }
          out.add(Map.entry(id, MaxSimDot.of(q, rows)));
        });
    out.sort(
        Comparator.comparing((Map.Entry<Integer, Double> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    return out;
  }

  private static float[][] rows(Random random, int count) {
    float[][] out = new float[count][DIM];
    for (float[] row : out) {
      for (int x = 0; x < DIM; x++) {
        row[x] = random.nextInt(9) - 4;
      }
    }
    return out;
  }

  private static String rowsJson(float[][] rows) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < rows.length; i++) {
      s.append(i == 0 ? "" : ",").append("[");
      for (int x = 0; x < rows[i].length; x++) {
        s.append(x == 0 ? "" : ",").append(rows[i][x]);
      }
      s.append("]");
    }
    return s.append("]").toString();
  }

  private static void ok(QdrantHttp.Reply r) {
    assertEquals(200, r.status(), r.raw());
  }
}
