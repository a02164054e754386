package io.quiver.node.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.node.http.ApiException;
import org.junit.jupiter.api.Test;

/**
 * Each limit refuses one past it with a 400 naming the field and the setting, and accepts the limit
 * itself.
 */
class RequestLimitsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RequestLimits SMALL = new RequestLimits(100, 5, 3, 2, 4, 3);
  private static final String QUERY = "/collections/{collection_name}/points/query";

  private static JsonNode body(String json) throws Exception {
    return JSON.readTree(json);
  }

  private static void refused(String template, String json, String field, String setting)
      throws Exception {
    ApiException e =
        assertThrows(ApiException.class, () -> SMALL.check(template, body(json)), json);
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains("`" + field + "`"), e.getMessage());
    assertTrue(e.getMessage().contains(setting), e.getMessage());
  }

  @Test
  void limitAndOffset() throws Exception {
    assertDoesNotThrow(() -> SMALL.check(QUERY, body("{\"limit\":100}")));
    refused(QUERY, "{\"limit\":101}", "limit", "service.limits.max_result_limit");
    refused(QUERY, "{\"limit\":60,\"offset\":41}", "offset", "service.limits.max_result_limit");
    refused(
        QUERY,
        "{\"prefetch\":{\"limit\":101}}",
        "prefetch.limit",
        "service.limits.max_result_limit");
    refused(
        "/collections/{collection_name}/points/search/batch",
        "{\"searches\":[{\"limit\":1},{\"top\":500}]}",
        "searches[1].top",
        "service.limits.max_result_limit");
    // A scroll's offset is a point id, not a count.
    assertDoesNotThrow(
        () ->
            SMALL.check(
                "/collections/{collection_name}/points/scroll",
                body("{\"limit\":10,\"offset\":1000}")));
  }

  @Test
  void pointsQueriesAndOperations() throws Exception {
    assertDoesNotThrow(() -> SMALL.check("x", body("{\"points\":[1,2,3,4,5]}")));
    refused("x", "{\"points\":[1,2,3,4,5,6]}", "points", "service.limits.max_points_per_request");
    refused(
        "x",
        "{\"batch\":{\"ids\":[1,2,3,4,5,6]}}",
        "batch.ids",
        "service.limits.max_points_per_request");
    refused("x", "{\"ids\":[1,2,3,4,5,6]}", "ids", "service.limits.max_points_per_request");
    refused(
        "x",
        "{\"operations\":[{\"delete\":{\"points\":[1,2,3]}},{\"upsert\":{\"points\":[4,5,6]}}]}",
        "operations[1].upsert",
        "service.limits.max_points_per_request");
    refused(
        "x", "{\"operations\":[{},{},{}]}", "operations", "service.limits.max_batch_operations");
    refused(
        "x", "{\"searches\":[{},{},{},{}]}", "searches", "service.limits.max_queries_per_request");
    refused(
        QUERY,
        "{\"prefetch\":[{\"prefetch\":[{},{}]},{}]}",
        "prefetch[0].prefetch",
        "service.limits.max_queries_per_request");
  }

  @Test
  void filters() throws Exception {
    String four =
        "{\"filter\":{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1}},{\"key\":\"a\",\"match\":{\"value\":1}}],"
            + "\"should\":[{\"has_id\":[1]},{\"is_empty\":{\"key\":\"b\"}}]}}";
    assertDoesNotThrow(() -> SMALL.check(QUERY, body(four)));
    refused(
        QUERY,
        four.replace("{\"is_empty\"", "{\"is_null\":{\"key\":\"c\"}},{\"is_empty\""),
        "filter.should[2]",
        "service.limits.max_filter_conditions");
    refused(
        QUERY,
        "{\"filter\":{\"must\":{\"must\":{\"must\":{\"must\":{\"key\":\"a\"}}}}}}",
        "filter.must.must.must",
        "service.limits.max_filter_depth");
    refused(
        QUERY,
        "{\"filter\":{\"must\":[{\"has_id\":[1,2,3,4,5,6]}]}}",
        "filter.must[0].has_id",
        "service.limits.max_points_per_request");
    refused(
        "x",
        "{\"operations\":[{\"delete\":{\"filter\":{\"must\":[{},{},{},{},{}]}}}]}",
        "operations[0].delete.filter.must[4]",
        "service.limits.max_filter_conditions");
  }

  @Test
  void payloadsAreData() throws Exception {
    assertDoesNotThrow(
        () ->
            SMALL.check(
                "x",
                body(
                    "{\"points\":[{\"id\":1,\"payload\":{\"limit\":1e9,\"filter\":{\"must\":[{},{},{},{},{},{}]},\"points\":[1,2,3,4,5,6,7]}}]}")));
  }

  @Test
  void settingsOutOfRangeAreRefusedByName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new RequestLimits(100_001, 1, 1, 1, 1, 1));
    assertTrue(e.getMessage().contains("service.limits.max_result_limit"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new RequestLimits(1, 1, 1, 1, 1, 65));
    assertTrue(e.getMessage().contains("service.limits.max_filter_depth"), e.getMessage());
  }
}
