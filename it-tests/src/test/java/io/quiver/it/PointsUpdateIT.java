package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Changes to existing points and scrolling, through REST on a real node with a collection of three
 * shards: payload set (with a nested key) / overwrite / delete keys / clear by ids and by filter,
 * delete by filter, vector updates, the mixed batch endpoint, and scroll pages in Qdrant's id order
 * (integers, then UUIDs) across shards. Every body is validated against Qdrant's OpenAPI schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class PointsUpdateIT {

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String C = "/collections/ops";

  private NodeProcess node;
  private SpecClient api;

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    api = new SpecClient(node.baseUrl());
  }

  private void fresh(int points) throws Exception {
    api.http().send("DELETE", C, null);
    api.call(
        "PUT",
        "/collections/{collection_name}",
        C,
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":3}",
        200);
    StringBuilder body = new StringBuilder("{\"points\":[");
    for (int i = 0; i < points; i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":[")
          .append(i)
          .append(",1],")
          .append("\"payload\":{\"n\":")
          .append(i)
          .append(",\"group\":\"g")
          .append(i % 3)
          .append("\",\"meta\":{\"a\":1}}}");
    }
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        C + "/points?wait=true",
        body.append("]}").toString(),
        200);
  }

  private JsonNode payloadOf(int id) throws Exception {
    return api.call(
            "GET", "/collections/{collection_name}/points/{id}", C + "/points/" + id, null, 200)
        .result()
        .get("payload");
  }

  @Test
  void payloadOperationsByIdsAndByFilter() throws Exception {
    fresh(30);
    api.call(
        "POST",
        "/collections/{collection_name}/points/payload",
        C + "/points/payload?wait=true",
        "{\"payload\":{\"color\":\"red\"},\"points\":[1,2]}",
        200);
    assertEquals(
        JSON.readTree("{\"n\":1,\"group\":\"g1\",\"meta\":{\"a\":1},\"color\":\"red\"}"),
        payloadOf(1));
    api.call(
        "POST",
        "/collections/{collection_name}/points/payload",
        C + "/points/payload?wait=true",
        "{\"payload\":{\"b\":2},\"key\":\"meta\",\"filter\":{\"must\":[{\"key\":\"group\",\"match\":{\"value\":\"g0\"}}]}}",
        200);
    assertEquals(
        JSON.readTree("{\"a\":1,\"b\":2}"),
        payloadOf(3).get("meta"),
        "set with a key path, by filter");
    assertEquals(
        JSON.readTree("{\"a\":1}"),
        payloadOf(4).get("meta"),
        "points the filter does not match are untouched");
    api.call(
        "PUT",
        "/collections/{collection_name}/points/payload",
        C + "/points/payload?wait=true",
        "{\"payload\":{\"only\":true},\"points\":[5]}",
        200);
    assertEquals(JSON.readTree("{\"only\":true}"), payloadOf(5));
    api.call(
        "POST",
        "/collections/{collection_name}/points/payload/delete",
        C + "/points/payload/delete?wait=true",
        "{\"keys\":[\"meta.a\",\"group\"],\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":20}}]}}",
        200);
    assertEquals(JSON.readTree("{\"n\":22,\"meta\":{}}"), payloadOf(22));
    assertEquals(
        JSON.readTree("{\"n\":21,\"meta\":{\"b\":2}}"),
        payloadOf(21),
        "g0: the nested set stays, its sibling goes");
    api.call(
        "POST",
        "/collections/{collection_name}/points/payload/clear",
        C + "/points/payload/clear?wait=true",
        "{\"points\":[6,7,999]}",
        200);
    assertEquals(JSON.readTree("{}"), payloadOf(7));
    assertEquals(
        2, count("{\"filter\":{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}}"));

    api.assertError(
        "POST",
        "/collections/{collection_name}/points/payload",
        C + "/points/payload",
        "{\"payload\":{\"x\":1}}",
        400,
        "points");
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/payload",
        C + "/points/payload",
        "{\"payload\":[1],\"points\":[1]}",
        400,
        "payload");
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/payload/delete",
        C + "/points/payload/delete",
        "{\"points\":[1]}",
        400,
        "keys");
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/payload",
        "/collections/nope/points/payload",
        "{\"payload\":{\"x\":1},\"points\":[1]}",
        404,
        "nope");
  }

  @Test
  void deleteByFilterAndVectorUpdatesAndBatch() throws Exception {
    fresh(30);
    api.call(
        "POST",
        "/collections/{collection_name}/points/delete",
        C + "/points/delete?wait=true",
        "{\"filter\":{\"must\":[{\"key\":\"group\",\"match\":{\"value\":\"g2\"}}]}}",
        200);
    assertEquals(20, count("{}"));
    assertEquals(
        0, count("{\"filter\":{\"must\":[{\"key\":\"group\",\"match\":{\"value\":\"g2\"}}]}}"));

    api.call(
        "PUT",
        "/collections/{collection_name}/points/vectors",
        C + "/points/vectors?wait=true",
        "{\"points\":[{\"id\":0,\"vector\":[100,1]}]}",
        200);
    JsonNode top =
        api.call(
                "POST",
                "/collections/{collection_name}/points/query",
                C + "/points/query",
                "{\"query\":[1,0],\"limit\":1,\"with_payload\":true}",
                200)
            .result()
            .get("points")
            .get(0);
    assertEquals(0, top.get("id").asInt(), "the updated vector is searched");
    assertEquals(0, top.get("payload").get("n").asInt(), "the payload survives a vector update");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/points/vectors",
        C + "/points/vectors",
        "{\"points\":[{\"id\":0,\"vector\":[1,2,3]}]}",
        400,
        "expected dim: 2, got 3");

    JsonNode results =
        api.call(
                "POST",
                "/collections/{collection_name}/points/batch",
                C + "/points/batch?wait=true",
                "{\"operations\":["
                    + "{\"upsert\":{\"points\":[{\"id\":500,\"vector\":[1,1],\"payload\":{\"k\":1}}]}},"
                    + "{\"set_payload\":{\"payload\":{\"k\":2},\"points\":[500]}},"
                    + "{\"delete\":{\"points\":[1]}},"
                    + "{\"overwrite_payload\":{\"payload\":{\"k\":3,\"z\":1},\"points\":[500]}},"
                    + "{\"delete_payload\":{\"keys\":[\"z\"],\"points\":[500]}}"
                    + "]}",
                200)
            .result();
    assertEquals(5, results.size());
    assertEquals(JSON.readTree("{\"k\":3}"), payloadOf(500), "batch operations apply in order");
    assertEquals(404, api.http().send("GET", C + "/points/1", null).status());
    // A bad operation anywhere in a batch writes nothing at all.
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/batch",
        C + "/points/batch?wait=true",
        "{\"operations\":[{\"delete\":{\"points\":[0]}},{\"upsert\":{\"points\":[{\"id\":2,\"vector\":[1]}]}}]}",
        400,
        "expected dim: 2, got 1");
    assertEquals(200, api.http().send("GET", C + "/points/0", null).status());
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/batch",
        C + "/points/batch",
        "{\"operations\":[{\"explode\":{}}]}",
        400,
        "operations[0]");
  }

  @Test
  void scrollPagesInIdOrderAcrossShards() throws Exception {
    fresh(23);
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        C + "/points?wait=true",
        "{\"points\":[{\"id\":\"00000000-0000-0000-0000-000000000002\",\"vector\":[1,1]},"
            + "{\"id\":\"00000000-0000-0000-0000-000000000001\",\"vector\":[1,1],\"payload\":{\"n\":100}}]}",
        200);
    List<String> seen = new ArrayList<>();
    JsonNode offset = null;
    for (int page = 0; page < 20; page++) {
      String body = "{\"limit\":4" + (offset == null ? "" : ",\"offset\":" + offset) + "}";
      JsonNode result =
          api.call(
                  "POST",
                  "/collections/{collection_name}/points/scroll",
                  C + "/points/scroll",
                  body,
                  200)
              .result();
      for (JsonNode p : result.get("points")) {
        seen.add(p.get("id").asText());
        assertTrue(p.has("payload"), "scroll returns payloads by default");
      }
      offset = result.get("next_page_offset");
      if (offset.isNull()) {
        break;
      }
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      expected.add(Integer.toString(i));
    }
    expected.add("00000000-0000-0000-0000-000000000001");
    expected.add("00000000-0000-0000-0000-000000000002");
    assertEquals(expected, seen);

    JsonNode filtered =
        api.call(
                "POST",
                "/collections/{collection_name}/points/scroll",
                C + "/points/scroll",
                "{\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":10}}]},\"limit\":100,\"with_payload\":false,\"with_vector\":true}",
                200)
            .result();
    assertEquals(
        14, filtered.get("points").size(), "n >= 10: ids 10..22 and the UUID with n = 100");
    assertEquals(2, filtered.get("points").get(0).get("vector").size());
    assertTrue(filtered.get("next_page_offset").isNull());
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/scroll",
        C + "/points/scroll",
        "{\"limit\":0}",
        400,
        "limit");
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/scroll",
        C + "/points/scroll",
        "{\"offset\":-3}",
        400,
        "offset");
  }

  private long count(String body) throws Exception {
    return api.call(
            "POST", "/collections/{collection_name}/points/count", C + "/points/count", body, 200)
        .result()
        .get("count")
        .asLong();
  }
}
