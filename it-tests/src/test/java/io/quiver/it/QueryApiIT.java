package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Query API and the older search / recommend / discover endpoints, facet and the distance
 * matrix, against a real node: every response is validated against Qdrant's OpenAPI spec, and every
 * ranking equals a brute-force computation over the inserted points.
 *
 * <p>Oracle: small-integer vectors in a Dot collection, so every similarity is exact in float and
 * the node's scores must equal Qdrant's formulas computed here (ties by id ascending). Averages are
 * over 1, 2 or 4 vectors, which are exact too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class QueryApiIT {

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private static final String C = "/collections/reco";
  private static final int N = 80;
  private static final String[] COLORS = {"red", "green", "blue"};

  private NodeProcess node;
  private QdrantHttp http;
  private final OpenApiContract spec = OpenApiContract.load();
  private final Map<Integer, float[]> vectors = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    http = new QdrantHttp(node.baseUrl());
    call(
        "PUT",
        "/collections/{collection_name}",
        C,
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"shard_number\":3}");
    Random random = new Random(42);
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < N; i++) {
      float[] v = new float[4];
      for (int d = 0; d < 4; d++) {
        v[d] = random.nextInt(7) - 3;
      }
      vectors.put(i, v);
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":")
          .append(json(v))
          .append(",\"payload\":{\"group\":")
          .append(i % 7)
          .append(",\"color\":\"")
          .append(COLORS[i % 3])
          .append("\",\"n\":")
          .append(i)
          .append("}}");
    }
    call(
        "PUT",
        "/collections/{collection_name}/points",
        C + "/points?wait=true",
        points.append("]}").toString());
    // a second collection: lookup_from and with_lookup read from it
    call(
        "PUT",
        "/collections/{collection_name}",
        "/collections/other",
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
    call(
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/other/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":[1,0,0,0],\"payload\":{\"name\":\"one\"}},"
            + "{\"id\":2,\"vector\":[0,1,0,0],\"payload\":{\"name\":\"two\"}},{\"id\":3,\"vector\":[0,0,1,1]}]}");
  }

  // ---- the Query API ----

  @Test
  void nearestByVectorAndById() throws Exception {
    float[] q = {1, 2, -1, 0};
    assertRanking(
        byScore(id -> dot(q, vectors.get(id)), Set.of()),
        10,
        points(query("{\"query\":[1,2,-1,0],\"limit\":10}")));
    assertRanking(
        byScore(id -> dot(vectors.get(5), vectors.get(id)), Set.of(5)),
        7,
        points(query("{\"query\":5,\"limit\":7}")));
    assertRanking(
        byScore(id -> dot(vectors.get(5), vectors.get(id)), Set.of(5)),
        4,
        points(query("{\"query\":{\"nearest\":5},\"limit\":4}")));
  }

  @Test
  void recommendStrategies() throws Exception {
    // average_vector: avg(1, 2) * 2 - avg(3)
    float[] avg = new float[4];
    for (int d = 0; d < 4; d++) {
      avg[d] = (vectors.get(1)[d] + vectors.get(2)[d]) / 2 * 2 - vectors.get(3)[d];
    }
    assertRanking(
        byScore(id -> dot(avg, vectors.get(id)), Set.of(1, 2, 3)),
        10,
        points(
            query(
                "{\"query\":{\"recommend\":{\"positive\":[1,2],\"negative\":[3]}},\"limit\":10}")));
    float[] given = {0, 1, 1, 0};
    List<float[]> pos = List.of(vectors.get(1), given);
    List<float[]> neg = List.of(vectors.get(3));
    assertRanking(
        byScore(id -> bestScore(pos, neg, vectors.get(id)), Set.of(1, 3)),
        12,
        points(
            query(
                "{\"query\":{\"recommend\":{\"positive\":[1,[0,1,1,0]],\"negative\":[3],\"strategy\":\"best_score\"}},\"limit\":12}")));
    assertRanking(
        byScore(id -> sumScores(pos, neg, vectors.get(id)), Set.of(1, 3)),
        12,
        points(
            query(
                "{\"query\":{\"recommend\":{\"positive\":[1,[0,1,1,0]],\"negative\":[3],\"strategy\":\"sum_scores\"}},\"limit\":12}")));
    // with a filter and an offset: the page after the first 3 among the red points
    List<Integer> red = new ArrayList<>();
    for (int id : byScore(id -> bestScore(pos, neg, vectors.get(id)), Set.of(1, 3))) {
      if (id % 3 == 0) {
        red.add(id);
      }
    }
    JsonNode page =
        points(
            query(
                "{\"query\":{\"recommend\":{\"positive\":[1,[0,1,1,0]],\"negative\":[3],\"strategy\":\"best_score\"}},"
                    + "\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]},\"offset\":3,\"limit\":4,\"with_payload\":true}"));
    assertEquals(red.subList(3, 7), ids(page));
    assertEquals("red", page.get(0).at("/payload/color").asText());
    // old endpoint, same engine
    JsonNode old =
        call(
                "POST",
                "/collections/{collection_name}/points/recommend",
                C + "/points/recommend",
                "{\"positive\":[1,[0,1,1,0]],\"negative\":[3],\"strategy\":\"best_score\",\"limit\":12}")
            .result();
    assertRanking(byScore(id -> bestScore(pos, neg, vectors.get(id)), Set.of(1, 3)), 12, old);
  }

  @Test
  void discoverAndContext() throws Exception {
    float[] target = vectors.get(10);
    List<float[][]> pairs =
        List.of(
            new float[][] {vectors.get(11), vectors.get(12)},
            new float[][] {{1, 1, 0, 0}, vectors.get(13)});
    assertRanking(
        byScore(id -> discover(target, pairs, vectors.get(id)), Set.of(10, 11, 12, 13)),
        10,
        points(
            query(
                "{\"query\":{\"discover\":{\"target\":10,\"context\":[{\"positive\":11,\"negative\":12},{\"positive\":[1,1,0,0],\"negative\":13}]}},\"limit\":10}")));
    assertRanking(
        byScore(id -> context(pairs, vectors.get(id)), Set.of(11, 12, 13)),
        10,
        points(
            query(
                "{\"query\":{\"context\":[{\"positive\":11,\"negative\":12},{\"positive\":[1,1,0,0],\"negative\":13}]},\"limit\":10}")));
    JsonNode old =
        call(
                "POST",
                "/collections/{collection_name}/points/discover",
                C + "/points/discover",
                "{\"target\":10,\"context\":[{\"positive\":11,\"negative\":12},{\"positive\":[1,1,0,0],\"negative\":13}],\"limit\":10}")
            .result();
    assertRanking(
        byScore(id -> discover(target, pairs, vectors.get(id)), Set.of(10, 11, 12, 13)), 10, old);
    JsonNode batch =
        call(
                "POST",
                "/collections/{collection_name}/points/discover/batch",
                C + "/points/discover/batch",
                "{\"searches\":[{\"context\":[{\"positive\":11,\"negative\":12},{\"positive\":[1,1,0,0],\"negative\":13}],\"limit\":10},"
                    + "{\"target\":[1,0,0,0],\"context\":[],\"limit\":3}]}")
            .result();
    assertRanking(
        byScore(id -> context(pairs, vectors.get(id)), Set.of(11, 12, 13)), 10, batch.get(0));
    assertEquals(3, batch.get(1).size());
  }

  @Test
  void prefetchRescoreAndFusion() throws Exception {
    float[] q1 = {1, 0, 0, 0};
    float[] q2 = {0, 1, 0, 0};
    List<Integer> first = byScore(id -> dot(q1, vectors.get(id)), Set.of()).subList(0, 20);
    List<Integer> rescored = new ArrayList<>(first);
    rescored.sort(
        Comparator.<Integer>comparingDouble(id -> -dot(q2, vectors.get(id)))
            .thenComparing(id -> id));
    JsonNode hits =
        points(
            query(
                "{\"prefetch\":{\"query\":[1,0,0,0],\"limit\":20},\"query\":[0,1,0,0],\"limit\":5,\"with_payload\":[\"n\"]}"));
    assertEquals(rescored.subList(0, 5), ids(hits));
    assertEquals(rescored.get(0), hits.get(0).at("/payload/n").asInt());
    assertEquals(1, hits.get(0).get("payload").size(), "only the listed payload key");

    // RRF (k = 2) and DBSF over two prefetches, computed here
    List<Integer> a = byScore(id -> dot(q1, vectors.get(id)), Set.of()).subList(0, 15);
    List<Integer> b = byScore(id -> dot(q2, vectors.get(id)), Set.of()).subList(0, 15);
    Map<Integer, Double> rrf = new HashMap<>();
    for (List<Integer> list : List.of(a, b)) {
      for (int pos = 0; pos < list.size(); pos++) {
        rrf.merge(list.get(pos), 1.0 / (pos + 2), Double::sum);
      }
    }
    String prefetches =
        "\"prefetch\":[{\"query\":[1,0,0,0],\"limit\":15},{\"query\":[0,1,0,0],\"limit\":15}]";
    JsonNode fused =
        points(query("{" + prefetches + ",\"query\":{\"fusion\":\"rrf\"},\"limit\":8}"));
    assertRanking(sortByScore(rrf), 8, fused, rrf);
    Map<Integer, Double> dbsf = new HashMap<>();
    for (float[] q : List.of(q1, q2)) {
      List<Integer> list = byScore(id -> dot(q, vectors.get(id)), Set.of()).subList(0, 15);
      double mean =
          list.stream().mapToDouble(id -> dot(q, vectors.get(id))).average().orElseThrow();
      double var =
          list.stream().mapToDouble(id -> Math.pow(dot(q, vectors.get(id)) - mean, 2)).sum()
              / (list.size() - 1);
      double lo = mean - 3 * Math.sqrt(var);
      double hi = mean + 3 * Math.sqrt(var);
      list.forEach(id -> dbsf.merge(id, (dot(q, vectors.get(id)) - lo) / (hi - lo), Double::sum));
    }
    JsonNode distributed =
        points(query("{" + prefetches + ",\"query\":{\"fusion\":\"dbsf\"},\"limit\":8}"));
    for (int i = 0; i < 8; i++) {
      assertEquals(
          dbsf.get(distributed.get(i).get("id").asInt()),
          distributed.get(i).get("score").asDouble(),
          1e-4);
    }
    JsonNode weighted =
        points(
            query(
                "{"
                    + prefetches
                    + ",\"query\":{\"rrf\":{\"k\":60,\"weights\":[3,1]}},\"limit\":3}"));
    assertEquals(3, weighted.size());
    // the root filter reaches the prefetches: only green points
    JsonNode green =
        points(
            query(
                "{"
                    + prefetches
                    + ",\"query\":{\"fusion\":\"rrf\"},\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"green\"}}]},\"limit\":30}"));
    assertTrue(green.size() > 0);
    green.forEach(h -> assertEquals(1, h.get("id").asInt() % 3));
  }

  @Test
  void sampleIdOrderThresholdMmrAndVectors() throws Exception {
    JsonNode sample =
        points(query("{\"query\":{\"sample\":\"random\"},\"limit\":6,\"with_vector\":true}"));
    assertEquals(6, sample.size());
    Set<Integer> distinct = new HashSet<>(ids(sample));
    assertEquals(6, distinct.size());
    sample.forEach(h -> assertEquals(0.0, h.get("score").asDouble()));
    sample.forEach(
        h ->
            assertEquals(
                json(vectors.get(h.get("id").asInt())),
                h.get("vector").toString().replace(".0", "")));
    JsonNode idOrder =
        points(
            query(
                "{\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"blue\"}}]},\"limit\":4}"));
    assertEquals(List.of(2, 5, 8, 11), ids(idOrder));
    float[] q = {1, 1, 1, 1};
    JsonNode above = points(query("{\"query\":[1,1,1,1],\"score_threshold\":4,\"limit\":100}"));
    long expected = vectors.values().stream().filter(v -> dot(q, v) >= 4).count();
    assertEquals(expected, above.size());
    JsonNode mmr =
        points(
            query(
                "{\"query\":{\"nearest\":[1,1,1,1],\"mmr\":{\"diversity\":0.5,\"candidates_limit\":20}},\"limit\":5}"));
    assertEquals(5, mmr.size());
    assertEquals(
        byScore(id -> dot(q, vectors.get(id)), Set.of()).getFirst(), mmr.get(0).get("id").asInt());
    assertTrue(mmr.get(0).get("vector").isNull(), "MMR's vectors stay internal unless asked for");
  }

  /**
   * A score formula rescores the prefetched points of all 3 shards, as Qdrant's score boosting:
   * here the dot product ({@code $score}), plus 10 for a red point (a condition), plus {@code n} /
   * 1000 (a payload value), minus {@code missing} where a point has none (its default, 1). Oracle:
   * the same sum computed here for each of the 80 points, ranked. Then Qdrant's errors: no
   * prefetch, a payload key without a value or default, a division by zero.
   */
  @Test
  void aFormulaRescoresThePrefetchedPoints() throws Exception {
    float[] q = {1, 1, 1, 1};
    JsonNode hits =
        points(
            query(
                "{\"prefetch\":{\"query\":[1,1,1,1],\"limit\":100},\"query\":{\"formula\":"
                    + "{\"sum\":[\"$score\",{\"mult\":[10,{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]},"
                    + "{\"div\":{\"left\":\"n\",\"right\":1000}},{\"neg\":\"missing\"}]},"
                    + "\"defaults\":{\"missing\":1}},\"limit\":10,\"with_payload\":[\"n\"]}"));
    java.util.function.IntToDoubleFunction expected =
        id ->
            (double) dot(q, vectors.get(id))
                + (COLORS[id % 3].equals("red") ? 10 : 0)
                + id / (double) (float) 1000
                - 1;
    List<Integer> ranked = new ArrayList<>(vectors.keySet());
    ranked.sort((a, b) -> Double.compare(expected.applyAsDouble(b), expected.applyAsDouble(a)));
    assertEquals(ranked.subList(0, 10), ids(hits));
    for (JsonNode h : hits) {
      int id = h.get("id").asInt();
      assertEquals((float) expected.applyAsDouble(id), h.get("score").floatValue(), 1e-5, "" + id);
      assertEquals(id, h.at("/payload/n").asInt());
    }
    assertError(
        "/points/query",
        "{\"query\":{\"formula\":1}}",
        400,
        "cannot apply Formula without prefetches");
    assertError(
        "/points/query",
        "{\"prefetch\":{\"query\":[1,1,1,1]},\"query\":{\"formula\":{\"mult\":[\"$score\",\"missing\"]}}}",
        400,
        "Expected number value for missing in the payload and/or in the formula defaults");
    assertError(
        "/points/query",
        "{\"prefetch\":{\"query\":[1,1,1,1]},\"query\":{\"formula\":{\"div\":{\"left\":\"n\",\"right\":0}}}}",
        400,
        "produced a non-finite number");
    assertError(
        "/points/query",
        "{\"query\":{\"nearest\":[1,1,1,1],\"defaults\":{\"n\":1}}}",
        400,
        "query.defaults");
  }

  /**
   * Id order and a random sample use no vector: a collection of named vectors only (here one point
   * holds only its sparse vector) answers them without {@code using}, every point included, as
   * Qdrant does; a {@code using} that names no vector is still refused by name.
   */
  @Test
  void idOrderAndSampleNeedNoVectorName() throws Exception {
    String named = "/collections/named_only";
    call(
        "PUT",
        "/collections/{collection_name}",
        named,
        "{\"vectors\":{\"a\":{\"size\":2,\"distance\":\"Dot\"}},\"sparse_vectors\":{\"s\":{}}}");
    call(
        "PUT",
        "/collections/{collection_name}/points",
        named + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"a\":[1,0]}},{\"id\":2,\"vector\":{\"a\":[0,1]}},"
            + "{\"id\":3,\"vector\":{\"s\":{\"indices\":[7],\"values\":[1.0]}}},"
            + "{\"id\":4,\"vector\":{\"a\":[1,1],\"s\":{\"indices\":[7],\"values\":[2.0]}}}]}");
    JsonNode byId =
        points(
            call(
                    "POST",
                    "/collections/{collection_name}/points/query",
                    named + "/points/query",
                    "{\"limit\":10}")
                .result());
    assertEquals(List.of(1, 2, 3, 4), ids(byId));
    JsonNode sample =
        points(
            call(
                    "POST",
                    "/collections/{collection_name}/points/query",
                    named + "/points/query",
                    "{\"query\":{\"sample\":\"random\"},\"limit\":10}")
                .result());
    assertEquals(Set.of(1, 2, 3, 4), new HashSet<>(ids(sample)));
    QdrantHttp.Reply wrong =
        http.send(
            "POST",
            named + "/points/query",
            "{\"query\":{\"sample\":\"random\"},\"using\":\"nope\",\"limit\":10}");
    assertEquals(400, wrong.status(), wrong.raw());
    assertTrue(wrong.raw().contains("nope"), wrong.raw());
  }

  @Test
  void batchGroupsAndLookups() throws Exception {
    JsonNode batch =
        call(
                "POST",
                "/collections/{collection_name}/points/query/batch",
                C + "/points/query/batch",
                "{\"searches\":[{\"query\":[1,0,0,0],\"limit\":2},{\"query\":{\"recommend\":{\"positive\":[4]}},\"limit\":3}]}")
            .result();
    assertEquals(2, batch.size());
    assertEquals(2, batch.get(0).get("points").size());
    assertEquals(3, batch.get(1).get("points").size());

    float[] q = {0, 0, 1, 1};
    List<Integer> ranking = byScore(id -> dot(q, vectors.get(id)), Set.of());
    Map<Integer, List<Integer>> expected = new LinkedHashMap<>();
    for (int id : ranking) {
      int group = id % 7;
      if (expected.containsKey(group) ? expected.get(group).size() < 2 : expected.size() < 3) {
        expected.computeIfAbsent(group, g -> new ArrayList<>()).add(id);
      }
    }
    JsonNode groups =
        call(
                "POST",
                "/collections/{collection_name}/points/query/groups",
                C + "/points/query/groups",
                "{\"query\":[0,0,1,1],\"group_by\":\"group\",\"group_size\":2,\"limit\":3,\"with_lookup\":\"other\"}")
            .result()
            .get("groups");
    assertEquals(3, groups.size());
    int g = 0;
    for (Map.Entry<Integer, List<Integer>> e : expected.entrySet()) {
      JsonNode group = groups.get(g++);
      assertEquals((int) e.getKey(), group.get("id").asInt());
      assertEquals(e.getValue(), ids(group.get("hits")));
      if (e.getKey() >= 1 && e.getKey() <= 3) {
        assertEquals(e.getKey(), group.at("/lookup/id").asInt());
      }
    }
    JsonNode oldGroups =
        call(
                "POST",
                "/collections/{collection_name}/points/search/groups",
                C + "/points/search/groups",
                "{\"vector\":[0,0,1,1],\"group_by\":\"color\",\"group_size\":1,\"limit\":3,\"with_payload\":true}")
            .result()
            .get("groups");
    assertEquals(3, oldGroups.size());
    assertEquals(ranking.getFirst(), oldGroups.get(0).at("/hits/0/id").asInt());
    call(
        "POST",
        "/collections/{collection_name}/points/recommend/groups",
        C + "/points/recommend/groups",
        "{\"positive\":[7],\"group_by\":\"group\",\"group_size\":2,\"limit\":2}");
    JsonNode searches =
        call(
                "POST",
                "/collections/{collection_name}/points/search/batch",
                C + "/points/search/batch",
                "{\"searches\":[{\"vector\":[0,0,1,1],\"limit\":3},{\"vector\":[1,0,0,0],\"limit\":1}]}")
            .result();
    assertEquals(ranking.subList(0, 3), ids(searches.get(0)));
    JsonNode recommends =
        call(
                "POST",
                "/collections/{collection_name}/points/recommend/batch",
                C + "/points/recommend/batch",
                "{\"searches\":[{\"positive\":[7],\"limit\":3},{\"positive\":[8],\"negative\":[9],\"strategy\":\"best_score\",\"limit\":2}]}")
            .result();
    assertEquals(3, recommends.get(0).size());

    // lookup_from: example ids are points of "other", vectors compared in "reco"; nothing is
    // excluded
    float[] fromOther = {1, 1, 0, 0};
    assertRanking(
        byScore(id -> dot(fromOther, vectors.get(id)), Set.of()),
        5,
        points(
            query(
                "{\"query\":{\"recommend\":{\"positive\":[1,2]}},\"lookup_from\":{\"collection\":\"other\"},\"limit\":5}")));
  }

  @Test
  void withVectorNamesAndPayloadSelectors() throws Exception {
    String c = "/collections/named";
    call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"image\":{\"size\":2,\"distance\":\"Euclid\"},\"text\":{\"size\":2,\"distance\":\"Cosine\"}}}");
    call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"image\":[0,0],\"text\":[1,0]},\"payload\":{\"a\":1,\"b\":2}},"
            + "{\"id\":2,\"vector\":{\"image\":[3,4],\"text\":[0,1]},\"payload\":{\"a\":3,\"b\":4}}]}");
    JsonNode hit =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[3,4],\"using\":\"image\",\"limit\":1,\"with_vector\":[\"text\"],\"with_payload\":{\"exclude\":[\"a\"]}}")
            .result()
            .get("points")
            .get(0);
    assertEquals(2, hit.get("id").asInt());
    assertEquals(0.0, hit.get("score").asDouble(), 1e-6);
    assertEquals(List.of("text"), fieldNames(hit.get("vector")));
    assertEquals(List.of("b"), fieldNames(hit.get("payload")));
    JsonNode records =
        call(
                "POST",
                "/collections/{collection_name}/points",
                c + "/points",
                "{\"ids\":[1],\"with_vector\":[\"image\"]}")
            .result();
    assertEquals(List.of("image"), fieldNames(records.get(0).get("vector")));
    // recommend by id in a named, Euclid space: nearest to point 1's image vector, point 1 excluded
    JsonNode reco =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":{\"recommend\":{\"positive\":[1]}},\"using\":\"image\"}")
            .result()
            .get("points");
    assertEquals(List.of(2), ids(reco));
    assertEquals(5.0, reco.get(0).get("score").asDouble(), 1e-6);
  }

  /**
   * Goal: a Euclid collection reports distances (lower is better) in every endpoint that returns
   * search scores, over two shards whose hits are merged as similarities inside: search, search
   * with a score_threshold given as a distance, a rescoring query over a prefetch, groups, and the
   * distance matrix; while a custom objective (best_score) is reported as it is. Oracle: point i is
   * at [i, 0], so its distance to [0, 0] is i.
   */
  @Test
  void aEuclidCollectionReportsDistancesEverywhere() throws Exception {
    String c = "/collections/l2";
    call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"size\":2,\"distance\":\"Euclid\"},\"shard_number\":2}");
    StringBuilder body = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 12; i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":[")
          .append(i)
          .append(",0],\"payload\":{\"odd\":")
          .append(i % 2)
          .append("}}");
    }
    call("PUT", "/collections/{collection_name}/points", c + "/points?wait=true", body + "]}");

    JsonNode search =
        call(
                "POST",
                "/collections/{collection_name}/points/search",
                c + "/points/search",
                "{\"vector\":[0,0],\"limit\":3}")
            .result();
    assertEquals(List.of(0, 1, 2), ids(search));
    assertEquals(List.of(0.0, 1.0, 2.0), scores(search));

    JsonNode within =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[0,0],\"score_threshold\":2,\"limit\":10}")
            .result()
            .get("points");
    assertEquals(List.of(0, 1, 2), ids(within), "a threshold of distance 2 keeps distance 2");

    JsonNode rescored =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"prefetch\":{\"query\":[11,0],\"limit\":4},\"query\":[0,0],\"limit\":2}")
            .result()
            .get("points");
    assertEquals(List.of(8, 9), ids(rescored));
    assertEquals(List.of(8.0, 9.0), scores(rescored));

    JsonNode groups =
        call(
                "POST",
                "/collections/{collection_name}/points/search/groups",
                c + "/points/search/groups",
                "{\"vector\":[0,0],\"group_by\":\"odd\",\"limit\":2,\"group_size\":2}")
            .result()
            .get("groups");
    assertEquals(2, groups.size());
    assertEquals(List.of(0, 2), ids(groups.get(0).get("hits")));
    assertEquals(List.of(0.0, 2.0), scores(groups.get(0).get("hits")));
    assertEquals(List.of(1.0, 3.0), scores(groups.get(1).get("hits")));

    JsonNode pairs =
        call(
                "POST",
                "/collections/{collection_name}/points/search/matrix/pairs",
                c + "/points/search/matrix/pairs",
                "{\"sample\":6,\"limit\":2}")
            .result()
            .get("pairs");
    assertEquals(12, pairs.size());
    for (JsonNode p : pairs) {
      assertEquals(
          Math.abs(p.get("a").asInt() - p.get("b").asInt()), p.get("score").asDouble(), 1e-6);
    }

    // best_score is Qdrant's sigmoid of a similarity (the negated squared distance), as it is.
    JsonNode best =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":{\"recommend\":{\"positive\":[[0,0]],\"strategy\":\"best_score\"}},\"limit\":2}")
            .result()
            .get("points");
    assertEquals(List.of(0, 1), ids(best));
    assertTrue(best.get(0).get("score").asDouble() > best.get(1).get("score").asDouble());
  }

  private static List<Double> scores(JsonNode hits) {
    List<Double> out = new ArrayList<>();
    hits.forEach(h -> out.add(h.get("score").asDouble()));
    return out;
  }

  // ---- facet and the distance matrix ----

  @Test
  void facetCounts() throws Exception {
    JsonNode hits =
        call("POST", "/collections/{collection_name}/facet", C + "/facet", "{\"key\":\"color\"}")
            .result()
            .get("hits");
    assertEquals(3, hits.size());
    // 80 points: red 27 (i % 3 == 0), green 27, blue 26; ties by value ascending
    assertEquals("green", hits.get(0).get("value").asText());
    assertEquals(27, hits.get(0).get("count").asInt());
    assertEquals("red", hits.get(1).get("value").asText());
    assertEquals("blue", hits.get(2).get("value").asText());
    assertEquals(26, hits.get(2).get("count").asInt());
    JsonNode filtered =
        call(
                "POST",
                "/collections/{collection_name}/facet",
                C + "/facet",
                "{\"key\":\"group\",\"limit\":2,\"exact\":true,\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"lt\":10}}]}}")
            .result()
            .get("hits");
    assertEquals(2, filtered.size());
    assertEquals(
        0, filtered.get(0).get("value").asInt()); // groups 0, 1, 2 have 2 points each among 0..9
    assertEquals(2, filtered.get(0).get("count").asInt());
    assertEquals(1, filtered.get(1).get("value").asInt());
  }

  @Test
  void searchMatrix() throws Exception {
    JsonNode pairs =
        call(
                "POST",
                "/collections/{collection_name}/points/search/matrix/pairs",
                C + "/points/search/matrix/pairs",
                "{\"sample\":10,\"limit\":3}")
            .result()
            .get("pairs");
    Set<Integer> sampled = new HashSet<>();
    pairs.forEach(p -> sampled.add(p.get("a").asInt()));
    assertEquals(10, sampled.size());
    assertEquals(30, pairs.size());
    for (JsonNode p : pairs) {
      int a = p.get("a").asInt();
      int b = p.get("b").asInt();
      assertNotEquals(a, b);
      assertTrue(sampled.contains(b));
      assertEquals(dot(vectors.get(a), vectors.get(b)), p.get("score").asDouble(), 1e-6);
    }
    JsonNode offsets =
        call(
                "POST",
                "/collections/{collection_name}/points/search/matrix/offsets",
                C + "/points/search/matrix/offsets",
                "{\"sample\":5,\"limit\":2,\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}}")
            .result();
    assertEquals(5, offsets.get("ids").size());
    assertEquals(10, offsets.get("scores").size());
    offsets.get("ids").forEach(id -> assertEquals(0, id.asInt() % 3));
    for (int i = 0; i < 10; i++) {
      int a = offsets.get("ids").get(offsets.get("offsets_row").get(i).asInt()).asInt();
      int b = offsets.get("ids").get(offsets.get("offsets_col").get(i).asInt()).asInt();
      assertEquals(
          dot(vectors.get(a), vectors.get(b)), offsets.get("scores").get(i).asDouble(), 1e-6);
    }
  }

  /**
   * Goal: concurrent requests (and the concurrent shard reads inside one batch) never mix their
   * results.
   */
  @Test
  void concurrentBatchesKeepTheirResults() throws Exception {
    float[] target = vectors.get(10);
    List<float[][]> pairs =
        List.of(
            new float[][] {vectors.get(11), vectors.get(12)},
            new float[][] {{1, 1, 0, 0}, vectors.get(13)});
    List<Integer> contextRanking =
        byScore(id -> context(pairs, vectors.get(id)), Set.of(11, 12, 13)).subList(0, 10);
    float[] q = {1, 0, 0, 0};
    List<Integer> nearest = byScore(id -> dot(q, vectors.get(id)), Set.of()).subList(0, 3);
    String body =
        "{\"searches\":[{\"context\":[{\"positive\":11,\"negative\":12},{\"positive\":[1,1,0,0],\"negative\":13}],\"limit\":10},"
            + "{\"target\":[1,0,0,0],\"context\":[],\"limit\":3}]}";
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<String>> runs = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        runs.add(
            pool.submit(
                () -> {
                  QdrantHttp.Reply r = http.send("POST", C + "/points/discover/batch", body);
                  if (r.status() != 200) {
                    return r.raw();
                  }
                  List<Integer> first = ids(r.result().get(0));
                  List<Integer> second = ids(r.result().get(1));
                  List<Integer> byTarget =
                      byScore(id -> discover(target, List.of(), vectors.get(id)), Set.of())
                          .subList(0, 3);
                  return first.equals(contextRanking) && second.size() == 3
                      ? null
                      : r.raw() + " expected " + contextRanking + " " + byTarget + " " + nearest;
                }));
      }
      for (var run : runs) {
        String failure = run.get(120, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(null, failure);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- errors ----

  @Test
  void errorsNameTheFieldOrThePoint() throws Exception {
    assertError(
        "/points/query",
        "{\"query\":{\"recommend\":{\"positive\":[1,777]}}}",
        404,
        "No point with id 777 found");
    assertError(
        "/points/query",
        "{\"query\":{\"recommend\":{\"positive\":[1,\"x\"]}}}",
        400,
        "query.recommend.positive[1]");
    assertError(
        "/points/query",
        "{\"query\":{\"recommend\":{\"positive\":[],\"negative\":[2]}}}",
        400,
        "Positive vectors should not be empty");
    assertError(
        "/points/query", "{\"query\":{\"fusion\":\"rrf\"}}", 400, "Fusion without prefetches");
    assertError(
        "/points/query",
        "{\"prefetch\":[{\"query\":[1,0,0,0]}]}",
        400,
        "A query is needed to merge the prefetches");
    assertError(
        "/points/query",
        "{\"query\":{\"order_by\":\"n\"}}",
        400,
        "No range index for `order_by` key: `n`");
    assertError(
        "/points/query",
        "{\"query\":{\"order_by\":{\"key\":\"n\",\"direction\":1}}}",
        400,
        "query.order_by.direction");
    assertError(
        "/points/query",
        "{\"query\":{\"discover\":{\"context\":[]}}}",
        400,
        "query.discover.target");
    assertError(
        "/points/query",
        "{\"prefetch\":{\"query\":[1,0,0]},\"query\":{\"fusion\":\"dbsf\"}}",
        400,
        "expected dim: 4, got 3");
    assertError("/points/query", "{\"query\":[1,0,0,0],\"with_vector\":[\"nope\"]}", 400, "nope");
    assertError("/points/search", "{\"vector\":[1,0,0,0]}", 400, "limit");
    assertError(
        "/points/recommend", "{\"positive\":[999],\"limit\":3}", 404, "No point with id 999 found");
    assertError("/facet", "{\"limit\":3}", 400, "key");
    QdrantHttp.Reply missing =
        http.send("POST", "/collections/nope/points/query", "{\"query\":[1,0,0,0]}");
    assertEquals(404, missing.status());
  }

  // ---- helpers ----

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

  private void assertError(String suffix, String body, int status, String mention)
      throws Exception {
    QdrantHttp.Reply r = http.send("POST", C + suffix, body);
    assertEquals(status, r.status(), body + " -> " + r.raw());
    spec.assertValid("POST", "/collections/{collection_name}" + suffix, r.status(), r.body());
    String error = r.body().at("/status/error").asText();
    assertTrue(
        error.contains(mention), body + ": error should mention '" + mention + "': " + error);
  }

  private static JsonNode points(JsonNode result) {
    return result.get("points");
  }

  private static List<Integer> ids(JsonNode hits) {
    List<Integer> out = new ArrayList<>();
    hits.forEach(h -> out.add(h.get("id").asInt()));
    return out;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** All point ids but {@code excluded}, best first by {@code score}, ties by id. */
  private List<Integer> byScore(ToDoubleFunction<Integer> score, Set<Integer> excluded) {
    Map<Integer, Double> scores = new HashMap<>();
    vectors.keySet().stream()
        .filter(id -> !excluded.contains(id))
        .forEach(id -> scores.put(id, score.applyAsDouble(id)));
    return sortByScore(scores);
  }

  private static List<Integer> sortByScore(Map<Integer, Double> scores) {
    List<Integer> ids = new ArrayList<>(scores.keySet());
    ids.sort(Comparator.<Integer>comparingDouble(id -> -scores.get(id)).thenComparing(id -> id));
    return ids;
  }

  private void assertRanking(List<Integer> expected, int limit, JsonNode hits) {
    Map<Integer, Double> none = null;
    assertRanking(expected, limit, hits, none);
  }

  private void assertRanking(
      List<Integer> expected, int limit, JsonNode hits, Map<Integer, Double> scores) {
    assertEquals(expected.subList(0, limit), ids(hits), hits.toString());
    if (scores != null) {
      for (JsonNode h : hits) {
        assertEquals(scores.get(h.get("id").asInt()), h.get("score").asDouble(), 1e-5);
      }
    }
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static float fastSigmoid(float x) {
    return x / (1f + Math.abs(x));
  }

  private static float scaledSigmoid(float x) {
    return 0.5f * (fastSigmoid(x) + 1f);
  }

  /** Qdrant's reco_query.rs RecoBestScoreQuery::score_by. */
  private static float bestScore(List<float[]> pos, List<float[]> neg, float[] v) {
    float maxPos = Float.NEGATIVE_INFINITY;
    for (float[] p : pos) {
      maxPos = Math.max(maxPos, dot(p, v));
    }
    float maxNeg = Float.NEGATIVE_INFINITY;
    for (float[] n : neg) {
      maxNeg = Math.max(maxNeg, dot(n, v));
    }
    return maxPos > maxNeg ? scaledSigmoid(maxPos) : -scaledSigmoid(maxNeg);
  }

  private static float sumScores(List<float[]> pos, List<float[]> neg, float[] v) {
    float s = 0;
    for (float[] p : pos) {
      s += dot(p, v);
    }
    float n = 0;
    for (float[] x : neg) {
      n += dot(x, v);
    }
    return s - n;
  }

  /**
   * Qdrant's discover_query.rs: rank over pairs plus the scaled sigmoid of the target similarity.
   */
  private static float discover(float[] target, List<float[][]> pairs, float[] v) {
    int rank = 0;
    for (float[][] p : pairs) {
      rank += Integer.signum(Float.compare(dot(p[0], v), dot(p[1], v)));
    }
    return rank + scaledSigmoid(dot(target, v));
  }

  /** Qdrant's context_query.rs: the sum of fast_sigmoid(min(sim(p) - sim(n) - EPSILON, 0)). */
  private static float context(List<float[][]> pairs, float[] v) {
    float s = 0;
    for (float[][] p : pairs) {
      s += fastSigmoid(Math.min(dot(p[0], v) - dot(p[1], v) - Math.ulp(1f), 0f));
    }
    return s;
  }

  private static String json(float[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ",").append((int) v[i]);
    }
    return sb.append("]").toString();
  }
}
