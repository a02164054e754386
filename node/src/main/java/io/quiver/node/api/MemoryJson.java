package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import io.quiver.storage.Memory;
import java.util.Set;

/**
 * Qdrant's {@code memory} placement ({@code cold|cached|pinned}) of one component, in and out. Each
 * component says which values it honours (docs/design/storage.md, "Memory placement"); a value it
 * cannot honour is refused naming the field and saying why, never stored and ignored.
 */
final class MemoryJson {

  private MemoryJson() {}

  /**
   * The {@code memory} of object {@code node} (field path {@code at}, without {@code .memory}):
   * null when absent; a value outside {@code honoured} is refused with 400 and {@code why}.
   */
  static Memory parse(JsonNode node, String at, Set<Memory> honoured, String why) {
    Memory memory = read(node, at);
    if (memory != null && !honoured.contains(memory)) {
      throw ApiException.badRequest(
          "Wrong input: `"
              + at
              + ".memory`: `"
              + memory.qdrantName()
              + "` is not supported here ("
              + why
              + ")");
    }
    return memory;
  }

  /**
   * The {@code memory} of a dense vector's storage (or a payload storage's: {@code what}), where
   * Qdrant refuses {@code pinned}: a 422, as Qdrant's validation answers it; {@code cold} and
   * {@code cached} are honoured.
   */
  static Memory parseNotPinned(JsonNode node, String at, String what) {
    Memory memory = read(node, at);
    if (memory == Memory.PINNED) {
      throw new ApiException(
          422,
          "Validation error in JSON body: ["
              + at
              + ".memory: `pinned` is not supported for "
              + what
              + "; use `cached` or `cold`]");
    }
    return memory;
  }

  private static Memory read(JsonNode node, String at) {
    if (node == null || !node.isObject()) {
      return null;
    }
    JsonNode v = node.get("memory");
    if (v == null || v.isNull()) {
      return null;
    }
    Memory memory = v.isTextual() ? Memory.fromQdrantName(v.asText()) : null;
    if (memory == null) {
      throw ApiException.badRequest(
          "Json deserialize error: "
              + at
              + ".memory: unknown variant "
              + v
              + ", expected one of `cold`, `cached`, `pinned`");
    }
    return memory;
  }

  /**
   * Puts {@code memory} into {@code out} when it was given (Qdrant reports only what was given).
   */
  static void put(ObjectNode out, Memory memory) {
    if (memory != null) {
      out.put("memory", memory.qdrantName());
    }
  }
}
