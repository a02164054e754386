package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Aliases through REST on a real node: atomic action lists, use of an alias wherever a collection
 * name goes (points, search, info), switching an alias between collections (the blue/green reindex
 * pattern), errors, and aliases surviving a restart. Bodies validated against Qdrant's spec.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class CollectionAliasesIT {

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private SpecClient api;

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    api = new SpecClient(node.baseUrl());
  }

  @Test
  void aliasesSwitchAtomicallyAndResolveEverywhere() throws Exception {
    for (String c : new String[] {"blue", "green"}) {
      api.call(
          "PUT",
          "/collections/{collection_name}",
          "/collections/" + c,
          "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}",
          200);
      api.call(
          "PUT",
          "/collections/{collection_name}/points",
          "/collections/" + c + "/points?wait=true",
          "{\"points\":[{\"id\":1,\"vector\":[1,0],\"payload\":{\"from\":\"" + c + "\"}}]}",
          200);
    }
    String aliases = "/collections/aliases";
    api.call(
        "POST",
        aliases,
        aliases,
        "{\"actions\":[{\"create_alias\":{\"alias_name\":\"prod\",\"collection_name\":\"blue\"}}]}",
        200);
    assertEquals("blue", fromVia("prod"));
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/prod/points?wait=true",
        "{\"points\":[{\"id\":2,\"vector\":[0,1]}]}",
        200);
    assertEquals(
        2,
        api.call("GET", "/collections/{collection_name}", "/collections/prod", null, 200)
            .result()
            .get("points_count")
            .asInt(),
        "writes and collection info through the alias reach blue");

    // Switch prod to green in one atomic step, as a reindex does.
    api.call(
        "POST",
        aliases,
        aliases,
        "{\"actions\":[{\"delete_alias\":{\"alias_name\":\"prod\"}},"
            + "{\"create_alias\":{\"alias_name\":\"prod\",\"collection_name\":\"green\"}},"
            + "{\"create_alias\":{\"alias_name\":\"old\",\"collection_name\":\"blue\"}}]}",
        200);
    assertEquals("green", fromVia("prod"));
    api.call(
        "POST",
        aliases,
        aliases,
        "{\"actions\":[{\"rename_alias\":{\"old_alias_name\":\"old\",\"new_alias_name\":\"previous\"}}]}",
        200);
    JsonNode all = api.call("GET", "/aliases", "/aliases", null, 200).result().get("aliases");
    assertEquals(
        "[{\"alias_name\":\"previous\",\"collection_name\":\"blue\"},{\"alias_name\":\"prod\",\"collection_name\":\"green\"}]",
        all.toString());
    JsonNode ofGreen =
        api.call(
                "GET",
                "/collections/{collection_name}/aliases",
                "/collections/green/aliases",
                null,
                200)
            .result();
    assertEquals(1, ofGreen.get("aliases").size());

    // All or nothing: the valid first action is not applied when the second fails.
    api.assertError(
        "POST",
        "/collections/aliases",
        aliases,
        "{\"actions\":[{\"delete_alias\":{\"alias_name\":\"prod\"}},"
            + "{\"create_alias\":{\"alias_name\":\"x\",\"collection_name\":\"missing\"}}]}",
        404,
        "missing");
    assertEquals("green", fromVia("prod"));
    api.assertError(
        "POST",
        "/collections/aliases",
        aliases,
        "{\"actions\":[{\"delete_alias\":{\"alias_name\":\"nope\"}}]}",
        404,
        "nope");
    api.assertError(
        "POST",
        "/collections/aliases",
        aliases,
        "{\"actions\":[{\"create_alias\":{\"alias_name\":\"blue\",\"collection_name\":\"green\"}}]}",
        400,
        "blue");
    api.assertError(
        "POST",
        "/collections/aliases",
        aliases,
        "{\"actions\":[{\"create_alias\":{\"alias_name\":\"y\"}}]}",
        400,
        "actions[0].create_alias.collection_name");
    api.assertError(
        "POST",
        "/collections/aliases",
        aliases,
        "{\"actions\":[{\"make_alias\":{}}]}",
        400,
        "make_alias");
    QdrantHttp.Reply clash =
        api.http()
            .send("PUT", "/collections/prod", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
    assertEquals(400, clash.status(), "a collection may not take an alias's name: " + clash.raw());

    // Aliases are metadata in the Raft log: they survive a restart; deleting a collection drops its
    // aliases.
    node.stop();
    node.start(); // its data, ports and settings
    api = new SpecClient(node.baseUrl());
    assertEquals("green", fromVia("prod"));
    api.call("DELETE", "/collections/{collection_name}", "/collections/blue", null, 200);
    assertEquals(
        "[{\"alias_name\":\"prod\",\"collection_name\":\"green\"}]",
        api.call("GET", "/aliases", "/aliases", null, 200).result().get("aliases").toString());
  }

  /** The payload field {@code from} of the best hit for [1, 0], queried through {@code name}. */
  private String fromVia(String name) throws Exception {
    return api.call(
            "POST",
            "/collections/{collection_name}/points/query",
            "/collections/" + name + "/points/query",
            "{\"query\":[1,0],\"limit\":1,\"with_payload\":true}",
            200)
        .result()
        .get("points")
        .get(0)
        .get("payload")
        .get("from")
        .asText();
  }
}
