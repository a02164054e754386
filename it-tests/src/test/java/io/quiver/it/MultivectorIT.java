package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Multivectors ({@code multivector_config: {comparator: max_sim}}) through REST against a real node
 * process (2 shards): settings reported back exactly (named and unnamed), refusals naming the
 * field, upsert / retrieve / scroll of lists of vectors, vector updates, the Query API (a list of
 * vectors or one vector, filters, score_threshold, offset, prefetch re-scoring and rrf fusion with
 * a dense vector, a point id; recommend, discover and context with examples by point id or as lists
 * of vectors), the same answers after a restart and in a collection recovered from a snapshot.
 * Every response is validated against Qdrant's OpenAPI spec.
 *
 * <p>Oracle: brute-force MaxSim computed here. Vectors are small integers under Dot, so every
 * similarity is exact and the score (a sum of maxima in double, rounded once) is too; ties by id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class MultivectorIT {

  private static final String C = "/collections/colbert";
  private static final int N = 240;
  private static final int DIM = 4;
  private static final String[] COLORS = {"red", "green", "blue"};

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private QdrantHttp http;
  private final OpenApiContract spec = OpenApiContract.load();
  private final Map<Integer, float[][]> multi = new LinkedHashMap<>();
  private final Map<Integer, float[]> plain = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    node = NODES.node("data").start();
    http = new QdrantHttp(node.baseUrl());
    call(
        "PUT",
        "/collections/{collection_name}",
        C,
        "{\"vectors\":{\"late\":{\"size\":4,\"distance\":\"Dot\","
            + "\"multivector_config\":{\"comparator\":\"max_sim\"}},\"plain\":{\"size\":2,\"distance\":\"Dot\"}},"
            + "\"shard_number\":2}");
    Random random = new Random(5);
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < N; i++) {
      multi.put(i, rows(random, 1 + random.nextInt(5)));
      plain.put(i, new float[] {random.nextInt(7) - 3, random.nextInt(7) - 3});
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":{\"late\":")
          .append(rowsJson(multi.get(i)))
          .append(",\"plain\":")
          .append(floats(plain.get(i)))
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

  @AfterAll
  void printLogTail() {
    if (node != null) {
      System.out.println("node log tail:\n" + node.logTail());
    }
  }

  @Test
  @Order(1)
  void settingsAreReportedBackExactly() throws Exception {
    JsonNode info = call("GET", "/collections/{collection_name}", C, null).result();
    assertEquals(
        QdrantHttp.JSON.readTree(
            "{\"size\":4,\"distance\":\"Dot\",\"multivector_config\":{\"comparator\":"
                + "\"max_sim\"}}"),
        info.at("/config/params/vectors/late"));
    assertEquals(N, info.get("points_count").asInt());
    // the unnamed vector as a multivector
    String c = "/collections/unnamed";
    String config =
        "{\"size\":3,\"distance\":\"Euclid\",\"multivector_config\":{\"comparator\":\"max_sim\"}}";
    call("PUT", "/collections/{collection_name}", c, "{\"vectors\":" + config + "}");
    assertEquals(
        QdrantHttp.JSON.readTree(config),
        call("GET", "/collections/{collection_name}", c, null)
            .result()
            .at("/config/params/vectors"));
    call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":[[0,0,0],[5,5,5]]},{\"id\":2,\"vector\":[[1,1,1]]}]}");
    JsonNode hits =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[[1,1,1],[5,5,6]],\"with_vector\":true}")
            .result()
            .get("points");
    // 1: min distances 0 (no: sqrt 3) ... computed: q1=[1,1,1] -> min(sqrt3, sqrt48)=sqrt3;
    // q2=[5,5,6] -> 1; sum 2.732
    // 2: q1 -> 0; q2 -> sqrt(16+16+25)=sqrt57; sum 7.55. Lower is better: 1 first.
    assertEquals(1, hits.get(0).get("id").asInt());
    assertEquals(Math.sqrt(3) + 1, hits.get(0).get("score").asDouble(), 1e-4);
    assertEquals(Math.sqrt(57), hits.get(1).get("score").asDouble(), 1e-4);
    assertEquals(
        QdrantHttp.JSON.readTree("[[0.0,0.0,0.0],[5.0,5.0,5.0]]"), hits.get(0).get("vector"));
    call("DELETE", "/collections/{collection_name}", c, null);
  }

  @Test
  @Order(2)
  void badInputIsRefusedNamingTheField() throws Exception {
    String p = C + "/points?wait=true";
    assertError(
        "PUT",
        p,
        "{\"points\":[{\"id\":1,\"vector\":{\"late\":[[1,2,3,4],[1,2]],\"plain\":[1,1]}}]}",
        "points[0].vector.late[1]");
    assertError(
        "PUT",
        p,
        "{\"points\":[{\"id\":1,\"vector\":{\"late\":[],\"plain\":[1,1]}}]}",
        "points[0].vector.late");
    assertError(
        "PUT",
        p,
        "{\"points\":[{\"id\":1,\"vector\":{\"late\":[[1,2],[3,4]],\"plain\":[1,1]}}]}",
        "points[0].vector.late[0]");
    assertError(
        "PUT",
        p,
        "{\"points\":[{\"id\":1,\"vector\":{\"late\":[[1,2,3,1e999]],\"plain\":[1,1]}}]}",
        "points[0].vector.late[0][3]");
    assertError(
        "PUT",
        p,
        "{\"points\":[{\"id\":1,\"vector\":{\"late\":[1,2,3,4],\"plain\":[1,1]}}]}",
        "points[0].vector.late");
    assertError(
        "PUT",
        p,
        "{\"points\":[{\"id\":1,\"vector\":{\"late\":[[1,2,3,4]],\"plain\":[[1,1]]}}]}",
        "points[0].vector.plain[0]");
    String q = C + "/points/query";
    assertError("POST", q, "{\"query\":[[1,2,3,4],[1,2,3]],\"using\":\"late\"}", "query[1]");
    assertError("POST", q, "{\"query\":[[1,2],[3,4]],\"using\":\"late\"}", "expected dim: 4");
    assertError("POST", q, "{\"query\":[[1,2]],\"using\":\"plain\"}", "plain is not a multivector");
    assertError(
        "POST",
        q,
        "{\"query\":{\"recommend\":{\"positive\":[[[1,2,3]]]}},\"using\":\"late\"}",
        "expected dim: 4");
    assertError(
        "POST",
        q,
        "{\"query\":{\"recommend\":{\"positive\":[{\"indices\":[1],\"values\":[1]}]}},"
            + "\"using\":\"late\"}",
        "late");
    assertError(
        "POST",
        q,
        "{\"query\":{\"nearest\":[[1,2,3,4]],\"mmr\":{\"diversity\":0.5}},\"using\":\"late\"}",
        "mmr");
    assertError(
        "PUT",
        "/collections/bad",
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\",\"multivector_config\":"
            + "{\"comparator\":\"min_sim\"}}}",
        "multivector_config.comparator");
    // quantization is honoured (MultivectorQuantizationIT); product codes have no Manhattan tables
    assertError(
        "PUT",
        "/collections/bad",
        "{\"vectors\":{\"size\":4,\"distance\":\"Manhattan\",\"multivector_config\":"
            + "{\"comparator\":\"max_sim\"},\"quantization_config\":{\"product\":{\"compression\":\"x4\"}}}}",
        "Manhattan");
    // on_disk: true is honoured (the shards reopen with the rows mapped from scratch files): the
    // rest of this class (brute force, updates, restart, snapshot recovery, graphs) runs on it.
    call(
        "PATCH",
        "/collections/{collection_name}",
        C,
        "{\"vectors\":{\"late\":{\"on_disk\":true}}}");
    assertTrue(
        call("GET", "/collections/{collection_name}", C, null)
            .result()
            .at("/config/params/vectors/late/on_disk")
            .asBoolean(),
        "on_disk reported back");
    assertError(
        "PUT",
        "/collections/bad",
        "{\"vectors\":{\"m\":{\"size\":4,\"distance\":\"Dot\",\"hnsw_config\":"
            + "{\"on_disk\":true},\"multivector_config\":{\"comparator\":\"max_sim\"}}}}",
        "vectors.m.hnsw_config.on_disk");
    assertError(
        "PATCH",
        C,
        "{\"vectors\":{\"late\":{\"hnsw_config\":{\"on_disk\":true}}}}",
        "vectors.late.hnsw_config.on_disk");
    assertEquals(
        N,
        call("POST", "/collections/{collection_name}/points/count", C + "/points/count", "{}")
            .result()
            .get("count")
            .asInt());
  }

  @Test
  @Order(3)
  void retrieveAndScrollReturnTheLists() throws Exception {
    JsonNode records =
        call(
                "POST",
                "/collections/{collection_name}/points",
                C + "/points",
                "{\"ids\":[3,17],\"with_vector\":true}")
            .result();
    for (JsonNode r : records) {
      assertEquals(
          QdrantHttp.JSON.readTree(rowsJson(multi.get(r.get("id").asInt()))), r.at("/vector/late"));
    }
    JsonNode page =
        call(
                "POST",
                "/collections/{collection_name}/points/scroll",
                C + "/points/scroll",
                "{\"limit\":5,\"with_vector\":[\"late\"]}")
            .result();
    for (JsonNode r : page.get("points")) {
      assertEquals(
          QdrantHttp.JSON.readTree(rowsJson(multi.get(r.get("id").asInt()))), r.at("/vector/late"));
      assertTrue(r.get("vector").get("plain") == null, r.toString());
    }
  }

  @Test
  @Order(4)
  void nearestEqualsBruteForceWithFiltersThresholdAndOffset() throws Exception {
    checkQueries(new Random(11));
  }

  @Test
  @Order(5)
  void prefetchRescoringAndFusion() throws Exception {
    Random random = new Random(13);
    for (int round = 0; round < 5; round++) {
      float[][] q = rows(random, 1 + random.nextInt(3));
      float[] p = {random.nextInt(7) - 3, random.nextInt(7) - 3};
      // dense prefetch, multivector re-scoring of its candidates
      List<Integer> dense = bestPlain(p, 40);
      List<Map.Entry<Integer, Double>> truth = maxSim(q, null);
      truth.removeIf(e -> !dense.contains(e.getKey()));
      JsonNode hits =
          query(
                  "{\"prefetch\":{\"query\":"
                      + floats(p)
                      + ",\"using\":\"plain\",\"limit\":40},\"query\":"
                      + rowsJson(q)
                      + ",\"using\":\"late\",\"limit\":10}")
              .get("points");
      assertHits(truth.subList(0, Math.min(10, truth.size())), hits, "rescore round " + round);
      // rrf of a multivector list and a dense list
      List<Map.Entry<Integer, Double>> late = maxSim(q, null).subList(0, 30);
      Map<Integer, Double> rrf = new HashMap<>();
      for (int i = 0; i < late.size(); i++) {
        rrf.merge(late.get(i).getKey(), 1.0 / (i + 10), Double::sum);
      }
      for (int i = 0; i < dense.size(); i++) {
        rrf.merge(dense.get(i), 1.0 / (i + 10), Double::sum);
      }
      List<Double> expected =
          rrf.values().stream().sorted(Comparator.reverseOrder()).limit(10).toList();
      JsonNode fused =
          query(
                  "{\"prefetch\":[{\"query\":"
                      + rowsJson(q)
                      + ",\"using\":\"late\",\"limit\":30},"
                      + "{\"query\":"
                      + floats(p)
                      + ",\"using\":\"plain\",\"limit\":40}],\"query\":{\"rrf\":{\"k\":10}},\"limit\":10}")
              .get("points");
      assertEquals(10, fused.size());
      for (int i = 0; i < fused.size(); i++) {
        assertEquals(
            expected.get(i),
            fused.get(i).get("score").asDouble(),
            1e-5,
            "rrf round " + round + " at " + i);
        assertEquals(
            rrf.get(fused.get(i).get("id").asInt()), fused.get(i).get("score").asDouble(), 1e-5);
      }
    }
  }

  @Test
  @Order(6)
  void vectorUpdatesAndRestartKeepAnswers() throws Exception {
    Random random = new Random(17);
    StringBuilder body = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 20; i++) {
      int id = i * 7;
      multi.put(id, rows(random, 1 + random.nextInt(4)));
      body.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(id)
          .append(",\"vector\":{\"late\":")
          .append(rowsJson(multi.get(id)))
          .append("}}");
    }
    call(
        "PUT",
        "/collections/{collection_name}/points/vectors",
        C + "/points/vectors?wait=true",
        body.append("]}").toString());
    JsonNode r =
        call("GET", "/collections/{collection_name}/points/{id}", C + "/points/14", null).result();
    assertEquals(QdrantHttp.JSON.readTree(rowsJson(multi.get(14))), r.at("/vector/late"));
    assertEquals(QdrantHttp.JSON.readTree(floats(plain.get(14))), r.at("/vector/plain"));
    checkQueries(new Random(19));

    node.close();
    node = NODES.node("data").start(); // its data, on new ports
    http = new QdrantHttp(node.baseUrl());
    assertEquals(
        N,
        call("POST", "/collections/{collection_name}/points/count", C + "/points/count", "{}")
            .result()
            .get("count")
            .asInt());
    checkQueries(new Random(19));
  }

  @Test
  @Order(7)
  void pointIdQueriesAndSnapshotRecovery() throws Exception {
    // a point's own list of vectors as the query; the point itself is left out, as in Qdrant
    List<Map.Entry<Integer, Double>> truth = maxSim(multi.get(5), null);
    truth.removeIf(e -> e.getKey() == 5);
    assertHits(
        truth.subList(0, 6),
        query("{\"query\":5,\"using\":\"late\",\"limit\":6}").get("points"),
        "by id");
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
            .at("/config/params/vectors"),
        info.at("/config/params/vectors"));
    assertEquals(N, info.get("points_count").asInt());
    float[][] q = rows(new Random(23), 3);
    JsonNode hits =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                "/collections/copy/points/query",
                "{\"query\":" + rowsJson(q) + ",\"using\":\"late\",\"limit\":8}")
            .result()
            .get("points");
    assertHits(maxSim(q, null).subList(0, 8), hits, "recovered copy");
  }

  /**
   * A multivector's own {@code hnsw_config} is reported back and honoured: with a 1 KB indexing
   * threshold the shards build MaxSim graphs over 1,200 points (~30 KB of rows a shard, above the
   * 10 KB full_scan_threshold, so the graphs are searched) (indexed_vectors_count counts their
   * points), graph answers hold only live points with their true scores and match brute force rank
   * by rank (scores compared, so ties may come in any order) in at least 80% of the ranks (small
   * integer vectors under Dot: many ties, and inner product is hard for HNSW; recall is measured in
   * MultiVectorShardModelTest), {@code exact: true} equals brute force, and a PATCH of the vector's
   * hnsw_config is reported back.
   */
  @Test
  @Order(8)
  void ownHnswConfigBuildsGraphsThatAnswerQueries() throws Exception {
    String g = "/collections/graphed";
    call(
        "PUT",
        "/collections/{collection_name}",
        g,
        "{\"vectors\":{\"late\":{\"size\":4,\"distance\":\"Dot\","
            + "\"hnsw_config\":{\"m\":12,\"ef_construct\":64,\"full_scan_threshold\":10},"
            + "\"multivector_config\":{\"comparator\":\"max_sim\"}}},\"optimizers_config\":{\"indexing_threshold\":1},"
            + "\"shard_number\":2}");
    JsonNode late =
        call("GET", "/collections/{collection_name}", g, null)
            .result()
            .at("/config/params/vectors/late");
    assertEquals(12, late.at("/hnsw_config/m").asInt(), late.toString());
    assertEquals(64, late.at("/hnsw_config/ef_construct").asInt(), late.toString());
    assertEquals(10, late.at("/hnsw_config/full_scan_threshold").asInt(), late.toString());
    Map<Integer, float[][]> graphed = new LinkedHashMap<>();
    Random random = new Random(17);
    for (int id = 0; id < 1200; id++) {
      graphed.put(id, rows(random, 1 + random.nextInt(5)));
    }
    StringBuilder points = new StringBuilder("{\"points\":[");
    boolean first = true;
    for (Map.Entry<Integer, float[][]> e : graphed.entrySet()) {
      points
          .append(first ? "" : ",")
          .append("{\"id\":")
          .append(e.getKey())
          .append(",\"vector\":{\"late\":")
          .append(rowsJson(e.getValue()))
          .append("},\"payload\":{\"color\":\"")
          .append(COLORS[e.getKey() % 3])
          .append("\"}}");
      first = false;
    }
    call(
        "PUT",
        "/collections/{collection_name}/points",
        g + "/points?wait=true",
        points.append("]}").toString());
    long deadline = System.nanoTime() + 60_000_000_000L;
    JsonNode info = call("GET", "/collections/{collection_name}", g, null).result();
    while (!info.get("status").asText().equals("green")
        || info.get("indexed_vectors_count").asInt() < graphed.size()) {
      assertTrue(System.nanoTime() < deadline, "no graphs after 60 s: " + info);
      Thread.sleep(100);
      info = call("GET", "/collections/{collection_name}", g, null).result();
    }
    // deleted points stay in the graphs as deleted nodes: never returned
    call(
        "POST",
        "/collections/{collection_name}/points/delete",
        g + "/points/delete?wait=true",
        "{\"points\":[0,1,2,3,4,5,6,7,8,9]}");
    Map<Integer, float[][]> live = new LinkedHashMap<>(graphed);
    for (int id = 0; id < 10; id++) {
      live.remove(id);
    }
    int ranks = 0;
    int matching = 0;
    for (int round = 0; round < 20; round++) {
      float[][] q = rows(random, 1 + random.nextInt(4));
      String color = round % 2 == 0 ? null : COLORS[round % 3];
      List<Map.Entry<Integer, Double>> truth = maxSim(live, q, color);
      Map<Integer, Double> own = new HashMap<>();
      truth.forEach(e -> own.put(e.getKey(), e.getValue()));
      String filter =
          color == null
              ? ""
              : ",\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\""
                  + color
                  + "\"}}]}";
      JsonNode hits =
          call(
                  "POST",
                  "/collections/{collection_name}/points/query",
                  g + "/points/query",
                  "{\"query\":"
                      + rowsJson(q)
                      + ",\"using\":\"late\",\"limit\":10,\"params\":{\"hnsw_ef\":128}"
                      + filter
                      + "}")
              .result()
              .get("points");
      assertEquals(10, hits.size(), hits.toString());
      for (int i = 0; i < hits.size(); i++) {
        Double score = own.get(hits.get(i).get("id").asInt());
        assertTrue(score != null, "round " + round + ": a deleted or filtered-out point: " + hits);
        assertEquals(score, hits.get(i).get("score").asDouble(), 1e-4, "round " + round);
        ranks++;
        matching +=
            Math.abs(truth.get(i).getValue() - hits.get(i).get("score").asDouble()) < 1e-4 ? 1 : 0;
      }
      JsonNode exact =
          call(
                  "POST",
                  "/collections/{collection_name}/points/query",
                  g + "/points/query",
                  "{\"query\":"
                      + rowsJson(q)
                      + ",\"using\":\"late\",\"limit\":10,\"params\":{\"exact\":true}"
                      + filter
                      + "}")
              .result()
              .get("points");
      assertHits(truth.subList(0, 10), exact, "exact round " + round);
    }
    System.out.println(
        "graph answers match brute force at " + matching + " of " + ranks + " ranks");
    assertTrue(
        matching >= 0.8 * ranks,
        "graph answers match brute force at " + matching + " of " + ranks + " ranks");
    call(
        "PATCH",
        "/collections/{collection_name}",
        g,
        "{\"vectors\":{\"late\":{\"hnsw_config\":{\"ef_construct\":40}}}}");
    late =
        call("GET", "/collections/{collection_name}", g, null)
            .result()
            .at("/config/params/vectors/late");
    assertEquals(40, late.at("/hnsw_config/ef_construct").asInt(), late.toString());
    assertEquals(12, late.at("/hnsw_config/m").asInt(), late.toString());
    call("DELETE", "/collections/{collection_name}", g, null);
  }

  /**
   * {@code PUT /collections/{c}/vectors/{name}} with {@code multivector_config} (issue 12: it was
   * ignored, the vector became a plain one): the added vector is a multivector, reported back
   * exactly (its datatype too), takes lists of vectors, is searched by MaxSim against brute force,
   * and can be deleted again; what it cannot honour is refused naming the field.
   */
  @Test
  @Order(9)
  void aMultivectorAddedAfterCreationIsHonoured() throws Exception {
    String c = "/collections/grown";
    call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"plain\":{\"size\":2,\"distance\":\"Dot\"}}," + "\"shard_number\":2}");
    StringBuilder before = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 40; i++) {
      before
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":{\"plain\":[1,")
          .append(i)
          .append("]}}");
    }
    call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        before.append("]}").toString());
    String late =
        "{\"size\":4,\"distance\":\"Dot\",\"multivector_config\":{\"comparator\":\"max_sim\"}}";
    call(
        "PUT",
        "/collections/{collection_name}/vectors/{vector_name}",
        c + "/vectors/late?wait=true",
        "{\"dense\":" + late + "}");
    String narrow =
        "{\"size\":4,\"distance\":\"Euclid\",\"multivector_config\":{\"comparator\":\"max_sim\"},"
            + "\"datatype\":\"uint8\"}";
    call(
        "PUT",
        "/collections/{collection_name}/vectors/{vector_name}",
        c + "/vectors/narrow?wait=true",
        "{\"dense\":" + narrow + "}");
    JsonNode vectors =
        call("GET", "/collections/{collection_name}", c, null)
            .result()
            .at("/config/params/vectors");
    assertEquals(QdrantHttp.JSON.readTree(late), vectors.get("late"));
    assertEquals(QdrantHttp.JSON.readTree(narrow), vectors.get("narrow"));

    Random random = new Random(29);
    Map<Integer, float[][]> lists = new HashMap<>();
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 30; i++) { // points 30..39 keep only their plain vector
      lists.put(i, rows(random, 1 + random.nextInt(4)));
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":{\"plain\":[1,1],\"late\":")
          .append(rowsJson(lists.get(i)))
          .append("}}");
    }
    call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        points.append("]}").toString());
    call(
        "PUT",
        "/collections/{collection_name}/points/vectors",
        c + "/points/vectors?wait=true",
        "{\"points\":[{\"id\":3,\"vector\":{\"narrow\":[[0,255,3,4],[9,9,9,9]]}}]}");
    JsonNode three =
        call(
                "POST",
                "/collections/{collection_name}/points",
                c + "/points",
                "{\"ids\":[3],\"with_vector\":true}")
            .result()
            .get(0)
            .get("vector");
    assertEquals(QdrantHttp.JSON.readTree(rowsJson(lists.get(3))), three.get("late"));
    assertEquals(
        QdrantHttp.JSON.readTree("[[0.0,255.0,3.0,4.0],[9.0,9.0,9.0,9.0]]"), three.get("narrow"));
    for (int round = 0; round < 5; round++) {
      float[][] q = rows(random, 1 + random.nextInt(3));
      List<Map.Entry<Integer, Double>> truth = new ArrayList<>();
      lists.forEach((id, rows) -> truth.add(Map.entry(id, MaxSimDot.of(q, rows))));
      truth.sort(
          Comparator.comparing((Map.Entry<Integer, Double> e) -> e.getValue())
              .reversed()
              .thenComparing(Map.Entry::getKey));
      JsonNode hits =
          call(
                  "POST",
                  "/collections/{collection_name}/points/query",
                  c + "/points/query",
                  "{\"query\":" + rowsJson(q) + ",\"using\":\"late\",\"limit\":7}")
              .result()
              .get("points");
      assertHits(truth.subList(0, 7), hits, "added multivector round " + round);
    }
    JsonNode nearest =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[[0,250,3,4]],\"using\":\"narrow\"}")
            .result()
            .get("points");
    assertEquals(1, nearest.size(), "only point 3 has the narrow multivector: " + nearest);
    assertEquals(5.0, nearest.get(0).get("score").asDouble(), 1e-5);

    String v = "/collections/{collection_name}/vectors/{vector_name}";
    assertError(
        "PUT",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"plain\":[1,1],\"late\":[1,2,3,4]}}]}",
        "late");
    assertError(
        "PUT",
        c + "/points/vectors?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"narrow\":[[1,2,3,4.5]]}}]}",
        "uint8");
    assertError(
        "PUT",
        c + "/vectors/x",
        "{\"dense\":{\"size\":4,\"distance\":\"Dot\",\"multivector_config\":"
            + "{\"comparator\":\"sum\"}}}",
        "dense.multivector_config.comparator");
    assertError(
        "PUT",
        c + "/vectors/x",
        "{\"dense\":{\"size\":4,\"distance\":\"Dot\",\"datatype\":\"turbo4\","
            + "\"multivector_config\":{\"comparator\":\"max_sim\"}}}",
        "dense.datatype");
    // uint8 Cosine rows would have to be stored as given and scored by their norms: refused by name
    assertError(
        "PUT",
        c + "/vectors/x",
        "{\"dense\":{\"size\":4,\"distance\":\"Cosine\",\"datatype\":\"uint8\","
            + "\"multivector_config\":{\"comparator\":\"max_sim\"}}}",
        "dense.datatype");
    assertError("PUT", c + "/vectors/late", "{\"dense\":" + late + "}", "already exists");
    // a multivector added to a quantized collection takes the collection's quantization (its rows
    // quantized)
    call(
        "PUT",
        "/collections/{collection_name}",
        "/collections/quantized",
        "{\"vectors\":{\"p\":{\"size\":4,"
            + "\"distance\":\"Dot\"}},\"quantization_config\":{\"scalar\":{\"type\":\"int8\"}}}");
    call(
        "PUT",
        "/collections/{collection_name}/vectors/{vector_name}",
        "/collections/quantized/vectors/m",
        "{\"dense\":" + late + "}");
    JsonNode quantized =
        call("GET", "/collections/{collection_name}", "/collections/quantized", null).result();
    assertEquals(
        "max_sim", quantized.at("/config/params/vectors/m/multivector_config/comparator").asText());
    assertEquals("int8", quantized.at("/config/quantization_config/scalar/type").asText());
    call("DELETE", "/collections/{collection_name}", "/collections/quantized", null);

    // Deleted again: gone from the info, the points and the queries.
    call("DELETE", v, c + "/vectors/late?wait=true", null);
    assertTrue(
        call("GET", "/collections/{collection_name}", c, null)
                .result()
                .at("/config/params/vectors")
                .get("late")
            == null);
    JsonNode after =
        call(
                "POST",
                "/collections/{collection_name}/points",
                c + "/points",
                "{\"ids\":[3],\"with_vector\":true}")
            .result()
            .get(0)
            .get("vector");
    assertEquals(java.util.Set.of("plain", "narrow"), fieldNames(after), after.toString());
    assertError("POST", c + "/points/query", "{\"query\":[[1,2,3,4]],\"using\":\"late\"}", "late");
    call("DELETE", "/collections/{collection_name}", c, null);
  }

  private static java.util.Set<String> fieldNames(JsonNode node) {
    java.util.Set<String> out = new java.util.HashSet<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /**
   * Recommend (average_vector, best_score, sum_scores), discover and context on a multivector,
   * examples given as point ids and as lists of vectors, through the Query API and the older
   * recommend and discover endpoints: equal to brute force with filters and offset, the referenced
   * points left out. Custom objectives compare a point with an example by MaxSim (Qdrant's
   * score_max_similarity); average_vector is, as in Qdrant, the nearest search by MaxSim to one
   * list holding the positives' rows and the negatives' rows negated.
   */
  @Test
  @Order(10)
  void recommendDiscoverAndContextEqualBruteForce() throws Exception {
    Random random = new Random(29);
    for (int round = 0; round < 25; round++) {
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
      int kind = round % 5;
      List<Object> positives = new ArrayList<>();
      List<Object> negatives = new ArrayList<>();
      List<Object> referencedExamples = new ArrayList<>();
      Object target = kind == 3 ? example(random) : null;
      List<Object[]> pairs = new ArrayList<>();
      String body;
      if (kind < 3) {
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
          positives.add(example(random));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
          negatives.add(example(random));
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
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
          pairs.add(new Object[] {example(random), example(random)});
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
      body += ",\"using\":\"late\",\"limit\":7,\"offset\":" + offset + filter + "}";
      referencedExamples.addAll(positives);
      referencedExamples.addAll(negatives);
      if (target != null) {
        referencedExamples.add(target);
      }
      pairs.forEach(p -> referencedExamples.addAll(List.of(p)));
      java.util.Set<Integer> referenced = new java.util.HashSet<>();
      referencedExamples.forEach(
          e -> {
            if (e instanceof Integer id) {
              referenced.add(id);
            }
          });

      List<Map.Entry<Integer, Double>> truth = new ArrayList<>();
      if (kind == 0) {
        List<float[]> rows = new ArrayList<>();
        positives.forEach(e -> rows.addAll(List.of(rowsOf(e))));
        negatives.forEach(
            e -> {
              for (float[] r : rowsOf(e)) {
                float[] negated = new float[DIM];
                for (int x = 0; x < DIM; x++) {
                  negated[x] = -r[x];
                }
                rows.add(negated);
              }
            });
        truth.addAll(maxSim(rows.toArray(float[][]::new), color));
      } else {
        Object t = target;
        multi.forEach(
            (id, point) -> {
              if (color != null && !COLORS[id % 3].equals(color)) {
                return;
              }
              java.util.function.Function<Object, Float> sim =
                  e -> (float) MaxSimDot.of(rowsOf(e), point);
              float score =
                  switch (kind) {
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
                            sim.apply(t), CustomObjectives.pairSims(pairs, sim));
                    default -> CustomObjectives.context(CustomObjectives.pairSims(pairs, sim));
                  };
              truth.add(Map.entry(id, (double) score));
            });
        truth.sort(
            Comparator.comparing((Map.Entry<Integer, Double> e) -> e.getValue())
                .reversed()
                .thenComparing(Map.Entry::getKey));
      }
      truth.removeIf(e -> referenced.contains(e.getKey()));
      List<Map.Entry<Integer, Double>> page =
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

  /** A point id, or a random list of vectors. */
  private Object example(Random random) {
    return random.nextBoolean() ? random.nextInt(N) : rows(random, 1 + random.nextInt(3));
  }

  private float[][] rowsOf(Object example) {
    return example instanceof Integer id ? multi.get(id) : (float[][]) example;
  }

  private static String exampleJson(Object example) {
    return example instanceof Integer id ? id.toString() : rowsJson((float[][]) example);
  }

  private static String examplesJson(List<Object> examples) {
    StringBuilder s = new StringBuilder("[");
    examples.forEach(e -> s.append(s.length() == 1 ? "" : ",").append(exampleJson(e)));
    return s.append("]").toString();
  }

  private void checkQueries(Random random) throws Exception {
    for (int round = 0; round < 12; round++) {
      float[][] q = rows(random, 1 + random.nextInt(4));
      String color = round % 3 == 0 ? null : COLORS[round % 3];
      List<Map.Entry<Integer, Double>> truth = maxSim(q, color);
      int offset = round % 4;
      String filter =
          color == null
              ? ""
              : ",\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\""
                  + color
                  + "\"}}]}";
      String exact = round % 2 == 0 ? ",\"params\":{\"exact\":true}" : "";
      JsonNode hits =
          query(
                  "{\"query\":"
                      + rowsJson(q)
                      + ",\"using\":\"late\",\"limit\":7,\"offset\":"
                      + offset
                      + filter
                      + exact
                      + "}")
              .get("points");
      assertHits(truth.subList(offset, Math.min(offset + 7, truth.size())), hits, "round " + round);
      double threshold = truth.get(truth.size() / 3).getValue();
      JsonNode above =
          query(
                  "{\"query\":"
                      + rowsJson(q)
                      + ",\"using\":\"late\",\"limit\":1000,\"score_threshold\":"
                      + threshold
                      + filter
                      + "}")
              .get("points");
      assertEquals(
          truth.stream().filter(e -> e.getValue() >= threshold).count(),
          above.size(),
          "round " + round);
      // one vector against the multivector: a list of one
      List<Map.Entry<Integer, Double>> single = maxSim(new float[][] {q[0]}, color);
      assertHits(
          single.subList(0, 5),
          query("{\"query\":" + floats(q[0]) + ",\"using\":\"late\",\"limit\":5" + filter + "}")
              .get("points"),
          "single round " + round);
    }
  }

  private List<Map.Entry<Integer, Double>> maxSim(float[][] q, String color) {
    return maxSim(multi, q, color);
  }

  private static List<Map.Entry<Integer, Double>> maxSim(
      Map<Integer, float[][]> points, float[][] q, String color) {
    List<Map.Entry<Integer, Double>> out = new ArrayList<>();
    points.forEach(
        (id, rows) -> {
          if (color == null || COLORS[id % 3].equals(color)) {
            out.add(Map.entry(id, MaxSimDot.of(q, rows)));
          }
        });
    out.sort(
        Comparator.comparing((Map.Entry<Integer, Double> e) -> e.getValue())
            .reversed()
            .thenComparing(Map.Entry::getKey));
    return out;
  }

  private List<Integer> bestPlain(float[] p, int limit) {
    List<Map.Entry<Integer, Double>> out = new ArrayList<>();
    plain.forEach((id, v) -> out.add(Map.entry(id, (double) (p[0] * v[0] + p[1] * v[1]))));
    out.sort(
        Comparator.comparing((Map.Entry<Integer, Double> e) -> e.getValue())
            .reversed()
            .thenComparing(Map.Entry::getKey));
    return out.subList(0, limit).stream().map(Map.Entry::getKey).toList();
  }

  private static void assertHits(
      List<Map.Entry<Integer, Double>> expected, JsonNode hits, String where) {
    assertEquals(expected.size(), hits.size(), where + ": " + hits);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(
          expected.get(i).getKey().intValue(),
          hits.get(i).get("id").asInt(),
          where + " at " + i + ": " + hits);
      assertEquals(expected.get(i).getValue(), hits.get(i).get("score").asDouble(), 1e-4, where);
    }
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
      s.append(i == 0 ? "" : ",").append(floats(rows[i]));
    }
    return s.append("]").toString();
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
