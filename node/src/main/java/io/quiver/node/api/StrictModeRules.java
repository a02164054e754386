package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.http.ApiException;
import io.quiver.sharding.StrictModeConfig;
import io.quiver.storage.VectorsConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The strict-mode checks that need only the request body (Qdrant's {@code StrictModeVerification}):
 * query limits, search params, filter size, batch sizes and per-vector sizes. Each violation throws
 * Qdrant's refusal; the payload keys a filter uses are collected for the index check, which needs
 * the shards' payload schema ({@link StrictModeGuard}). One instance per request; not thread-safe.
 */
final class StrictModeRules {

  private final StrictModeConfig config;

  /**
   * Filtered payload key -&gt; the index types that would serve it (Qdrant names them in its
   * refusal).
   */
  private final Map<String, TreeSet<String>> readKeys = new TreeMap<>();

  private final Map<String, TreeSet<String>> writeKeys = new TreeMap<>();

  StrictModeRules(StrictModeConfig config) {
    this.config = config;
  }

  StrictModeConfig config() {
    return config;
  }

  Map<String, TreeSet<String>> readKeys() {
    return readKeys;
  }

  Map<String, TreeSet<String>> writeKeys() {
    return writeKeys;
  }

  /** Qdrant's strict-mode refusal: {@code "<error>. Help: <solution>"}, a bad request. */
  static ApiException forbidden(String error, String solution) {
    return ApiException.badRequest("Bad request: " + error + ". Help: " + solution);
  }

  static ApiException exceeded(Object value, Object limit, String name) {
    return forbidden(
        "Limit exceeded " + number(value) + " > " + number(limit) + " for \"" + name + "\"",
        "Reduce the \"" + name + "\" parameter to or below " + number(limit) + ".");
  }

  /** A number as Qdrant prints it: a whole double without ".0" (2, not 2.0). */
  private static String number(Object n) {
    if (n instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(n);
  }

  /** Refuses {@code value} above {@code limit} (null: no limit). */
  static void limitOf(long value, Long limit, String name) {
    if (limit != null && value > limit) {
      throw exceeded(value, limit, name);
    }
  }

  void limit(long value, Long limit, String name) {
    limitOf(value, limit, name);
  }

  /**
   * One read request: {@code limit + offset}, {@code params}, {@code filter}, and each {@code
   * prefetch} the same way. {@code scroll}: an omitted limit counts as Qdrant's default.
   */
  void query(JsonNode q, boolean scroll) {
    if (q == null || !q.isObject()) {
      return;
    }
    JsonNode limit = q.get("limit");
    if (limit != null && limit.isIntegralNumber() || scroll) {
      long l = limit != null && limit.isIntegralNumber() ? limit.asLong() : 10;
      JsonNode offset = q.get("offset");
      long o = !scroll && offset != null && offset.isIntegralNumber() ? offset.asLong() : 0;
      limit(l + o, config.maxQueryLimit(), "limit");
    }
    params(q.get("params"));
    filter(q.get("filter"), false);
    JsonNode formula = q.path("query").get("formula");
    if (formula != null) {
      formulaKeys(formula);
    }
    JsonNode prefetch = q.get("prefetch");
    if (prefetch != null && prefetch.isArray()) {
      prefetch.forEach(p -> query(p, false));
    } else if (prefetch != null && prefetch.isObject()) {
      query(prefetch, false);
    }
  }

  /**
   * The payload keys a score formula reads, as a filter's keys (Qdrant's strict mode asks an index
   * for them too): its conditions', its variables' (a number), {@code geo_distance.to} (a geo
   * point) and {@code datetime_key} (a date/time).
   */
  private void formulaKeys(JsonNode e) {
    if (e.isTextual() && !e.asText().startsWith("$")) {
      readKeys
          .computeIfAbsent(e.asText(), k -> new TreeSet<>())
          .addAll(List.of("float", "integer"));
    } else if (e.isArray()) {
      e.forEach(this::formulaKeys);
    } else if (e.isObject()) {
      if (FormulaJson.CONDITION_FIELDS.stream().anyMatch(e::has)) {
        condition(e, "", readKeys); // as in a filter: field conditions ask for an index
        return;
      }
      JsonNode to = e.path("geo_distance").get("to");
      if (to != null && to.isTextual()) {
        readKeys.computeIfAbsent(to.asText(), k -> new TreeSet<>()).add("geo");
        return;
      }
      JsonNode datetime = e.get("datetime_key");
      if (datetime != null && datetime.isTextual()) {
        readKeys.computeIfAbsent(datetime.asText(), k -> new TreeSet<>()).add("datetime");
        return;
      }
      if (e.has("datetime")) {
        return; // a constant
      }
      e.forEach(this::formulaKeys);
    }
  }

  /** Search params: {@code hnsw_ef}, {@code exact}, {@code quantization.oversampling}. */
  private void params(JsonNode params) {
    if (params == null || !params.isObject()) {
      return;
    }
    JsonNode oversampling = params.path("quantization").get("oversampling");
    if (oversampling != null
        && oversampling.isNumber()
        && config.searchMaxOversampling() != null
        && oversampling.asDouble() > config.searchMaxOversampling()) {
      throw exceeded(oversampling.asDouble(), config.searchMaxOversampling(), "oversampling");
    }
    JsonNode ef = params.get("hnsw_ef");
    if (ef != null && ef.isIntegralNumber()) {
      limit(ef.asLong(), config.searchMaxHnswEf(), "hnsw_ef");
    }
    if (Boolean.FALSE.equals(config.searchAllowExact()) && params.path("exact").asBoolean(false)) {
      throw forbidden("Exact search disabled!", "Set exact=false.");
    }
  }

  /**
   * A filter: {@code filter_max_conditions}, {@code condition_max_size}, and its keys collected.
   */
  void filter(JsonNode filter, boolean write) {
    if (filter == null || !filter.isObject()) {
      return;
    }
    Map<String, TreeSet<String>> keys = write ? writeKeys : readKeys;
    long conditions = conditions(filter, "", keys);
    if (config.filterMaxConditions() != null && conditions > config.filterMaxConditions()) {
      throw forbidden(
          "Filter condition limit reached ("
              + conditions
              + " > "
              + config.filterMaxConditions()
              + ")",
          "Reduce the amount of conditions of your filter.");
    }
    long size = maxConditionSize(filter);
    if (config.conditionMaxSize() != null && size > config.conditionMaxSize()) {
      throw forbidden(
          "Condition size limit reached (" + size + " > " + config.conditionMaxSize() + ")",
          "Reduce the size of your condition.");
    }
  }

  /**
   * The leaf conditions of a filter (nested filters counted through); field keys go to {@code
   * keys}.
   */
  private static long conditions(
      JsonNode filter, String keyPrefix, Map<String, TreeSet<String>> keys) {
    long n = 0;
    for (String clause : new String[] {"must", "should", "must_not"}) {
      JsonNode c = filter.get(clause);
      if (c != null && c.isArray()) {
        for (JsonNode condition : c) {
          n += condition(condition, keyPrefix, keys);
        }
      } else if (c != null && c.isObject()) {
        n += condition(c, keyPrefix, keys);
      }
    }
    JsonNode minShould = filter.path("min_should").get("conditions");
    if (minShould != null && minShould.isArray()) {
      for (JsonNode condition : minShould) {
        n += condition(condition, keyPrefix, keys);
      }
    }
    return n;
  }

  private static long condition(JsonNode c, String keyPrefix, Map<String, TreeSet<String>> keys) {
    if (c.has("must") || c.has("should") || c.has("must_not") || c.has("min_should")) {
      return conditions(c, keyPrefix, keys);
    }
    JsonNode nested = c.get("nested");
    if (nested != null && nested.isObject()) {
      String key = keyPrefix + nested.path("key").asText("") + "[].";
      return conditions(nested.path("filter"), key, keys);
    }
    if (c.has("key")) {
      keys.computeIfAbsent(keyPrefix + c.get("key").asText(), k -> new TreeSet<>())
          .addAll(indexTypes(c));
    }
    return 1;
  }

  /**
   * The payload index types that serve a field condition (what Qdrant lists when one is missing).
   */
  private static java.util.List<String> indexTypes(JsonNode c) {
    JsonNode match = c.get("match");
    if (match != null) {
      JsonNode v =
          match.has("value")
              ? match.get("value")
              : match.has("any")
                  ? match.get("any").path(0)
                  : match.has("except") ? match.get("except").path(0) : null;
      if (match.has("text") || match.has("phrase")) {
        return java.util.List.of("text");
      }
      if (v == null || v.isTextual()) {
        return java.util.List.of("keyword", "uuid");
      }
      return v.isBoolean() ? java.util.List.of("bool") : java.util.List.of("integer");
    }
    if (c.has("range")) {
      JsonNode range = c.get("range");
      for (JsonNode bound : range) {
        if (bound.isTextual()) {
          return java.util.List.of("datetime");
        }
      }
      return java.util.List.of("float", "integer");
    }
    if (c.has("geo_radius") || c.has("geo_bounding_box") || c.has("geo_polygon")) {
      return java.util.List.of("geo");
    }
    return java.util.List.of(
        "bool", "datetime", "float", "geo", "integer", "keyword", "text", "uuid");
  }

  /** The largest condition input: values of {@code match.any/except}, ids of {@code has_id}. */
  private static long maxConditionSize(JsonNode node) {
    long max = 0;
    if (node.isObject()) {
      JsonNode match = node.get("match");
      if (match != null) {
        max = Math.max(max, Math.max(match.path("any").size(), match.path("except").size()));
      }
      JsonNode hasId = node.get("has_id");
      if (hasId != null && hasId.isArray()) {
        max = Math.max(max, hasId.size());
      }
    }
    for (JsonNode child : node) {
      if (child.isContainerNode()) {
        max = Math.max(max, maxConditionSize(child));
      }
    }
    return max;
  }

  /**
   * An upsert body (points list or batch): {@code upsert_max_batchsize} and the per-vector limits.
   */
  void upsert(JsonNode body, String limitName, VectorsConfig vectors) {
    JsonNode points = body.get("points");
    JsonNode batch = body.get("batch");
    if (points != null && points.isArray()) {
      limit(points.size(), config.upsertMaxBatchsize(), limitName);
      for (JsonNode p : points) {
        JsonNode v = p.get("vector");
        if (v != null && v.isObject()) {
          v.fields().forEachRemaining(e -> vectorSize(e.getKey(), e.getValue(), vectors));
        } else if (v != null) {
          vectorSize(VectorsConfig.DEFAULT, v, vectors);
        }
      }
    } else if (batch != null && batch.isObject()) {
      limit(batch.path("ids").size(), config.upsertMaxBatchsize(), limitName);
      JsonNode v = batch.get("vectors");
      if (v != null && v.isObject()) {
        v.fields()
            .forEachRemaining(
                e -> e.getValue().forEach(one -> vectorSize(e.getKey(), one, vectors)));
      } else if (v != null && v.isArray()) {
        v.forEach(one -> vectorSize(VectorsConfig.DEFAULT, one, vectors));
      }
    }
  }

  /** Multivector {@code max_vectors} and sparse {@code max_length} of one vector value. */
  private void vectorSize(String name, JsonNode value, VectorsConfig vectors) {
    Long maxVectors =
        config.multivectorMaxVectors() == null ? null : config.multivectorMaxVectors().get(name);
    if (maxVectors != null
        && vectors.getMulti(name) != null
        && value.isArray()
        && value.size() > maxVectors) {
      throw forbidden(
          "Multivector \""
              + name
              + "\" has "
              + value.size()
              + " vectors, more than the limit of "
              + maxVectors,
          "Reduce the number of vectors in the multivector to or below " + maxVectors + ".");
    }
    Long maxLength = config.sparseMaxLength() == null ? null : config.sparseMaxLength().get(name);
    if (maxLength != null
        && vectors.getSparse(name) != null
        && value.isObject()
        && value.path("indices").size() > maxLength) {
      throw forbidden(
          "Sparse vector \""
              + name
              + "\" has "
              + value.path("indices").size()
              + " elements, more than the limit of "
              + maxLength,
          "Reduce the length of the sparse vector to or below " + maxLength + ".");
    }
  }

  /** {@code points/batch}: each operation as its own endpoint. Returns whether it upserts. */
  boolean operations(JsonNode operations, VectorsConfig vectors) {
    boolean upserts = false;
    if (operations == null || !operations.isArray()) {
      return false;
    }
    for (JsonNode op : operations) {
      if (op.has("upsert")) {
        upsert(op.get("upsert"), "upsert limit", vectors);
        upserts = true;
      } else if (op.has("update_vectors")) {
        limit(
            op.get("update_vectors").path("points").size(),
            config.upsertMaxBatchsize(),
            "update limit");
      } else {
        op.fields().forEachRemaining(e -> filter(e.getValue().get("filter"), true));
      }
    }
    return upserts;
  }
}
