package io.quiver.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.filter.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A change to a point's payload, as Qdrant's payload endpoints define them. {@link #apply} is a
 * pure function of the old payload, so replaying it from the log gives the same result everywhere.
 */
public sealed interface PayloadUpdate {

  /** The payload after this change. */
  Payload apply(Payload current);

  /**
   * Sets the given keys, keeping the others. With a {@code key} path, the keys are set inside the
   * object at that path instead (created when missing or not an object; with {@code []} in the
   * path, inside every element of the array there).
   */
  record Set(Payload values, JsonPath key) implements PayloadUpdate {
    public Set {
      Objects.requireNonNull(values, "values");
    }

    @Override
    public Payload apply(Payload current) {
      ObjectNode root = current.tree().deepCopy();
      if (key == null) {
        merge(root, values.tree());
      } else {
        setAt(root, key.firstKey(), key.rest(), 0, values.tree());
      }
      return Payload.of(root);
    }

    private static void setAt(
        ObjectNode parent, String name, List<JsonPath.Step> rest, int i, ObjectNode values) {
      if (i == rest.size()) {
        JsonNode target = parent.get(name);
        ObjectNode obj = target instanceof ObjectNode o ? o : parent.putObject(name);
        merge(obj, values);
        return;
      }
      JsonNode child = parent.get(name);
      switch (rest.get(i)) {
        case JsonPath.Key k -> {
          ObjectNode obj = child instanceof ObjectNode o ? o : parent.putObject(name);
          setAt(obj, k.name(), rest, i + 1, values);
        }
        case JsonPath.Wildcard w -> {
          if (child instanceof ArrayNode array) {
            for (JsonNode element : array) {
              if (element instanceof ObjectNode o) {
                setInside(o, rest, i + 1, values);
              }
            }
          }
        }
        case JsonPath.Index idx -> {
          if (child instanceof ArrayNode array
              && idx.index() < array.size()
              && array.get(idx.index()) instanceof ObjectNode o) {
            setInside(o, rest, i + 1, values);
          }
        }
      }
    }

    /**
     * Continues a path inside an array element: the element itself is the target when the path
     * ends.
     */
    private static void setInside(
        ObjectNode element, List<JsonPath.Step> rest, int i, ObjectNode values) {
      if (i == rest.size()) {
        merge(element, values);
      } else if (rest.get(i) instanceof JsonPath.Key k) {
        setAt(element, k.name(), rest, i + 1, values);
      }
    }

    private static void merge(ObjectNode target, ObjectNode values) {
      for (Map.Entry<String, JsonNode> e : values.properties()) {
        target.set(e.getKey(), e.getValue().deepCopy());
      }
    }
  }

  /** Replaces the whole payload. */
  record Overwrite(Payload payload) implements PayloadUpdate {
    public Overwrite {
      Objects.requireNonNull(payload, "payload");
    }

    @Override
    public Payload apply(Payload current) {
      return payload;
    }
  }

  /**
   * Removes the given key paths ({@code a.b}, {@code a[].b}, {@code a[0]}); missing ones are
   * ignored.
   */
  record DeleteKeys(List<JsonPath> keys) implements PayloadUpdate {
    public DeleteKeys {
      keys = List.copyOf(keys);
    }

    @Override
    public Payload apply(Payload current) {
      ObjectNode root = current.tree().deepCopy();
      for (JsonPath key : keys) {
        removeAt(root, key.firstKey(), key.rest(), 0);
      }
      return Payload.of(root);
    }

    private static void removeAt(ObjectNode parent, String name, List<JsonPath.Step> rest, int i) {
      if (i == rest.size()) {
        parent.remove(name);
        return;
      }
      JsonNode child = parent.get(name);
      JsonPath.Step step = rest.get(i);
      if (child instanceof ObjectNode obj && step instanceof JsonPath.Key k) {
        removeAt(obj, k.name(), rest, i + 1);
      } else if (child instanceof ArrayNode array) {
        removeInArray(array, step, rest, i);
      }
    }

    private static void removeInArray(
        ArrayNode array, JsonPath.Step step, List<JsonPath.Step> rest, int i) {
      boolean last = i + 1 == rest.size();
      switch (step) {
        case JsonPath.Index idx -> {
          if (idx.index() >= array.size()) {
            return;
          }
          if (last) {
            array.remove(idx.index());
          } else {
            continueIn(array.get(idx.index()), rest, i + 1);
          }
        }
        case JsonPath.Wildcard w -> {
          if (last) {
            array.removeAll();
          } else {
            for (JsonNode element : array) {
              continueIn(element, rest, i + 1);
            }
          }
        }
        case JsonPath.Key k -> {}
      }
    }

    private static void continueIn(JsonNode node, List<JsonPath.Step> rest, int i) {
      JsonPath.Step step = rest.get(i);
      if (node instanceof ObjectNode obj && step instanceof JsonPath.Key k) {
        removeAt(obj, k.name(), rest, i + 1);
      } else if (node instanceof ArrayNode array) {
        removeInArray(array, step, rest, i);
      }
    }
  }

  /** Removes every key. */
  record Clear() implements PayloadUpdate {
    @Override
    public Payload apply(Payload current) {
      return Payload.EMPTY;
    }
  }
}
