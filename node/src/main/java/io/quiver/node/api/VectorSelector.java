package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.http.ApiException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Qdrant's {@code with_vector}: a boolean, or a list of vector names (only those are returned).
 * {@code names == null} means every vector.
 */
record VectorSelector(boolean enabled, Set<String> names) {

  static final VectorSelector ALL = new VectorSelector(true, null);
  static final VectorSelector NONE = new VectorSelector(false, null);

  /** Whether vectors are asked for at all (for callers that need only that). */
  static boolean parse(JsonNode node, boolean defaultValue) {
    return of(node, defaultValue, "with_vector").enabled();
  }

  static VectorSelector of(JsonNode node, boolean defaultValue, String field) {
    if (node == null || node.isNull()) {
      return defaultValue ? ALL : NONE;
    }
    if (node.isBoolean()) {
      return node.booleanValue() ? ALL : NONE;
    }
    if (node.isArray()) {
      Set<String> names = new LinkedHashSet<>();
      for (int i = 0; i < node.size(); i++) {
        if (!node.get(i).isTextual()) {
          throw ApiException.badRequest(
              "Validation error in JSON body: `" + field + "[" + i + "]` must be a vector name");
        }
        names.add(node.get(i).asText());
      }
      return names.isEmpty() ? NONE : new VectorSelector(true, names);
    }
    throw ApiException.badRequest(
        "Validation error in JSON body: `"
            + field
            + "` must be a boolean or a list of vector names");
  }

  /** The selected vectors of a point (null when vectors are not asked for or absent). */
  <V> Map<String, V> apply(Map<String, V> vectors) {
    if (!enabled || vectors == null) {
      return null;
    }
    if (names == null) {
      return vectors;
    }
    Map<String, V> out = new LinkedHashMap<>();
    for (String name : names) {
      V v = vectors.get(name);
      if (v != null) {
        out.put(name, v);
      }
    }
    return out;
  }
}
