package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.api.filter.FilterJson;
import io.quiver.node.http.ApiException;
import io.quiver.storage.PayloadUpdate;
import io.quiver.storage.PointSelector;
import io.quiver.storage.PointsOperation;
import io.quiver.storage.filter.JsonPath;
import java.util.ArrayList;
import java.util.List;

/**
 * Qdrant's request bodies for changes to existing points (PointsSelector, SetPayload,
 * DeletePayload, UpdateVectors) as {@link PointsOperation}s. {@code at} is the JSON path of the
 * body inside the request, for error messages ({@code ""} for a whole body).
 */
final class PointsOperationJson {

  private PointsOperationJson() {}

  /** PointsSelector: {@code {"points": [...]}} or {@code {"filter": {...}}}. */
  static PointSelector selector(JsonNode body, String at) {
    JsonNode points = body.get("points");
    JsonNode filter = body.get("filter");
    boolean hasPoints = points != null && !points.isNull();
    boolean hasFilter = filter != null && !filter.isNull();
    if (hasPoints && hasFilter) {
      throw ApiException.badRequest(
          "Validation error in JSON body: give either `"
              + at
              + "points` or `"
              + at
              + "filter`, not both");
    }
    if (hasPoints) {
      return new PointSelector.Ids(PointJson.ids(points, at + "points"));
    }
    if (hasFilter) {
      return new PointSelector.ByFilter(FilterJson.parse(filter, at + "filter"));
    }
    throw ApiException.badRequest(
        "Validation error in JSON body: `" + at + "points` or `" + at + "filter` is required");
  }

  static PointsOperation delete(JsonNode body, String at) {
    return new PointsOperation.DeletePoints(selector(body, at));
  }

  /**
   * SetPayload for {@code POST .../payload}; with {@code overwrite}, for {@code PUT .../payload}.
   */
  static PointsOperation setPayload(JsonNode body, String at, boolean overwrite) {
    JsonNode payloadNode = body.get("payload");
    if (payloadNode == null || payloadNode.isNull()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: field `" + at + "payload` is required");
    }
    var payload = PointJson.payload(payloadNode, at + "payload");
    PointSelector selector = selector(body, at);
    if (overwrite) {
      return new PointsOperation.UpdatePayload(selector, new PayloadUpdate.Overwrite(payload));
    }
    JsonNode key = body.get("key");
    JsonPath path = key == null || key.isNull() ? null : FilterJson.key(key, at + "key");
    return new PointsOperation.UpdatePayload(selector, new PayloadUpdate.Set(payload, path));
  }

  static PointsOperation deletePayload(JsonNode body, String at) {
    JsonNode keys = body.get("keys");
    if (keys == null || !keys.isArray()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: field `"
              + at
              + "keys` is required (an array of key paths)");
    }
    List<JsonPath> paths = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      paths.add(FilterJson.key(keys.get(i), at + "keys[" + i + "]"));
    }
    return new PointsOperation.UpdatePayload(
        selector(body, at), new PayloadUpdate.DeleteKeys(paths));
  }

  static PointsOperation clearPayload(JsonNode body, String at) {
    return new PointsOperation.UpdatePayload(selector(body, at), new PayloadUpdate.Clear());
  }

  /**
   * DeleteVectors: {@code {"points": [...]} or {"filter": {...}}, "vector": [names]}} (Qdrant
   * requires at least one name, each once).
   */
  static PointsOperation deleteVectors(JsonNode body, String at) {
    JsonNode names = body.get("vector");
    if (names == null || !names.isArray()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: field `"
              + at
              + "vector` is required (an array of vector names)");
    }
    if (names.isEmpty()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + at + "vector` must name at least one vector");
    }
    List<String> out = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      JsonNode n = names.get(i);
      if (!n.isTextual()) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `" + at + "vector[" + i + "]` must be a string");
      }
      if (out.contains(n.asText())) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `" + at + "vector` names `" + n.asText() + "` twice");
      }
      out.add(n.asText());
    }
    return new PointsOperation.DeleteVectors(selector(body, at), out);
  }

  /**
   * UpdateVectors: {@code {"points": [{"id": ..., "vector": VectorStruct}], "update_filter":
   * Filter}}.
   */
  static PointsOperation updateVectors(
      JsonNode body, String at, io.quiver.storage.VectorsConfig config) {
    JsonNode points = body.get("points");
    if (points == null || !points.isArray()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: field `" + at + "points` is required (an array)");
    }
    if (points.isEmpty()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + at + "points` must not be empty");
    }
    List<PointsOperation.PointVectors> out = new ArrayList<>(points.size());
    for (int i = 0; i < points.size(); i++) {
      JsonNode p = points.get(i);
      String pat = at + "points[" + i + "]";
      if (!p.isObject()) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `" + pat + "` must be an object");
      }
      PointJson.Vectors vectors = PointJson.vectors(p.get("vector"), pat + ".vector", config);
      out.add(
          new PointsOperation.PointVectors(
              PointJson.id(p.get("id"), pat + ".id"), vectors.dense(), vectors.sparse()));
    }
    JsonNode filter = body.get("update_filter");
    return new PointsOperation.UpdateVectors(
        out,
        filter == null || filter.isNull()
            ? null
            : io.quiver.node.api.filter.FilterJson.parse(filter, at + "update_filter"));
  }
}
