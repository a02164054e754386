package io.quiver.storage.payloadindex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.filter.JsonPath;
import java.util.ArrayList;
import java.util.List;

/**
 * The values an index sees at a key: the values the filter evaluator visits at that path ({@code
 * .key} into objects only, {@code [n]}/{@code []} into arrays only), each array among them
 * flattened one level, as {@code FieldPredicate.test} flattens it. So an index and the evaluator
 * look at the same scalars.
 */
public final class PayloadValues {

  private PayloadValues() {}

  /** The values at {@code path} in {@code root}, each array among them flattened one level. */
  public static List<JsonNode> at(JsonPath path, ObjectNode root) {
    List<JsonNode> out = new ArrayList<>(2);
    JsonNode first = root.get(path.firstKey());
    if (first != null) {
      collect(path.rest(), 0, first, out);
    }
    return out;
  }

  private static void collect(
      List<JsonPath.Step> steps, int at, JsonNode node, List<JsonNode> out) {
    if (at == steps.size()) {
      if (node.isArray()) {
        for (int i = 0, n = node.size(); i < n; i++) {
          out.add(node.get(i));
        }
      } else {
        out.add(node);
      }
      return;
    }
    switch (steps.get(at)) {
      case JsonPath.Key k -> {
        JsonNode child = node.isObject() ? node.get(k.name()) : null;
        if (child != null) {
          collect(steps, at + 1, child, out);
        }
      }
      case JsonPath.Index i -> {
        JsonNode child = node.isArray() ? node.get(i.index()) : null;
        if (child != null) {
          collect(steps, at + 1, child, out);
        }
      }
      case JsonPath.Wildcard w -> {
        if (node.isArray()) {
          for (int i = 0, n = node.size(); i < n; i++) {
            collect(steps, at + 1, node.get(i), out);
          }
        }
      }
    }
  }
}
