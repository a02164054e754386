package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Vector {@code datatype} (float16, uint8, float32 given explicitly) through REST against a real
 * node process: the config is reported back exactly, points read back as stored (float16: every
 * value a half, the input normalized for Cosine and rounded; uint8: the integers given, Cosine too,
 * scored as Qdrant does: {@code dot(q, v) / (|q| |v|)}), exact and graph searches once the segments
 * are sealed and indexed (stored at their width), bad values and unsupported combinations refused
 * naming the field, and the same after a restart and in a copy recovered from a snapshot. Every
 * response is validated against Qdrant's OpenAPI spec.
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
  private static final String VECTORS =
      "{\"h\":{\"size\":8,\"distance\":\"Cosine\",\"datatype\":\"float16\"},"
          + "\"b\":{\"size\":8,\"distance\":\"Euclid\",\"on_disk\":true,\"datatype\":\"uint8\"},"
          + "\"f\":{\"size\":8,\"distance\":\"Dot\",\"datatype\":\"float32\"},"
          + "\"c\":{\"size\":8,\"distance\":\"Cosine\",\"datatype\":\"uint8\"}}";

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private QdrantHttp http;
  private final OpenApiContract spec = OpenApiContract.load();
  private final Map<Integer, float[]> givenH = new HashMap<>();
  private final Map<Integer, float[]> givenB = new HashMap<>();
  private final Map<Integer, float[]> givenC = new HashMap<>();

  @BeforeAll
  void start() throws Exception {
    node = NODES.node("data").start();
    http = new QdrantHttp(node.baseUrl());
    call(
        "PUT",
        "/collections/{collection_name}",
        C,
        "{\"vectors\":"
            + VECTORS
            + ",\"hnsw_config\":{\"full_scan_threshold\":1},"
            + "\"optimizers_config\":{\"indexing_threshold\":2,\"default_segment_number\":2,\"flush_interval_sec\":1}}");
    Random random = new Random(11);
    for (int from = 0; from < N; from += 200) {
      StringBuilder points = new StringBuilder("{\"points\":[");
      for (int i = from; i < from + 200; i++) {
        float[] h = new float[DIM];
        float[] b = new float[DIM];
        float[] f = new float[DIM];
        float[] c = new float[DIM];
        for (int d = 0; d < DIM; d++) {
          h[d] = (float) random.nextGaussian();
          b[d] = random.nextInt(256);
          f[d] = random.nextInt(9) - 4;
          // uint8 Cosine: mostly small values (directions spread), some all-zero points (score 0)
          c[d] = i % 97 == 0 ? 0 : random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(8);
        }
        givenH.put(i, h);
        givenB.put(i, b);
        givenC.put(i, c);
        points
            .append(i == from ? "" : ",")
            .append("{\"id\":")
            .append(i)
            .append(",\"vector\":{\"h\":")
            .append(floats(h))
            .append(",\"b\":")
            .append(floats(b))
            .append(",\"f\":")
            .append(floats(f))
            .append(",\"c\":")
            .append(floats(c))
            .append("}}");
      }
      call(
          "PUT",
          "/collections/{collection_name}/points",
          C + "/points?wait=true",
          points.append("]}").toString());
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
  void datatypesAreReportedBackExactly() throws Exception {
    assertEquals(QdrantHttp.JSON.readTree(VECTORS), info(C).at("/config/params/vectors"));
    String c = "/collections/unnamed";
    String config = "{\"size\":3,\"distance\":\"Manhattan\",\"datatype\":\"uint8\"}";
    call("PUT", "/collections/{collection_name}", c, "{\"vectors\":" + config + "}");
    assertEquals(QdrantHttp.JSON.readTree(config), info(c).at("/config/params/vectors"));
    call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":[0,255,7]},{\"id\":2,\"vector\":[3,3,3]}]}");
    JsonNode hits =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[1,250.5,7],\"with_vector\":true}")
            .result()
            .get("points");
    assertEquals(1, hits.get(0).get("id").asInt());
    assertEquals(1 + 4.5, hits.get(0).get("score").asDouble(), 1e-5);
    assertEquals(QdrantHttp.JSON.readTree("[0.0,255.0,7.0]"), hits.get(0).get("vector"));
    call("DELETE", "/collections/{collection_name}", c, null);
  }

  @Test
  @Order(2)
  void badValuesAndUnsupportedCombinationsAreRefusedNamingTheField() throws Exception {
    assertError(
        "PUT",
        C + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"b\":[1,2,3,4,5,6,7,1.5]}}]}",
        "uint8");
    assertError(
        "PUT",
        C + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"b\":[1,2,3,4,5,6,7,256]}}]}",
        "uint8");
    assertError(
        "PUT",
        C + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"h\":[1,2,3,4,5,6,7,1e6]}}]}",
        "float16");
    assertError(
        "PUT",
        "/collections/bad",
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\",\"datatype\":\"turbo4\"}}",
        "vectors.datatype");
    assertError(
        "PUT",
        "/collections/bad",
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\",\"datatype\":\"float64\"}}",
        "vectors.datatype");
    assertError(
        "PUT",
        "/collections/bad",
        "{\"vectors\":{\"m\":{\"size\":4,\"distance\":\"Cosine\",\"datatype\":\"uint8\","
            + "\"multivector_config\":{\"comparator\":\"max_sim\"}}}}",
        "vectors.m.datatype");
    assertError(
        "PUT",
        "/collections/bad",
        "{\"vectors\":{\"m\":{\"size\":4,\"distance\":\"Dot\",\"datatype\":\"turbo4\","
            + "\"multivector_config\":{\"comparator\":\"max_sim\"}}}}",
        "vectors.m.datatype");
    assertEquals(N, count(C), "no point was written by a refused request");
  }

  @Test
  @Order(3)
  void pointsReadBackAsStored() throws Exception {
    JsonNode r =
        call("GET", "/collections/{collection_name}/points/{id}", C + "/points/5", null).result();
    float[] h = floats(r.at("/vector/h"));
    float[] expected = normalized(givenH.get(5));
    boolean rounded = false;
    for (int d = 0; d < DIM; d++) {
      assertEquals(
          Float.float16ToFloat(Float.floatToFloat16(h[d])),
          h[d],
          0f,
          "h[" + d + "] is a half: " + r);
      // within a half's spacing (2^13 float ulps: 10 mantissa bits instead of 23)
      assertEquals(expected[d], h[d], Math.ulp(expected[d]) * 8192, "h[" + d + "]");
      rounded |= h[d] != expected[d];
    }
    assertTrue(rounded, "float16 rounding is visible in the read-back vector: " + r);
    assertEquals(QdrantHttp.JSON.readTree(floats(givenB.get(5))), r.at("/vector/b"));
    // uint8 Cosine: the integers given, not normalized (as Qdrant stores them)
    assertEquals(QdrantHttp.JSON.readTree(floats(givenC.get(5))), r.at("/vector/c"));
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
    node = NODES.node("data").start(); // its data, on new ports
    http = new QdrantHttp(node.baseUrl());
    assertEquals(QdrantHttp.JSON.readTree(VECTORS), info(C).at("/config/params/vectors"));
    assertEquals(N, count(C));
    checkSearches(C, new Random(5));
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
    assertEquals(
        QdrantHttp.JSON.readTree(VECTORS), info("/collections/copy").at("/config/params/vectors"));
    assertEquals(N, count("/collections/copy"));
    checkSearches("/collections/copy", new Random(7));
  }

  /**
   * Multivectors and sparse vectors with float16 and uint8 (issue 12): reported back exactly,
   * points read back as stored (multivector rows: halves of the input / the integers given; sparse
   * values: halves / each vector quantized to 256 levels between its own min and max, so within
   * half a step of the input), and queries equal brute force over the read-back values.
   */
  @Test
  @Order(6)
  void multivectorsAndSparseVectorsStoreTheirDatatype() throws Exception {
    String c = "/collections/narrow";
    String vectors =
        "{\"mh\":{\"size\":3,\"distance\":\"Dot\",\"datatype\":\"float16\",\"multivector_config\":"
            + "{\"comparator\":\"max_sim\"}},\"mb\":{\"size\":3,\"distance\":\"Euclid\",\"datatype\":\"uint8\","
            + "\"multivector_config\":{\"comparator\":\"max_sim\"}}}";
    String sparse =
        "{\"sh\":{\"index\":{\"datatype\":\"float16\"}},\"sb\":{\"index\":{\"full_scan_threshold\":0,"
            + "\"datatype\":\"uint8\"}}}";
    call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":" + vectors + ",\"sparse_vectors\":" + sparse + ",\"shard_number\":2}");
    JsonNode params = info(c).at("/config/params");
    assertEquals(QdrantHttp.JSON.readTree(vectors), params.get("vectors"));
    assertEquals(QdrantHttp.JSON.readTree(sparse), params.get("sparse_vectors"));
    Random random = new Random(17);
    int n = 80;
    Map<Integer, float[][]> givenSparse = new HashMap<>(); // indices, values
    Map<Integer, float[]> givenMh = new HashMap<>();
    Map<Integer, float[]> givenMb = new HashMap<>();
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < n; i++) {
      float[][] mh = new float[1 + random.nextInt(3)][3];
      float[][] mb = new float[1 + random.nextInt(3)][3];
      for (float[] row : mh) {
        for (int d = 0; d < 3; d++) {
          row[d] = (float) random.nextGaussian();
        }
      }
      for (float[] row : mb) {
        for (int d = 0; d < 3; d++) {
          row[d] = random.nextInt(256);
        }
      }
      int size = 1 + random.nextInt(5);
      float[] indices = new float[size];
      float[] values = new float[size];
      Set<Integer> used = new HashSet<>();
      for (int k = 0; k < size; k++) {
        int d;
        do {
          d = random.nextInt(12);
        } while (!used.add(d));
        indices[k] = d;
        values[k] = (float) (random.nextDouble() * 40 - 5);
      }
      givenSparse.put(i, new float[][] {indices, values});
      String sv = "{\"indices\":" + ints(indices) + ",\"values\":" + floats(values) + "}";
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":{\"mh\":")
          .append(rowsJson(mh))
          .append(",\"mb\":")
          .append(rowsJson(mb))
          .append(",\"sh\":")
          .append(sv)
          .append(",\"sb\":")
          .append(sv)
          .append("}}");
      givenMh.put(i, flat(mh));
      givenMb.put(i, flat(mb));
    }
    call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        points.append("]}").toString());
    assertError(
        "PUT",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"mb\":[[1,2,3],[4,2.5,6]]}}]}",
        "vector 1 element 1");
    assertError(
        "PUT",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"mh\":[[1,2,1e6]]}}]}",
        "float16");
    assertError(
        "PUT",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"sh\":{\"indices\":[4],\"values\":[1e6]}}}]}",
        "float16");

    JsonNode all =
        call(
                "POST",
                "/collections/{collection_name}/points/scroll",
                c + "/points/scroll",
                "{\"limit\":" + n + ",\"with_vector\":true}")
            .result()
            .get("points");
    assertEquals(n, all.size());
    Map<Integer, JsonNode> stored = new HashMap<>();
    for (JsonNode p : all) {
      int id = p.get("id").asInt();
      stored.put(id, p.get("vector"));
      float[] mh = flat(p.at("/vector/mh"));
      for (int k = 0; k < mh.length; k++) {
        assertEquals(
            Float.float16ToFloat(Float.floatToFloat16(givenMh.get(id)[k])),
            mh[k],
            0f,
            "mh of " + id + ": " + p);
      }
      assertTrue(
          Arrays.equals(givenMb.get(id), flat(p.at("/vector/mb"))), "mb of " + id + ": " + p);
      float[] values = givenSparse.get(id)[1];
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (float v : values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      double halfStep = (max - min) / 255.0 / 2;
      for (int k = 0; k < values.length; k++) {
        int index = (int) givenSparse.get(id)[0][k];
        assertEquals(
            Float.float16ToFloat(Float.floatToFloat16(values[k])),
            sparseValue(p.at("/vector/sh"), index),
            0f,
            "sh of " + id);
        assertEquals(
            values[k], sparseValue(p.at("/vector/sb"), index), halfStep + 1e-5, "sb of " + id);
      }
    }
    for (int round = 0; round < 8; round++) {
      float[][] q = new float[1 + random.nextInt(2)][3];
      for (float[] row : q) {
        for (int d = 0; d < 3; d++) {
          row[d] = random.nextFloat() * 200;
        }
      }
      for (String using : List.of("mh", "mb")) {
        Map<Integer, Double> truth = new HashMap<>();
        stored.forEach((id, v) -> truth.put(id, maxSim(q, v.get(using), using.equals("mh"))));
        assertQueryLikeTruth(
            c,
            "{\"query\":" + rowsJson(q) + ",\"using\":\"" + using + "\",\"limit\":10}",
            truth,
            using.equals("mh"),
            using + " round " + round);
      }
      int first = random.nextInt(12);
      float[] qi = {first, (first + 1 + random.nextInt(11)) % 12}; // two distinct indices
      float[] qv = new float[qi.length];
      for (int k = 0; k < qv.length; k++) {
        qv[k] = random.nextFloat() * 3;
      }
      for (String using : List.of("sh", "sb")) {
        Map<Integer, Double> truth = new HashMap<>();
        for (Map.Entry<Integer, JsonNode> e : stored.entrySet()) {
          JsonNode v = e.getValue().get(using);
          boolean shares = false;
          double dot = 0;
          for (int k = 0; k < qi.length; k++) {
            for (int j = 0; j < v.get("indices").size(); j++) {
              if (v.get("indices").get(j).asInt() == (int) qi[k]) {
                shares = true;
                dot += qv[k] * v.get("values").get(j).asDouble();
              }
            }
          }
          if (shares) {
            truth.put(e.getKey(), dot);
          }
        }
        assertQueryLikeTruth(
            c,
            "{\"query\":{\"indices\":"
                + ints(qi)
                + ",\"values\":"
                + floats(qv)
                + "},\"using\":\""
                + using
                + "\",\"limit\":10}",
            truth,
            true,
            using + " round " + round);
      }
    }
    // A dense vector added after creation keeps its datatype too (PUT
    // /collections/{c}/vectors/{name}).
    call(
        "PUT",
        "/collections/{collection_name}/vectors/{vector_name}",
        c + "/vectors/d16?wait=true",
        "{\"dense\":{\"size\":3,\"distance\":\"Dot\",\"datatype\":\"float16\"}}");
    assertEquals(
        QdrantHttp.JSON.readTree("{\"size\":3,\"distance\":\"Dot\",\"datatype\":\"float16\"}"),
        info(c).at("/config/params/vectors/d16"));
    call(
        "PUT",
        "/collections/{collection_name}/points/vectors",
        c + "/points/vectors?wait=true",
        "{\"points\":[{\"id\":4,\"vector\":{\"d16\":[0.1,1,2]}}]}");
    float half = Float.float16ToFloat(Float.floatToFloat16(0.1f));
    JsonNode d16 =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[1,0,0],\"using\":\"d16\",\"with_vector\":[\"d16\"]}")
            .result()
            .get("points");
    assertEquals(1, d16.size(), d16.toString());
    assertEquals(half, d16.get(0).get("score").floatValue(), 0f, d16.toString());
    assertEquals(half, d16.get(0).at("/vector/d16/0").floatValue(), 0f, d16.toString());
    // uint8 Cosine added after creation: echoed, stored as given, scored dot / (|q| |v|) as Qdrant
    // does
    call(
        "PUT",
        "/collections/{collection_name}/vectors/{vector_name}",
        c + "/vectors/d8?wait=true",
        "{\"dense\":{\"size\":3,\"distance\":\"Cosine\",\"datatype\":\"uint8\"}}");
    assertEquals(
        QdrantHttp.JSON.readTree("{\"size\":3,\"distance\":\"Cosine\",\"datatype\":\"uint8\"}"),
        info(c).at("/config/params/vectors/d8"));
    call(
        "PUT",
        "/collections/{collection_name}/points/vectors",
        c + "/points/vectors?wait=true",
        "{\"points\":[{\"id\":4,\"vector\":{\"d8\":[3,4,0]}}]}");
    JsonNode d8 =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[4,0,3],\"using\":\"d8\",\"with_vector\":[\"d8\"]}")
            .result()
            .get("points");
    assertEquals(1, d8.size(), d8.toString());
    assertEquals(12.0 / 25, d8.get(0).get("score").doubleValue(), 1e-6, d8.toString());
    assertEquals(
        QdrantHttp.JSON.readTree("[3.0,4.0,0.0]"), d8.get(0).at("/vector/d8"), d8.toString());
    call("DELETE", "/collections/{collection_name}", c, null);
  }

  /**
   * The query's hits are the truth's best 10 (higher or lower first), scores within 1e-4 relative.
   */
  private void assertQueryLikeTruth(
      String c, String body, Map<Integer, Double> truth, boolean higher, String where)
      throws Exception {
    List<Map.Entry<Integer, Double>> ranked = new ArrayList<>(truth.entrySet());
    java.util.Comparator<Map.Entry<Integer, Double>> byScore = Map.Entry.comparingByValue();
    ranked.sort((higher ? byScore.reversed() : byScore).thenComparing(Map.Entry.comparingByKey()));
    JsonNode hits =
        call("POST", "/collections/{collection_name}/points/query", c + "/points/query", body)
            .result()
            .get("points");
    assertEquals(Math.min(10, ranked.size()), hits.size(), where + " " + hits);
    for (int i = 0; i < hits.size(); i++) {
      double expected = ranked.get(i).getValue();
      assertEquals(
          expected,
          hits.get(i).get("score").asDouble(),
          1e-4 * Math.max(1, Math.abs(expected)),
          where + " rank " + i + ": " + hits);
      double own = truth.get(hits.get(i).get("id").asInt());
      assertEquals(
          own,
          hits.get(i).get("score").asDouble(),
          1e-4 * Math.max(1, Math.abs(own)),
          where + " own score");
    }
  }

  /**
   * MaxSim of query rows against stored rows: sum of best dot products (Dot) or smallest distances
   * (Euclid).
   */
  private static double maxSim(float[][] q, JsonNode rows, boolean dot) {
    double sum = 0;
    for (float[] qr : q) {
      double best = dot ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      for (JsonNode row : rows) {
        double s = 0;
        for (int d = 0; d < qr.length; d++) {
          double x = row.get(d).asDouble();
          s += dot ? qr[d] * x : (qr[d] - x) * (qr[d] - x);
        }
        best = dot ? Math.max(best, s) : Math.min(best, Math.sqrt(s));
      }
      sum += best;
    }
    return sum;
  }

  private static float sparseValue(JsonNode v, int index) {
    for (int j = 0; j < v.get("indices").size(); j++) {
      if (v.get("indices").get(j).asInt() == index) {
        return (float) v.get("values").get(j).asDouble();
      }
    }
    throw new AssertionError("index " + index + " missing in " + v);
  }

  private static float[] flat(float[][] rows) {
    float[] out = new float[rows.length * rows[0].length];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
    }
    return out;
  }

  private static float[] flat(JsonNode rows) {
    List<Float> out = new ArrayList<>();
    rows.forEach(row -> row.forEach(x -> out.add((float) x.asDouble())));
    float[] v = new float[out.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = out.get(i);
    }
    return v;
  }

  private static String rowsJson(float[][] rows) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < rows.length; i++) {
      s.append(i == 0 ? "" : ",").append(floats(rows[i]));
    }
    return s.append("]").toString();
  }

  private static String ints(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ",").append((int) v[i]);
    }
    return s.append("]").toString();
  }

  /**
   * Exact and graph searches of h (float16, Cosine), b (uint8, Euclid) and c (uint8, Cosine: stored
   * as given, scored by their norms) against brute force.
   */
  private void checkSearches(String c, Random random) throws Exception {
    Map<Integer, float[]> storedH = new HashMap<>();
    Map<Integer, float[]> storedB = new HashMap<>();
    Map<Integer, float[]> storedC = new HashMap<>();
    JsonNode points =
        call(
                "POST",
                "/collections/{collection_name}/points/scroll",
                c + "/points/scroll",
                "{\"limit\":" + N + ",\"with_vector\":true}")
            .result()
            .get("points");
    assertEquals(N, points.size());
    for (JsonNode p : points) {
      storedH.put(p.get("id").asInt(), floats(p.at("/vector/h")));
      storedB.put(p.get("id").asInt(), floats(p.at("/vector/b")));
      storedC.put(p.get("id").asInt(), floats(p.at("/vector/c")));
    }
    int found = 0;
    int rounds = 10;
    for (int round = 0; round < rounds; round++) {
      float[] qh = new float[DIM];
      float[] qb = new float[DIM];
      float[] qc = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        qh[d] = (float) random.nextGaussian();
        qb[d] = random.nextFloat() * 255;
        qc[d] = d == 0 ? 1 + random.nextInt(7) : random.nextInt(8); // never the zero vector
      }
      double[] truthH = bruteForce(c, storedH, qh, true, "h", round);
      double[] truthB = bruteForce(c, storedB, qb, false, "b", round);
      double[] truthC = bruteForce(c, storedC, qc, true, "c", round);
      found +=
          recall(c, storedH, qh, "h", truthH)
              + recall(c, storedB, qb, "b", truthB)
              + recall(c, storedC, qc, "c", truthC);
    }
    assertTrue(
        found >= 0.9 * 3 * rounds * 10, c + " graph recall@10 " + found + "/" + 3 * rounds * 10);
    checkCustomObjectivesOnUint8Cosine(c, storedC, random);
  }

  /**
   * MMR with diversity 0 (relevance only) and recommend best_score with one positive vector over c
   * (uint8 Cosine, stored as given) rank by Qdrant's cosine over the stored bytes, as a nearest
   * search does: each compares stored vectors itself, so each must divide by their norms.
   */
  private void checkCustomObjectivesOnUint8Cosine(
      String c, Map<Integer, float[]> storedC, Random random) throws Exception {
    for (int round = 0; round < 3; round++) {
      float[] q = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        q[d] = d == 0 ? 1 + random.nextInt(7) : random.nextInt(8);
      }
      Map<Integer, Double> truth = new HashMap<>();
      double qq = normSquared(q);
      storedC.forEach(
          (id, v) -> {
            double dot = 0;
            for (int d = 0; d < DIM; d++) {
              dot += (double) q[d] * v[d];
            }
            double vv = normSquared(v);
            truth.put(id, vv == 0 ? 0 : dot / Math.sqrt(qq * vv));
          });
      double[] sorted = truth.values().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double tenth = sorted[sorted.length - 10];
      String where = c + " c round " + round;
      JsonNode mmr =
          call(
                  "POST",
                  "/collections/{collection_name}/points/query",
                  c + "/points/query",
                  "{\"query\":{\"nearest\":"
                      + floats(q)
                      + ",\"mmr\":{\"diversity\":0,\"candidates_limit\":100}},"
                      + "\"using\":\"c\",\"limit\":10}")
              .result()
              .get("points");
      JsonNode recommend =
          call(
                  "POST",
                  "/collections/{collection_name}/points/query",
                  c + "/points/query",
                  "{\"query\":{\"recommend\":{\"positive\":["
                      + floats(q)
                      + "],\"strategy\":\"best_score\"}},"
                      + "\"using\":\"c\",\"limit\":10}")
              .result()
              .get("points");
      assertEquals(10, mmr.size(), where + " mmr " + mmr);
      assertEquals(10, recommend.size(), where + " recommend " + recommend);
      for (int i = 0; i < 10; i++) {
        double own = truth.get(mmr.get(i).get("id").asInt());
        assertTrue(
            own >= tenth - 1e-5,
            where + " mmr rank " + i + " cosine " + own + " < 10th " + tenth + ": " + mmr);
        assertEquals(
            own, mmr.get(i).get("score").asDouble(), 1e-4, where + " mmr keeps the search score");
        if (i > 0) {
          assertTrue(
              own <= truth.get(mmr.get(i - 1).get("id").asInt()) + 1e-5,
              where + " mmr by relevance: " + mmr);
        }
        double recommended = truth.get(recommend.get(i).get("id").asInt());
        assertTrue(
            recommended >= tenth - 1e-5,
            where
                + " recommend rank "
                + i
                + " cosine "
                + recommended
                + " < 10th "
                + tenth
                + ": "
                + recommend);
      }
    }
  }

  /**
   * Checks the exact search against brute force; returns the brute-force scores by id. Cosine is
   * Qdrant's {@code dot(q, v) / (|q| |v|)} (0 for a zero vector): over stored vectors that are
   * normalized (float16, up to rounding) it is {@code dot(q, v) / |q|}, as Quiver scores them.
   */
  private double[] bruteForce(
      String c, Map<Integer, float[]> stored, float[] q, boolean cosine, String using, int round)
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
      // uint8 Cosine vectors are stored as given: divide by their norm (Qdrant's formula)
      double norm = using.equals("c") ? Math.sqrt(normSquared(e.getValue())) : 1;
      scores[e.getKey()] = cosine ? (norm == 0 ? 0 : dot / norm) : Math.sqrt(l2);
    }
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    double tenth = cosine ? sorted[N - 10] : sorted[9];
    JsonNode hits =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":"
                    + floats(q)
                    + ",\"using\":\""
                    + using
                    + "\",\"limit\":10,\"params\":{\"exact\":true}}")
            .result()
            .get("points");
    assertEquals(10, hits.size());
    String where = c + " " + using + " round " + round;
    for (JsonNode h : hits) {
      double expected = scores[h.get("id").asInt()];
      assertEquals(
          expected,
          h.get("score").asDouble(),
          1e-4 * Math.max(1, Math.abs(expected)),
          where + " " + h);
    }
    assertEquals(
        tenth,
        hits.get(9).get("score").asDouble(),
        1e-4 * Math.max(1, Math.abs(tenth)),
        where + " 10th");
    return scores;
  }

  private int recall(
      String c, Map<Integer, float[]> stored, float[] q, String using, double[] scores)
      throws Exception {
    JsonNode exact =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":"
                    + floats(q)
                    + ",\"using\":\""
                    + using
                    + "\",\"limit\":10,\"params\":{\"exact\":true}}")
            .result()
            .get("points");
    Set<Integer> truth = new HashSet<>();
    exact.forEach(h -> truth.add(h.get("id").asInt()));
    JsonNode graph =
        call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":" + floats(q) + ",\"using\":\"" + using + "\",\"limit\":10}")
            .result()
            .get("points");
    int n = 0;
    for (JsonNode h : graph) {
      n += truth.contains(h.get("id").asInt()) ? 1 : 0;
    }
    return n;
  }

  private static double normSquared(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return s;
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
      if (info.get("status").asText().equals("green")
          && info.get("indexed_vectors_count").asInt() >= N) {
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
    return call(
            "POST",
            "/collections/{collection_name}/points/count",
            c + "/points/count",
            "{\"exact\":true}")
        .result()
        .get("count")
        .asInt();
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

  private QdrantHttp.Reply call(String method, String template, String path, String body)
      throws Exception {
    QdrantHttp.Reply r = http.send(method, path, body);
    assertEquals(200, r.status(), method + " " + path + " " + body + " -> " + r.raw());
    spec.assertValid(method, template, r.status(), r.body());
    return r;
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
