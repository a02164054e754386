package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import io.quiver.storage.filter.JsonPath;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Qdrant's {@code with_payload}: {@code true}/{@code false}, a list of keys to include, or {@code
 * {"include": [...]}} / {@code {"exclude": [...]}}. Keys are key paths ({@code a.b}, {@code
 * a[].b}).
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
    throw ApiException.badRequest(
        "Validation error in JSON body: `with_payload` must be a boolean, a list of keys, or {\"include\"|\"exclude\": [...]}");
  }

  private static Set<String> keys(JsonNode node, String field) {
    if (!node.isArray()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must be an array of payload keys");
    }
    Set<String> keys = new LinkedHashSet<>();
    node.forEach(
        k -> {
          if (!k.isTextual()) {
            throw ApiException.badRequest(
                "Validation error in JSON body: `" + field + "` must contain strings, got " + k);
          }
          keys.add(k.asText());
        });
    return keys;
  }

  /** True when the whole payload is selected (enabled, no keys included or excluded). */
  boolean selectsAll() {
    return enabled && include == null && exclude == null;
  }

  /**
   * The selected part of a payload (a copy when anything is dropped). Keys are Qdrant's key paths:
   * {@code a.b} keeps (or drops) only {@code b} inside {@code a}, {@code a[].b} does so in every
   * element of the array {@code a}; paths that are absent select nothing.
   */
  JsonNode apply(ObjectNode payload) {
    if (include == null && exclude == null) {
      return payload;
    }
    if (include != null) {
      ObjectNode out = payload.objectNode();
      for (String key : include) {
        JsonPath path = path(key);
        JsonNode selected = path == null ? null : select(payload, steps(path), 0);
        if (selected != null) {
          merge(out, (ObjectNode) selected);
        }
      }
      return out;
    }
    ObjectNode out = payload.deepCopy();
    for (String key : exclude) {
      JsonPath path = path(key);
      if (path != null) {
        remove(out, steps(path), 0);
      }
    }
    return out;
  }

  private static JsonPath path(String key) {
    try {
      return JsonPath.parse(key);
    } catch (IllegalArgumentException e) {
      return null; // not a valid path: it names no payload field
    }
  }

  private static List<JsonPath.Step> steps(JsonPath path) {
    List<JsonPath.Step> steps = new ArrayList<>();
    steps.add(new JsonPath.Key(path.firstKey()));
    steps.addAll(path.rest());
    return steps;
  }

  /** The part of {@code node} at {@code steps[at..]}, in its original nesting; null when absent. */
  private static JsonNode select(JsonNode node, List<JsonPath.Step> steps, int at) {
    if (at == steps.size()) {
      return node.deepCopy();
    }
    switch (steps.get(at)) {
      case JsonPath.Key k -> {
        if (node.isObject() && node.has(k.name())) {
          JsonNode child = select(node.get(k.name()), steps, at + 1);
          if (child != null) {
            ObjectNode out = ((ObjectNode) node).objectNode();
            out.set(k.name(), child);
            return out;
          }
        }
        return null;
      }
      case JsonPath.Index i -> {
        if (node.isArray() && node.has(i.index())) {
          JsonNode child = select(node.get(i.index()), steps, at + 1);
          return child == null ? null : ((ArrayNode) node).arrayNode().add(child);
        }
        return null;
      }
      case JsonPath.Wildcard w -> {
        if (!node.isArray()) {
          return null;
        }
        ArrayNode out = ((ArrayNode) node).arrayNode();
        for (JsonNode element : node) {
          JsonNode child = select(element, steps, at + 1);
          if (child != null) {
            out.add(child);
          }
        }
        return out;
      }
    }
  }

  private static void remove(JsonNode node, List<JsonPath.Step> steps, int at) {
    boolean last = at == steps.size() - 1;
    switch (steps.get(at)) {
      case JsonPath.Key k -> {
        if (node.isObject()) {
          if (last) {
            ((ObjectNode) node).remove(k.name());
          } else if (node.has(k.name())) {
            remove(node.get(k.name()), steps, at + 1);
          }
        }
      }
      case JsonPath.Index i -> {
        if (node.isArray() && node.has(i.index())) {
          if (last) {
            ((ArrayNode) node).remove(i.index());
          } else {
            remove(node.get(i.index()), steps, at + 1);
          }
        }
      }
      case JsonPath.Wildcard w -> {
        if (node.isArray()) {
          if (last) {
            ((ArrayNode) node).removeAll();
          } else {
            node.forEach(element -> remove(element, steps, at + 1));
          }
        }
      }
    }
  }

  /** Merges {@code from} into {@code into}: objects field by field, anything else replaced. */
  private static void merge(ObjectNode into, ObjectNode from) {
    from.fields()
        .forEachRemaining(
            e -> {
              JsonNode existing = into.get(e.getKey());
              if (existing instanceof ObjectNode a && e.getValue() instanceof ObjectNode b) {
                merge(a, b);
              } else {
                into.set(e.getKey(), e.getValue());
              }
            });
  }
}
