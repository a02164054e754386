package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code PATCH /collections/{c}} on a real node: new optimizer and HNSW settings reach collection
 * info and every shard's engine (a lowered indexing threshold makes the optimizer index the points
 * it had left in the appendable segment), survive a restart, and bad updates get 400/404 naming the
 * field while changing nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class CollectionUpdateIT {

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private SpecClient api;

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    api = new SpecClient(node.baseUrl());
  }

  @Test
  void settingsReachTheShardsAndSurviveRestart() throws Exception {
    String c = "/collections/tuned";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"size\":8,\"distance\":\"Euclid\"},\"shard_number\":2}",
        200);
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 400; i++) {
      points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[");
      for (int d = 0; d < 8; d++) {
        points.append(d == 0 ? "" : ",").append((i * 31 + d * 7) % 97);
      }
      points.append("]}");
    }
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        points.append("]}").toString(),
        200);
    assertEquals(
        0,
        info(c).get("indexed_vectors_count").asInt(),
        "400 small points stay below the default indexing threshold");

    api.call(
        "PATCH",
        "/collections/{collection_name}",
        c,
        "{\"optimizers_config\":{\"indexing_threshold\":1},\"hnsw_config\":{\"m\":8},\"params\":{\"write_consistency_factor\":1}}",
        200);
    JsonNode config = info(c).get("config");
    assertEquals(1, config.get("optimizer_config").get("indexing_threshold").asInt());
    assertEquals(8, config.get("hnsw_config").get("m").asInt());
    assertEquals(
        0.2,
        config.get("optimizer_config").get("deleted_threshold").asDouble(),
        1e-9,
        "fields not given keep their values");
    assertTrue(
        awaitIndexed(c, 400),
        "every shard took the new threshold and indexed its points: " + info(c));

    JsonNode hit =
        api.call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[0,7,14,21,28,35,42,49],\"limit\":1,\"params\":{\"exact\":true}}",
                200)
            .result()
            .get("points")
            .get(0);
    assertEquals(0, hit.get("id").asInt(), "point 0 is exactly the query");

    api.assertError(
        "PATCH",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"nope\":{\"on_disk\":true}}}",
        400,
        "nope");
    api.assertError(
        "PATCH",
        "/collections/{collection_name}",
        c,
        "{\"quantization_config\":{\"turbo\":{\"bits\":\"bits8\"}}}",
        400,
        "quantization_config.turbo.bits");
    api.assertError(
        "PATCH",
        "/collections/{collection_name}",
        c,
        "{\"optimizers_config\":{\"deleted_threshold\":7}}",
        400,
        "deleted_threshold");
    api.assertError(
        "PATCH",
        "/collections/{collection_name}",
        "/collections/absent",
        "{\"hnsw_config\":{\"m\":4}}",
        404,
        "absent");
    assertEquals(
        8,
        info(c).get("config").get("hnsw_config").get("m").asInt(),
        "refused updates changed nothing");

    node.stop();
    node.start(); // its data, ports and settings
    api = new SpecClient(node.baseUrl());
    JsonNode after = info(c);
    assertEquals(
        1,
        after.get("config").get("optimizer_config").get("indexing_threshold").asInt(),
        "kept across a restart");
    assertEquals(400, after.get("points_count").asInt());
  }

  private JsonNode info(String c) throws Exception {
    return api.call("GET", "/collections/{collection_name}", c, null, 200).result();
  }

  private boolean awaitIndexed(String c, int expected) throws Exception {
    for (int i = 0; i < 300; i++) {
      if (info(c).get("indexed_vectors_count").asInt() >= expected) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }
}
