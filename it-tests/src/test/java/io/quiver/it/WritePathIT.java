package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The write path's limits through REST on a real node: an upsert of 1,000 points of 1,536
 * dimensions with text payloads (more than one Raft log entry holds) is written; a point larger
 * than an entry is a 400 naming the limit, with nothing of the request written; a body nested 1,000
 * levels deep is a 400, never a 500. And conditional upserts: {@code update_mode} and {@code
 * update_filter} in the points form, the batch form and {@code points/batch}, and {@code
 * update_filter} of a vector update, decided from the stored points.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class WritePathIT {

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UPSERT = "/collections/{collection_name}/points";

  private NodeProcess node;
  private SpecClient api;

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    api = new SpecClient(node.baseUrl());
  }

  @Test
  void thousandOpenAiSizedEmbeddingsInOneWaitedRequestAreWritten() throws Exception {
    api.call(
        "PUT",
        "/collections/{collection_name}",
        "/collections/big",
        "{\"vectors\":{\"size\":1536,\"distance\":\"Dot\"},\"shard_number\":2}",
        200);
    Random random = new Random(15);
    StringBuilder body = new StringBuilder(16 << 20).append("{\"points\":[");
    float[] first = null;
    for (int i = 0; i < 1000; i++) {
      body.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[");
      float[] v = new float[1536];
      for (int d = 0; d < v.length; d++) {
        v[d] = Math.round(random.nextFloat() * 1e6f) / 1e6f;
        body.append(d == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f", v[d]));
      }
      first = first == null ? v : first;
      body.append("],\"payload\":{\"text\":\"chunk ")
          .append(i)
          .append(" of a document about vector databases\"}}");
    }
    body.append("]}");
    long started = System.nanoTime();
    api.call("PUT", UPSERT, "/collections/big/points?wait=true", body.toString(), 200);
    System.out.printf(
        Locale.ROOT,
        "upsert of 1000 x 1536 (%.1f MB of JSON), wait=true: %d ms%n",
        body.length() / 1048576.0,
        (System.nanoTime() - started) / 1_000_000);
    assertEquals(
        1000,
        api.call(
                "POST",
                "/collections/{collection_name}/points/count",
                "/collections/big/points/count",
                "{\"exact\":true}",
                200)
            .result()
            .get("count")
            .asInt());
    JsonNode point =
        api.call(
                "GET",
                "/collections/{collection_name}/points/{id}",
                "/collections/big/points/0",
                null,
                200)
            .result();
    assertEquals(
        "chunk 0 of a document about vector databases", point.at("/payload/text").asText());
    for (int d = 0; d < 1536; d++) {
      assertEquals(first[d], point.get("vector").get(d).floatValue(), 1e-6, "dimension " + d);
    }
    // 1,000 new vectors (6 MB in one entry) as a vector update: split by ids too.
    StringBuilder vectors = new StringBuilder(16 << 20).append("{\"points\":[");
    for (int i = 0; i < 1000; i++) {
      vectors.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[0.5");
      for (int d = 1; d < 1536; d++) {
        vectors.append(',').append(String.format(Locale.ROOT, "%.6f", random.nextFloat()));
      }
      vectors.append("]}");
    }
    api.call(
        "PUT",
        "/collections/{collection_name}/points/vectors",
        "/collections/big/points/vectors?wait=true",
        vectors.append("]}").toString(),
        200);
    point =
        api.call(
                "GET",
                "/collections/{collection_name}/points/{id}",
                "/collections/big/points/0",
                null,
                200)
            .result();
    assertEquals(0.5f, point.get("vector").get(0).floatValue(), "point 0's vector was updated");
    assertEquals(
        "chunk 0 of a document about vector databases",
        point.at("/payload/text").asText(),
        "its payload stays");
  }

  @Test
  void aPointLargerThanALogEntryIsRefusedNamingTheLimitAndNothingIsWritten() throws Exception {
    api.call(
        "PUT",
        "/collections/{collection_name}",
        "/collections/huge",
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":3}",
        200);
    StringBuilder body = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 10; i++) {
      body.append("{\"id\":").append(i).append(",\"vector\":[1,2]},");
    }
    body.append("{\"id\":99,\"vector\":[1,2],\"payload\":{\"text\":\"")
        .append("x".repeat(5 << 20))
        .append("\"}}]}");
    api.assertError(
        "PUT",
        UPSERT,
        "/collections/huge/points?wait=true",
        body.toString(),
        400,
        "point 99 is too large to be written");
    String error =
        api.http()
            .send("PUT", "/collections/huge/points?wait=true", body.toString())
            .body()
            .at("/status/error")
            .asText();
    assertTrue(error.contains("one log entry holds at most 4.00 MB"), error);
    assertEquals(
        0,
        api.call(
                "POST",
                "/collections/{collection_name}/points/count",
                "/collections/huge/points/count",
                "{\"exact\":true}",
                200)
            .result()
            .get("count")
            .asInt(),
        "no shard was written");
  }

  @Test
  void bodiesNestedAThousandLevelsDeepAre400() throws Exception {
    api.call(
        "PUT",
        "/collections/{collection_name}",
        "/collections/deep",
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}",
        200);
    // 1,000 levels: within Jackson's limit, refused by validation; 1,001: beyond it, refused by the
    // parser.
    String thousand = "{\"a\":".repeat(1000) + "1" + "}".repeat(1000);
    api.assertError(
        "PUT", UPSERT, "/collections/deep/points?wait=true", thousand, 400, "`points` or `batch`");
    // (a query body of one unknown field, however deep, is a query without a query: 200, as in
    // Qdrant)
    assertNotEquals(
        500, api.http().send("POST", "/collections/deep/points/query", thousand).status());
    String objects = "{\"a\":".repeat(1001) + "1" + "}".repeat(1001);
    String arrays = "{\"points\":" + "[".repeat(1000) + "]".repeat(1000) + "}";
    for (String body : new String[] {objects, arrays}) {
      api.assertError(
          "PUT", UPSERT, "/collections/deep/points?wait=true", body, 400, "nesting depth");
      api.assertError(
          "POST",
          "/collections/{collection_name}/points/query",
          "/collections/deep/points/query",
          body,
          400,
          "nesting depth");
    }
    String filter =
        "{\"query\":[1,1],\"filter\":"
            + "{\"must\":[".repeat(600)
            + "{\"is_empty\":{\"key\":\"a\"}}"
            + "]}".repeat(600)
            + "}";
    assertEquals(
        400,
        api.http().send("POST", "/collections/deep/points/query", filter).status(),
        "1,201 levels of filter");
    // Just within Jackson's limit, a deep payload is stored or refused, never a server error.
    String payload = "{\"a\":".repeat(990) + "1" + "}".repeat(990);
    QdrantHttp.Reply deep =
        api.http()
            .send(
                "PUT",
                "/collections/deep/points?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[1,2],\"payload\":" + payload + "}]}");
    assertTrue(deep.status() == 200 || deep.status() == 400, deep.raw());
    assertNotEquals(500, api.http().get("/collections/deep/points/1").status());
  }

  @Test
  void conditionalUpsertsInEveryForm() throws Exception {
    conditionalUpserts(
        api, "cond", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2}");
    api.assertError(
        "PUT",
        UPSERT,
        "/collections/cond/points",
        "{\"points\":[{\"id\":1,\"vector\":[1,2]}],\"update_mode\":\"replace\"}",
        400,
        "`update_mode` must be one of");
    api.assertError(
        "PUT",
        UPSERT,
        "/collections/cond/points",
        "{\"points\":[{\"id\":1,\"vector\":[1,2]}],\"update_filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"lt\":\"x\"}}]}}",
        400,
        "update_filter");
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/batch",
        "/collections/cond/points/batch",
        "{\"operations\":[{\"upsert\":{\"points\":[{\"id\":1,\"vector\":[1,2]}],\"update_mode\":5}}]}",
        400,
        "`operations[0].upsert.update_mode`");
  }

  /**
   * The conditional-upsert cases (insert_only, update_only, update_filter) and the other forms on
   * collection {@code name}, through {@code api}; checks the payloads through the same node.
   */
  static void conditionalUpserts(SpecClient api, String name, String create) throws Exception {
    String c = "/collections/" + name;
    api.call("PUT", "/collections/{collection_name}", c, create, 200);
    StringBuilder seed = new StringBuilder("{\"points\":[");
    for (int i = 1; i <= 6; i++) {
      seed.append(i == 1 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":[")
          .append(i)
          .append(",1],\"payload\":{\"n\":")
          .append(i)
          .append("}}");
    }
    api.call("PUT", UPSERT, c + "/points?wait=true", seed.append("]}").toString(), 200);

    api.call(
        "PUT",
        UPSERT,
        c + "/points?wait=true",
        "{\"update_mode\":\"insert_only\",\"points\":["
            + "{\"id\":1,\"vector\":[9,9],\"payload\":{\"hacked\":true}},{\"id\":7,\"vector\":[7,1],\"payload\":{\"n\":7}}]}",
        200);
    assertPayload(api, c, 1, "{\"n\":1}");
    assertPayload(api, c, 7, "{\"n\":7}");

    api.call(
        "PUT",
        UPSERT,
        c + "/points?wait=true",
        "{\"update_filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"lt\":5}}]},"
            + "\"points\":[{\"id\":2,\"vector\":[2,2],\"payload\":{\"n\":20}},{\"id\":6,\"vector\":[6,6],\"payload\":{\"n\":60}},"
            + "{\"id\":8,\"vector\":[8,1],\"payload\":{\"n\":8}}]}",
        200);
    assertPayload(api, c, 2, "{\"n\":20}");
    assertPayload(api, c, 6, "{\"n\":6}");
    assertPayload(api, c, 8, "{\"n\":8}");

    api.call(
        "PUT",
        UPSERT,
        c + "/points?wait=true",
        "{\"update_mode\":\"update_only\",\"batch\":{\"ids\":[3,9],"
            + "\"vectors\":[[3,3],[9,9]],\"payloads\":[{\"n\":30},{\"n\":90}]}}",
        200);
    assertPayload(api, c, 3, "{\"n\":30}");
    assertAbsent(api, c, 9);

    api.call(
        "POST",
        "/collections/{collection_name}/points/batch",
        c + "/points/batch?wait=true",
        "{\"operations\":["
            + "{\"upsert\":{\"update_mode\":\"insert_only\",\"points\":[{\"id\":4,\"vector\":[4,4],\"payload\":{\"hacked\":true}},"
            + "{\"id\":10,\"vector\":[10,1],\"payload\":{\"n\":10}}]}},"
            + "{\"upsert\":{\"update_mode\":\"update_only\",\"update_filter\":{\"must\":[{\"key\":\"n\",\"match\":{\"value\":10}}]},"
            + "\"batch\":{\"ids\":[10,5,11],\"vectors\":[[1,1],[5,5],[1,1]],\"payloads\":[{\"n\":100},{\"n\":50},{\"n\":110}]}}}]}",
        200);
    assertPayload(api, c, 4, "{\"n\":4}");
    assertPayload(api, c, 10, "{\"n\":100}");
    assertPayload(api, c, 5, "{\"n\":5}");
    assertAbsent(api, c, 11);

    api.call(
        "PUT",
        "/collections/{collection_name}/points/vectors",
        c + "/points/vectors?wait=true",
        "{\"points\":[{\"id\":10,\"vector\":[42,42]},{\"id\":5,\"vector\":[42,42]}],"
            + "\"update_filter\":{\"must\":[{\"key\":\"n\",\"match\":{\"value\":100}}]}}",
        200);
    JsonNode ten =
        api.call("GET", "/collections/{collection_name}/points/{id}", c + "/points/10", null, 200)
            .result();
    JsonNode five =
        api.call("GET", "/collections/{collection_name}/points/{id}", c + "/points/5", null, 200)
            .result();
    assertEquals(JSON.readTree("[42.0,42.0]"), ten.get("vector"), "the filter matches point 10");
    assertEquals(JSON.readTree("[5.0,1.0]"), five.get("vector"), "and not point 5");
  }

  private static void assertPayload(SpecClient api, String c, int id, String payload)
      throws Exception {
    JsonNode found =
        api.call(
                "GET", "/collections/{collection_name}/points/{id}", c + "/points/" + id, null, 200)
            .result();
    assertEquals(
        JSON.readTree(payload), found.get("payload"), "payload of point " + id + " in " + c);
  }

  private static void assertAbsent(SpecClient api, String c, int id) throws Exception {
    api.call("GET", "/collections/{collection_name}/points/{id}", c + "/points/" + id, null, 404);
  }
}
