package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quantization_config} on a real node: collections created with int8, product and binary
 * codes (collection-wide and per named vector) report them back exactly as given; searches over
 * their indexed segments use the codes — {@code rescore: false} answers the codes' approximate
 * scores, {@code ignore: true} the exact ones — in every search form (query, query with prefetch,
 * query batch and groups, the older search and its batch); {@code PATCH} disables quantization and
 * sets it again, and the optimizer rebuilds the codes; TurboQuant ({@code turbo}, every {@code
 * bits}) finds the exact top 10 after rescoring, survives a restart and PATCHes; the variants
 * Quiver does not implement are refused with 400 naming them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class QuantizationIT {

  private static final int N = 1_000;
  private static final int DIM = 16;

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private SpecClient api;
  private final float[][] vectors = new float[N][DIM];

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    api = new SpecClient(node.baseUrl());
    Random random = new Random(7);
    for (float[] v : vectors) {
      for (int d = 0; d < DIM; d++) {
        v[d] = random.nextFloat() * 10;
      }
    }
  }

  /** Every vector sealed into an indexed segment at once, and searched through its graph. */
  private static String createBody(String quantization) {
    return "{\"vectors\":{\"size\":"
        + DIM
        + ",\"distance\":\"Euclid\"},"
        + "\"hnsw_config\":{\"full_scan_threshold\":0},"
        + "\"optimizers_config\":{\"indexing_threshold\":1,\"default_segment_number\":1},"
        + "\"quantization_config\":"
        + quantization
        + "}";
  }

  @Test
  void eachKindIsReportedAndSteersSearches() throws Exception {
    String[] kinds = {
      "{\"scalar\":{\"type\":\"int8\",\"quantile\":0.99,\"always_ram\":true}}",
      "{\"product\":{\"compression\":\"x4\",\"always_ram\":false}}",
      "{\"binary\":{\"always_ram\":true,\"encoding\":\"one_bit\",\"query_encoding\":\"scalar4bits\"}}",
      "{\"binary\":{\"query_encoding\":\"binary\"}}",
      "{\"turbo\":{\"bits\":\"bits1\"}}",
      "{\"turbo\":{\"bits\":\"bits1_5\",\"always_ram\":true}}",
      "{\"turbo\":{\"bits\":\"bits2\",\"memory\":\"cached\"}}",
      "{\"turbo\":{\"bits\":\"bits4\"}}",
      "{\"turbo\":{}}",
    };
    for (int i = 0; i < kinds.length; i++) {
      String c = "/collections/q" + i;
      api.call("PUT", "/collections/{collection_name}", c, createBody(kinds[i]), 200);
      assertEquals(
          QdrantHttp.JSON.readTree(kinds[i]),
          info(c).at("/config/quantization_config"),
          "reported as given");
      upsertAndAwaitIndexed(c);
      assertCodesSteer(c, "/points/query");
    }
  }

  @Test
  void everySearchFormCarriesTheParams() throws Exception {
    String c = "/collections/forms";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        createBody("{\"scalar\":{\"type\":\"int8\"}}"),
        200);
    upsertAndAwaitIndexed(c);
    float[] q = vectors[3].clone();
    q[0] += 0.5f;
    String v = vector(q);
    String approx = "{\"quantization\":{\"rescore\":false}}";
    String ignore = "{\"quantization\":{\"ignore\":true}}";
    // query, and its prefetch: the root re-scores exactly, so the prefetch shows in a 400 for a bad
    // value
    assertApprox(
        q,
        api.call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":" + v + ",\"limit\":10,\"params\":" + approx + "}",
                200)
            .result()
            .get("points"),
        true);
    assertApprox(
        q,
        api.call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":" + v + ",\"limit\":10,\"params\":" + ignore + "}",
                200)
            .result()
            .get("points"),
        false);
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/query",
        c + "/points/query",
        "{\"prefetch\":{\"query\":"
            + v
            + ",\"limit\":20,\"params\":{\"quantization\":{\"oversampling\":0.5}}},"
            + "\"query\":"
            + v
            + ",\"limit\":10}",
        400,
        "prefetch.params.quantization.oversampling");
    api.call(
        "POST",
        "/collections/{collection_name}/points/query",
        c + "/points/query",
        "{\"prefetch\":{\"query\":"
            + v
            + ",\"limit\":20,\"params\":{\"quantization\":{\"oversampling\":3,\"rescore\":true}}},"
            + "\"query\":"
            + v
            + ",\"limit\":10}",
        200);
    // query batch and groups
    JsonNode batch =
        api.call(
                "POST",
                "/collections/{collection_name}/points/query/batch",
                c + "/points/query/batch",
                "{\"searches\":[{\"query\":"
                    + v
                    + ",\"limit\":10,\"params\":"
                    + approx
                    + "},{\"query\":"
                    + v
                    + ",\"limit\":10,\"params\":"
                    + ignore
                    + "}]}",
                200)
            .result();
    assertApprox(q, batch.get(0).get("points"), true);
    assertApprox(q, batch.get(1).get("points"), false);
    JsonNode groups =
        api.call(
                "POST",
                "/collections/{collection_name}/points/query/groups",
                c + "/points/query/groups",
                "{\"query\":" + v + ",\"limit\":5,\"group_by\":\"g\",\"params\":" + approx + "}",
                200)
            .result()
            .get("groups");
    JsonNode groupHits = QdrantHttp.JSON.createArrayNode();
    groups.forEach(
        g ->
            g.get("hits")
                .forEach(((com.fasterxml.jackson.databind.node.ArrayNode) groupHits)::add));
    assertApprox(q, groupHits, true);
    // the older search and its batch
    assertApprox(
        q,
        api.call(
                "POST",
                "/collections/{collection_name}/points/search",
                c + "/points/search",
                "{\"vector\":" + v + ",\"limit\":10,\"params\":" + approx + "}",
                200)
            .result(),
        true);
    JsonNode searchBatch =
        api.call(
                "POST",
                "/collections/{collection_name}/points/search/batch",
                c + "/points/search/batch",
                "{\"searches\":[{\"vector\":" + v + ",\"limit\":10,\"params\":" + approx + "}]}",
                200)
            .result();
    assertApprox(q, searchBatch.get(0), true);
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/search",
        c + "/points/search",
        "{\"vector\":" + v + ",\"limit\":10,\"params\":{\"quantization\":{\"rescore\":\"yes\"}}}",
        400,
        "params.quantization.rescore");
  }

  @Test
  void patchDisablesAndSetsItAgain() throws Exception {
    String c = "/collections/patched";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        createBody("{\"scalar\":{\"type\":\"int8\"}}"),
        200);
    upsertAndAwaitIndexed(c);
    assertCodesSteer(c, "/points/query");

    api.call(
        "PATCH",
        "/collections/{collection_name}",
        c,
        "{\"quantization_config\":\"Disabled\"}",
        200);
    assertTrue(info(c).at("/config/quantization_config").isNull(), "disabled: " + info(c));
    awaitGreen(c);
    float[] q = vectors[11].clone();
    assertApprox(q, search(c, q, "{\"quantization\":{\"rescore\":false}}"), false);

    String binary = "{\"binary\":{\"always_ram\":true}}";
    api.call(
        "PATCH",
        "/collections/{collection_name}",
        c,
        "{\"quantization_config\":" + binary + "}",
        200);
    assertEquals(QdrantHttp.JSON.readTree(binary), info(c).at("/config/quantization_config"));
    awaitCodes(c, q);

    node.stop();
    node.start(); // its data, ports and settings
    api = new SpecClient(node.baseUrl());
    assertEquals(
        QdrantHttp.JSON.readTree(binary),
        info(c).at("/config/quantization_config"),
        "kept across a restart");
    awaitGreen(c);
    assertCodesSteer(c, "/points/query");
  }

  /**
   * TurboQuant end to end: each width's codes with rescoring find the exact top 10 (recall@10 over
   * 20 queries against brute force, oversampling 4: at least 0.95), a PATCH changes the width and
   * is reported, the config and the codes survive a restart, and a PATCH disables it.
   */
  @Test
  void turboRecallPatchRestartAndDisable() throws Exception {
    String c = "/collections/turbo";
    String four = "{\"turbo\":{\"bits\":\"bits4\"}}";
    api.call("PUT", "/collections/{collection_name}", c, createBody(four), 200);
    upsertAndAwaitIndexed(c);
    assertCodesSteer(c, "/points/query");
    double recall = recall(c, 4);
    System.out.println("turbo bits4 recall@10 (oversampling 4): " + recall);
    assertTrue(recall >= 0.95, "turbo bits4 recall@10 " + recall);

    String two = "{\"turbo\":{\"bits\":\"bits2\",\"always_ram\":false}}";
    float[] q = vectors[17].clone();
    List<Integer> fourBitIds = ids(search(c, q, "{\"quantization\":{\"rescore\":false}}"));
    api.call(
        "PATCH", "/collections/{collection_name}", c, "{\"quantization_config\":" + two + "}", 200);
    assertEquals(QdrantHttp.JSON.readTree(two), info(c).at("/config/quantization_config"));
    awaitCodes(c, q);
    recall = recall(c, 8);
    System.out.println("turbo bits2 recall@10 (oversampling 8): " + recall);
    assertTrue(recall >= 0.95, "turbo bits2 recall@10 " + recall);
    JsonNode before = search(c, q, "{\"quantization\":{\"rescore\":false}}");

    node.stop();
    node.start(); // its data, ports and settings
    api = new SpecClient(node.baseUrl());
    assertEquals(
        QdrantHttp.JSON.readTree(two),
        info(c).at("/config/quantization_config"),
        "kept across a restart");
    awaitGreen(c);
    assertEquals(
        before,
        search(c, q, "{\"quantization\":{\"rescore\":false}}"),
        "the same codes after a restart");
    System.out.println("turbo: 4-bit approximate top 10 " + fourBitIds + ", 2-bit " + ids(before));

    api.call(
        "PATCH",
        "/collections/{collection_name}",
        c,
        "{\"quantization_config\":\"Disabled\"}",
        200);
    assertTrue(info(c).at("/config/quantization_config").isNull(), "disabled: " + info(c));
    awaitGreen(c);
    for (int i = 0;
        i < 600 && approximate(q, search(c, q, "{\"quantization\":{\"rescore\":false}}"));
        i++) {
      Thread.sleep(100);
    }
    assertApprox(q, search(c, q, "{\"quantization\":{\"rescore\":false}}"), false);
  }

  /** Mean recall@10 of rescored turbo searches against brute force over 20 perturbed points. */
  private double recall(String c, double oversampling) throws Exception {
    Random random = new Random(11);
    double sum = 0;
    int queries = 20;
    for (int i = 0; i < queries; i++) {
      float[] q = vectors[random.nextInt(N)].clone();
      for (int d = 0; d < DIM; d++) {
        q[d] += (float) random.nextGaussian();
      }
      List<Integer> truth =
          java.util.stream.IntStream.range(0, N)
              .boxed()
              .sorted(java.util.Comparator.comparingDouble(p -> euclid(vectors[p], q)))
              .limit(10)
              .toList();
      List<Integer> got =
          ids(
              search(
                  c,
                  q,
                  "{\"quantization\":{\"rescore\":true,\"oversampling\":" + oversampling + "}}"));
      sum += got.stream().filter(truth::contains).count() / 10.0;
    }
    return sum / queries;
  }

  private static List<Integer> ids(JsonNode hits) {
    List<Integer> out = new java.util.ArrayList<>();
    hits.forEach(h -> out.add(h.get("id").asInt()));
    return out;
  }

  private static double euclid(float[] a, float[] b) {
    double s = 0;
    for (int d = 0; d < a.length; d++) {
      s += (a[d] - b[d]) * (a[d] - b[d]);
    }
    return s;
  }

  /**
   * Turbo on a named vector, on a multivector (its rows are quantized as dense vectors are:
   * searches in MultiVectorQuantizationTest) and on a named vector added after creation.
   */
  @Test
  void turboPerVectorAndOnMultivectors() throws Exception {
    String c = "/collections/turbonamed";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{"
            + "\"a\":{\"size\":4,\"distance\":\"Cosine\",\"quantization_config\":{\"turbo\":{\"bits\":\"bits1_5\"}}},"
            + "\"m\":{\"size\":4,\"distance\":\"Dot\",\"multivector_config\":{\"comparator\":\"max_sim\"},"
            + "\"quantization_config\":{\"turbo\":{\"bits\":\"bits2\"}}}}}",
        200);
    JsonNode config = info(c).get("config");
    assertEquals(
        QdrantHttp.JSON.readTree("{\"turbo\":{\"bits\":\"bits1_5\"}}"),
        config.at("/params/vectors/a/quantization_config"));
    assertEquals(
        QdrantHttp.JSON.readTree("{\"turbo\":{\"bits\":\"bits2\"}}"),
        config.at("/params/vectors/m/quantization_config"));
    api.call(
        "PATCH",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"a\":{\"quantization_config\":{\"turbo\":{\"bits\":\"bits4\"}}}}}",
        200);
    assertEquals(
        QdrantHttp.JSON.readTree("{\"turbo\":{\"bits\":\"bits4\"}}"),
        info(c).at("/config/params/vectors/a/quantization_config"));
    // a named vector added later (Qdrant's DenseVectorConfig has no quantization: set by PATCH)
    api.call(
        "PUT",
        "/collections/{collection_name}/vectors/{vector_name}",
        c + "/vectors/added?wait=true",
        "{\"dense\":{\"size\":8,\"distance\":\"Euclid\"}}",
        200);
    api.call(
        "PATCH",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"added\":{\"quantization_config\":{\"turbo\":{\"bits\":\"bits1\"}}}}}",
        200);
    assertEquals(
        QdrantHttp.JSON.readTree("{\"turbo\":{\"bits\":\"bits1\"}}"),
        info(c).at("/config/params/vectors/added/quantization_config"));
  }

  @Test
  void perVectorQuantizationIsReportedAndPatched() throws Exception {
    String c = "/collections/named";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{"
            + "\"a\":{\"size\":4,\"distance\":\"Dot\",\"quantization_config\":{\"product\":{\"compression\":\"x16\"}}},"
            + "\"b\":{\"size\":4,\"distance\":\"Cosine\"}},"
            + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\",\"quantile\":0.95}}}",
        200);
    JsonNode config = info(c).get("config");
    assertEquals(
        QdrantHttp.JSON.readTree("{\"product\":{\"compression\":\"x16\"}}"),
        config.at("/params/vectors/a/quantization_config"));
    assertTrue(
        config.at("/params/vectors/b/quantization_config").isMissingNode(),
        "b uses the collection's");
    assertEquals(
        QdrantHttp.JSON.readTree("{\"scalar\":{\"type\":\"int8\",\"quantile\":0.95}}"),
        config.get("quantization_config"));
    api.call(
        "PATCH",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"a\":{\"quantization_config\":\"Disabled\"},\"b\":{\"quantization_config\":{\"binary\":{}}}}}",
        200);
    config = info(c).get("config");
    assertTrue(
        config.at("/params/vectors/a/quantization_config").isMissingNode(),
        "a's own is gone: " + config);
    assertEquals(
        QdrantHttp.JSON.readTree("{\"binary\":{}}"),
        config.at("/params/vectors/b/quantization_config"));
  }

  @Test
  void unimplementedVariantsAreRefusedByName() throws Exception {
    String create = "/collections/{collection_name}";
    String c = "/collections/refused";
    api.assertError(
        "PUT", create, c, createBody("{\"binary\":{\"encoding\":\"two_bits\"}}"), 400, "two_bits");
    api.assertError(
        "PUT",
        create,
        c,
        createBody("{\"binary\":{\"encoding\":\"one_and_half_bits\"}}"),
        400,
        "one_and_half_bits");
    api.assertError(
        "PUT",
        create,
        c,
        createBody("{\"binary\":{\"query_encoding\":\"scalar8bits\"}}"),
        400,
        "scalar8bits");
    api.assertError(
        "PUT",
        create,
        c,
        createBody("{\"turbo\":{\"bits\":\"bits3\"}}"),
        400,
        "quantization_config.turbo.bits");
    api.assertError(
        "PUT",
        create,
        c,
        createBody("{\"turbo\":{\"bits\":4}}"),
        400,
        "quantization_config.turbo.bits");
    api.assertError("PUT", create, c, createBody("{\"turbo\":{\"bitz\":\"bits4\"}}"), 400, "bitz");
    api.assertError(
        "PUT",
        create,
        c,
        createBody("{\"turbo\":{\"memory\":\"cold\"}}"),
        400,
        "quantization_config.turbo.memory");
    api.assertError(
        "PUT",
        create,
        c,
        "{\"vectors\":{\"size\":4,\"distance\":\"Manhattan\"},"
            + "\"quantization_config\":{\"turbo\":{}}}",
        400,
        "Manhattan");
    api.assertError(
        "PUT",
        create,
        c,
        createBody("{\"scalar\":{\"type\":\"int8\",\"memory\":\"cold\"}}"),
        400,
        "quantization_config.scalar.memory");
    api.assertError("PUT", create, c, createBody("{\"scalar\":{\"type\":\"int4\"}}"), 400, "int4");
    api.assertError(
        "PUT",
        create,
        c,
        createBody("{\"scalar\":{\"type\":\"int8\",\"quantile\":0.2}}"),
        400,
        "quantile");
    api.assertError(
        "PUT", create, c, createBody("{\"product\":{\"compression\":\"x3\"}}"), 400, "x3");
    api.assertError(
        "PUT",
        create,
        c,
        "{\"vectors\":{\"size\":4,\"distance\":\"Manhattan\"},"
            + "\"quantization_config\":{\"product\":{\"compression\":\"x4\"}}}",
        400,
        "Manhattan");
    api.assertError("PUT", create, c, createBody("\"Disabled\""), 400, "Disabled");
    assertEquals(404, api.http().get(c).status(), "nothing was created");
  }

  private void upsertAndAwaitIndexed(String c) throws Exception {
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < N; i++) {
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":")
          .append(vector(vectors[i]))
          .append(",\"payload\":{\"g\":")
          .append(i % 7)
          .append("}}");
    }
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        points.append("]}").toString(),
        200);
    for (int i = 0; i < 600 && info(c).get("indexed_vectors_count").asInt() < N - 100; i++) {
      Thread.sleep(100);
    }
    awaitGreen(c);
  }

  private void awaitGreen(String c) throws Exception {
    for (int i = 0; i < 600 && !info(c).get("status").asText().equals("green"); i++) {
      Thread.sleep(100);
    }
    assertEquals("green", info(c).get("status").asText(), "optimizer idle: " + info(c));
  }

  /** Waits until rescore: false answers approximate scores (the optimizer built the codes). */
  private void awaitCodes(String c, float[] q) throws Exception {
    for (int i = 0; i < 600; i++) {
      if (info(c).get("status").asText().equals("green")
          && approximate(q, search(c, q, "{\"quantization\":{\"rescore\":false}}"))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("codes not rebuilt after 60 s: " + info(c));
  }

  /** Rescore false reports the codes' approximate scores, ignore true the exact ones. */
  private void assertCodesSteer(String c, String form) throws Exception {
    float[] q = vectors[5].clone();
    q[1] += 0.7f;
    assertApprox(q, search(c, q, "{\"quantization\":{\"rescore\":false}}"), true);
    assertApprox(q, search(c, q, "{\"quantization\":{\"ignore\":true}}"), false);
    assertApprox(
        q, search(c, q, "{\"quantization\":{\"rescore\":true,\"oversampling\":2.5}}"), false);
  }

  private JsonNode search(String c, float[] q, String params) throws Exception {
    return api.call(
            "POST",
            "/collections/{collection_name}/points/query",
            c + "/points/query",
            "{\"query\":" + vector(q) + ",\"limit\":10,\"params\":" + params + "}",
            200)
        .result()
        .get("points");
  }

  private void assertApprox(float[] q, JsonNode hits, boolean approximate) {
    assertTrue(hits.size() > 0, "hits: " + hits);
    assertEquals(
        approximate,
        approximate(q, hits),
        (approximate ? "approximate" : "exact") + " scores expected: " + hits);
  }

  /** True when some hit's score is not its exact Euclidean distance to {@code q}. */
  private boolean approximate(float[] q, JsonNode hits) {
    for (JsonNode h : hits) {
      float[] v = vectors[h.get("id").asInt()];
      double s = 0;
      for (int d = 0; d < DIM; d++) {
        s += (v[d] - q[d]) * (v[d] - q[d]);
      }
      if (Math.abs(Math.sqrt(s) - h.get("score").asDouble()) > 1e-3 * Math.max(1, Math.sqrt(s))) {
        return true;
      }
    }
    return false;
  }

  private JsonNode info(String c) throws Exception {
    return api.call("GET", "/collections/{collection_name}", c, null, 200).result();
  }

  private static String vector(float[] v) {
    StringBuilder b = new StringBuilder("[");
    for (int d = 0; d < v.length; d++) {
      b.append(d == 0 ? "" : ",").append(v[d]);
    }
    return b.append(']').toString();
  }
}
