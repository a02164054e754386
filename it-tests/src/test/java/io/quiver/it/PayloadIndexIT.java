package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Payload indexes through REST on a real node with a collection of three shards: create (type name
 * and params object), {@code payload_schema} with per-field point counts in collection info,
 * filtered search and exact count equal with and without indexes, {@code exact: false} count from
 * the estimate, indexes kept right by payload changes and deletes, surviving a restart, and delete.
 * Every body is validated against Qdrant's OpenAPI schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class PayloadIndexIT {

  private static final String C = "/collections/pidx";

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private SpecClient api;

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    api = new SpecClient(node.baseUrl());
  }

  private long count(String filter, boolean exact) throws Exception {
    return api.call(
            "POST",
            "/collections/{collection_name}/points/count",
            C + "/points/count",
            "{\"filter\":" + filter + ",\"exact\":" + exact + "}",
            200)
        .result()
        .get("count")
        .asLong();
  }

  private List<Long> search(String filter) throws Exception {
    JsonNode hits =
        api.call(
                "POST",
                "/collections/{collection_name}/points/query",
                C + "/points/query",
                "{\"query\":[0.3,0.7],\"limit\":7,\"filter\":" + filter + "}",
                200)
            .result()
            .get("points");
    List<Long> ids = new ArrayList<>();
    hits.forEach(h -> ids.add(h.get("id").asLong()));
    return ids;
  }

  private JsonNode payloadSchema() throws Exception {
    return api.call("GET", "/collections/{collection_name}", C, null, 200)
        .result()
        .get("payload_schema");
  }

  @Test
  void indexesAnswerFiltersAndSurviveRestart() throws Exception {
    api.call(
        "PUT",
        "/collections/{collection_name}",
        C,
        "{\"vectors\":{\"size\":2,\"distance\":\"Cosine\"},\"shard_number\":3}",
        200);
    StringBuilder body = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 300; i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":[")
          .append(1 + i % 17)
          .append(",")
          .append(1 + i % 13)
          .append("],\"payload\":{\"n\":")
          .append(i)
          .append(",\"color\":\"")
          .append(new String[] {"red", "green", "blue"}[i % 3])
          .append("\",\"text\":\"The ")
          .append(i % 2 == 0 ? "quick" : "slow")
          .append(" fox\"}}");
    }
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        C + "/points?wait=true",
        body.append("]}").toString(),
        200);

    String colorRed = "{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}";
    String redAndRange =
        "{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}},{\"key\":\"n\",\"range\":{\"gte\":30,\"lt\":150}}]}";
    String notBlue =
        "{\"must_not\":[{\"key\":\"color\",\"match\":{\"any\":[\"blue\"]}}],\"must\":[{\"key\":\"n\",\"range\":{\"lt\":100}}]}";
    List<String> filters = List.of(colorRed, redAndRange, notBlue);
    List<Long> counts = new ArrayList<>();
    List<List<Long>> hits = new ArrayList<>();
    for (String f : filters) {
      counts.add(count(f, true));
      hits.add(search(f));
    }
    assertEquals(List.of(100L, 40L, 67L), counts);

    JsonNode r =
        api.call(
                "PUT",
                "/collections/{collection_name}/index",
                C + "/index?wait=true",
                "{\"field_name\":\"color\",\"field_schema\":\"keyword\"}",
                200)
            .result();
    assertEquals("completed", r.get("status").asText());
    api.call(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index?wait=true",
        "{\"field_name\":\"n\",\"field_schema\":{\"type\":\"integer\",\"lookup\":false,\"range\":true}}",
        200);
    api.call(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index",
        "{\"field_name\":\"text\",\"field_schema\":{\"type\":\"text\",\"tokenizer\":\"word\",\"lowercase\":true}}",
        200);
    api.call(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index",
        "{\"field_name\":\"n\",\"field_schema\":\"vector\"}",
        400);
    api.call(
        "PUT",
        "/collections/{collection_name}/index",
        C + "/index",
        "{\"field_schema\":\"keyword\"}",
        400);

    JsonNode schema = payloadSchema();
    assertEquals("keyword", schema.get("color").get("data_type").asText());
    assertEquals(300, schema.get("color").get("points").asInt());
    assertEquals("integer", schema.get("n").get("data_type").asText());
    assertEquals(false, schema.get("n").get("params").get("lookup").asBoolean());
    assertEquals("text", schema.get("text").get("data_type").asText());

    for (int i = 0; i < filters.size(); i++) {
      assertEquals(
          counts.get(i),
          count(filters.get(i), true),
          "exact count with indexes: " + filters.get(i));
      assertEquals(
          counts.get(i),
          count(filters.get(i), false),
          "estimate of a fully indexed filter is exact: " + filters.get(i));
      assertEquals(hits.get(i), search(filters.get(i)), "search with indexes: " + filters.get(i));
    }
    assertEquals(
        150,
        count("{\"must\":[{\"key\":\"text\",\"match\":{\"text\":\"QUICK\"}}]}", true),
        "full text is tokenized and lowercased");

    // Payload changes and deletes keep the indexes right.
    api.call(
        "POST",
        "/collections/{collection_name}/points/payload",
        C + "/points/payload?wait=true",
        "{\"payload\":{\"color\":\"red\"},\"points\":[1,2]}",
        200);
    api.call(
        "POST",
        "/collections/{collection_name}/points/delete",
        C + "/points/delete?wait=true",
        "{\"points\":[0,3]}",
        200);
    assertEquals(100, count(colorRed, true));
    assertEquals(100, count(colorRed, false));
    assertEquals(298, payloadSchema().get("color").get("points").asInt());
    long estimate =
        count(
            "{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}},{\"is_empty\":{\"key\":\"zzz\"}}]}",
            false);
    assertTrue(estimate >= 0 && estimate <= 100, "estimate within [0, 100]: " + estimate);

    // Restart: the schema is stored in each shard, the indexes are rebuilt from the payloads.
    node.close();
    node.start(); // its data, ports and settings
    api = new SpecClient(node.baseUrl());
    assertEquals(298, payloadSchema().get("color").get("points").asInt());
    assertEquals(100, count(colorRed, false));

    // A collection snapshot carries the payload indexes; recovering it recreates them.
    String name =
        api.call("POST", "/collections/{collection_name}/snapshots", C + "/snapshots", null, 200)
            .result()
            .get("name")
            .asText();
    api.call(
        "PUT",
        "/collections/{collection_name}/snapshots/recover",
        "/collections/pidx_copy/snapshots/recover",
        "{\"location\":\"" + node.baseUrl() + C + "/snapshots/" + name + "\"}",
        200);
    JsonNode copied =
        api.call("GET", "/collections/{collection_name}", "/collections/pidx_copy", null, 200)
            .result()
            .get("payload_schema");
    assertEquals(payloadSchema(), copied, "payload_schema after a snapshot round trip");

    api.call(
        "DELETE",
        "/collections/{collection_name}/index/{field_name}",
        C + "/index/color?wait=true",
        null,
        200);
    assertTrue(payloadSchema().get("color") == null);
    assertEquals(100, count(colorRed, true), "unindexed again: evaluated point by point");
  }
}
