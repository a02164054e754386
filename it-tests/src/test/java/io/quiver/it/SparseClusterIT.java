package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sparse vectors on a three-node cluster (3 shards, replication factor 3): points written through
 * every node, sparse queries (plain and {@code modifier: idf}, whose document frequencies come from
 * every shard) and recommend by a point id (sum_scores, examples IDF-weighted on the idf vector)
 * through every node equal a brute-force ranking; a node killed with SIGKILL and restarted answers
 * the same from its own replicas ({@code consistency=any}) once it has caught up, so sparse vectors
 * survive log replay and restart.
 *
 * <p>Oracle: integer values (exact dot products); IDF with Quiver's formula and roundings.
 */
@Timeout(300)
class SparseClusterIT {

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  private final Map<Integer, TreeMap<Long, Float>> model = new HashMap<>();

  @Test
  void sparseQueriesThroughEveryNodeEqualBruteForce() throws Exception {
    Random random = new Random(5);
    List<NodeProcess> nodes = NODES.startCluster(3, n -> {});
    List<QdrantHttp> http = nodes.stream().map(n -> new QdrantHttp(n.baseUrl())).toList();
    ok(
        http.get(0)
            .send(
                "PUT",
                "/collections/s",
                "{\"sparse_vectors\":{\"plain\":{},\"idf\":{\"modifier\":\"idf\"}},"
                    + "\"shard_number\":3,\"replication_factor\":3}"));
    for (int batch = 0; batch < 12; batch++) {
      StringBuilder body = new StringBuilder("{\"points\":[");
      for (int i = 0; i < 25; i++) {
        int id = batch * 25 + i;
        TreeMap<Long, Float> v = new TreeMap<>();
        for (int k = 1 + random.nextInt(5); k > 0; k--) {
          v.put((long) (25 * Math.pow(random.nextDouble(), 2)), (float) (1 + random.nextInt(3)));
        }
        model.put(id, v);
        String json = json(v);
        body.append(i == 0 ? "" : ",")
            .append("{\"id\":")
            .append(id)
            .append(",\"vector\":{\"plain\":")
            .append(json)
            .append(",\"idf\":")
            .append(json)
            .append("}}");
      }
      ok(
          http.get(batch % 3)
              .send("PUT", "/collections/s/points?wait=true", body.append("]}").toString()));
    }
    List<TreeMap<Long, Float>> queries = new ArrayList<>();
    for (int n = 0; n < 6; n++) {
      TreeMap<Long, Float> q = new TreeMap<>();
      q.put((long) random.nextInt(25), 1f);
      q.put((long) random.nextInt(25), 2f);
      queries.add(q);
    }
    for (QdrantHttp h : http) {
      checkQueries(h, queries, "");
    }
    nodes.get(2).kill9();
    ok(
        http.get(0)
            .send(
                "POST",
                "/collections/s/points/delete?wait=true",
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

  private void checkQueries(QdrantHttp h, List<TreeMap<Long, Float>> queries, String params)
      throws Exception {
    for (TreeMap<Long, Float> q : queries) {
      for (String using : List.of("plain", "idf")) {
        QdrantHttp.Reply r =
            h.send(
                "POST",
                "/collections/s/points/query" + params,
                "{\"query\":" + json(q) + ",\"using\":\"" + using + "\",\"limit\":10}");
        assertEquals(200, r.status(), r.raw());
        List<Map.Entry<Integer, Float>> expected = truth(q, using.equals("idf"));
        JsonNode points = r.result().get("points");
        List<Integer> ids = new ArrayList<>();
        points.forEach(p -> ids.add(p.get("id").asInt()));
        String where = h + " " + using + " " + q + params;
        assertEquals(
            expected.subList(0, Math.min(10, expected.size())).stream()
                .map(Map.Entry::getKey)
                .toList(),
            ids,
            where);
        for (int i = 0; i < ids.size(); i++) {
          assertEquals(
              expected.get(i).getValue(), points.get(i).get("score").floatValue(), 1e-6f, where);
        }
        checkRecommend(h, q, using, params);
      }
    }
  }

  /**
   * recommend sum_scores with a point id (the point's own sparse vector) as the positive and {@code
   * q} as the negative: every other point scores sim(positive) - sim(q), the sparse dot product (0
   * without a shared dimension), each example weighted by IDF over the whole collection on the idf
   * vector.
   */
  private void checkRecommend(QdrantHttp h, TreeMap<Long, Float> q, String using, String params)
      throws Exception {
    int positive = 10 + Math.floorMod(q.hashCode(), model.size() - 10);
    while (!model.containsKey(positive)) {
      positive++;
    }
    QdrantHttp.Reply r =
        h.send(
            "POST",
            "/collections/s/points/query" + params,
            "{\"query\":{\"recommend\":{\"positive\":["
                + positive
                + "],\"negative\":["
                + json(q)
                + "],\"strategy\":\"sum_scores\"}},\"using\":\""
                + using
                + "\",\"limit\":10}");
    assertEquals(200, r.status(), r.raw());
    TreeMap<Long, Float> p = model.get(positive);
    TreeMap<Long, Float> union = new TreeMap<>(p);
    union.putAll(q);
    Map<Long, Double> weights = weights(union);
    List<Map.Entry<Integer, Float>> expected = new ArrayList<>();
    int self = positive;
    model.forEach(
        (id, v) -> {
          if (id != self) {
            float plus = 0f + sim(p, v, using.equals("idf") ? weights : null);
            float minus = 0f + sim(q, v, using.equals("idf") ? weights : null);
            expected.add(Map.entry(id, plus - minus));
          }
        });
    expected.sort(
        Comparator.comparing((Map.Entry<Integer, Float> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    JsonNode points = r.result().get("points");
    String where = h + " recommend " + using + " +" + positive + " -" + q + params;
    assertEquals(10, points.size(), where);
    for (int i = 0; i < 10; i++) {
      assertEquals(
          expected.get(i).getKey().intValue(),
          points.get(i).get("id").asInt(),
          where + " at " + i + ": " + points);
      assertEquals(
          expected.get(i).getValue(), points.get(i).get("score").floatValue(), 1e-6f, where);
    }
  }

  private static float sim(
      TreeMap<Long, Float> example, TreeMap<Long, Float> point, Map<Long, Double> idf) {
    double sum = 0;
    for (Map.Entry<Long, Float> e : example.entrySet()) {
      Float x = point.get(e.getKey());
      if (x != null) {
        float w = idf == null ? e.getValue() : (float) (e.getValue() * idf.get(e.getKey()));
        sum += (double) w * x;
      }
    }
    return (float) sum;
  }

  private Map<Long, Double> weights(TreeMap<Long, Float> q) {
    Map<Long, Double> weights = new HashMap<>();
    for (Long index : q.keySet()) {
      long n = model.values().stream().filter(v -> v.containsKey(index)).count();
      weights.put(index, Math.log((model.size() - n + 0.5) / (n + 0.5) + 1));
    }
    return weights;
  }

  private List<Map.Entry<Integer, Float>> truth(TreeMap<Long, Float> q, boolean idf) {
    Map<Long, Double> weights = new HashMap<>();
    for (Long index : q.keySet()) {
      long n = model.values().stream().filter(v -> v.containsKey(index)).count();
      weights.put(index, Math.log((model.size() - n + 0.5) / (n + 0.5) + 1));
    }
    List<Map.Entry<Integer, Float>> out = new ArrayList<>();
    model.forEach(
        (id, v) -> {
          double sum = 0;
          boolean shares = false;
          for (Map.Entry<Long, Float> e : q.entrySet()) {
            Float x = v.get(e.getKey());
            if (x != null) {
              shares = true;
              float w = idf ? (float) (e.getValue() * weights.get(e.getKey())) : e.getValue();
              sum += (double) w * x;
            }
          }
          if (shares) {
            out.add(Map.entry(id, (float) sum));
          }
        });
    out.sort(
        Comparator.comparing((Map.Entry<Integer, Float> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    return out;
  }

  private static String json(TreeMap<Long, Float> v) {
    StringBuilder indices = new StringBuilder();
    StringBuilder values = new StringBuilder();
    v.forEach(
        (i, x) -> {
          indices.append(indices.length() == 0 ? "" : ",").append(i);
          values.append(values.length() == 0 ? "" : ",").append(x);
        });
    return "{\"indices\":[" + indices + "],\"values\":[" + values + "]}";
  }

  private static void ok(QdrantHttp.Reply r) {
    assertEquals(200, r.status(), r.raw());
  }
}
