package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Strict mode ({@code strict_mode_config}) on real nodes: given on create and PATCH, echoed in
 * collection info, and every limit it sets refused with Qdrant's status and exact message (a
 * strict-mode violation is a bad request, {@code "Bad request: <what>. Help: <fix>"}; a rate limit
 * a 429), while a request within the limits passes; {@code enabled: false} lifts them all and keeps
 * them stored. On a two-node cluster (both started at once) the limits set through one node are
 * enforced by the other, which learns them from the metadata log.
 */
@Timeout(300)
class StrictModeIT {

  private static final String Q = "/collections/{collection_name}/points/query";
  private static final String C = "/collections/{collection_name}";

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void everyLimitIsEnforcedWithQdrantsMessage() throws Exception {
    NodeProcess node = NODES.start();
    SpecClient api = new SpecClient(node.baseUrl());
    String strict =
        "{\"enabled\":true,\"max_query_limit\":5,\"max_timeout\":2,\"search_max_hnsw_ef\":16,"
            + "\"search_allow_exact\":false,\"search_max_oversampling\":1.5,\"upsert_max_batchsize\":3,\"search_max_batchsize\":2,"
            + "\"filter_max_conditions\":2,\"condition_max_size\":3,\"unindexed_filtering_retrieve\":false,"
            + "\"unindexed_filtering_update\":false,\"max_points_count\":5,\"max_payload_index_count\":1}";
    api.call(
        "PUT",
        C,
        "/collections/sm",
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"strict_mode_config\":" + strict + "}",
        200);
    assertEquals(
        QdrantHttp.JSON.readTree(strict),
        config(api, "sm").get("strict_mode_config"),
        "echoed exactly");

    // upsert_max_batchsize
    refused(
        api,
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/sm/points?wait=true",
        points(0, 4),
        400,
        limit(4, 3, "upsert limit"));
    refused(
        api,
        "POST",
        "/collections/{collection_name}/points/batch",
        "/collections/sm/points/batch?wait=true",
        "{\"operations\":[{\"upsert\":" + points(0, 4) + "}]}",
        400,
        limit(4, 3, "upsert limit"));
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/sm/points?wait=true",
        points(0, 3),
        200);

    // max_query_limit (limit + offset), max_timeout, search params, search_max_batchsize
    api.call(
        "POST",
        Q,
        "/collections/sm/points/query?timeout=2",
        "{\"query\":[1,1],\"limit\":5,\"params\":{\"hnsw_ef\":16}}",
        200);
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"query\":[1,1],\"limit\":6}",
        400,
        limit(6, 5, "limit"));
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"query\":[1,1],\"limit\":3,\"offset\":3}",
        400,
        limit(6, 5, "limit"));
    refused(
        api,
        "POST",
        "/collections/{collection_name}/points/search",
        "/collections/sm/points/search",
        "{\"vector\":[1,1],\"limit\":7}",
        400,
        limit(7, 5, "limit"));
    refused(
        api,
        "POST",
        "/collections/{collection_name}/points/scroll",
        "/collections/sm/points/scroll",
        "{}",
        400,
        limit(10, 5, "limit")); // a scroll's default limit counts
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"prefetch\":{\"query\":[1,1],\"limit\":9},\"query\":[1,1],\"limit\":2}",
        400,
        limit(9, 5, "limit"));
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query?timeout=3",
        "{\"query\":[1,1],\"limit\":1}",
        400,
        limit(3, 2, "timeout"));
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"query\":[1,1],\"params\":{\"hnsw_ef\":17}}",
        400,
        limit(17, 16, "hnsw_ef"));
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"query\":[1,1],\"limit\":1,\"params\":{\"exact\":true}}",
        400,
        "Bad request: Exact search disabled!. Help: Set exact=false.");
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"query\":[1,1],\"limit\":1,\"params\":{\"quantization\":{\"oversampling\":2.0}}}",
        400,
        limit(2, 1.5, "oversampling"));
    String search = "{\"query\":[1,1],\"limit\":1}";
    api.call(
        "POST",
        Q + "/batch",
        "/collections/sm/points/query/batch",
        "{\"searches\":[" + search + "," + search + "]}",
        200);
    refused(
        api,
        "POST",
        Q + "/batch",
        "/collections/sm/points/query/batch",
        "{\"searches\":[" + search + "," + search + "," + search + "]}",
        400,
        limit(3, 2, "search batch size"));

    // filters: filter_max_conditions, condition_max_size, unindexed_filtering_retrieve / _update
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"query\":[1,1],\"limit\":1,\"filter\":{\"must\":["
            + "{\"key\":\"n\",\"match\":{\"value\":1}},{\"key\":\"n\",\"match\":{\"value\":2}},{\"key\":\"n\",\"match\":{\"value\":3}}]}}",
        400,
        "Bad request: Filter condition limit reached (3 > 2). Help: Reduce the amount of conditions of your filter.");
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"query\":[1,1],\"limit\":1,\"filter\":{\"must\":["
            + "{\"key\":\"city\",\"match\":{\"any\":[\"a\",\"b\",\"c\",\"d\"]}}]}}",
        400,
        "Bad request: Condition size limit reached (4 > 3). Help: Reduce the size of your condition.");
    String cityFilter = "{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"Berlin\"}}]}";
    String unindexed =
        "Bad request: Index required but not found for \"city\" of one of the following types: [keyword, uuid]."
            + " Help: Create an index for this key or use a different filter.";
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"query\":[1,1],\"limit\":1,\"filter\":" + cityFilter + "}",
        400,
        unindexed);
    refused(
        api,
        "POST",
        "/collections/{collection_name}/points/count",
        "/collections/sm/points/count",
        "{\"filter\":" + cityFilter + "}",
        400,
        unindexed);
    // a score formula's condition and its payload variables ask for indexes too, as in Qdrant
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"prefetch\":{\"query\":[1,1]},\"limit\":1,\"query\":{\"formula\":{\"sum\":[\"$score\","
            + "{\"key\":\"city\",\"match\":{\"value\":\"Berlin\"}}]}}}",
        400,
        unindexed);
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"prefetch\":{\"query\":[1,1]},\"limit\":1,\"query\":{\"formula\":{\"mult\":[\"$score\",\"price\"]}}}",
        400,
        "Bad request: Index required but not found for \"price\" of one of the following types: [float, integer]."
            + " Help: Create an index for this key or use a different filter.");
    refused(
        api,
        "POST",
        "/collections/{collection_name}/points/delete",
        "/collections/sm/points/delete?wait=true",
        "{\"filter\":" + cityFilter + "}",
        400,
        unindexed);
    api.call(
        "PUT",
        "/collections/{collection_name}/index",
        "/collections/sm/index?wait=true",
        "{\"field_name\":\"city\",\"field_schema\":\"keyword\"}",
        200);
    JsonNode counted =
        api.call(
                "POST",
                "/collections/{collection_name}/points/count",
                "/collections/sm/points/count",
                "{\"filter\":" + cityFilter + "}",
                200)
            .result();
    assertEquals(3, counted.get("count").asInt(), "an indexed key may be filtered on");

    // max_payload_index_count: a second index is one too many; the existing one may be re-created
    refused(
        api,
        "PUT",
        "/collections/{collection_name}/index",
        "/collections/sm/index?wait=true",
        "{\"field_name\":\"n\",\"field_schema\":\"integer\"}",
        400,
        limit(2, 1, "payload index count"));
    api.call(
        "PUT",
        "/collections/{collection_name}/index",
        "/collections/sm/index?wait=true",
        "{\"field_name\":\"city\",\"field_schema\":\"keyword\"}",
        200);

    // max_points_count: refused once the collection holds that many
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/sm/points?wait=true",
        points(3, 2),
        200);
    refused(
        api,
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/sm/points?wait=true",
        points(5, 1),
        400,
        "Bad request: Max points count limit of 5 reached!. Help: Delete points or raise `max_points_count` in the strict"
            + " mode config of this collection.");

    // enabled: false lifts every limit and keeps them stored; true brings them back
    api.call("PATCH", C, "/collections/sm", "{\"strict_mode_config\":{\"enabled\":false}}", 200);
    JsonNode disabled = config(api, "sm").get("strict_mode_config");
    assertEquals(false, disabled.get("enabled").asBoolean());
    assertEquals(5, disabled.get("max_query_limit").asInt(), "the limits stay stored");
    api.call(
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"query\":[1,1],\"limit\":6,\"params\":{\"exact\":true}}",
        200);
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/sm/points?wait=true",
        points(5, 4),
        200);
    api.call(
        "PATCH",
        C,
        "/collections/sm",
        "{\"strict_mode_config\":{\"enabled\":true,\"max_query_limit\":7}}",
        200);
    assertEquals(7, config(api, "sm").at("/strict_mode_config/max_query_limit").asInt());
    api.call("POST", Q, "/collections/sm/points/query", "{\"query\":[1,1],\"limit\":7}", 200);
    refused(
        api,
        "POST",
        Q,
        "/collections/sm/points/query",
        "{\"query\":[1,1],\"limit\":8}",
        400,
        limit(8, 7, "limit"));

    // what is not implemented is refused by name, on create and on PATCH
    api.assertError(
        "PATCH",
        C,
        "/collections/sm",
        "{\"strict_mode_config\":{\"max_collection_vector_size_bytes\":100}}",
        400,
        "strict_mode_config.max_collection_vector_size_bytes");
    api.assertError(
        "PUT",
        C,
        "/collections/other",
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},"
            + "\"strict_mode_config\":{\"max_collection_payload_size_bytes\":100}}",
        400,
        "strict_mode_config.max_collection_payload_size_bytes");
    api.assertError(
        "PATCH",
        C,
        "/collections/sm",
        "{\"strict_mode_config\":{\"max_query_limit\":0}}",
        400,
        "strict_mode_config.max_query_limit");
    assertEquals(
        7,
        config(api, "sm").at("/strict_mode_config/max_query_limit").asInt(),
        "refused updates changed nothing");
  }

  @Test
  void multivectorSparseAndRateLimits() throws Exception {
    NodeProcess node = NODES.start();
    SpecClient api = new SpecClient(node.baseUrl());
    api.call(
        "PUT", C, "/collections/plain", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}", 200);
    assertEquals(
        QdrantHttp.JSON.readTree("{\"enabled\":false}"),
        config(api, "plain").get("strict_mode_config"),
        "a collection without strict mode reports it disabled");

    api.call(
        "PUT",
        C,
        "/collections/mv",
        "{\"vectors\":{\"m\":{\"size\":2,\"distance\":\"Dot\",\"multivector_config\":"
            + "{\"comparator\":\"max_sim\"}}},\"sparse_vectors\":{\"s\":{}},\"strict_mode_config\":{\"enabled\":true,"
            + "\"multivector_config\":{\"m\":{\"max_vectors\":2}},\"sparse_config\":{\"s\":{\"max_length\":2}}}}",
        200);
    assertEquals(
        QdrantHttp.JSON.readTree(
            "{\"enabled\":true,\"multivector_config\":{\"m\":{\"max_vectors\":2}},"
                + "\"sparse_config\":{\"s\":{\"max_length\":2}}}"),
        config(api, "mv").get("strict_mode_config"));
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/mv/points?wait=true",
        "{\"points\":[{\"id\":1,"
            + "\"vector\":{\"m\":[[1,0],[0,1]],\"s\":{\"indices\":[1,2],\"values\":[1,1]}}}]}",
        200);
    refused(
        api,
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/mv/points?wait=true",
        "{\"points\":[{\"id\":2," + "\"vector\":{\"m\":[[1,0],[0,1],[1,1]]}}]}",
        400,
        "Bad request: Multivector \"m\" has 3 vectors, more than the"
            + " limit of 2. Help: Reduce the number of vectors in the multivector to or below 2.");
    refused(
        api,
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/mv/points?wait=true",
        "{\"points\":[{\"id\":2,"
            + "\"vector\":{\"s\":{\"indices\":[1,2,3],\"values\":[1,1,1]}}}]}",
        400,
        "Bad request: Sparse vector \"s\" has 3"
            + " elements, more than the limit of 2. Help: Reduce the length of the sparse vector to or below 2.");

    // read_rate_limit: 3 reads a minute on this node; the fourth is refused with 429
    api.call(
        "PUT",
        C,
        "/collections/rl",
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},"
            + "\"strict_mode_config\":{\"enabled\":true,\"read_rate_limit\":3,\"write_rate_limit\":2}}",
        200);
    assertEquals(3, config(api, "rl").at("/strict_mode_config/read_rate_limit").asInt());
    for (int i = 0; i < 3; i++) {
      api.call("POST", Q, "/collections/rl/points/query", "{\"query\":[1,1],\"limit\":1}", 200);
    }
    QdrantHttp.Reply limited =
        api.call("POST", Q, "/collections/rl/points/query", "{\"query\":[1,1],\"limit\":1}", 429);
    assertTrue(
        limited
            .body()
            .at("/status/error")
            .asText()
            .startsWith(
                "Rate limiting exceeded: Read rate limit exceeded: Operation requires 1 tokens but only 0."),
        limited.raw());
    refused(
        api,
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/rl/points?wait=true",
        points(0, 3),
        429,
        "Rate limiting exceeded: Write rate limit exceeded, operation requires 3 tokens, more than the limit of 2 per minute");
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/rl/points?wait=true",
        points(0, 2),
        200);
  }

  @Test
  void limitsSetThroughOneNodeAreEnforcedByTheOther() throws Exception {
    List<NodeProcess> nodes = NODES.startCluster(2, n -> {});
    SpecClient first = new SpecClient(nodes.get(0).baseUrl());
    SpecClient second = new SpecClient(nodes.get(1).baseUrl());
    awaitStatus(second, "/cluster", 200);
    first.call(
        "PUT",
        C,
        "/collections/cw",
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,"
            + "\"strict_mode_config\":{\"enabled\":true,\"max_query_limit\":3,\"upsert_max_batchsize\":2}}",
        200);
    awaitStrict(second, "cw", true);
    refused(
        second,
        "POST",
        Q,
        "/collections/cw/points/query",
        "{\"query\":[1,1],\"limit\":4}",
        400,
        limit(4, 3, "limit"));
    refused(
        second,
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/cw/points?wait=true",
        points(0, 3),
        400,
        limit(3, 2, "upsert limit"));
    second.call(
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/cw/points?wait=true",
        points(0, 2),
        200);

    second.call("PATCH", C, "/collections/cw", "{\"strict_mode_config\":{\"enabled\":false}}", 200);
    awaitStrict(first, "cw", false);
    JsonNode hits =
        first
            .call("POST", Q, "/collections/cw/points/query", "{\"query\":[1,1],\"limit\":4}", 200)
            .result();
    assertEquals(
        2,
        hits.get("points").size(),
        "disabled through the other node: the limit is lifted here too");
  }

  private static String limit(Object value, Object max, String name) {
    return "Bad request: Limit exceeded "
        + value
        + " > "
        + max
        + " for \""
        + name
        + "\". Help: Reduce the \""
        + name
        + "\" parameter to or below "
        + max
        + ".";
  }

  /** {@code count} points from id {@code from}, with a payload (city, n). */
  private static String points(int from, int count) {
    StringBuilder b = new StringBuilder("{\"points\":[");
    for (int i = from; i < from + count; i++) {
      b.append(i == from ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":[1,")
          .append(i)
          .append("],\"payload\":{\"city\":\"Berlin\",\"n\":")
          .append(i)
          .append("}}");
    }
    return b.append("]}").toString();
  }

  private static void refused(
      SpecClient api,
      String method,
      String template,
      String path,
      String body,
      int status,
      String message)
      throws Exception {
    QdrantHttp.Reply r = api.call(method, template, path, body, status);
    assertEquals(message, r.body().at("/status/error").asText(), method + " " + path + " " + body);
  }

  private static JsonNode config(SpecClient api, String collection) throws Exception {
    return api.call("GET", C, "/collections/" + collection, null, 200).result().get("config");
  }

  private static void awaitStrict(SpecClient api, String collection, boolean enabled)
      throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      QdrantHttp.Reply r = api.http().get("/collections/" + collection);
      if (r.status() == 200
          && r.body().at("/result/config/strict_mode_config/enabled").asBoolean() == enabled) {
        return;
      }
      assertTrue(
          System.nanoTime() < deadline,
          "the node did not learn strict mode enabled=" + enabled + ": " + r.raw());
      Thread.sleep(100);
    }
  }

  private static void awaitStatus(SpecClient api, String path, int status) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (api.http().get(path).status() != status) {
      assertTrue(System.nanoTime() < deadline, path + " never answered " + status);
      Thread.sleep(100);
    }
  }
}
