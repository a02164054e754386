package io.quiver.storage.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.storage.filter.JsonPath;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of a payload at a key path, as Qdrant reads them for facets and {@code group_by}:
 * arrays met on the way are walked element by element, and an array found at the end contributes
 * its elements (one level). Stateless.
 */
public final class PayloadValues {

  private PayloadValues() {}

  /** The values at {@code path} in {@code root}; empty when the path is absent. */
  public static List<JsonNode> at(JsonPath path, JsonNode root) {
    List<JsonNode> out = new ArrayList<>();
    JsonNode first = root == null ? null : root.get(path.firstKey());
    if (first != null) {
      walk(path.rest(), 0, first, out);
    }
    return out;
  }

  private static void walk(List<JsonPath.Step> steps, int at, JsonNode node, List<JsonNode> out) {
    if (at == steps.size()) {
      if (node.isArray()) {
        node.forEach(out::add);
      } else {
        out.add(node);
      }
      return;
    }
    switch (steps.get(at)) {
      case JsonPath.Key k -> {
        if (node.isArray()) {
          for (JsonNode element : node) {
            JsonNode child = element.isObject() ? element.get(k.name()) : null;
            if (child != null) {
              walk(steps, at + 1, child, out);
            }
          }
        } else if (node.isObject() && node.get(k.name()) != null) {
          walk(steps, at + 1, node.get(k.name()), out);
        }
      }
      case JsonPath.Index i -> {
        JsonNode child = node.isArray() ? node.get(i.index()) : null;
        if (child != null) {
          walk(steps, at + 1, child, out);
        }
      }
      case JsonPath.Wildcard w -> {
        if (node.isArray()) {
          node.forEach(element -> walk(steps, at + 1, element, out));
        }
      }
    }
  }
}
