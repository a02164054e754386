package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.index.sparse.SparseVector;
import io.quiver.node.http.ApiException;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.VectorsConfig;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads points, ids and vectors from Qdrant's JSON shapes. Every error is a 400 whose message names
 * the field by its JSON path, e.g. {@code points[3].vector}.
 */
final class PointJson {

  private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private PointJson() {}

  /** An id: an unsigned 64-bit integer or a UUID string. */
  static PointId id(JsonNode node, String field) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: field `" + field + "` is required");
    }
    if (node.isIntegralNumber()) {
      BigInteger v = node.bigIntegerValue();
      if (v.signum() < 0 || v.compareTo(MAX_U64) > 0) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `"
                + field
                + "` must be an unsigned 64-bit integer or a UUID, got "
                + v);
      }
      return PointId.of(v.longValue());
    }
    if (node.isTextual()) {
      return uuid(node.asText(), field);
    }
    throw ApiException.badRequest(
        "Validation error in JSON body: `"
            + field
            + "` must be an unsigned integer or a UUID string, got "
            + node);
  }

  /** An id from a path segment: digits or a UUID. */
  static PointId id(String text, String field) {
    if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
      BigInteger v = new BigInteger(text);
      if (v.compareTo(MAX_U64) <= 0) {
        return PointId.of(v.longValue());
      }
    }
    return uuid(text, field);
  }

  private static PointId uuid(String text, String field) {
    String t = text.trim();
    if (t.length() == 32 && t.indexOf('-') < 0) { // the simple form, without hyphens
      t =
          t.substring(0, 8)
              + "-"
              + t.substring(8, 12)
              + "-"
              + t.substring(12, 16)
              + "-"
              + t.substring(16, 20)
              + "-"
              + t.substring(20);
    }
    if (t.startsWith("urn:uuid:")) {
      t = t.substring(9);
    }
    try {
      if (t.length() != 36) {
        throw new IllegalArgumentException();
      }
      return PointId.of(UUID.fromString(t));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "Validation error: `"
              + field
              + "` is not a valid point id: `"
              + text
              + "` (expected an unsigned integer or a UUID)");
    }
  }

  static List<PointId> ids(JsonNode node, String field) {
    if (node == null || !node.isArray()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must be an array of point ids");
    }
    List<PointId> ids = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      ids.add(id(node.get(i), field + "[" + i + "]"));
    }
    return ids;
  }

  /** A dense vector: an array of numbers. */
  static float[] floats(JsonNode node, String field) {
    if (node == null || !node.isArray()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must be an array of numbers");
    }
    // A request body's array of numbers comes as one primitive array (JsonBodyReader).
    float[] v =
        node instanceof io.quiver.node.http.NumberArrayNode numbers ? numbers.floats() : null;
    if (v == null) {
      v = new float[node.size()];
      for (int i = 0; i < v.length; i++) {
        JsonNode x = node.get(i);
        if (!x.isNumber()) {
          throw ApiException.badRequest(
              "Validation error in JSON body: `"
                  + field
                  + "["
                  + i
                  + "]` must be a number, got "
                  + x);
        }
        v[i] = x.floatValue();
      }
    }
    for (int i = 0; i < v.length; i++) {
      requireFloat32(v[i], field, i);
    }
    if (v.length == 0) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must not be empty");
    }
    return v;
  }

  /**
   * A multivector: a non-empty list of vectors of {@code params.size()} numbers each, flattened.
   * Errors name the field and row ({@code field[2]}): not a list of vectors, empty, a row of
   * another length (ragged or the wrong size), non-finite numbers.
   */
  static float[] multiFloats(
      JsonNode node, String field, io.quiver.storage.MultiVectorParams params) {
    if (node == null || !node.isArray() || (node.size() > 0 && !node.get(0).isArray())) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + field
              + "` must be a list of vectors (a"
              + " multivector: [[...], [...]]), got "
              + (node == null ? "nothing" : abbreviated(node)));
    }
    if (node.isEmpty()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must hold at least one vector");
    }
    if (node.size() > io.quiver.storage.MultiVectorParams.MAX_ROWS) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + field
              + "` has "
              + node.size()
              + " vectors, at most "
              + io.quiver.storage.MultiVectorParams.MAX_ROWS
              + " are allowed");
    }
    int size = params.size();
    float[] flat = new float[node.size() * size];
    for (int r = 0; r < node.size(); r++) {
      String at = field + "[" + r + "]";
      JsonNode row = node.get(r);
      if (!row.isArray()) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `" + at + "` must be an array of numbers");
      }
      if (row.size() != size) {
        throw ApiException.badRequest(
            "Wrong input: Vector dimension error: expected dim: "
                + size
                + ", got "
                + row.size()
                + " (`"
                + at
                + "`: every vector of a multivector has the configured size)");
      }
      System.arraycopy(floats(row, at), 0, flat, r * size, size);
    }
    return flat;
  }

  private static String abbreviated(JsonNode node) {
    String text = node.toString();
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }

  /** A dense vector, or a multivector when {@code config} (nullable) makes {@code name} one. */
  private static float[] denseOrMulti(
      JsonNode node, String field, String name, VectorsConfig config) {
    var multi = config == null ? null : config.getMulti(name);
    return multi != null ? multiFloats(node, field, multi) : floats(node, field);
  }

  /** A point's dense and sparse vectors by name. */
  record Vectors(Map<String, float[]> dense, Map<String, SparseVector> sparse) {}

  /**
   * Qdrant's VectorStruct with sparse vectors: an array (the unnamed vector) or an object of named
   * vectors, each an array (dense) or {@code {"indices", "values"}} (sparse).
   */
  static Vectors vectors(JsonNode node, String field) {
    return vectors(node, field, null);
  }

  /**
   * {@link #vectors(JsonNode, String)} with the collection's config: its multivectors are lists of
   * vectors.
   */
  static Vectors vectors(JsonNode node, String field, VectorsConfig config) {
    if (node == null || node.isNull() || node.isMissingNode() || !node.isObject()) {
      return new Vectors(vectorStruct(node, field, config), Map.of());
    }
    Map<String, float[]> dense = new LinkedHashMap<>();
    Map<String, SparseVector> sparse = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = field + "." + e.getKey();
      if (e.getValue().isObject()) {
        sparse.put(e.getKey(), sparseVector(e.getValue(), at));
      } else {
        dense.put(e.getKey(), denseOrMulti(e.getValue(), at, e.getKey(), config));
      }
    }
    return new Vectors(dense, sparse);
  }

  /** The largest sparse index: Qdrant's indices are u32. */
  private static final long MAX_SPARSE_INDEX = 0xFFFF_FFFFL;

  /**
   * Qdrant's SparseVector {@code {"indices": [u32...], "values": [float...]}}, indices in any order
   * and unique. Errors name the field ({@code field.indices[2]}, {@code field.values}).
   */
  static SparseVector sparseVector(JsonNode node, String field) {
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + field
              + "` must be a sparse vector {\"indices\": [...], \"values\": [...]}");
    }
    JsonNode indicesNode = node.get("indices");
    JsonNode valuesNode = node.get("values");
    if (indicesNode == null || !indicesNode.isArray()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + field
              + ".indices` must be an array of unsigned 32-bit integers");
    }
    if (valuesNode == null || !valuesNode.isArray()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + ".values` must be an array of numbers");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!name.equals("indices") && !name.equals("values")) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `"
                + field
                + "."
                + name
                + "` is not a field of a sparse vector");
      }
    }
    if (indicesNode.size() != valuesNode.size()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + field
              + "`: indices and values must have the same"
              + " length, got "
              + indicesNode.size()
              + " and "
              + valuesNode.size());
    }
    int[] indices = new int[indicesNode.size()];
    float[] values = new float[valuesNode.size()];
    String valuesField = field + ".values";
    for (int i = 0; i < indices.length; i++) {
      JsonNode x = indicesNode.get(i);
      if (!x.isIntegralNumber()
          || !x.canConvertToLong()
          || x.asLong() < 0
          || x.asLong() > MAX_SPARSE_INDEX) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `"
                + field
                + ".indices["
                + i
                + "]` must be an unsigned 32-bit integer (0 to 4294967295), got "
                + x);
      }
      indices[i] = (int) x.asLong();
      JsonNode v = valuesNode.get(i);
      if (!v.isNumber()) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `"
                + field
                + ".values["
                + i
                + "]` must be a number, got "
                + v);
      }
      values[i] = v.floatValue();
      requireFloat32(values[i], valuesField, i);
    }
    try {
      return SparseVector.of(indices, values);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + field
              + ".indices`: "
              + e.getMessage()
              + " (indices must be unique)");
    }
  }

  /** Qdrant's VectorStruct: an array (the unnamed vector) or an object of named vectors. */
  static Map<String, float[]> vectorStruct(JsonNode node, String field) {
    return vectorStruct(node, field, null);
  }

  /**
   * {@link #vectorStruct(JsonNode, String)} with the collection's config: its multivectors are
   * lists of vectors.
   */
  static Map<String, float[]> vectorStruct(JsonNode node, String field, VectorsConfig config) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: field `" + field + "` is required");
    }
    Map<String, float[]> vectors = new LinkedHashMap<>();
    if (node.isArray()) {
      if (node.size() > 0
          && node.get(0).isArray()
          && (config == null || config.getMulti(VectorsConfig.DEFAULT) == null)) {
        throw ApiException.badRequest(
            "Wrong input: `"
                + field
                + "`: a list of vectors is only accepted for a"
                + " multivector (a vector with `multivector_config`)");
      }
      vectors.put(VectorsConfig.DEFAULT, denseOrMulti(node, field, VectorsConfig.DEFAULT, config));
      return vectors;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isObject()) {
          throw ApiException.badRequest(
              "Wrong input: `"
                  + field
                  + "."
                  + e.getKey()
                  + "`: updating sparse vectors of existing points is not supported yet (upsert the point instead)");
        }
        vectors.put(
            e.getKey(), denseOrMulti(e.getValue(), field + "." + e.getKey(), e.getKey(), config));
      }
      return vectors;
    }
    throw ApiException.badRequest(
        "Validation error in JSON body: `"
            + field
            + "` must be an array of numbers or an object of named vectors");
  }

  /**
   * 400 naming {@code array[i]} when {@code value}, a JSON number read as a float32, is beyond its
   * range (it became infinite).
   */
  private static void requireFloat32(float value, String array, int i) {
    if (!Float.isFinite(value)) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + array + "[" + i + "]` is out of the float32 range");
    }
  }

  static Payload payload(JsonNode node, String field) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return Payload.EMPTY;
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must be a JSON object");
    }
    // Bytes the body reader kept go into the log as they are (see RawJsonObjectNode).
    if (node instanceof io.quiver.node.http.RawJsonObjectNode raw
        && raw.rawJson() != null
        && !raw.isEmpty()) {
      return Payload.fromBytes(raw.rawJson());
    }
    return Payload.of((ObjectNode) node);
  }

  /** The points of an upsert: the {@code points} list form or the {@code batch} column form. */
  static List<Point> upsert(JsonNode body) {
    return upsert(body, null);
  }

  /**
   * {@link #upsert(JsonNode)} with the collection's config: its multivectors are lists of vectors.
   */
  static List<Point> upsert(JsonNode body, VectorsConfig config) {
    JsonNode points = body.get("points");
    JsonNode batch = body.get("batch");
    if (points != null && batch != null) {
      throw ApiException.badRequest(
          "Validation error in JSON body: give either `points` or `batch`, not both");
    }
    if (points != null) {
      if (!points.isArray()) {
        throw ApiException.badRequest("Validation error in JSON body: `points` must be an array");
      }
      List<Point> out = new ArrayList<>(points.size());
      for (int i = 0; i < points.size(); i++) {
        JsonNode p = points.get(i);
        String at = "points[" + i + "]";
        if (!p.isObject()) {
          throw ApiException.badRequest(
              "Validation error in JSON body: `" + at + "` must be an object");
        }
        Vectors vectors = vectors(p.get("vector"), at + ".vector", config);
        out.add(
            new Point(
                id(p.get("id"), at + ".id"),
                vectors.dense(),
                payload(p.get("payload"), at + ".payload"),
                vectors.sparse()));
      }
      return out;
    }
    if (batch != null) {
      return batch(batch, config);
    }
    throw ApiException.badRequest("Validation error in JSON body: expected `points` or `batch`");
  }

  private static List<Point> batch(JsonNode batch, VectorsConfig config) {
    List<PointId> ids = ids(batch.get("ids"), "batch.ids");
    JsonNode vectorsNode = batch.get("vectors");
    List<Map<String, float[]>> vectors = new ArrayList<>(ids.size());
    List<Map<String, SparseVector>> sparse = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      vectors.add(new LinkedHashMap<>());
      sparse.add(new LinkedHashMap<>());
    }
    if (vectorsNode != null && vectorsNode.isArray()) {
      requireSize(vectorsNode, ids.size(), "batch.vectors");
      for (int i = 0; i < ids.size(); i++) {
        vectors
            .get(i)
            .put(
                VectorsConfig.DEFAULT,
                denseOrMulti(
                    vectorsNode.get(i), "batch.vectors[" + i + "]", VectorsConfig.DEFAULT, config));
      }
    } else if (vectorsNode != null && vectorsNode.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = vectorsNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String at = "batch.vectors." + e.getKey();
        requireSize(e.getValue(), ids.size(), at);
        for (int i = 0; i < ids.size(); i++) {
          JsonNode v = e.getValue().get(i);
          if (v.isObject()) {
            sparse.get(i).put(e.getKey(), sparseVector(v, at + "[" + i + "]"));
          } else {
            vectors.get(i).put(e.getKey(), denseOrMulti(v, at + "[" + i + "]", e.getKey(), config));
          }
        }
      }
    } else {
      throw ApiException.badRequest(
          "Validation error in JSON body: `batch.vectors` must be an array or an object of named vector arrays");
    }
    JsonNode payloads = batch.get("payloads");
    if (payloads != null && !payloads.isNull()) {
      requireSize(payloads, ids.size(), "batch.payloads");
    }
    List<Point> out = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      JsonNode payload = payloads == null || payloads.isNull() ? null : payloads.get(i);
      out.add(
          new Point(
              ids.get(i),
              vectors.get(i),
              payload(payload, "batch.payloads[" + i + "]"),
              sparse.get(i)));
    }
    return out;
  }

  private static void requireSize(JsonNode array, int size, String field) {
    if (!array.isArray() || array.size() != size) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + field
              + "` must be an array of "
              + size
              + " elements, one per id in `batch.ids`");
    }
  }
}
