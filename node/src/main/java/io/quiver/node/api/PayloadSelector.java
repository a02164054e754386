package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import java.util.HashSet;
import java.util.Set;

/**
 * Qdrant's {@code with_payload}: {@code true}/{@code false}, a list of keys to include, or
 * {@code {"include": [...]}} / {@code {"exclude": [...]}}. Keys are top-level payload fields.
 */
record PayloadSelector(boolean enabled, Set<String> include, Set<String> exclude) {

  static final PayloadSelector ALL = new PayloadSelector(true, null, null);
  static final PayloadSelector NONE = new PayloadSelector(false, null, null);

  static PayloadSelector parse(JsonNode node, boolean defaultValue) {
    if (node == null || node.isNull()) {
      return defaultValue ? ALL : NONE;
    }
    if (node.isBoolean()) {
      return node.booleanValue() ? ALL : NONE;
    }
    if (node.isArray()) {
      return new PayloadSelector(true, keys(node, "with_payload"), null);
    }
    if (node.isObject() && node.has("include")) {
      return new PayloadSelector(true, keys(node.get("include"), "with_payload.include"), null);
    }
    if (node.isObject() && node.has("exclude")) {
      return new PayloadSelector(true, null, keys(node.get("exclude"), "with_payload.exclude"));
    }
    throw ApiException.badRequest("Validation error in JSON body: `with_payload` must be a boolean, a list of keys, or {\"include\"|\"exclude\": [...]}");
  }

  private static Set<String> keys(JsonNode node, String field) {
    if (!node.isArray()) {
      throw ApiException.badRequest("Validation error in JSON body: `" + field + "` must be an array of payload keys");
    }
    Set<String> keys = new HashSet<>();
    node.forEach(k -> {
      if (!k.isTextual()) {
        throw ApiException.badRequest("Validation error in JSON body: `" + field + "` must contain strings, got " + k);
      }
      keys.add(k.asText());
    });
    return keys;
  }

  /** The selected part of a payload (a copy when anything is dropped). */
  JsonNode apply(ObjectNode payload) {
    if (include == null && exclude == null) {
      return payload;
    }
    ObjectNode out = payload.deepCopy();
    if (include != null) {
      out.retain(include);
    } else {
      out.remove(exclude);
    }
    return out;
  }
}
