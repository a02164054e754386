package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import io.quiver.sharding.StrictModeConfig;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Qdrant's {@code strict_mode_config} on create and PATCH (a diff: the fields given replace the
 * stored ones) and its echo in collection info ({@code StrictModeConfigOutput}: the fields set,
 * {@code {"enabled": false}} when never configured). The limits Quiver does not enforce yet are
 * refused by name, never stored silently.
 */
final class StrictModeJson {

  private static final String FIELD = "strict_mode_config";

  /** Qdrant's fields that Quiver refuses, with why. */
  private static final Map<String, String> REFUSED =
      Map.of(
          "max_collection_vector_size_bytes", "storage size limits are not implemented yet",
          "max_collection_payload_size_bytes", "storage size limits are not implemented yet",
          "max_resident_memory_percent",
              "memory limits are not implemented (deprecated in Qdrant)");

  private StrictModeJson() {}

  /** The diff in {@code node}, or null when absent. */
  static StrictModeConfig parse(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + FIELD + "` must be an object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (REFUSED.containsKey(name) && !node.get(name).isNull()) {
        throw ApiException.badRequest(
            "Wrong input: `" + FIELD + "." + name + "` is not supported: " + REFUSED.get(name));
      }
    }
    KnownFields.only(node, FIELD, KnownFields.STRICT_MODE_CONFIG);
    JsonNode oversampling = node.get("search_max_oversampling");
    Double maxOversampling = null;
    if (oversampling != null && !oversampling.isNull()) {
      if (!oversampling.isNumber() || oversampling.asDouble() < 0) {
        throw invalid("search_max_oversampling", oversampling, "a number from 0");
      }
      maxOversampling = oversampling.asDouble();
    }
    return new StrictModeConfig(
        bool(node, "enabled"),
        integer(node, "max_query_limit", 1),
        integer(node, "max_timeout", 1),
        bool(node, "unindexed_filtering_retrieve"),
        bool(node, "unindexed_filtering_update"),
        integer(node, "search_max_hnsw_ef", 0),
        bool(node, "search_allow_exact"),
        maxOversampling,
        integer(node, "upsert_max_batchsize", 0),
        integer(node, "search_max_batchsize", 0),
        integer(node, "max_points_count", 1),
        integer(node, "filter_max_conditions", 0),
        integer(node, "condition_max_size", 0),
        integer(node, "max_payload_index_count", 0),
        perVector(node, "multivector_config", "max_vectors"),
        perVector(node, "sparse_config", "max_length"),
        integer(node, "read_rate_limit", 1),
        integer(node, "write_rate_limit", 1));
  }

  /** {@code current} with {@code diff} applied (either may be null). */
  static StrictModeConfig merge(StrictModeConfig current, StrictModeConfig diff) {
    return diff == null ? current : current == null ? diff : current.merge(diff);
  }

  /** The info echo: every field set, in Qdrant's names. */
  static ObjectNode json(ObjectMapper json, StrictModeConfig c) {
    ObjectNode out = json.createObjectNode();
    if (c == null) {
      return out.put("enabled", false);
    }
    putIf(out, "enabled", c.enabled());
    putIf(out, "max_query_limit", c.maxQueryLimit());
    putIf(out, "max_timeout", c.maxTimeout());
    putIf(out, "unindexed_filtering_retrieve", c.unindexedFilteringRetrieve());
    putIf(out, "unindexed_filtering_update", c.unindexedFilteringUpdate());
    putIf(out, "search_max_hnsw_ef", c.searchMaxHnswEf());
    putIf(out, "search_allow_exact", c.searchAllowExact());
    if (c.searchMaxOversampling() != null) {
      out.put("search_max_oversampling", c.searchMaxOversampling());
    }
    putIf(out, "upsert_max_batchsize", c.upsertMaxBatchsize());
    putIf(out, "search_max_batchsize", c.searchMaxBatchsize());
    putIf(out, "max_points_count", c.maxPointsCount());
    putIf(out, "filter_max_conditions", c.filterMaxConditions());
    putIf(out, "condition_max_size", c.conditionMaxSize());
    putIf(out, "max_payload_index_count", c.maxPayloadIndexCount());
    perVectorJson(out, "multivector_config", "max_vectors", c.multivectorMaxVectors());
    perVectorJson(out, "sparse_config", "max_length", c.sparseMaxLength());
    putIf(out, "read_rate_limit", c.readRateLimit());
    putIf(out, "write_rate_limit", c.writeRateLimit());
    return out;
  }

  private static void putIf(ObjectNode out, String name, Object value) {
    switch (value) {
      case null -> {}
      case Boolean b -> out.put(name, b);
      case Long l -> out.put(name, l);
      default -> throw new IllegalStateException("no JSON for " + name);
    }
  }

  private static void perVectorJson(
      ObjectNode out, String field, String limit, Map<String, Long> values) {
    if (values == null) {
      return;
    }
    ObjectNode node = out.putObject(field);
    values.forEach(
        (name, v) -> {
          ObjectNode entry = node.putObject(name);
          if (v != null) {
            entry.put(limit, v);
          }
        });
  }

  private static Boolean bool(JsonNode node, String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw ApiException.badRequest(
          "Json deserialize error: " + FIELD + "." + name + ": expected a boolean, got " + v);
    }
    return v.asBoolean();
  }

  private static Long integer(JsonNode node, String name, long min) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min) {
      throw invalid(name, v, "an integer from " + min);
    }
    return v.asLong();
  }

  /**
   * {@code {"vector name": {"<limit>": n}}}: the limit per vector name (null entry: none given).
   */
  private static Map<String, Long> perVector(JsonNode node, String field, String limit) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + FIELD
              + "."
              + field
              + "` must be an object of vector names");
    }
    Map<String, Long> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isObject()) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `"
                + FIELD
                + "."
                + field
                + "."
                + e.getKey()
                + "` must be an object {\""
                + limit
                + "\": n}");
      }
      for (Iterator<String> names = e.getValue().fieldNames(); names.hasNext(); ) {
        String n = names.next();
        if (!List.of(limit).contains(n)) {
          throw ApiException.badRequest(
              "Wrong input: `"
                  + FIELD
                  + "."
                  + field
                  + "."
                  + e.getKey()
                  + "."
                  + n
                  + "` is not supported");
        }
      }
      out.put(e.getKey(), integer(e.getValue(), limit, 1));
    }
    return out;
  }

  private static ApiException invalid(String name, JsonNode value, String expected) {
    return ApiException.badRequest(
        "Validation error in JSON body: ["
            + FIELD
            + "."
            + name
            + ": value "
            + value
            + " invalid, must be "
            + expected
            + "]");
  }
}
