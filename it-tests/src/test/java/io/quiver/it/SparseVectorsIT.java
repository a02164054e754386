package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sparse vectors through REST against a real node process (3 shards): collection settings reported
 * back exactly, refusals naming the field, upsert / retrieve / scroll of sparse vectors, the Query
 * API (filters, score_threshold, offset, modifier idf over the whole collection), the older search
 * and search/batch, recommend, discover and context (examples by point id or as sparse vectors,
 * every strategy, the Query API and the older endpoints), and a hybrid dense + sparse query fused
 * by rrf and dbsf. Every response is validated against Qdrant's OpenAPI spec.
 *
 * <p>Oracle: brute force computed here. Sparse values are small integers, so dot products are
 * exact; IDF weights are computed with the same formula and roundings as Quiver's ({@code ln((N - n
 * + 0.5) / (n + 0.5) + 1)} in double, N every point of the collection, the weighted value rounded
 * to float, the sum in double rounded to float). Ties by id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class SparseVectorsIT {

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private static final String C = "/collections/hybrid";
  private static final int N = 300;
  private static final String[] COLORS = {"red", "green", "blue"};
  private static final long BIG = 4_294_967_295L;

  private NodeProcess node;
  private QdrantHttp http;
  private final OpenApiContract spec = OpenApiContract.load();
  private final Map<Integer, TreeMap<Long, Float>> sparse = new LinkedHashMap<>();
  private final Map<Integer, float[]> dense = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    http = new QdrantHttp(node.baseUrl());
    call(
        "PUT",
        "/collections/{collection_name}",
        C,
        "{\"vectors\":{\"dense\":{\"size\":3,\"distance\":\"Dot\"}},"
            + "\"sparse_vectors\":{\"text\":{\"index\":{\"full_scan_threshold\":50,\"on_disk\":false,\"datatype\":\"float32\"}},"
            + "\"weighted\":{\"modifier\":\"idf\"}},\"shard_number\":3}");
    Random random = new Random(7);
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < N; i++) {
      float[] d = {random.nextInt(5) - 2, random.nextInt(5) - 2, random.nextInt(5) - 2};
      dense.put(i, d);
      StringBuilder vector = new StringBuilder("{\"dense\":").append(floats(d));
      if (i % 10 != 0) { // every tenth point has no sparse vector
        TreeMap<Long, Float> v = new TreeMap<>();
        for (int k = 1 + random.nextInt(6); k > 0; k--) {
          long index =
              random.nextInt(20) == 0 ? BIG : (long) (30 * Math.pow(random.nextDouble(), 2));
          v.put(index, (float) (1 + random.nextInt(4)));
        }
        sparse.put(i, v);
        String json = sparseJson(v, true);
        vector.append(",\"text\":").append(json).append(",\"weighted\":").append(json);
      }
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":")
          .append(vector)
          .append("}")
          .append(",\"payload\":{\"color\":\"")
          .append(COLORS[i % 3])
          .append("\"}}");
    }
    call(
        "PUT",
        "/collections/{collection_name}/points",
        C + "/points?wait=true",
        points.append("]}").toString());
  }

  @Test
  void settingsAreReportedBackExactly() throws Exception {
    JsonNode params =
        call("GET", "/collections/{collection_name}", C, null).result().at("/config/params");
    assertEquals(
        QdrantHttp.JSON.readTree(
            "{\"text\":{\"index\":{\"full_scan_threshold\":50,\"on_disk\":false,"
                + "\"datatype\":\"float32\"}},\"weighted\":{\"modifier\":\"idf\"}}"),
        params.get("sparse_vectors"));
    assertEquals(
        N,
        call("GET", "/collections/{collection_name}", C, null)
            .result()
            .get("points_count")
            .asInt());
  }

  @Test
  void nearestEqualsBruteForceWithFiltersThresholdAndOffset() throws Exception {
    Random random = new Random(11);
    for (int round = 0; round < 20; round++) {
      TreeMap<Long, Float> q = new TreeMap<>();
      for (int k = 1 + random.nextInt(4); k > 0; k--) {
        q.put(
            random.nextInt(8) == 0 ? BIG : (long) random.nextInt(30),
            (float) (random.nextInt(5) - 1));
      }
      String color = round % 3 == 0 ? null : COLORS[round % 3];
      List<Map.Entry<Integer, Float>> truth = truth(q, color, Map.of());
      int offset = round % 4;
      String filter =
          color == null
              ? ""
              : ",\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\""
                  + color
                  + "\"}}]}";
      JsonNode hits =
          query(
                  "{\"query\":"
                      + sparseJson(q, false)
                      + ",\"using\":\"text\",\"limit\":7,\"offset\":"
                      + offset
                      + filter
                      + "}")
              .get("points");
      assertHits(
          truth.subList(Math.min(offset, truth.size()), Math.min(offset + 7, truth.size())),
          hits,
          "round " + round);
      if (!truth.isEmpty()) {
        float threshold = truth.get(truth.size() / 2).getValue();
        JsonNode above =
            query(
                    "{\"query\":"
                        + sparseJson(q, false)
                        + ",\"using\":\"text\",\"limit\":1000,"
                        + "\"score_threshold\":"
                        + threshold
                        + filter
                        + "}")
                .get("points");
        assertEquals(
            truth.stream().filter(e -> e.getValue() >= threshold).count(),
            above.size(),
            "round " + round);
      }
      // idf: the document frequencies of the whole collection (all three shards)
      List<Map.Entry<Integer, Float>> weighted = truth(q, color, idf(q));
      // "global" IDF statistics (Qdrant's default, given explicitly in odd rounds) are the
      // collection's.
      String idfScope = round % 2 == 1 ? ",\"params\":{\"idf\":\"global\"}" : "";
      JsonNode idfHits =
          query(
                  "{\"query\":"
                      + sparseJson(q, false)
                      + ",\"using\":\"weighted\",\"limit\":7"
                      + filter
                      + idfScope
                      + "}")
              .get("points");
      assertHits(weighted.subList(0, Math.min(7, weighted.size())), idfHits, "idf round " + round);
    }
  }

  /**
   * Recommend (average_vector, best_score, sum_scores), discover and context on a sparse vector,
   * examples given as point ids and as sparse vectors, through the Query API and the older
   * recommend and discover endpoints: equal to brute force (Qdrant's formulas over the sparse dot
   * product, 0 for a point sharing no dimension), with filters and offset, the referenced points
   * left out; on the idf vector every example is weighted over the whole collection. Example counts
   * of the average are powers of two, so the averages (and scores) are exact.
   */
  @Test
  void recommendDiscoverAndContextEqualBruteForce() throws Exception {
    Random random = new Random(19);
    List<Integer> ids = new ArrayList<>(sparse.keySet());
    for (int round = 0; round < 30; round++) {
      String where = "round " + round;
      String color = round % 3 == 0 ? null : COLORS[round % 3];
      String filter =
          color == null
              ? ""
              : ",\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\""
                  + color
                  + "\"}}]}";
      int offset = round % 3;
      boolean older = round % 2 == 1;
      String using = round % 10 == 7 ? "weighted" : "text";
      int kind = round % 5;
      List<Object> positives = new ArrayList<>();
      List<Object> negatives = new ArrayList<>();
      Object target = null;
      List<Object[]> pairs = new ArrayList<>();
      String body;
      if (kind < 3) {
        for (int i = kind == 0 ? 1 << random.nextInt(3) : 1 + random.nextInt(3); i > 0; i--) {
          positives.add(example(random, ids));
        }
        for (int i = kind == 0 ? (1 << random.nextInt(2)) - random.nextInt(2) : random.nextInt(3);
            i > 0;
            i--) {
          negatives.add(example(random, ids));
        }
        String strategy = kind == 0 ? "average_vector" : kind == 1 ? "best_score" : "sum_scores";
        String examples =
            "\"positive\":"
                + examplesJson(positives)
                + ",\"negative\":"
                + examplesJson(negatives)
                + ",\"strategy\":\""
                + strategy
                + "\"";
        body = older ? "{" + examples : "{\"query\":{\"recommend\":{" + examples + "}}";
      } else {
        if (kind == 3) {
          target = example(random, ids);
        }
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
          pairs.add(new Object[] {example(random, ids), example(random, ids)});
        }
        StringBuilder context = new StringBuilder("[");
        for (Object[] p : pairs) {
          context
              .append(context.length() == 1 ? "" : ",")
              .append("{\"positive\":")
              .append(exampleJson(p[0]))
              .append(",\"negative\":")
              .append(exampleJson(p[1]))
              .append("}");
        }
        context.append("]");
        body =
            older
                ? "{"
                    + (target == null ? "" : "\"target\":" + exampleJson(target) + ",")
                    + "\"context\":"
                    + context
                : "{\"query\":"
                    + (target == null
                        ? "{\"context\":" + context + "}"
                        : "{\"discover\":{\"target\":"
                            + exampleJson(target)
                            + ",\"context\":"
                            + context
                            + "}}");
      }
      body += ",\"using\":\"" + using + "\",\"limit\":7,\"offset\":" + offset + filter + "}";

      Set<Integer> referenced = new java.util.HashSet<>();
      for (Object e : concat(positives, negatives, target, pairs)) {
        if (e instanceof Integer id) {
          referenced.add(id);
        }
      }
      List<Map.Entry<Integer, Float>> truth;
      if (kind == 0) {
        TreeMap<Long, Float> average = average(positives, negatives);
        truth = truth(average, color, using.equals("weighted") ? idf(average) : Map.of());
        truth.removeIf(e -> referenced.contains(e.getKey()));
      } else {
        Map<Long, Double> weights =
            using.equals("weighted")
                ? idf(union(concat(positives, negatives, target, pairs)))
                : null;
        Object targetExample = target;
        truth =
            customTruth(
                color,
                referenced,
                v -> {
                  java.util.function.Function<Object, Float> sim =
                      e -> sim(vectorOf(e), v, weights);
                  return switch (kind) {
                    case 1 ->
                        CustomObjectives.bestScore(
                            CustomObjectives.sims(positives, sim),
                            CustomObjectives.sims(negatives, sim));
                    case 2 ->
                        CustomObjectives.sumScores(
                            CustomObjectives.sims(positives, sim),
                            CustomObjectives.sims(negatives, sim));
                    case 3 ->
                        CustomObjectives.discover(
                            sim.apply(targetExample), CustomObjectives.pairSims(pairs, sim));
                    default -> CustomObjectives.context(CustomObjectives.pairSims(pairs, sim));
                  };
                });
      }
      List<Map.Entry<Integer, Float>> page =
          truth.subList(Math.min(offset, truth.size()), Math.min(offset + 7, truth.size()));
      JsonNode hits;
      if (older) {
        String endpoint = kind < 3 ? "recommend" : "discover";
        hits =
            call(
                    "POST",
                    "/collections/{collection_name}/points/" + endpoint,
                    C + "/points/" + endpoint,
                    body)
                .result();
      } else {
        hits = query(body).get("points");
      }
      assertHits(page, hits, where + " " + body);
    }
  }

  @Test
  void sparseVectorsComeBackAsGiven() throws Exception {
    JsonNode records =
        call(
                "POST",
                "/collections/{collection_name}/points",
                C + "/points",
                "{\"ids\":[1,10],\"with_vector\":true}")
            .result();
    assertEquals(
        QdrantHttp.JSON.readTree(sparseJson(sparse.get(1), true)),
        records.get(0).at("/vector/text"));
    assertEquals(
        QdrantHttp.JSON.readTree(sparseJson(sparse.get(1), true)),
        records.get(0).at("/vector/weighted"));
    assertTrue(
        records.get(1).at("/vector/text").isMissingNode(),
        "point 10 has no sparse vector: " + records.get(1));
    JsonNode page =
        call(
                "POST",
                "/collections/{collection_name}/points/scroll",
                C + "/points/scroll",
                "{\"limit\":3,\"with_vector\":[\"text\"]}")
            .result()
            .get("points");
    assertEquals(
        QdrantHttp.JSON.readTree(sparseJson(sparse.get(2), true)), page.get(2).at("/vector/text"));
    assertTrue(page.get(2).at("/vector/dense").isMissingNode());
  }

  @Test
  void olderSearchEndpoints() throws Exception {
    TreeMap<Long, Float> q = new TreeMap<>(Map.of(1L, 2f, 3L, 1f, BIG, 1f));
    String named = "{\"name\":\"text\",\"vector\":" + sparseJson(q, false) + "}";
    JsonNode hits =
        call(
                "POST",
                "/collections/{collection_name}/points/search",
                C + "/points/search",
                "{\"vector\":" + named + ",\"limit\":5,\"with_payload\":true}")
            .result();
    assertHits(truth(q, null, Map.of()).subList(0, 5), hits, "search");
    JsonNode batch =
        call(
                "POST",
                "/collections/{collection_name}/points/search/batch",
                C + "/points/search/batch",
                "{\"searches\":[{\"vector\":"
                    + named
                    + ",\"limit\":3},{\"vector\":{\"name\":\"dense\",\"vector\":[1,0,0]},\"limit\":2}]}")
            .result();
    assertHits(truth(q, null, Map.of()).subList(0, 3), batch.get(0), "batch");
    assertEquals(2, batch.get(1).size());
  }

  @Test
  void hybridQueryFusesDenseAndSparse() throws Exception {
    TreeMap<Long, Float> q = new TreeMap<>(Map.of(0L, 1f, 2L, 3f, 5L, 1f));
    float[] d = {1, -1, 2};
    String prefetch =
        "\"prefetch\":[{\"query\":"
            + floats(d)
            + ",\"using\":\"dense\",\"limit\":20},"
            + "{\"query\":"
            + sparseJson(q, false)
            + ",\"using\":\"text\",\"limit\":20}]";
    List<Integer> denseRanking = new ArrayList<>(dense.keySet());
    denseRanking.sort(
        Comparator.comparing((Integer id) -> -dot(d, dense.get(id))).thenComparing(id -> id));
    List<Integer> sparseRanking = truth(q, null, Map.of()).stream().map(Map.Entry::getKey).toList();
    Map<Integer, Float> rrf = new HashMap<>();
    for (List<Integer> list :
        List.of(
            denseRanking.subList(0, 20),
            sparseRanking.subList(0, Math.min(20, sparseRanking.size())))) {
      for (int pos = 0; pos < list.size(); pos++) {
        rrf.merge(list.get(pos), 1f / ((pos + 1) / 1f + 2 - 1f), Float::sum);
      }
    }
    List<Map.Entry<Integer, Float>> expected = new ArrayList<>(rrf.entrySet());
    expected.sort(
        Comparator.comparing((Map.Entry<Integer, Float> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    JsonNode fused =
        query(
                "{"
                    + prefetch
                    + ",\"query\":{\"fusion\":\"rrf\"},\"limit\":10,\"with_payload\":true}")
            .get("points");
    assertHits(expected.subList(0, 10), fused, "rrf");
    JsonNode dbsf =
        query(
                "{"
                    + prefetch
                    + ",\"query\":{\"fusion\":\"dbsf\"},\"limit\":10,\"with_vector\":true}")
            .get("points");
    Set<Integer> union = new LinkedHashSet<>(denseRanking.subList(0, 20));
    union.addAll(sparseRanking.subList(0, Math.min(20, sparseRanking.size())));
    assertEquals(10, dbsf.size());
    dbsf.forEach(
        h ->
            assertTrue(
                union.contains(h.get("id").asInt()), "dbsf hit outside the prefetches: " + h));
  }

  @Test
  void snapshotRecoveryKeepsSparseVectorsAndSettings() throws Exception {
    String name =
        call("POST", "/collections/{collection_name}/snapshots", C + "/snapshots", null)
            .result()
            .get("name")
            .asText();
    call(
        "PUT",
        "/collections/{collection_name}/snapshots/recover",
        "/collections/copy/snapshots/recover",
        "{\"location\":\"" + node.baseUrl() + C + "/snapshots/" + name + "\"}");
    JsonNode info =
        call("GET", "/collections/{collection_name}", "/collections/copy", null).result();
    assertEquals(
        call("GET", "/collections/{collection_name}", C, null)
            .result()
            .at("/config/params/sparse_vectors"),
        info.at("/config/params/sparse_vectors"));
    assertEquals(N, info.get("points_count").asInt());
    TreeMap<Long, Float> q = new TreeMap<>(Map.of(2L, 1f, 7L, 2f));
    JsonNode hits =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                "/collections/copy/points/query",
                "{\"query\":" + sparseJson(q, false) + ",\"using\":\"weighted\",\"limit\":5}")
            .result()
            .get("points");
    assertHits(truth(q, null, idf(q)).subList(0, 5), hits, "recovered copy");
    // has_vector: the points that have the sparse vector
    JsonNode count =
        call(
                "POST",
                "/collections/{collection_name}/points/count",
                "/collections/copy/points/count",
                "{\"filter\":{\"must\":[{\"has_vector\":\"text\"}]},\"exact\":true}")
            .result();
    assertEquals(sparse.size(), count.get("count").asInt());
  }

  @Test
  void sparseOnlyCollection() throws Exception {
    String c = "/collections/sonly";
    call("PUT", "/collections/{collection_name}", c, "{\"sparse_vectors\":{\"s\":{}}}");
    assertEquals(
        QdrantHttp.JSON.readTree("{}"),
        call("GET", "/collections/{collection_name}", c, null)
            .result()
            .at("/config/params/vectors"));
    call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"s\":{\"indices\":[3,1],\"values\":[0.5,2]}}},"
            + "{\"id\":2,\"vector\":{\"s\":{\"indices\":[1],\"values\":[1]}}},{\"id\":3,\"vector\":{}}]}");
    JsonNode hits =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":{\"indices\":[1],\"values\":[2]},\"using\":\"s\",\"with_vector\":true}")
            .result()
            .get("points");
    assertEquals(2, hits.size());
    assertEquals(1, hits.get(0).get("id").asInt());
    assertEquals(4f, hits.get(0).get("score").floatValue());
    assertEquals(
        QdrantHttp.JSON.readTree("{\"s\":{\"indices\":[1,3],\"values\":[2.0,0.5]}}"),
        hits.get(0).get("vector"));
    assertEquals(
        3,
        call("POST", "/collections/{collection_name}/points/count", c + "/points/count", "{}")
            .result()
            .get("count")
            .asInt());
  }

  /**
   * Sparse {@code index.datatype} float16 (at creation) and uint8 (a vector added with {@code PUT
   * /collections/{c}/vectors/{name}}): reported back, values stored and read back at that width
   * (float16: halves; uint8: each vector quantized to 256 levels between its min and max), scores
   * computed from the stored values; the datatype of existing vectors cannot change.
   */
  @Test
  void narrowSparseVectorsStoreTheirDatatype() throws Exception {
    String c = "/collections/snarrow";
    call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"sparse_vectors\":{\"s16\":{\"index\":{\"datatype\":\"float16\"}}},"
            + "\"shard_number\":2}");
    call(
        "PUT",
        "/collections/{collection_name}/vectors/{vector_name}",
        c + "/vectors/s8?wait=true",
        "{\"sparse\":{\"datatype\":\"uint8\"}}");
    assertEquals(
        QdrantHttp.JSON.readTree(
            "{\"s16\":{\"index\":{\"datatype\":\"float16\"}},\"s8\":{\"index\":"
                + "{\"datatype\":\"uint8\"}}}"),
        call("GET", "/collections/{collection_name}", c, null)
            .result()
            .at("/config/params/sparse_vectors"));
    call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":["
            + "{\"id\":1,\"vector\":{\"s16\":{\"indices\":[1,2],\"values\":[0.1,3]},\"s8\":{\"indices\":[1,2],\"values\":[0.1,3]}}},"
            + "{\"id\":2,\"vector\":{\"s8\":{\"indices\":[1,5,9],\"values\":[0,10,2.5]}}}]}");
    float half = Float.float16ToFloat(Float.floatToFloat16(0.1f));
    float level = (float) (64 * (10.0 / 255)); // 2.5 is nearest to level 64 of 0..10
    JsonNode one =
        call(
                "POST",
                "/collections/{collection_name}/points",
                c + "/points",
                "{\"ids\":[1,2],\"with_vector\":true}")
            .result();
    for (JsonNode r : one) {
      if (r.get("id").asInt() == 1) {
        assertEquals(half, r.at("/vector/s16/values/0").floatValue(), 0f, r.toString());
        assertEquals(
            0.1f,
            r.at("/vector/s8/values/0").floatValue(),
            0f,
            "both values are levels: exact " + r);
      } else {
        assertEquals(level, r.at("/vector/s8/values/2").floatValue(), 1e-6f, r.toString());
      }
    }
    JsonNode hits =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":{\"indices\":[1,9],\"values\":[1,2]},\"using\":\"s8\"}")
            .result()
            .get("points");
    assertEquals(2, hits.get(0).get("id").asInt(), hits.toString());
    assertEquals(2 * level, hits.get(0).get("score").floatValue(), 1e-5f);
    assertEquals(0.1f, hits.get(1).get("score").floatValue(), 1e-6f);
    hits =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":{\"indices\":[1],\"values\":[1]},\"using\":\"s16\"}")
            .result()
            .get("points");
    assertEquals(1, hits.size());
    assertEquals(half, hits.get(0).get("score").floatValue(), 0f);
    assertError(
        "PATCH",
        c,
        "{\"sparse_vectors\":{\"s8\":{\"index\":{\"datatype\":\"float16\"}}}}",
        "sparse_vectors.s8.index.datatype");
    assertError(
        "PUT",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":3,\"vector\":{\"s16\":{\"indices\":[4],\"values\":[70000]}}}]}",
        "float16");
    call("DELETE", "/collections/{collection_name}", c, null);
  }

  @Test
  void badInputIsRefusedNamingTheField() throws Exception {
    String p = "/points?wait=true";
    assertError(
        "PUT",
        C + p,
        "{\"points\":[{\"id\":1,\"vector\":{\"text\":{\"indices\":[1,1],\"values\":[1,2]}}}]}",
        "points[0].vector.text.indices");
    assertError(
        "PUT",
        C + p,
        "{\"points\":[{\"id\":1,\"vector\":{\"text\":{\"indices\":[1,2],\"values\":[1]}}}]}",
        "points[0].vector.text");
    assertError(
        "PUT",
        C + p,
        "{\"points\":[{\"id\":1,\"vector\":{\"text\":{\"indices\":[-1],\"values\":[1]}}}]}",
        "points[0].vector.text.indices[0]");
    assertError(
        "PUT",
        C + p,
        "{\"points\":[{\"id\":1,\"vector\":{\"text\":{\"indices\":[4294967296],\"values\":[1]}}}]}",
        "points[0].vector.text.indices[0]");
    assertError(
        "PUT",
        C + p,
        "{\"points\":[{\"id\":1,\"vector\":{\"text\":{\"indices\":[1],\"values\":[1e39]}}}]}",
        "points[0].vector.text.values[0]");
    assertError(
        "PUT",
        C + p,
        "{\"points\":[{\"id\":1,\"vector\":{\"dense\":[1,2,3],\"nope\":{\"indices\":[1],\"values\":[1]}}}]}",
        "nope");
    assertError(
        "POST",
        C + "/points/query",
        "{\"query\":{\"indices\":[1,1],\"values\":[1,1]},\"using\":\"text\"}",
        "query.indices");
    assertError(
        "POST",
        C + "/points/query",
        "{\"query\":{\"indices\":[1],\"values\":[1]},\"using\":\"dense\"}",
        "dense");
    assertError(
        "POST",
        C + "/points/query",
        "{\"query\":{\"recommend\":{\"positive\":[[1,2,3]]}},\"using\":\"text\"}",
        "text is sparse");
    assertError(
        "POST",
        C + "/points/query",
        "{\"query\":{\"recommend\":{\"positive\":[{\"indices\":[1],\"values\":[1]}]}},"
            + "\"using\":\"dense\"}",
        "dense");
    assertError(
        "POST",
        C + "/points/query",
        "{\"query\":{\"context\":{\"positive\":1,\"negative\":[1,2,3]}}," + "\"using\":\"text\"}",
        "text is sparse");
    assertError(
        "POST", C + "/points/query", "{\"query\":[1,2,3],\"using\":\"text\"}", "text is sparse");
    assertError(
        "POST",
        C + "/points/query",
        "{\"query\":{\"recommend\":{\"negative\":[1]}},\"using\":\"text\"}",
        "Positive vectors should not be empty");
    assertError(
        "POST",
        C + "/points/query",
        "{\"query\":{\"recommend\":{\"strategy\":\"best_score\"}},\"using\":\"text\"}",
        "At least one positive or negative");
    QdrantHttp.Reply missing =
        http.send("POST", C + "/points/query", "{\"query\":10,\"using\":\"text\"}");
    assertEquals(404, missing.status(), "point 10 has no sparse vector: " + missing.raw());
    assertError(
        "PUT",
        "/collections/bad",
        "{\"sparse_vectors\":{\"s\":{\"index\":{\"datatype\":\"turbo4\"}}}}",
        "sparse_vectors.s.index.datatype");
    assertError(
        "PUT",
        "/collections/bad",
        "{\"sparse_vectors\":{\"s\":{\"modifier\":\"bm25\"}}}",
        "sparse_vectors.s.modifier");
    assertError(
        "POST",
        C + "/points/query",
        "{\"query\":{\"indices\":[1],\"values\":[1]},\"using\":\"weighted\","
            + "\"params\":{\"idf\":{\"corpus\":{\"must\":[]}}}}",
        "params.idf.corpus");
  }

  /**
   * {@code on_disk: true}: reported back, and the sealed parts the optimizer writes (a part every
   * 128 postings with {@code indexing_threshold} 1 KB) are mapped from their files; queries on them
   * (and on the growing part of recent writes) equal brute force, through updates and deletes.
   */
  @Test
  void onDiskIndexIsMappedAndExact() throws Exception {
    String c = "/collections/ondisk";
    call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"sparse_vectors\":{\"text\":{\"index\":{\"on_disk\":true}}},"
            + "\"optimizers_config\":{\"indexing_threshold\":1},\"shard_number\":2}");
    assertEquals(
        QdrantHttp.JSON.readTree("{\"text\":{\"index\":{\"on_disk\":true}}}"),
        call("GET", "/collections/{collection_name}", c, null)
            .result()
            .at("/config/params/sparse_vectors"));
    StringBuilder points = new StringBuilder("{\"points\":[");
    boolean first = true;
    for (Map.Entry<Integer, TreeMap<Long, Float>> e : sparse.entrySet()) {
      points
          .append(first ? "" : ",")
          .append("{\"id\":")
          .append(e.getKey())
          .append(",\"vector\":{\"text\":")
          .append(sparseJson(e.getValue(), true))
          .append("}}");
      first = false;
    }
    call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        points.append("]}").toString());
    // a few points deleted and a few updated (to the vectors of others), so parts hold deleted ords
    Map<Integer, TreeMap<Long, Float>> model = new LinkedHashMap<>(sparse);
    List<Integer> ids = new ArrayList<>(model.keySet());
    call(
        "POST",
        "/collections/{collection_name}/points/delete",
        c + "/points/delete?wait=true",
        "{\"points\":[" + ids.get(1) + "," + ids.get(2) + "," + ids.get(3) + "]}");
    model.remove(ids.get(1));
    model.remove(ids.get(2));
    model.remove(ids.get(3));
    call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":"
            + ids.get(4)
            + ",\"vector\":{\"text\":"
            + sparseJson(model.get(ids.get(9)), true)
            + "}}]}");
    model.put(ids.get(4), model.get(ids.get(9)));
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!"green"
        .equals(
            call("GET", "/collections/{collection_name}", c, null)
                .result()
                .get("status")
                .asText())) {
      assertTrue(System.nanoTime() < deadline, "the collection stayed yellow");
      Thread.sleep(100);
    }
    Random random = new Random(23);
    for (int round = 0; round < 20; round++) {
      TreeMap<Long, Float> q = new TreeMap<>();
      for (int k = 1 + random.nextInt(4); k > 0; k--) {
        q.put(
            random.nextInt(8) == 0 ? BIG : (long) random.nextInt(30),
            (float) (random.nextInt(5) - 1));
      }
      List<Map.Entry<Integer, Float>> truth = new ArrayList<>();
      model.forEach(
          (id, v) -> {
            double score = 0;
            boolean shared = false;
            for (Map.Entry<Long, Float> d : q.entrySet()) {
              Float x = v.get(d.getKey());
              if (x != null) {
                shared = true;
                score += (double) x * d.getValue();
              }
            }
            if (shared) {
              truth.add(Map.entry(id, (float) score));
            }
          });
      truth.sort(
          Comparator.comparing((Map.Entry<Integer, Float> e) -> e.getValue())
              .reversed()
              .thenComparing(Map.Entry::getKey));
      JsonNode hits =
          call(
                  "POST",
                  "/collections/{collection_name}/points/query",
                  c + "/points/query",
                  "{\"query\":" + sparseJson(q, false) + ",\"using\":\"text\",\"limit\":10}")
              .result()
              .get("points");
      assertHits(truth.subList(0, Math.min(10, truth.size())), hits, "on_disk round " + round);
    }
    call("DELETE", "/collections/{collection_name}", c, null);
  }

  // ---- oracle ----

  /**
   * Points sharing an index with q (and of the color, if given), by score then id; q weighted by
   * {@code idf}.
   */
  private List<Map.Entry<Integer, Float>> truth(
      TreeMap<Long, Float> q, String color, Map<Long, Double> idf) {
    List<Map.Entry<Integer, Float>> out = new ArrayList<>();
    sparse.forEach(
        (id, v) -> {
          if (color != null && !COLORS[id % 3].equals(color)) {
            return;
          }
          double sum = 0;
          boolean shares = false;
          for (Map.Entry<Long, Float> e : q.entrySet()) {
            Float x = v.get(e.getKey());
            if (x != null) {
              shares = true;
              float weight =
                  idf.isEmpty() ? e.getValue() : (float) (e.getValue() * idf.get(e.getKey()));
              sum += (double) weight * x;
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

  private Map<Long, Double> idf(TreeMap<Long, Float> q) {
    Map<Long, Double> out = new HashMap<>();
    for (Long index : q.keySet()) {
      long n = sparse.values().stream().filter(v -> v.containsKey(index)).count();
      out.put(
          index,
          Math.log(
              (N - n + 0.5) / (n + 0.5)
                  + 1)); // Qdrant's N: every point, with or without the vector
    }
    return out;
  }

  /** A point id with a sparse vector, or a random sparse vector (small integers). */
  private Object example(Random random, List<Integer> ids) {
    if (random.nextBoolean()) {
      return ids.get(random.nextInt(ids.size()));
    }
    TreeMap<Long, Float> v = new TreeMap<>();
    for (int k = 1 + random.nextInt(4); k > 0; k--) {
      v.put(
          random.nextInt(10) == 0 ? BIG : (long) random.nextInt(30),
          (float) (1 + random.nextInt(4)));
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  private TreeMap<Long, Float> vectorOf(Object example) {
    return example instanceof Integer id ? sparse.get(id) : (TreeMap<Long, Float>) example;
  }

  @SuppressWarnings("unchecked")
  private static String exampleJson(Object example) {
    return example instanceof Integer id
        ? id.toString()
        : sparseJson((TreeMap<Long, Float>) example, false);
  }

  private static String examplesJson(List<Object> examples) {
    StringBuilder s = new StringBuilder("[");
    examples.forEach(e -> s.append(s.length() == 1 ? "" : ",").append(exampleJson(e)));
    return s.append("]").toString();
  }

  private static List<Object> concat(
      List<Object> positives, List<Object> negatives, Object target, List<Object[]> pairs) {
    List<Object> all = new ArrayList<>(positives);
    all.addAll(negatives);
    if (target != null) {
      all.add(target);
    }
    pairs.forEach(p -> all.addAll(List.of(p)));
    return all;
  }

  private TreeMap<Long, Float> union(List<Object> examples) {
    TreeMap<Long, Float> out = new TreeMap<>();
    examples.forEach(e -> vectorOf(e).forEach(out::put));
    return out;
  }

  /**
   * Qdrant's average_vector of sparse vectors: mean over the union of dimensions, then avg_pos +
   * avg_pos - avg_neg.
   */
  private TreeMap<Long, Float> average(List<Object> positives, List<Object> negatives) {
    TreeMap<Long, Float> positive = mean(positives);
    if (negatives.isEmpty()) {
      return positive;
    }
    TreeMap<Long, Float> negative = mean(negatives);
    TreeMap<Long, Float> out = new TreeMap<>();
    positive.forEach((k, p) -> out.put(k, p + p - negative.getOrDefault(k, 0f)));
    negative.forEach((k, n) -> out.putIfAbsent(k, 0f + 0f - n));
    return out;
  }

  private TreeMap<Long, Float> mean(List<Object> examples) {
    TreeMap<Long, Float> sum = new TreeMap<>();
    examples.forEach(e -> vectorOf(e).forEach((k, v) -> sum.merge(k, v, Float::sum)));
    sum.replaceAll((k, v) -> v / examples.size());
    return sum;
  }

  /**
   * The sparse dot product of an example (weighted by {@code idf} when given) with a point's
   * vector, 0 without a shared dimension.
   */
  private static float sim(
      TreeMap<Long, Float> example, TreeMap<Long, Float> point, Map<Long, Double> idf) {
    double sum = 0;
    for (Map.Entry<Long, Float> e : example.entrySet()) {
      Float x = point.get(e.getKey());
      if (x != null) {
        float weight = idf == null ? e.getValue() : (float) (e.getValue() * idf.get(e.getKey()));
        sum += (double) weight * x;
      }
    }
    return (float) sum;
  }

  /**
   * Every point with a sparse vector (of the color, if given; not referenced), scored, by score
   * then id.
   */
  private List<Map.Entry<Integer, Float>> customTruth(
      String color,
      Set<Integer> referenced,
      java.util.function.Function<TreeMap<Long, Float>, Float> score) {
    List<Map.Entry<Integer, Float>> out = new ArrayList<>();
    sparse.forEach(
        (id, v) -> {
          if ((color == null || COLORS[id % 3].equals(color)) && !referenced.contains(id)) {
            out.add(Map.entry(id, score.apply(v)));
          }
        });
    out.sort(
        Comparator.comparing((Map.Entry<Integer, Float> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    return out;
  }

  private static void assertHits(
      List<Map.Entry<Integer, Float>> expected, JsonNode hits, String where) {
    List<Integer> ids = new ArrayList<>();
    hits.forEach(h -> ids.add(h.get("id").asInt()));
    assertEquals(expected.stream().map(Map.Entry::getKey).toList(), ids, where);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).getValue(), hits.get(i).get("score").floatValue(), 1e-6f, where);
    }
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  // ---- helpers ----

  /** {"indices":[...],"values":[...]}; shuffled indices unless {@code sorted}. */
  private static String sparseJson(TreeMap<Long, Float> v, boolean sorted) {
    List<Map.Entry<Long, Float>> entries = new ArrayList<>(v.entrySet());
    if (!sorted) {
      java.util.Collections.reverse(entries);
    }
    StringBuilder indices = new StringBuilder("[");
    StringBuilder values = new StringBuilder("[");
    for (int i = 0; i < entries.size(); i++) {
      indices.append(i == 0 ? "" : ",").append(entries.get(i).getKey());
      values.append(i == 0 ? "" : ",").append(entries.get(i).getValue());
    }
    return "{\"indices\":" + indices + "],\"values\":" + values + "]}";
  }

  private static String floats(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ",").append(v[i]);
    }
    return s.append("]").toString();
  }

  private QdrantHttp.Reply call(String method, String template, String path, String body)
      throws Exception {
    QdrantHttp.Reply r = http.send(method, path, body);
    assertEquals(200, r.status(), method + " " + path + " " + body + " -> " + r.raw());
    spec.assertValid(method, template, r.status(), r.body());
    return r;
  }

  private JsonNode query(String body) throws Exception {
    return call("POST", "/collections/{collection_name}/points/query", C + "/points/query", body)
        .result();
  }

  private void assertError(String method, String path, String body, String mention)
      throws Exception {
    QdrantHttp.Reply r = http.send(method, path, body);
    assertEquals(400, r.status(), body + " -> " + r.raw());
    String error = r.body().at("/status/error").asText();
    assertTrue(
        error.contains(mention), body + ": error should mention '" + mention + "': " + error);
  }
}
