package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Segments through REST on a real node: a collection with a small indexing threshold seals and
 * indexes its points in the background (status yellow while the optimizer works, then green with
 * every vector indexed), its hnsw/optimizer settings are reported back as created, and {@code
 * params.exact} / {@code params.hnsw_ef} answer like a brute-force ranking — also after a restart.
 * Every response is validated against Qdrant's OpenAPI schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class SegmentsIT {

  private static final int DIM = 8;

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private SpecClient api;

  @BeforeAll
  void start() throws Exception {
    node = NODES.node("data").start();
    api = new SpecClient(node.baseUrl());
  }

  @Test
  void sealsIndexesAndSearchesThroughRest() throws Exception {
    String c = "/collections/segments";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        """
        {"vectors": {"size": %d, "distance": "Euclid", "on_disk": true,
                     "hnsw_config": {"m": 8}},
         "hnsw_config": {"m": 12, "ef_construct": 64, "full_scan_threshold": 10},
         "optimizers_config": {"indexing_threshold": 10, "default_segment_number": 2,
                               "deleted_threshold": 0.3, "vacuum_min_vector_number": 100,
                               "flush_interval_sec": 1}}
        """
            .formatted(DIM),
        200);
    JsonNode config =
        api.call("GET", "/collections/{collection_name}", c, null, 200).result().get("config");
    assertEquals(12, config.at("/hnsw_config/m").asInt(), config.toString());
    assertEquals(64, config.at("/hnsw_config/ef_construct").asInt());
    assertEquals(10, config.at("/hnsw_config/full_scan_threshold").asInt());
    assertEquals(
        8,
        config.at("/params/vectors/hnsw_config/m").asInt(),
        "per-vector hnsw_config over the collection's");
    assertEquals(64, config.at("/params/vectors/hnsw_config/ef_construct").asInt());
    assertTrue(config.at("/params/vectors/on_disk").asBoolean());
    assertEquals(10, config.at("/optimizer_config/indexing_threshold").asInt());
    assertEquals(2, config.at("/optimizer_config/default_segment_number").asInt());

    // 10 KB of 8-dim vectors is 320 points: 3,000 points are sealed several times, then merged.
    Random random = new Random(11);
    List<float[]> vectors = new ArrayList<>();
    for (int batch = 0; batch < 10; batch++) {
      StringBuilder body = new StringBuilder("{\"points\":[");
      for (int i = 0; i < 300; i++) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
          v[d] = random.nextFloat();
        }
        int id = vectors.size();
        vectors.add(v);
        body.append(i == 0 ? "" : ",")
            .append("{\"id\":")
            .append(id)
            .append(",\"vector\":")
            .append(json(v))
            .append('}');
      }
      api.call(
          "PUT",
          "/collections/{collection_name}/points",
          c + "/points?wait=true",
          body.append("]}").toString(),
          200);
    }
    JsonNode info = awaitGreen(c);
    assertEquals(3000, info.get("points_count").asInt());
    assertIndexed(info);
    assertTrue(info.get("segments_count").asInt() <= 3, info.toString());
    checkSearches(c, vectors, random);

    node.close();
    node = NODES.node("data").start(); // its data, on new ports
    api = new SpecClient(node.baseUrl());
    info = awaitGreen(c);
    assertEquals(3000, info.get("points_count").asInt());
    assertIndexed(info);
    checkSearches(c, vectors, random);

    api.call(
        "PUT",
        "/collections/{collection_name}",
        "/collections/bad",
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"hnsw_config\":{\"m\":1}}",
        400);
    api.call(
        "PUT",
        "/collections/{collection_name}",
        "/collections/bad",
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"optimizers_config\":{\"deleted_threshold\":2}}",
        400);
  }

  private void checkSearches(String c, List<float[]> vectors, Random random) throws Exception {
    int found = 0;
    for (int q = 0; q < 20; q++) {
      float[] query = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        query[d] = random.nextFloat();
      }
      List<Integer> truth = new ArrayList<>();
      for (int i = 0; i < vectors.size(); i++) {
        truth.add(i);
      }
      truth.sort(
          Comparator.comparingDouble((Integer i) -> l2(query, vectors.get(i)))
              .thenComparing(i -> i));
      truth = truth.subList(0, 10);
      JsonNode exact =
          api.call(
                  "POST",
                  "/collections/{collection_name}/points/query",
                  c + "/points/query",
                  "{\"query\":" + json(query) + ",\"limit\":10,\"params\":{\"exact\":true}}",
                  200)
              .result()
              .get("points");
      List<Integer> exactIds = new ArrayList<>();
      exact.forEach(p -> exactIds.add(p.get("id").asInt()));
      assertEquals(truth, exactIds, "exact search is a brute-force ranking");
      JsonNode approx =
          api.call(
                  "POST",
                  "/collections/{collection_name}/points/search",
                  c + "/points/search",
                  "{\"vector\":" + json(query) + ",\"limit\":10,\"params\":{\"hnsw_ef\":128}}",
                  200)
              .result();
      for (JsonNode p : approx) {
        found += truth.contains(p.get("id").asInt()) ? 1 : 0;
      }
    }
    // HNSW with ef 128 on segments of ~1,500 points: nearly exact.
    assertTrue(found >= 0.95 * 200, "recall@10 " + found + "/200");
  }

  /**
   * Green means no optimizer work is pending, not that every point is indexed: fewer points than
   * the indexing threshold (10 KB: 320 points of 8 dims) may stay in the appendable segment, as in
   * Qdrant. Which ones depends on how the seals fell during ingest.
   */
  private static void assertIndexed(JsonNode info) {
    int indexed = info.get("indexed_vectors_count").asInt();
    assertTrue(
        indexed > 3000 - 320 && indexed <= 3000,
        "all but fewer than a threshold's worth are indexed: " + info);
  }

  private JsonNode awaitGreen(String c) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      JsonNode info = api.call("GET", "/collections/{collection_name}", c, null, 200).result();
      if (info.get("status").asText().equals("green")) {
        return info;
      }
      assertEquals("yellow", info.get("status").asText());
      assertTrue(System.nanoTime() < deadline, "still optimizing after 120 s: " + info);
      Thread.sleep(100);
    }
  }

  private static String json(float[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ",").append(v[i]);
    }
    return sb.append(']').toString();
  }

  private static double l2(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return s;
  }
}
