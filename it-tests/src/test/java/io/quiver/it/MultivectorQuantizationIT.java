package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quantization_config} on multivectors through REST against a real node process (2 shards):
 * the vector's own scalar quantization and a collection-wide binary one are reported back exactly
 * as given; once the shards' graph parts are built (with their rows quantized), {@code
 * /points/query} with {@code params.quantization} behaves as for dense vectors, with a beam over
 * every node ({@code hnsw_ef} 2,000): {@code ignore: true} searches the float rows (brute-force
 * scores, recall@10 at least 0.95: a multi-threaded graph build may leave a node unreachable);
 * rescored with enough oversampling the answer equals that float search, ids and scores; the
 * default (rescore, oversampling 1) has exact scores and high recall; {@code rescore: false}
 * answers the codes' approximate scores with high recall; a PATCH disabling the vector's
 * quantization is reported back and its searches score the float rows; after a restart the codes
 * answer as before. Every response is validated against Qdrant's OpenAPI spec.
 *
 * <p>Oracle: brute-force MaxSim over the Cosine-normalized rows, in double.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class MultivectorQuantizationIT {

  private static final int N = 400;
  private static final int DIM = 64;
  private static final String SCALAR =
      "{\"scalar\":{\"type\":\"int8\",\"quantile\":0.99,\"always_ram\":true}}";
  private static final String BINARY = "{\"binary\":{\"always_ram\":false}}";

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private QdrantHttp http;
  private final OpenApiContract spec = OpenApiContract.load();
  private final Random random = new Random(3);
  private final float[][] centres = new float[20][];
  private final List<float[][]> points = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    node = NODES.node("data").start();
    http = new QdrantHttp(node.baseUrl());
    for (int c = 0; c < centres.length; c++) {
      centres[c] = gaussian(1f);
    }
    for (int i = 0; i < N; i++) {
      points.add(near(2 + random.nextInt(5)));
    }
  }

  @AfterAll
  void printLogTail() {
    if (node != null) {
      System.out.println("node log tail:\n" + node.logTail());
    }
  }

  /**
   * Every point in a graph part at once (indexing_threshold 1 KB) and every part searched through
   * its graph (full_scan_threshold 0).
   */
  private static String createBody(String vectorQuantization, String collectionQuantization) {
    return "{\"vectors\":{\"late\":{\"size\":"
        + DIM
        + ",\"distance\":\"Cosine\",\"multivector_config\":"
        + "{\"comparator\":\"max_sim\"}"
        + (vectorQuantization == null ? "" : ",\"quantization_config\":" + vectorQuantization)
        + "}},\"shard_number\":2,\"hnsw_config\":{\"full_scan_threshold\":0},"
        + "\"optimizers_config\":{\"indexing_threshold\":1}"
        + (collectionQuantization == null
            ? ""
            : ",\"quantization_config\":" + collectionQuantization)
        + "}";
  }

  @Test
  void ownScalarQuantizationSteersSearchesAndCanBeDisabled() throws Exception {
    String c = "/collections/scalar";
    call("PUT", "/collections/{collection_name}", c, createBody(SCALAR, null));
    JsonNode info = info(c);
    assertEquals(
        QdrantHttp.JSON.readTree(
            "{\"size\":"
                + DIM
                + ",\"distance\":\"Cosine\",\"multivector_config\":"
                + "{\"comparator\":\"max_sim\"},\"quantization_config\":"
                + SCALAR
                + "}"),
        info.at("/config/params/vectors/late"),
        "the vector's quantization reported back as given");
    assertTrue(
        info.at("/config/quantization_config").isNull()
            || info.at("/config/quantization_config").isMissingNode(),
        "no collection-wide quantization: " + info.at("/config"));
    upsertAndAwaitIndexed(c);
    // int8 with quantile 0.99 (the tails clipped): approximate scores close to exact (recall@10
    // 0.88 here)
    assertQuantizationSteers(c, 4, 0.8);

    call(
        "PATCH",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"late\":{\"quantization_config\":\"Disabled\"}}}");
    assertTrue(
        info(c).at("/config/params/vectors/late/quantization_config").isMissingNode(),
        "disabled: " + info(c).at("/config/params/vectors/late"));
    awaitGreen(c);
    for (int i = 0; i < 10; i++) {
      float[][] q = near(1 + random.nextInt(3));
      assertTrueScores(
          bruteForce(q),
          query(c, q, "{\"hnsw_ef\":2000,\"quantization\":{\"rescore\":false}}"),
          "disabled, rescore false");
    }
  }

  @Test
  void collectionWideBinaryQuantizationAppliesToTheMultivector() throws Exception {
    String c = "/collections/binary";
    call("PUT", "/collections/{collection_name}", c, createBody(null, BINARY));
    JsonNode info = info(c);
    assertEquals(
        QdrantHttp.JSON.readTree(BINARY),
        info.at("/config/quantization_config"),
        "reported as given");
    assertTrue(info.at("/config/params/vectors/late/quantization_config").isMissingNode());
    upsertAndAwaitIndexed(c);
    // one bit per dimension of 64: coarse (recall@10 0.37 over 16 dims), so 10 candidates per hit
    assertQuantizationSteers(c, 10, 0.3);

    // Restarted: the graph parts and their codes load from the shards' files; the same answers.
    List<float[][]> queries = new ArrayList<>();
    List<JsonNode> before = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      queries.add(near(2));
      before.add(
          query(c, queries.get(i), "{\"hnsw_ef\":2000,\"quantization\":{\"rescore\":false}}"));
    }
    node.close();
    node = NODES.node("data").start(); // its data, on new ports
    http = new QdrantHttp(node.baseUrl());
    awaitGreen(c);
    assertEquals(
        QdrantHttp.JSON.readTree(BINARY),
        info(c).at("/config/quantization_config"),
        "reported after the restart");
    assertEquals(
        N,
        info(c).get("indexed_vectors_count").asInt(),
        "the parts loaded, not rebuilt: " + info(c));
    for (int i = 0; i < 5; i++) {
      assertSameHits(
          before.get(i),
          query(c, queries.get(i), "{\"hnsw_ef\":2000,\"quantization\":{\"rescore\":false}}"),
          "approximate answers after the restart");
    }
  }

  @Test
  void whatIsNotImplementedIsRefusedByName() throws Exception {
    QdrantHttp.Reply r =
        http.send(
            "PUT",
            "/collections/bad",
            "{\"vectors\":{\"late\":{\"size\":4,\"distance\":"
                + "\"Manhattan\",\"multivector_config\":{\"comparator\":\"max_sim\"},\"quantization_config\":{\"product\":"
                + "{\"compression\":\"x4\"}}}}}");
    assertEquals(400, r.status(), r.raw());
    assertTrue(r.body().at("/status/error").asText().contains("Manhattan"), r.raw());
    r =
        http.send(
            "PUT",
            "/collections/bad",
            "{\"vectors\":{\"late\":{\"size\":4,\"distance\":\"Dot\","
                + "\"multivector_config\":{\"comparator\":\"max_sim\"},\"quantization_config\":{\"scalar\":{\"type\":\"int8\","
                + "\"memory\":\"cold\"}}}}}");
    assertEquals(400, r.status(), r.raw());
    assertTrue(
        r.body()
            .at("/status/error")
            .asText()
            .contains("vectors.late.quantization_config.scalar.memory"),
        r.raw());
  }

  /**
   * Rescored with {@code oversampling} (and hnsw_ef 2,000: every node of a part is seen): the
   * brute-force top 10 exactly; the default (rescore, oversampling 1): exact scores, recall high;
   * {@code rescore: false}: approximate scores, recall at least {@code recallWithoutRescore};
   * {@code ignore: true}: the brute-force top 10.
   */
  private void assertQuantizationSteers(String c, int oversampling, double recallWithoutRescore)
      throws Exception {
    double recallDefault = 0;
    double recallFloat = 0;
    double recallApproximate = 0;
    int differing = 0;
    int queries = 20;
    for (int i = 0; i < queries; i++) {
      float[][] q = near(1 + random.nextInt(3));
      List<double[]> truth = bruteForce(q);
      JsonNode floats = query(c, q, "{\"hnsw_ef\":2000,\"quantization\":{\"ignore\":true}}");
      recallFloat += assertTrueScores(truth, floats, "ignore");
      assertSameHits(
          floats,
          query(
              c,
              q,
              "{\"hnsw_ef\":2000,\"quantization\":{\"rescore\":true,\"oversampling\":"
                  + oversampling
                  + "}}"),
          "rescored, oversampling " + oversampling);
      for (JsonNode hit : query(c, q, "{\"hnsw_ef\":2000}")) {
        double exact = scoreOf(truth, hit.get("id").asInt());
        assertEquals(exact, hit.get("score").asDouble(), 1e-4, "the default rescores");
        recallDefault += rank(truth, hit.get("id").asInt()) < 10 ? 0.1 : 0;
      }
      for (JsonNode hit : query(c, q, "{\"hnsw_ef\":2000,\"quantization\":{\"rescore\":false}}")) {
        double exact = scoreOf(truth, hit.get("id").asInt());
        differing += Math.abs(exact - hit.get("score").asDouble()) > 1e-4 ? 1 : 0;
        recallApproximate += rank(truth, hit.get("id").asInt()) < 10 ? 0.1 : 0;
      }
    }
    recallDefault /= queries;
    recallFloat /= queries;
    recallApproximate /= queries;
    assertTrue(recallFloat >= 0.95, c + ": recall@10 of the float graph search " + recallFloat);
    assertTrue(
        recallDefault >= recallWithoutRescore,
        c + ": recall@10 with the defaults " + recallDefault);
    assertTrue(
        recallApproximate >= recallWithoutRescore,
        c + ": recall@10 without rescoring " + recallApproximate);
    assertTrue(
        differing > queries,
        c
            + ": rescore false answers approximate scores ("
            + differing
            + " of "
            + 10 * queries
            + " differ)");
  }

  /** Asserts every hit has its brute-force score; returns recall@10. */
  private static double assertTrueScores(List<double[]> truth, JsonNode hits, String what) {
    assertEquals(10, hits.size(), what);
    double recall = 0;
    for (JsonNode hit : hits) {
      int id = hit.get("id").asInt();
      assertEquals(
          scoreOf(truth, id),
          hit.get("score").asDouble(),
          1e-4,
          what + ": score of " + id + " " + hits);
      recall += rank(truth, id) < 10 ? 0.1 : 0;
    }
    return recall;
  }

  /** The same ids in the same order with the same scores (but for float rounding). */
  private static void assertSameHits(JsonNode expected, JsonNode actual, String what) {
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(
          expected.get(i).get("id").asInt(),
          actual.get(i).get("id").asInt(),
          what + ": rank " + i + " " + actual + " vs " + expected);
      assertEquals(
          expected.get(i).get("score").asDouble(),
          actual.get(i).get("score").asDouble(),
          1e-5,
          what + ": score at rank " + i);
    }
  }

  private JsonNode query(String c, float[][] q, String params) throws Exception {
    return call(
            "POST",
            "/collections/{collection_name}/points/query",
            c + "/points/query",
            "{\"query\":"
                + rowsJson(q)
                + ",\"using\":\"late\",\"limit\":10,\"params\":"
                + params
                + "}")
        .result()
        .get("points");
  }

  /** [id, score] of every point, best first, ties by id. */
  private List<double[]> bruteForce(float[][] q) {
    List<double[]> out = new ArrayList<>();
    for (int id = 0; id < N; id++) {
      double sum = 0;
      for (float[] a : q) {
        double best = Double.NEGATIVE_INFINITY;
        for (float[] b : points.get(id)) {
          best = Math.max(best, cosine(a, b));
        }
        sum += best;
      }
      out.add(new double[] {id, sum});
    }
    out.sort((x, y) -> x[1] != y[1] ? Double.compare(y[1], x[1]) : Double.compare(x[0], y[0]));
    return out;
  }

  private static double scoreOf(List<double[]> truth, int id) {
    return truth.stream().filter(e -> (int) e[0] == id).findFirst().orElseThrow()[1];
  }

  private static int rank(List<double[]> truth, int id) {
    for (int i = 0; i < truth.size(); i++) {
      if ((int) truth.get(i)[0] == id) {
        return i;
      }
    }
    throw new AssertionError("no point " + id);
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private void upsertAndAwaitIndexed(String c) throws Exception {
    StringBuilder body = new StringBuilder("{\"points\":[");
    for (int i = 0; i < N; i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":{\"late\":")
          .append(rowsJson(points.get(i)))
          .append("}}");
    }
    call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        body.append("]}").toString());
    for (int i = 0; i < 1200 && info(c).get("indexed_vectors_count").asInt() < N; i++) {
      Thread.sleep(100);
    }
    assertEquals(
        N, info(c).get("indexed_vectors_count").asInt(), "every point in a graph part: " + info(c));
    awaitGreen(c);
  }

  private void awaitGreen(String c) throws Exception {
    for (int i = 0; i < 1200 && !info(c).get("status").asText().equals("green"); i++) {
      Thread.sleep(100);
    }
    assertEquals("green", info(c).get("status").asText(), "optimizer idle: " + info(c));
  }

  private JsonNode info(String c) throws Exception {
    return call("GET", "/collections/{collection_name}", c, null).result();
  }

  private float[] gaussian(float sigma) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian() * sigma;
    }
    return v;
  }

  private float[][] near(int rows) {
    float[][] out = new float[rows][DIM];
    for (int r = 0; r < rows; r++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int x = 0; x < DIM; x++) {
        out[r][x] = c[x] + (float) random.nextGaussian() * 0.5f;
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

  private QdrantHttp.Reply call(String method, String template, String path, String body)
      throws Exception {
    QdrantHttp.Reply r = http.send(method, path, body);
    assertEquals(200, r.status(), method + " " + path + " " + body + " -> " + r.raw());
    spec.assertValid(method, template, r.status(), r.body());
    return r;
  }
}
