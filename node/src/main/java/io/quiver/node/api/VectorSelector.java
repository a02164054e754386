package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.http.ApiException;

/** Qdrant's {@code with_vector}: a boolean, or a list of vector names (read as "with vectors"). */
final class VectorSelector {

  private VectorSelector() {}

  static boolean parse(JsonNode node, boolean defaultValue) {
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isArray()) {
      return !node.isEmpty();
    }
    throw ApiException.badRequest("Validation error in JSON body: `with_vector` must be a boolean or a list of vector names");
  }
}
