package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The skeleton's REST surface against a real node process: every call's result is checked for
 * meaning and validated against Qdrant's OpenAPI schema; bad input gets the right 4xx, names the
 * problem, and writes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class SingleNodeApiIT {

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private SpecClient api;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    node = NODES.start("--config", writeConfig(tmp).toString());
    api = new SpecClient(node.baseUrl());
  }

  private static Path writeConfig(Path tmp) throws Exception {
    Path config = tmp.resolve("config.yaml");
    java.nio.file.Files.writeString(config, "service:\n  max_request_size_mb: 1\n");
    return config;
  }

  @Test
  void serviceEndpoints() throws Exception {
    JsonNode root = api.call("GET", "/", "/", null, 200).body();
    assertEquals(
        "1.19.0",
        root.get("version").asText()); // the Qdrant API version, so that clients do not warn
    assertEquals("0.1.0", root.get("quiver_version").asText());
    assertTrue(root.get("title").asText().contains("quiver"));
    // The commit the node was built from: the checkout's HEAD (the build and the tests run in it).
    Process git =
        new ProcessBuilder("git", "rev-parse", "HEAD")
            .directory(Path.of(System.getProperty("quiver.home", "..")).toFile())
            .redirectErrorStream(true)
            .start();
    String head =
        new String(git.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
            .trim();
    if (git.waitFor() == 0) {
      assertEquals(head, root.path("commit").asText(), root.toString());
    } else {
      System.out.println(
          "SingleNodeApiIT: not in a git checkout (" + head + "), GET / commit not checked");
      assertFalse(root.has("commit"), root.toString());
    }
    for (String probe : List.of("/healthz", "/livez", "/readyz")) {
      assertEquals(200, api.http().get(probe).status(), probe);
    }
    assertEquals(404, api.http().get("/no/such/api").status());
  }

  /**
   * A peer named in the path that is not a member is not found (404, naming it), for its removal
   * and its drain; {@code POST /cluster/rebalance} takes no settings and refuses one by name.
   */
  @Test
  void clusterOperationsNameWhatTheyCannotFindOrTake() throws Exception {
    for (String[] call :
        List.of(
            new String[] {"DELETE", "/cluster/peer/123"},
            new String[] {"DELETE", "/cluster/peer/123?force=true"},
            new String[] {"POST", "/cluster/peer/123/drain"})) {
      QdrantHttp.Reply r = api.http().send(call[0], call[1], call[0].equals("POST") ? "{}" : null);
      assertEquals(404, r.status(), call[0] + " " + call[1] + " -> " + r.raw());
      assertTrue(r.raw().contains("peer 123"), r.raw());
    }
    QdrantHttp.Reply dry = api.http().send("POST", "/cluster/rebalance", "{\"dry_run\":true}");
    assertEquals(400, dry.status(), dry.raw());
    assertTrue(dry.raw().contains("dry_run"), dry.raw());
    assertEquals(200, api.http().send("POST", "/cluster/rebalance", "{}").status());
    assertEquals(200, api.http().send("POST", "/cluster/rebalance", null).status());
  }

  @Test
  void collectionLifecycle() throws Exception {
    String c = "/collections/lifecycle";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"shard_number\":2}",
        200);
    JsonNode list = api.call("GET", "/collections", "/collections", null, 200).result();
    assertTrue(list.get("collections").toString().contains("\"lifecycle\""), list.toString());
    JsonNode info = api.call("GET", "/collections/{collection_name}", c, null, 200).result();
    assertEquals(4, info.at("/config/params/vectors/size").asInt());
    assertEquals("Dot", info.at("/config/params/vectors/distance").asText());
    assertEquals(2, info.at("/config/params/shard_number").asInt());
    assertEquals(0, info.get("points_count").asInt());
    assertTrue(
        api.call("GET", "/collections/{collection_name}/exists", c + "/exists", null, 200)
            .result()
            .get("exists")
            .asBoolean());

    QdrantHttp.Reply dup =
        api.call(
            "PUT",
            "/collections/{collection_name}",
            c,
            "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}",
            409);
    assertTrue(dup.body().at("/status/error").asText().contains("already exists"));

    assertTrue(
        api.call("DELETE", "/collections/{collection_name}", c, null, 200).result().asBoolean());
    assertFalse(
        api.call("GET", "/collections/{collection_name}/exists", c + "/exists", null, 200)
            .result()
            .get("exists")
            .asBoolean());
    assertFalse(
        api.call("DELETE", "/collections/{collection_name}", c, null, 200).result().asBoolean());
    api.call("GET", "/collections/{collection_name}", c, null, 404);
  }

  /**
   * {@code ordering} on writes: each of Qdrant's values is honoured (every write goes through its
   * shard's Raft leader in log order, Qdrant's {@code strong}); any other value is a 400 naming the
   * parameter, and nothing is written.
   */
  @Test
  void writeOrderingIsHonouredOrRefusedByName() throws Exception {
    String c = "/collections/ordered";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}",
        200);
    for (String ordering : List.of("weak", "medium", "strong")) {
      api.call(
          "PUT",
          "/collections/{collection_name}/points",
          c + "/points?wait=true&ordering=" + ordering,
          "{\"points\":[{\"id\":1,\"vector\":[1,2],\"payload\":{\"o\":\"" + ordering + "\"}}]}",
          200);
      assertEquals(
          ordering,
          api.call("GET", "/collections/{collection_name}/points/{id}", c + "/points/1", null, 200)
              .result()
              .at("/payload/o")
              .asText());
    }
    QdrantHttp.Reply refused =
        api.call(
            "PUT",
            "/collections/{collection_name}/points",
            c + "/points?wait=true&ordering=sometimes",
            "{\"points\":[{\"id\":2,\"vector\":[1,2]}]}",
            400);
    assertTrue(
        refused.body().at("/status/error").asText().contains("`ordering`"),
        refused.body().toString());
    api.call(
        "POST",
        "/collections/{collection_name}/points/delete",
        c + "/points/delete?ordering=sometimes",
        "{\"points\":[1]}",
        400);
    assertEquals(
        1,
        api.call(
                "POST",
                "/collections/{collection_name}/points/count",
                c + "/points/count",
                "{\"exact\":true}",
                200)
            .result()
            .get("count")
            .asInt(),
        "nothing written or deleted by the refused calls");
    api.call("DELETE", "/collections/{collection_name}", c, null, 200);
  }

  @Test
  void namedVectorsAndManhattan() throws Exception {
    String c = "/collections/named";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"image\":{\"size\":2,\"distance\":\"Manhattan\"},\"text\":{\"size\":3,\"distance\":\"Euclid\"}}}",
        200);
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":{\"image\":[0,0],\"text\":[1,1,1]}},{\"id\":2,\"vector\":{\"image\":[3,4],\"text\":[0,0,0]}}]}",
        200);
    // wait=true: applied before the answer, so nothing is left in the update queue of this one node
    assertEquals(
        0,
        api.call("GET", "/collections/{collection_name}", c, null, 200)
            .result()
            .at("/update_queue/length")
            .asInt(-1));
    JsonNode hits =
        api.call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[3,3],\"using\":\"image\",\"limit\":2}",
                200)
            .result()
            .get("points");
    assertEquals(2, hits.get(0).get("id").asInt());
    assertEquals(1.0, hits.get(0).get("score").asDouble(), 1e-6, "Manhattan distance |3-3|+|3-4|");
    assertEquals(6.0, hits.get(1).get("score").asDouble(), 1e-6);
    JsonNode old =
        api.call(
                "POST",
                "/collections/{collection_name}/points/search",
                c + "/points/search",
                "{\"vector\":{\"name\":\"text\",\"vector\":[0,0,0]},\"limit\":1}",
                200)
            .result();
    assertEquals(2, old.get(0).get("id").asInt());
    assertEquals(0.0, old.get(0).get("score").asDouble(), 1e-6);
    JsonNode point =
        api.call("GET", "/collections/{collection_name}/points/{id}", c + "/points/1", null, 200)
            .result();
    assertEquals(3, point.at("/vector/text").size());
    api.call(
        "POST",
        "/collections/{collection_name}/points/query",
        c + "/points/query",
        "{\"query\":[3,3],\"using\":\"audio\"}",
        400);
    // Named vectors are optional (Qdrant's model): a point with only `image` is written and shows
    // only it.
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":3,\"vector\":{\"image\":[0,0]}}]}",
        200);
    JsonNode third =
        api.call("GET", "/collections/{collection_name}/points/{id}", c + "/points/3", null, 200)
            .result();
    assertEquals(
        java.util.List.of("image"),
        java.util.List.copyOf(iterable(third.get("vector").fieldNames())));
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":4,\"vector\":{\"nope\":[0,0]}}]}",
        400);
  }

  private static java.util.List<String> iterable(java.util.Iterator<String> names) {
    java.util.List<String> out = new java.util.ArrayList<>();
    names.forEachRemaining(out::add);
    return out;
  }

  @Test
  void pointsRoundTripAndSearchOrder() throws Exception {
    String c = "/collections/points";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"},\"shard_number\":3}",
        200);
    String uuid = "5c56c793-69f3-4fbf-87e6-c4bf54c28c26";
    JsonNode upsert =
        api.call(
                "PUT",
                "/collections/{collection_name}/points",
                c + "/points?wait=true",
                "{\"points\":["
                    + "{\"id\":1,\"vector\":[0.05,0.61,0.76,0.74],\"payload\":{\"city\":\"Berlin\",\"tags\":[1,2]}},"
                    + "{\"id\":\""
                    + uuid
                    + "\",\"vector\":[0.19,0.81,0.75,0.11],\"payload\":{\"city\":\"London\"}},"
                    + "{\"id\":3,\"vector\":[0.36,0.55,0.47,0.94]}]}",
                200)
            .result();
    assertEquals("completed", upsert.get("status").asText());
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"batch\":{\"ids\":[10,11],\"vectors\":[[1,0,0,0],[0,1,0,0]],\"payloads\":[{\"n\":10},null]}}",
        200);
    assertEquals(
        5,
        api.call(
                "POST",
                "/collections/{collection_name}/points/count",
                c + "/points/count",
                "{}",
                200)
            .result()
            .get("count")
            .asInt());

    JsonNode one =
        api.call(
                "GET",
                "/collections/{collection_name}/points/{id}",
                c + "/points/" + uuid,
                null,
                200)
            .result();
    assertEquals(uuid, one.get("id").asText());
    assertEquals("London", one.at("/payload/city").asText());
    double norm = 0;
    for (JsonNode x : one.get("vector")) {
      norm += x.asDouble() * x.asDouble();
    }
    assertEquals(1.0, norm, 1e-5, "Cosine vectors are stored normalized, as Qdrant returns them");

    JsonNode many =
        api.call(
                "POST",
                "/collections/{collection_name}/points",
                c + "/points",
                "{\"ids\":[11,10,999],\"with_payload\":true}",
                200)
            .result();
    assertEquals(2, many.size(), "absent ids are skipped");
    assertEquals(11, many.get(0).get("id").asInt());
    assertEquals(10, many.at("/1/payload/n").asInt());

    // Query: exact cosine scores, best first across three shards, offset applied after the merge.
    float[] q = {0.2f, 0.1f, 0.9f, 0.7f};
    JsonNode hits =
        api.call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[0.2,0.1,0.9,0.7],\"limit\":10,\"with_payload\":true}",
                200)
            .result()
            .get("points");
    assertEquals(5, hits.size());
    List<Double> scores = new ArrayList<>();
    hits.forEach(h -> scores.add(h.get("score").asDouble()));
    for (int i = 1; i < scores.size(); i++) {
      assertTrue(scores.get(i - 1) >= scores.get(i), "descending: " + scores);
    }
    assertEquals(
        cosine(q, new float[] {0.05f, 0.61f, 0.76f, 0.74f}),
        hits.get(0).get("score").asDouble(),
        1e-5);
    assertEquals(1, hits.get(0).get("id").asInt());
    assertEquals("Berlin", hits.get(0).at("/payload/city").asText());
    JsonNode page =
        api.call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[0.2,0.1,0.9,0.7],\"limit\":2,\"offset\":1}",
                200)
            .result()
            .get("points");
    assertEquals(hits.get(1).get("id"), page.get(0).get("id"));
    assertEquals(hits.get(2).get("id"), page.get(1).get("id"));
    assertTrue(page.get(0).get("payload").isNull(), "no payload unless asked");

    JsonNode search =
        api.call(
                "POST",
                "/collections/{collection_name}/points/search",
                c + "/points/search",
                "{\"vector\":[0.2,0.1,0.9,0.7],\"limit\":1,\"with_vector\":true}",
                200)
            .result();
    assertEquals(1, search.get(0).get("id").asInt());
    assertEquals(4, search.get(0).get("vector").size());

    JsonNode deleted =
        api.call(
                "POST",
                "/collections/{collection_name}/points/delete",
                c + "/points/delete?wait=true",
                "{\"points\":[1,\"" + uuid + "\",12345]}",
                200)
            .result();
    assertEquals("completed", deleted.get("status").asText());
    api.call("GET", "/collections/{collection_name}/points/{id}", c + "/points/1", null, 404);
    assertEquals(
        3,
        api.call("GET", "/collections/{collection_name}", c, null, 200)
            .result()
            .get("points_count")
            .asInt());
  }

  @Test
  void filteredQueryAndCount() throws Exception {
    String c = "/collections/filtered";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"size\":2,\"distance\":\"Euclid\"},\"shard_number\":2}",
        200);
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 40; i++) {
      String city = i % 3 == 0 ? "Berlin" : i % 3 == 1 ? "London" : "Paris";
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":[")
          .append(i)
          .append(",0],")
          .append("\"payload\":{\"city\":\"")
          .append(city)
          .append("\",\"n\":")
          .append(i)
          .append(",\"tags\":[\"t")
          .append(i % 5)
          .append("\"]}}");
    }
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        points.append("]}").toString(),
        200);
    String filter =
        "{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"Berlin\"}},{\"key\":\"n\",\"range\":{\"gte\":10}}],"
            + "\"must_not\":[{\"key\":\"tags\",\"match\":{\"any\":[\"t2\"]}}]}";
    // The oracle: Berlin is i % 3 == 0, n is i, tag t2 is i % 5 == 2; nearest to [0, 0] means
    // smallest i.
    List<Integer> matching = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      if (i % 3 == 0 && i >= 10 && i % 5 != 2) {
        matching.add(i);
      }
    }
    JsonNode hits =
        api.call(
                "POST",
                "/collections/{collection_name}/points/query",
                c + "/points/query",
                "{\"query\":[0,0],\"limit\":3,\"filter\":" + filter + "}",
                200)
            .result()
            .get("points");
    assertEquals(
        matching.subList(0, 3),
        List.of(
            hits.get(0).get("id").asInt(),
            hits.get(1).get("id").asInt(),
            hits.get(2).get("id").asInt()));
    assertEquals(
        matching.size(),
        api.call(
                "POST",
                "/collections/{collection_name}/points/count",
                c + "/points/count",
                "{\"filter\":" + filter + "}",
                200)
            .result()
            .get("count")
            .asInt());
    JsonNode old =
        api.call(
                "POST",
                "/collections/{collection_name}/points/search",
                c + "/points/search",
                "{\"vector\":[40,0],\"limit\":1,\"filter\":{\"should\":[{\"has_id\":[5,7]}]}}",
                200)
            .result();
    assertEquals(7, old.get(0).get("id").asInt());
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/query",
        c + "/points/query",
        "{\"query\":[0,0],\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":\"x\"}}]}}",
        400,
        "filter.must[0].range");
  }

  @Test
  void badInputIsRejectedAndWritesNothing() throws Exception {
    String c = "/collections/strict";
    api.call(
        "PUT",
        "/collections/{collection_name}",
        c,
        "{\"vectors\":{\"size\":3,\"distance\":\"Euclid\"}}",
        200);
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":[1,2,3]}]}",
        200);

    api.assertError(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":2,\"vector\":[1,2,3]},{\"id\":3,\"vector\":[1,2]}]}",
        400,
        "expected dim: 3, got 2");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":-4,\"vector\":[1,2,3]}]}",
        400,
        "points[0].id");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":\"not-a-uuid\",\"vector\":[1,2,3]}]}",
        400,
        "points[0].id");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":5,\"vector\":[1,\"x\",3]}]}",
        400,
        "points[0].vector[1]");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"points\":[{\"id\":5,\"vector\":[1,2,3]",
        400,
        "Json deserialize error");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/points",
        c + "/points?wait=true",
        "{\"batch\":{\"ids\":[7,8],\"vectors\":[[1,2,3]]}}",
        400,
        "batch.vectors");
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/query",
        c + "/points/query",
        "{\"query\":[1,2]}",
        400,
        "expected dim: 3, got 2");
    api.assertError(
        "POST",
        "/collections/{collection_name}/points/query",
        c + "/points/query",
        "{\"query\":[1,2,3],\"limit\":-1}",
        400,
        "limit");
    api.assertError(
        "PUT",
        "/collections/{collection_name}",
        "/collections/other",
        "{\"vectors\":{\"size\":3,\"distance\":\"Hamming\"}}",
        400,
        "Hamming");
    api.assertError(
        "PUT",
        "/collections/{collection_name}",
        "/collections/other",
        "{\"vectors\":{\"size\":0,\"distance\":\"Dot\"}}",
        400,
        "vectors.size");
    api.assertError(
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/missing/points?wait=true",
        "{\"points\":[]}",
        404,
        "Collection `missing` doesn't exist");
    api.assertError(
        "GET", "/collections/{collection_name}/points/{id}", c + "/points/77", null, 404, "77");

    // A body over the configured limit (1 MiB here): 413, and nothing written.
    StringBuilder big = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 40_000; i++) {
      big.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(100 + i)
          .append(",\"vector\":[1.0,2.0,3.0]}");
    }
    big.append("]}");
    QdrantHttp.Reply tooLarge = api.http().send("PUT", c + "/points?wait=true", big.toString());
    assertEquals(413, tooLarge.status(), tooLarge.raw());
    assertTrue(tooLarge.raw().contains("max_request_size_mb"), tooLarge.raw());

    assertFalse(
        api.call(
                "GET",
                "/collections/{collection_name}/exists",
                "/collections/other/exists",
                null,
                200)
            .result()
            .get("exists")
            .asBoolean());
    assertEquals(
        1,
        api.call(
                "POST",
                "/collections/{collection_name}/points/count",
                c + "/points/count",
                "{}",
                200)
            .result()
            .get("count")
            .asInt(),
        "no bad request wrote anything");
    assertEquals(200, api.http().get("/healthz").status(), "the node survived every bad request");
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
