package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
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
 * Qdrant's {@code memory} placement ({@code cold|cached|pinned}) through REST on a real node: a
 * collection whose vectors, graphs, quantized codes and sparse index each have a placement reports
 * every one back exactly, before and after {@code PATCH} and a restart; searches over its sealed,
 * indexed segments (vectors mapped cold, mapped and read through, or copied to memory; graphs
 * mapped, read through or copied to native memory) answer like brute force; and the values a
 * component cannot honour are refused naming the field ({@code pinned} dense storage and payload
 * storage with 422, as Qdrant refuses them).
 *
 * <p>Oracle: brute force in double precision over the vectors sent: exact search returns its top 10
 * ids; graph search (through the codes, rescored) a recall@10 of at least 0.8 over 20 queries (a
 * graph read from a wrong copy would find almost nothing).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class MemoryPlacementIT {

  private static final String C = "/collections/placed";
  private static final String ONE = "/collections/{collection_name}";
  private static final int N = 600;
  private static final int DIM = 16;
  private static final String[] NAMES = {"cold", "cached", "plain"};
  private static final String[] DISTANCES = {"Dot", "Euclid", "Cosine"};

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private SpecClient api;
  private final float[][][] vectors = new float[NAMES.length][N][DIM];

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    api = new SpecClient(node.baseUrl());
    Random random = new Random(13);
    for (float[][] byName : vectors) {
      for (float[] v : byName) {
        for (int d = 0; d < DIM; d++) {
          v[d] = (float) random.nextGaussian();
        }
      }
    }
  }

  @AfterAll
  void printLogTail() {
    if (node != null) {
      System.out.println("node log tail:\n" + node.logTail());
    }
  }

  @Test
  @Order(1)
  void everyPlacementIsReportedBackAndSearchesAnswerLikeBruteForce() throws Exception {
    api.call(
        "PUT",
        ONE,
        C,
        "{\"vectors\":{"
            + "\"cold\":{\"size\":16,\"distance\":\"Dot\",\"memory\":\"cold\","
            + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\",\"memory\":\"cached\"}}},"
            + "\"cached\":{\"size\":16,\"distance\":\"Euclid\",\"memory\":\"cached\",\"hnsw_config\":{\"memory\":\"pinned\"}},"
            + "\"plain\":{\"size\":16,\"distance\":\"Cosine\",\"on_disk\":true}},"
            + "\"sparse_vectors\":{\"s\":{\"index\":{\"memory\":\"pinned\"}}},\"payload\":{\"memory\":\"cached\"},"
            + "\"hnsw_config\":{\"full_scan_threshold\":10,\"memory\":\"cold\"},"
            + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\",\"always_ram\":false,\"memory\":\"pinned\"}},"
            + "\"optimizers_config\":{\"indexing_threshold\":4,\"default_segment_number\":2,\"flush_interval_sec\":1}}",
        200);
    assertPlacements("cold", "cached", "pinned", "cold");
    api.call(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index?wait=true",
        "{\"field_name\":\"g\",\"field_schema\":{\"type\":\"keyword\",\"memory\":\"pinned\"}}",
        200);
    assertEquals(
        QdrantHttp.JSON.readTree("{\"type\":\"keyword\",\"memory\":\"pinned\"}"),
        info().at("/payload_schema/g/params"));
    upsert();
    JsonNode info = awaitIndexed();
    // 600 x 64 bytes per vector in at most 3 segments: one holds more than full_scan_threshold (10
    // KB),
    // so its graph (mapped, read through or pinned) answers the graph searches.
    assertTrue(
        info.get("segments_count").asInt() <= 3,
        "merged towards default_segment_number 2: " + info);
    checkSearches(new Random(1));
    checkFilter();
  }

  /**
   * Multivectors and sparse vectors: the placements are reported back; for a multivector a
   * placement overrides {@code on_disk: true} (which alone maps its rows). Sparse vectors take
   * every placement and {@code on_disk: true} (their sealed parts are mapped).
   */
  @Test
  @Order(2)
  void heapComponentsTakeCachedAndPinnedOverridingOnDisk() throws Exception {
    String c = "/collections/heap";
    String vectorsBody =
        "{\"m\":{\"size\":4,\"distance\":\"Dot\",\"on_disk\":true,\"memory\":\"cached\","
            + "\"hnsw_config\":{\"on_disk\":true,\"memory\":\"pinned\"},\"multivector_config\":{\"comparator\":\"max_sim\"}}}";
    api.call(
        "PUT",
        ONE,
        c,
        "{\"vectors\":"
            + vectorsBody
            + ",\"sparse_vectors\":{\"s\":{\"index\":{\"on_disk\":true,"
            + "\"memory\":\"pinned\"}}}}",
        200);
    JsonNode params = info(c).at("/config/params");
    assertEquals("cached", params.at("/vectors/m/memory").asText(), params.toString());
    assertTrue(params.at("/vectors/m/on_disk").asBoolean(), params.toString());
    assertEquals("pinned", params.at("/vectors/m/hnsw_config/memory").asText(), params.toString());
    assertEquals(
        QdrantHttp.JSON.readTree("{\"on_disk\":true,\"memory\":\"pinned\"}"),
        params.at("/sparse_vectors/s/index"));
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"m\":[[1,0,0,0],[0,1,0,0]],\"s\":{\"indices\":[3],\"values\":[2.0]}}}]}",
        200);
    JsonNode hits =
        api.call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[[1,0,0,0],[0,2,0,0]],\"using\":\"m\"}",
                200)
            .result()
            .get("points");
    assertEquals(
        1.0 + 2.0,
        hits.get(0).get("score").asDouble(),
        1e-6,
        "MaxSim (sum of each query row's best dot): " + hits);
    api.call("DELETE", ONE, c, null, 200);
    // sparse sealed parts can stay on disk: on_disk true and memory cold are honoured (mapped on
    // demand)
    api.call(
        "PUT",
        ONE,
        c,
        "{\"sparse_vectors\":{\"s\":{\"index\":{\"on_disk\":true}},"
            + "\"t\":{\"index\":{\"memory\":\"cold\"}}}}",
        200);
    assertEquals(
        QdrantHttp.JSON.readTree(
            "{\"s\":{\"index\":{\"on_disk\":true}},\"t\":{\"index\":{\"memory\":\"cold\"}}}"),
        info(c).at("/config/params/sparse_vectors"));
    api.call("DELETE", ONE, c, null, 200);
  }

  @Test
  @Order(3)
  void pinnedDenseStorageAndUnhonourableValuesAreRefusedByName() throws Exception {
    String bad = "/collections/bad";
    api.assertError(
        "PUT",
        ONE,
        bad,
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\",\"memory\":\"pinned\"}}",
        422,
        "vectors.memory");
    api.assertError(
        "PUT",
        ONE,
        bad,
        "{\"vectors\":{\"v\":{\"size\":4,\"distance\":\"Dot\",\"memory\":\"pinned\","
            + "\"on_disk\":false}}}",
        422,
        "vectors.v.memory");
    api.assertError(
        "PUT",
        ONE,
        bad,
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\",\"memory\":\"hot\"}}",
        400,
        "vectors.memory");
    api.assertError(
        "PUT",
        ONE,
        bad,
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
            + "\"quantization_config\":{\"binary\":{\"memory\":\"cold\"}}}",
        400,
        "quantization_config.binary.memory");
    api.assertError(
        "PUT",
        ONE,
        bad,
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"payload\":{\"memory\":\"pinned\"}}",
        422,
        "payload.memory");
    assertEquals(404, api.http().get(bad).status(), "nothing was created");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index?wait=true",
        "{\"field_name\":\"n\",\"field_schema\":{\"type\":\"integer\",\"memory\":\"cold\"}}",
        400,
        "field_schema.memory");
    api.assertError(
        "PATCH",
        ONE,
        C,
        "{\"vectors\":{\"cold\":{\"memory\":\"pinned\"}}}",
        422,
        "vectors.cold.memory");
    api.assertError(
        "PATCH",
        ONE,
        C,
        "{\"params\":{\"payload\":{\"memory\":\"pinned\"}}}",
        422,
        "params.payload.memory");
    assertPlacements("cold", "cached", "pinned", "cold");
  }

  @Test
  @Order(4)
  void patchChangesPlacementsAndSearchesStayRight() throws Exception {
    api.call(
        "PATCH",
        ONE,
        C,
        "{\"vectors\":{\"cold\":{\"memory\":\"cached\",\"hnsw_config\":{\"memory\":\"pinned\"}},"
            + "\"plain\":{\"memory\":\"cold\"}},\"hnsw_config\":{\"memory\":\"cached\"},"
            + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\",\"memory\":\"cached\"}},"
            + "\"sparse_vectors\":{\"s\":{\"index\":{\"memory\":\"cached\"}}},\"params\":{\"payload\":{\"memory\":\"cold\"}}}",
        200);
    JsonNode config = info().get("config");
    assertEquals("cached", config.at("/params/vectors/cold/memory").asText(), config.toString());
    assertEquals(
        "pinned", config.at("/params/vectors/cold/hnsw_config/memory").asText(), config.toString());
    assertEquals("cold", config.at("/params/vectors/plain/memory").asText(), config.toString());
    assertTrue(
        config.at("/params/vectors/plain/on_disk").asBoolean(),
        "on_disk is reported as given: " + config);
    assertEquals("cached", config.at("/hnsw_config/memory").asText(), config.toString());
    assertEquals(
        QdrantHttp.JSON.readTree("{\"scalar\":{\"type\":\"int8\",\"memory\":\"cached\"}}"),
        config.get("quantization_config"));
    assertEquals(
        "cached", config.at("/params/sparse_vectors/s/index/memory").asText(), config.toString());
    assertEquals("cold", config.at("/params/payload/memory").asText(), config.toString());
    awaitIndexed();
    checkSearches(new Random(2));
  }

  /**
   * Payloads cached again, so that the restart reads them at open (and the filter still answers).
   */
  @Test
  @Order(5)
  void aRestartKeepsThem() throws Exception {
    api.call("PATCH", ONE, C, "{\"params\":{\"payload\":{\"memory\":\"cached\"}}}", 200);
    JsonNode before = info().get("config");
    assertEquals("cached", before.at("/params/payload/memory").asText(), before.toString());
    node.close();
    node.start(); // its data, ports and settings
    api = new SpecClient(node.baseUrl());
    awaitIndexed();
    assertEquals(before, info().get("config"), "kept across a restart");
    assertEquals(
        "pinned",
        info().at("/payload_schema/g/params/memory").asText(),
        "the index's placement too");
    checkSearches(new Random(3));
    checkFilter();
  }

  /** The placements of the create body, at their places in collection info. */
  private void assertPlacements(
      String coldVector, String cachedVector, String cachedVectorGraph, String collectionGraph)
      throws Exception {
    JsonNode config = info().get("config");
    JsonNode vectorsInfo = config.at("/params/vectors");
    assertEquals(coldVector, vectorsInfo.at("/cold/memory").asText(), config.toString());
    assertEquals(
        QdrantHttp.JSON.readTree("{\"scalar\":{\"type\":\"int8\",\"memory\":\"cached\"}}"),
        vectorsInfo.at("/cold/quantization_config"));
    assertEquals(cachedVector, vectorsInfo.at("/cached/memory").asText(), config.toString());
    assertEquals(
        cachedVectorGraph,
        vectorsInfo.at("/cached/hnsw_config/memory").asText(),
        config.toString());
    assertTrue(vectorsInfo.at("/plain/memory").isMissingNode(), "only what was given: " + config);
    assertEquals(collectionGraph, config.at("/hnsw_config/memory").asText(), config.toString());
    assertEquals(
        QdrantHttp.JSON.readTree(
            "{\"scalar\":{\"type\":\"int8\",\"always_ram\":false,\"memory\":\"pinned\"}}"),
        config.get("quantization_config"));
    assertEquals(
        "pinned", config.at("/params/sparse_vectors/s/index/memory").asText(), config.toString());
    assertEquals("cached", config.at("/params/payload/memory").asText(), config.toString());
  }

  private void upsert() throws Exception {
    for (int from = 0; from < N; from += 200) {
      StringBuilder points = new StringBuilder("{\"points\":[");
      for (int i = from; i < from + 200; i++) {
        points.append(i == from ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":{");
        for (int v = 0; v < NAMES.length; v++) {
          points
              .append("\"")
              .append(NAMES[v])
              .append("\":")
              .append(floats(vectors[v][i]))
              .append(",");
        }
        points
            .append("\"s\":{\"indices\":[")
            .append(i % 50)
            .append("],\"values\":[1.0]}},\"payload\":{\"g\":\"")
            .append(i % 5)
            .append("\"}}");
      }
      api.call(
          "PUT",
          "/collections/{collection_name}/points",
          C + "/points?wait=true",
          points.append("]}").toString(),
          200);
    }
  }

  /**
   * Exact search: brute force's top 10; graph search: recall@10 >= 0.8 over 20 queries, per vector.
   */
  private void checkSearches(Random random) throws Exception {
    for (int v = 0; v < NAMES.length; v++) {
      int found = 0;
      for (int q = 0; q < 20; q++) {
        float[] query = new float[DIM];
        for (int d = 0; d < DIM; d++) {
          query[d] = (float) random.nextGaussian();
        }
        List<Integer> truth = bruteForce(v, query);
        String body =
            "{\"query\":" + floats(query) + ",\"using\":\"" + NAMES[v] + "\",\"limit\":10";
        assertEquals(
            truth,
            ids(search(body + ",\"params\":{\"exact\":true}}")),
            NAMES[v] + " exact, query " + q);
        Set<Integer> graph =
            new HashSet<>(
                ids(search(body + ",\"params\":{\"quantization\":{\"oversampling\":2}}}")));
        for (int id : truth) {
          found += graph.contains(id) ? 1 : 0;
        }
      }
      assertTrue(found >= 0.8 * 200, NAMES[v] + ": graph recall@10 " + found + "/200");
    }
  }

  /** The pinned keyword index answers a filter: every fifth point has g = "3". */
  private void checkFilter() throws Exception {
    JsonNode count =
        api.call(
                "POST",
                "/collections/{collection_name}/points/count",
                C + "/points/count",
                "{\"exact\":true,\"filter\":{\"must\":[{\"key\":\"g\",\"match\":{\"value\":\"3\"}}]}}",
                200)
            .result();
    assertEquals(N / 5, count.get("count").asInt());
  }

  private List<Integer> bruteForce(int v, float[] q) {
    List<double[]> scored = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      float[] x = vectors[v][i];
      double dot = 0;
      double l2 = 0;
      double nx = 0;
      double nq = 0;
      for (int d = 0; d < DIM; d++) {
        dot += (double) x[d] * q[d];
        l2 += ((double) x[d] - q[d]) * ((double) x[d] - q[d]);
        nx += (double) x[d] * x[d];
        nq += (double) q[d] * q[d];
      }
      double score =
          switch (DISTANCES[v]) {
            case "Dot" -> dot;
            case "Euclid" -> -l2;
            default -> dot / Math.sqrt(nx * nq);
          };
      scored.add(new double[] {score, i});
    }
    scored.sort(Comparator.comparingDouble((double[] s) -> -s[0]));
    return scored.subList(0, 10).stream().map(s -> (int) s[1]).toList();
  }

  private JsonNode search(String body) throws Exception {
    return api.call(
            "POST", "/collections/{collection_name}/points/query", C + "/points/query", body, 200)
        .result()
        .get("points");
  }

  private static List<Integer> ids(JsonNode points) {
    List<Integer> ids = new ArrayList<>();
    points.forEach(p -> ids.add(p.get("id").asInt()));
    return ids;
  }

  private JsonNode awaitIndexed() throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      JsonNode info = info();
      if (info.get("status").asText().equals("green")
          && info.get("indexed_vectors_count").asInt() >= N) {
        return info;
      }
      assertTrue(System.nanoTime() < deadline, "not green and indexed after 120 s: " + info);
      Thread.sleep(200);
    }
  }

  private JsonNode info() throws Exception {
    return info(C);
  }

  private JsonNode info(String c) throws Exception {
    return api.call("GET", ONE, c, null, 200).result();
  }

  private static String floats(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ",").append(v[i]);
    }
    return s.append("]").toString();
  }
}
