package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Vector {@code datatype} (float16, uint8, float32 given explicitly) through REST against a real
 * node process: the config is reported back exactly, points read back as stored (float16: every
 * value a half, the input normalized for Cosine and rounded; uint8: the integers given), exact and
 * graph searches once the segments are sealed and indexed (stored at their width), bad values and
 * unsupported combinations refused naming the field, and the same after a restart and in a copy
 * recovered from a snapshot. Every response is validated against Qdrant's OpenAPI spec.
 *
 * <p>Oracle: brute force in double precision over the vectors the node reads back (scroll with
 * {@code with_vector}): exact search must give each hit its brute-force score and the brute-force
 * 10th score (ties may swap); graph search a recall@10 of at least 0.9.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class DatatypeIT {

  private static final String C = "/collections/datatypes";
  private static final int N = 800;
  private static final int DIM = 8;
  private static final String VECTORS = "{\"h\":{\"size\":8,\"distance\":\"Cosine\",\"datatype\":\"float16\"},"
      + "\"b\":{\"size\":8,\"distance\":\"Euclid\",\"on_disk\":true,\"datatype\":\"uint8\"},"
      + "\"f\":{\"size\":8,\"distance\":\"Dot\",\"datatype\":\"float32\"}}";

  private Path data;
  private NodeProcess node;
  private QdrantHttp http;
  private final OpenApiContract spec = OpenApiContract.load();
  private final Map<Integer, float[]> givenH = new HashMap<>();
  private final Map<Integer, float[]> givenB = new HashMap<>();

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    data = tmp.resolve("data");
    node = new NodeProcess(data).start();
    http = new QdrantHttp(node.baseUrl());
    call("PUT", "/collections/{collection_name}", C, "{\"vectors\":" + VECTORS + ",\"hnsw_config\":{\"full_scan_threshold\":1},"
        + "\"optimizers_config\":{\"indexing_threshold\":2,\"default_segment_number\":2,\"flush_interval_sec\":1}}");
    Random random = new Random(11);
    for (int from = 0; from < N; from += 200) {
      StringBuilder points = new StringBuilder("{\"points\":[");
      for (int i = from; i < from + 200; i++) {
        float[] h = new float[DIM];
        float[] b = new float[DIM];
        float[] f = new float[DIM];
        for (int d = 0; d < DIM; d++) {
          h[d] = (float) random.nextGaussian();
          b[d] = random.nextInt(256);
          f[d] = random.nextInt(9) - 4;
        }
        givenH.put(i, h);
        givenB.put(i, b);
        points.append(i == from ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":{\"h\":").append(floats(h))
            .append(",\"b\":").append(floats(b)).append(",\"f\":").append(floats(f)).append("}}");
      }
      call("PUT", "/collections/{collection_name}/points", C + "/points?wait=true", points.append("]}").toString());
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      System.out.println("node log tail:\n" + node.logTail());
      node.close();
    }
  }

  @Test
  @Order(1)
  void datatypesAreReportedBackExactly() throws Exception {
    assertEquals(QdrantHttp.JSON.readTree(VECTORS), info(C).at("/config/params/vectors"));
    String c = "/collections/unnamed";
    String config = "{\"size\":3,\"distance\":\"Manhattan\",\"datatype\":\"uint8\"}";
    call("PUT", "/collections/{collection_name}", c, "{\"vectors\":" + config + "}");
    assertEquals(QdrantHttp.JSON.readTree(config), info(c).at("/config/params/vectors"));
    call("PUT", "/collections/{collection_name}/points", c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":[0,255,7]},{\"id\":2,\"vector\":[3,3,3]}]}");
    JsonNode hits = call("POST", "/collections/{collection_name}/points/query", c + "/points/query",
        "{\"query\":[1,250.5,7],\"with_vector\":true}").result().get("points");
    assertEquals(1, hits.get(0).get("id").asInt());
    assertEquals(1 + 4.5, hits.get(0).get("score").asDouble(), 1e-5);
    assertEquals(QdrantHttp.JSON.readTree("[0.0,255.0,7.0]"), hits.get(0).get("vector"));
    call("DELETE", "/collections/{collection_name}", c, null);
  }

  @Test
  @Order(2)
  void badValuesAndUnsupportedCombinationsAreRefusedNamingTheField() throws Exception {
    assertError("PUT", C + "/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":{\"b\":[1,2,3,4,5,6,7,1.5]}}]}", "uint8");
    assertError("PUT", C + "/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":{\"b\":[1,2,3,4,5,6,7,256]}}]}", "uint8");
    assertError("PUT", C + "/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":{\"h\":[1,2,3,4,5,6,7,1e6]}}]}", "float16");
    assertError("PUT", "/collections/bad", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\",\"datatype\":\"turbo4\"}}",
        "vectors.datatype");
    assertError("PUT", "/collections/bad", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\",\"datatype\":\"float64\"}}",
        "vectors.datatype");
    assertError("PUT", "/collections/bad", "{\"vectors\":{\"v\":{\"size\":4,\"distance\":\"Cosine\",\"datatype\":\"uint8\"}}}",
        "vectors.v.datatype");
    assertError("PUT", "/collections/bad", "{\"vectors\":{\"m\":{\"size\":4,\"distance\":\"Dot\",\"datatype\":\"float16\","
        + "\"multivector_config\":{\"comparator\":\"max_sim\"}}}}", "vectors.m.datatype");
    assertEquals(N, count(C), "no point was written by a refused request");
  }

  @Test
  @Order(3)
  void pointsReadBackAsStored() throws Exception {
    JsonNode r = call("GET", "/collections/{collection_name}/points/{id}", C + "/points/5", null).result();
    float[] h = floats(r.at("/vector/h"));
    float[] expected = normalized(givenH.get(5));
    boolean rounded = false;
    for (int d = 0; d < DIM; d++) {
      assertEquals(Float.float16ToFloat(Float.floatToFloat16(h[d])), h[d], 0f, "h[" + d + "] is a half: " + r);
      // within a half's spacing (2^13 float ulps: 10 mantissa bits instead of 23)
      assertEquals(expected[d], h[d], Math.ulp(expected[d]) * 8192, "h[" + d + "]");
      rounded |= h[d] != expected[d];
    }
    assertTrue(rounded, "float16 rounding is visible in the read-back vector: " + r);
    assertEquals(QdrantHttp.JSON.readTree(floats(givenB.get(5))), r.at("/vector/b"));
  }

  @Test
  @Order(4)
  void searchesOfSealedNarrowSegmentsMatchBruteForce() throws Exception {
    JsonNode info = awaitGreen(C);
    assertTrue(info.get("indexed_vectors_count").asInt() >= N, "indexed: " + info);
    checkSearches(C, new Random(3));
  }

  @Test
  @Order(5)
  void restartAndSnapshotRecoveryKeepThem() throws Exception {
    node.close();
    node = new NodeProcess(data).start();
    http = new QdrantHttp(node.baseUrl());
    assertEquals(QdrantHttp.JSON.readTree(VECTORS), info(C).at("/config/params/vectors"));
    assertEquals(N, count(C));
    checkSearches(C, new Random(5));
    String name = call("POST", "/collections/{collection_name}/snapshots", C + "/snapshots", null).result()
        .get("name").asText();
    call("PUT", "/collections/{collection_name}/snapshots/recover", "/collections/copy/snapshots/recover",
        "{\"location\":\"" + node.baseUrl() + C + "/snapshots/" + name + "\"}");
    assertEquals(QdrantHttp.JSON.readTree(VECTORS), info("/collections/copy").at("/config/params/vectors"));
    assertEquals(N, count("/collections/copy"));
    checkSearches("/collections/copy", new Random(7));
  }

  /** Exact and graph searches of h (float16, Cosine) and b (uint8, Euclid) against brute force. */
  private void checkSearches(String c, Random random) throws Exception {
    Map<Integer, float[]> storedH = new HashMap<>();
    Map<Integer, float[]> storedB = new HashMap<>();
    JsonNode points = call("POST", "/collections/{collection_name}/points/scroll", c + "/points/scroll",
        "{\"limit\":" + N + ",\"with_vector\":true}").result().get("points");
    assertEquals(N, points.size());
    for (JsonNode p : points) {
      storedH.put(p.get("id").asInt(), floats(p.at("/vector/h")));
      storedB.put(p.get("id").asInt(), floats(p.at("/vector/b")));
    }
    int found = 0;
    int rounds = 10;
    for (int round = 0; round < rounds; round++) {
      float[] qh = new float[DIM];
      float[] qb = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        qh[d] = (float) random.nextGaussian();
        qb[d] = random.nextFloat() * 255;
      }
      double[] truthH = bruteForce(c, storedH, qh, true, "h", round);
      double[] truthB = bruteForce(c, storedB, qb, false, "b", round);
      found += recall(c, storedH, qh, "h", truthH) + recall(c, storedB, qb, "b", truthB);
    }
    assertTrue(found >= 0.9 * 2 * rounds * 10, c + " graph recall@10 " + found + "/" + 2 * rounds * 10);
  }

  /** Checks the exact search against brute force; returns the brute-force scores by id. */
  private double[] bruteForce(String c, Map<Integer, float[]> stored, float[] q, boolean cosine, String using, int round)
      throws Exception {
    double[] scores = new double[N];
    float[] qn = cosine ? normalized(q) : q;
    for (Map.Entry<Integer, float[]> e : stored.entrySet()) {
      double dot = 0;
      double l2 = 0;
      for (int d = 0; d < DIM; d++) {
        dot += (double) qn[d] * e.getValue()[d];
        l2 += ((double) qn[d] - e.getValue()[d]) * ((double) qn[d] - e.getValue()[d]);
      }
      scores[e.getKey()] = cosine ? dot : Math.sqrt(l2);
    }
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    double tenth = cosine ? sorted[N - 10] : sorted[9];
    JsonNode hits = call("POST", "/collections/{collection_name}/points/query", c + "/points/query",
        "{\"query\":" + floats(q) + ",\"using\":\"" + using + "\",\"limit\":10,\"params\":{\"exact\":true}}").result()
        .get("points");
    assertEquals(10, hits.size());
    String where = c + " " + using + " round " + round;
    for (JsonNode h : hits) {
      double expected = scores[h.get("id").asInt()];
      assertEquals(expected, h.get("score").asDouble(), 1e-4 * Math.max(1, Math.abs(expected)), where + " " + h);
    }
    assertEquals(tenth, hits.get(9).get("score").asDouble(), 1e-4 * Math.max(1, Math.abs(tenth)), where + " 10th");
    return scores;
  }

  private int recall(String c, Map<Integer, float[]> stored, float[] q, String using, double[] scores) throws Exception {
    JsonNode exact = call("POST", "/collections/{collection_name}/points/query", c + "/points/query",
        "{\"query\":" + floats(q) + ",\"using\":\"" + using + "\",\"limit\":10,\"params\":{\"exact\":true}}").result()
        .get("points");
    Set<Integer> truth = new HashSet<>();
    exact.forEach(h -> truth.add(h.get("id").asInt()));
    JsonNode graph = call("POST", "/collections/{collection_name}/points/query", c + "/points/query",
        "{\"query\":" + floats(q) + ",\"using\":\"" + using + "\",\"limit\":10}").result().get("points");
    int n = 0;
    for (JsonNode h : graph) {
      n += truth.contains(h.get("id").asInt()) ? 1 : 0;
    }
    return n;
  }

  private static float[] normalized(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(norm));
    }
    return out;
  }

  private JsonNode awaitGreen(String c) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      JsonNode info = info(c);
      if (info.get("status").asText().equals("green") && info.get("indexed_vectors_count").asInt() >= N) {
        return info;
      }
      assertTrue(System.nanoTime() < deadline, "not green and indexed after 120 s: " + info);
      Thread.sleep(200);
    }
  }

  private JsonNode info(String c) throws Exception {
    return call("GET", "/collections/{collection_name}", c, null).result();
  }

  private int count(String c) throws Exception {
    return call("POST", "/collections/{collection_name}/points/count", c + "/points/count", "{\"exact\":true}").result()
        .get("count").asInt();
  }

  private static float[] floats(JsonNode array) {
    float[] v = new float[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) array.get(i).asDouble();
    }
    return v;
  }

  private static String floats(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ",").append(v[i]);
    }
    return s.append("]").toString();
  }

  private QdrantHttp.Reply call(String method, String template, String path, String body) throws Exception {
    QdrantHttp.Reply r = http.send(method, path, body);
    assertEquals(200, r.status(), method + " " + path + " " + body + " -> " + r.raw());
    spec.assertValid(method, template, r.status(), r.body());
    return r;
  }

  private void assertError(String method, String path, String body, String mention) throws Exception {
    QdrantHttp.Reply r = http.send(method, path, body);
    assertEquals(400, r.status(), body + " -> " + r.raw());
    String error = r.body().at("/status/error").asText();
    assertTrue(error.contains(mention), body + ": error should mention '" + mention + "': " + error);
  }
}
