package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.config.ConfigKey;
import io.quiver.node.config.NodeConfig;
import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRequest;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.filter.FilterCodec;
import java.util.List;

/**
 * The node's limits on the size of one request's work, checked on the parsed body before any
 * handler reads it (so a hostile body costs one walk of its tree, never a search or a write):
 *
 * <ul>
 *   <li>{@code limit} (or {@code top}) of a query, search, scroll, facet or group request, and
 *       {@code offset + limit}: at most {@link #maxResultLimit} ({@code
 *       service.limits.max_result_limit});
 *   <li>points in an upsert ({@code points}, {@code batch.ids}), ids in a retrieve, delete or
 *       payload change, the points of a batch's operations together, ids of {@code has_id} and
 *       values of {@code match.any}/{@code except}: at most {@link #maxPointsPerRequest};
 *   <li>searches of a batch plus every prefetch at any depth: at most {@link
 *       #maxQueriesPerRequest};
 *   <li>operations of a {@code points/batch}: at most {@link #maxBatchOperations};
 *   <li>conditions of one filter (nested filters included): at most {@link #maxFilterConditions},
 *       nested at most {@link #maxFilterDepth} levels.
 * </ul>
 *
 * Each refusal is a 400 naming the field by its JSON path, the limit and the setting. The walk only
 * enters the places where these fields live (the body's root, {@code searches}, {@code prefetch},
 * {@code operations}), never payloads, so a payload key called {@code limit} or {@code filter} is
 * just data. Immutable and thread-safe.
 */
public record RequestLimits(
    int maxResultLimit,
    int maxPointsPerRequest,
    int maxQueriesPerRequest,
    int maxBatchOperations,
    int maxFilterConditions,
    int maxFilterDepth)
    implements RestRequest.BodyCheck {

  /** The defaults of the settings (see {@link ConfigKey}). */
  public static final RequestLimits DEFAULTS =
      new RequestLimits(
          SearchRequest.MAX_LIMIT, 100_000, 1_000, 1_000, 10_000, FilterCodec.DEPTH_MAX);

  public RequestLimits {
    if (maxResultLimit < 1 || maxResultLimit > SearchRequest.MAX_LIMIT) {
      throw new IllegalArgumentException(
          ConfigKey.MAX_RESULT_LIMIT.key()
              + " must be from 1 to "
              + SearchRequest.MAX_LIMIT
              + ", got "
              + maxResultLimit);
    }
    if (maxFilterDepth < 1 || maxFilterDepth > FilterCodec.DEPTH_MAX) {
      throw new IllegalArgumentException(
          ConfigKey.MAX_FILTER_DEPTH.key()
              + " must be from 1 to "
              + FilterCodec.DEPTH_MAX
              + ", got "
              + maxFilterDepth);
    }
    if (maxPointsPerRequest < 1
        || maxQueriesPerRequest < 1
        || maxBatchOperations < 1
        || maxFilterConditions < 1) {
      throw new IllegalArgumentException("request limits must be positive");
    }
  }

  /**
   * The limits set by the node's configuration; an out-of-range value is an error naming its key.
   */
  public static RequestLimits from(NodeConfig config) {
    return new RequestLimits(
        intOf(config, ConfigKey.MAX_RESULT_LIMIT),
        intOf(config, ConfigKey.MAX_POINTS_PER_REQUEST),
        intOf(config, ConfigKey.MAX_QUERIES_PER_REQUEST),
        intOf(config, ConfigKey.MAX_BATCH_OPERATIONS),
        intOf(config, ConfigKey.MAX_FILTER_CONDITIONS),
        intOf(config, ConfigKey.MAX_FILTER_DEPTH));
  }

  private static int intOf(NodeConfig config, ConfigKey key) {
    return (int) Math.min(Integer.MAX_VALUE, config.positiveLong(key));
  }

  @Override
  public void check(String template, JsonNode body) {
    if (template == null || !body.isObject()) {
      return;
    }
    boolean scroll = template.endsWith("/points/scroll");
    int[] queries = {0};
    if (body.get("searches") instanceof JsonNode searches && searches.isArray()) {
      queries[0] += searches.size();
      requireAtMost(
          queries[0],
          maxQueriesPerRequest,
          "searches",
          "searches in one batch",
          ConfigKey.MAX_QUERIES_PER_REQUEST);
      for (int i = 0; i < searches.size(); i++) {
        queryLike(searches.get(i), "searches[" + i + "]", false, queries);
      }
    }
    queryLike(body, "", scroll, queries);
    points(body);
    if (body.get("operations") instanceof JsonNode operations && operations.isArray()) {
      requireAtMost(
          operations.size(),
          maxBatchOperations,
          "operations",
          "operations in one batch",
          ConfigKey.MAX_BATCH_OPERATIONS);
      long total = 0;
      for (int i = 0; i < operations.size(); i++) {
        for (var it = operations.get(i).properties().iterator(); it.hasNext(); ) {
          var operation = it.next();
          String at = "operations[" + i + "]." + operation.getKey();
          total += points(operation.getValue(), at);
          filters(operation.getValue(), at);
          requireAtMost(
              total,
              maxPointsPerRequest,
              at,
              "points in one batch",
              ConfigKey.MAX_POINTS_PER_REQUEST);
        }
      }
    }
  }

  /**
   * A query, search or scroll body at {@code at}: its limit and offset, filters, and prefetches.
   */
  private void queryLike(JsonNode node, String at, boolean scroll, int[] queries) {
    if (node == null || !node.isObject()) {
      return;
    }
    JsonNode limit = node.has("limit") ? node.get("limit") : node.get("top");
    long limitValue = 0;
    if (limit != null && limit.isIntegralNumber()) {
      limitValue = limit.asLong();
      requireAtMost(
          limitValue,
          maxResultLimit,
          path(at, node.has("limit") ? "limit" : "top"),
          "results",
          ConfigKey.MAX_RESULT_LIMIT);
    }
    JsonNode offset = node.get("offset");
    if (!scroll && offset != null && offset.isIntegralNumber() && offset.asLong() > 0) {
      long window = offset.asLong() + Math.max(limitValue, 0);
      if (window > maxResultLimit) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `"
                + path(at, "offset")
                + "` + `limit` is "
                + window
                + ", above the limit of "
                + maxResultLimit
                + " results ("
                + ConfigKey.MAX_RESULT_LIMIT.key()
                + ")");
      }
    }
    filters(node, at);
    JsonNode prefetch = node.get("prefetch");
    if (prefetch != null && (prefetch.isObject() || prefetch.isArray())) {
      List<JsonNode> stages =
          prefetch.isArray() ? prefetch.valueStream().toList() : List.of(prefetch);
      queries[0] += stages.size();
      requireAtMost(
          queries[0],
          maxQueriesPerRequest,
          path(at, "prefetch"),
          "searches and prefetches in one request",
          ConfigKey.MAX_QUERIES_PER_REQUEST);
      for (int i = 0; i < stages.size(); i++) {
        queryLike(
            stages.get(i),
            path(at, "prefetch") + (prefetch.isArray() ? "[" + i + "]" : ""),
            false,
            queries);
      }
    }
  }

  /** The point ids and points listed at the root of a body. */
  private void points(JsonNode body) {
    points(body, "");
  }

  private long points(JsonNode node, String at) {
    long count = 0;
    for (String field : List.of("points", "ids")) {
      if (node.get(field) instanceof JsonNode list && list.isArray()) {
        requireAtMost(
            list.size(),
            maxPointsPerRequest,
            path(at, field),
            "points in one request",
            ConfigKey.MAX_POINTS_PER_REQUEST);
        count += list.size();
      }
    }
    if (node.get("batch") instanceof JsonNode batch
        && batch.get("ids") instanceof JsonNode ids
        && ids.isArray()) {
      requireAtMost(
          ids.size(),
          maxPointsPerRequest,
          path(at, "batch.ids"),
          "points in one request",
          ConfigKey.MAX_POINTS_PER_REQUEST);
      count += ids.size();
    }
    return count;
  }

  private void filters(JsonNode node, String at) {
    for (String field : List.of("filter", "update_filter")) {
      JsonNode filter = node.get(field);
      if (filter != null && filter.isObject()) {
        int[] conditions = {0};
        filter(filter, path(at, field), 1, conditions);
      }
    }
  }

  /**
   * Counts the conditions of one filter (nested ones too) and checks its depth, as {@code
   * FilterJson} reads it.
   */
  private void filter(JsonNode filter, String at, int depth, int[] conditions) {
    if (depth > maxFilterDepth) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + at
              + "` nests filters deeper than "
              + maxFilterDepth
              + " levels ("
              + ConfigKey.MAX_FILTER_DEPTH.key()
              + ")");
    }
    for (String clause : List.of("must", "should", "must_not")) {
      JsonNode c = filter.get(clause);
      if (c != null && c.isArray()) {
        for (int i = 0; i < c.size(); i++) {
          condition(c.get(i), at + "." + clause + "[" + i + "]", depth, conditions);
        }
      } else if (c != null && c.isObject()) {
        condition(c, at + "." + clause, depth, conditions);
      }
    }
    if (filter.get("min_should") instanceof JsonNode minShould
        && minShould.get("conditions") instanceof JsonNode c
        && c.isArray()) {
      for (int i = 0; i < c.size(); i++) {
        condition(c.get(i), at + ".min_should.conditions[" + i + "]", depth, conditions);
      }
    }
  }

  private void condition(JsonNode condition, String at, int depth, int[] conditions) {
    conditions[0]++;
    requireAtMost(
        conditions[0],
        maxFilterConditions,
        at,
        "conditions in one filter",
        ConfigKey.MAX_FILTER_CONDITIONS);
    if (!condition.isObject()) {
      return;
    }
    if (condition.has("must")
        || condition.has("should")
        || condition.has("must_not")
        || condition.has("min_should")) {
      filter(condition, at, depth + 1, conditions);
    }
    if (condition.get("nested") instanceof JsonNode nested
        && nested.get("filter") instanceof JsonNode inner
        && inner.isObject()) {
      filter(inner, at + ".nested.filter", depth + 1, conditions);
    }
    if (condition.get("has_id") instanceof JsonNode ids && ids.isArray()) {
      requireAtMost(
          ids.size(),
          maxPointsPerRequest,
          at + ".has_id",
          "ids in has_id",
          ConfigKey.MAX_POINTS_PER_REQUEST);
    }
    if (condition.get("match") instanceof JsonNode match) {
      for (String list : List.of("any", "except")) {
        if (match.get(list) instanceof JsonNode values && values.isArray()) {
          requireAtMost(
              values.size(),
              maxPointsPerRequest,
              at + ".match." + list,
              "values in one match",
              ConfigKey.MAX_POINTS_PER_REQUEST);
        }
      }
    }
  }

  private static void requireAtMost(
      long value, long max, String field, String what, ConfigKey setting) {
    if (value > max) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + field
              + "`: "
              + value
              + " "
              + what
              + " is above the limit of "
              + max
              + " ("
              + setting.key()
              + ")");
    }
  }

  private static String path(String at, String field) {
    return at.isEmpty() ? field : at + "." + field;
  }
}
