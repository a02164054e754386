package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.index.sparse.SparseVector;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ScoreScale;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.VectorsConfig;
import java.math.BigInteger;
import java.util.Map;

/** Writes points and hits in Qdrant's JSON shapes ({@code Record}, {@code ScoredPoint}). */
final class ResultJson {

  private final ObjectMapper json;
  private final VectorsConfig config;

  ResultJson(ObjectMapper json) {
    this(json, null);
  }

  /** Writes the multivectors of {@code config} (nullable: none) as lists of vectors. */
  ResultJson(ObjectMapper json, VectorsConfig config) {
    this.json = json;
    this.config = config;
  }

  /** The same writer for a collection with these vectors. */
  ResultJson in(VectorsConfig collectionVectors) {
    return new ResultJson(json, collectionVectors);
  }

  void putId(ObjectNode node, PointId id) {
    putId(node, "id", id);
  }

  /** Puts a point id under {@code field}: a UUID string, or an unsigned 64-bit integer. */
  void putId(ObjectNode node, String field, PointId id) {
    if (id.isUuid()) {
      node.put(field, id.uuid().toString());
    } else if (id.number() >= 0) {
      node.put(field, id.number());
    } else {
      node.put(field, new BigInteger(Long.toUnsignedString(id.number())));
    }
  }

  ObjectNode record(PointRecord r, PayloadSelector payload) {
    return record(r, payload, VectorSelector.ALL);
  }

  ObjectNode record(PointRecord r, PayloadSelector payload, VectorSelector vector) {
    ObjectNode node = json.createObjectNode();
    putId(node, r.id());
    node.set("payload", payload(r.payload(), payload));
    node.set("vector", vectors(vector.apply(r.vectors()), vector.apply(r.sparse())));
    if (r.orderValue() != null) {
      OrderByJson.putValue(node, r.orderValue());
    }
    return node;
  }

  /**
   * A hit as Qdrant writes it, its score (a similarity inside Quiver) reported with {@code scale}:
   * a distance for Euclid and Manhattan searches.
   */
  ObjectNode scored(
      ScoredPoint p, ScoreScale scale, PayloadSelector payload, VectorSelector vector) {
    ObjectNode node = json.createObjectNode();
    putId(node, p.id());
    node.put("version", p.version());
    node.put("score", scale.reported(p.score()));
    node.set("payload", payload(p.payload(), payload));
    node.set("vector", vectors(vector.apply(p.vectors()), vector.apply(p.sparse())));
    if (p.orderValue() != null) {
      OrderByJson.putValue(node, p.orderValue());
    }
    return node;
  }

  ArrayNode scored(
      Iterable<ScoredPoint> hits,
      ScoreScale scale,
      PayloadSelector payload,
      VectorSelector vector) {
    ArrayNode array = json.createArrayNode();
    for (ScoredPoint p : hits) {
      array.add(scored(p, scale, payload, vector));
    }
    return array;
  }

  /**
   * A whole payload goes into the response as the bytes it was stored as (see {@link RawJson}); a
   * selection of keys needs its tree.
   */
  private JsonNode payload(Payload payload, PayloadSelector selector) {
    if (payload == null) {
      return json.nullNode();
    }
    return selector.selectsAll() ? RawJson.node(payload.toBytes()) : selector.apply(payload.tree());
  }

  private JsonNode vectors(Map<String, float[]> vectors, Map<String, SparseVector> sparse) {
    if (vectors == null) {
      return json.nullNode();
    }
    boolean hasSparse = sparse != null && !sparse.isEmpty();
    if (!hasSparse && vectors.size() == 1 && vectors.containsKey(VectorsConfig.DEFAULT)) {
      return dense(VectorsConfig.DEFAULT, vectors.get(VectorsConfig.DEFAULT));
    }
    ObjectNode named = json.createObjectNode();
    vectors.forEach((name, v) -> named.set(name, dense(name, v)));
    if (hasSparse) {
      sparse.forEach((name, v) -> named.set(name, sparseJson(v)));
    }
    return named;
  }

  /** Qdrant's SparseVector: indices (u32, increasing) and values. */
  ObjectNode sparseJson(SparseVector v) {
    ObjectNode node = json.createObjectNode();
    ArrayNode indices = node.putArray("indices");
    ArrayNode values = node.putArray("values");
    for (int i = 0; i < v.size(); i++) {
      indices.add(Integer.toUnsignedLong(v.index(i)));
      values.add(v.value(i));
    }
    return node;
  }

  /** A dense vector, or a multivector's rows as a list of vectors. */
  private ArrayNode dense(String name, float[] v) {
    var multi = config == null ? null : config.getMulti(name);
    if (multi == null) {
      return floats(v);
    }
    ArrayNode rows = json.createArrayNode();
    for (int start = 0; start < v.length; start += multi.size()) {
      ArrayNode row = rows.addArray();
      for (int i = start; i < start + multi.size(); i++) {
        row.add(v[i]);
      }
    }
    return rows;
  }

  private ArrayNode floats(float[] v) {
    ArrayNode array = json.createArrayNode();
    for (float x : v) {
      array.add(x);
    }
    return array;
  }

  /**
   * Qdrant's UpdateResult. Writes are answered once committed and applied whatever {@code wait}
   * says (a stronger promise than Qdrant's); {@code wait=false} only changes the reported status,
   * as Qdrant reports it.
   */
  static Map<String, Object> updateResult(long index, boolean wait) {
    Map<String, Object> result = new java.util.LinkedHashMap<>(); // Qdrant's field order
    result.put("operation_id", index);
    result.put("status", wait ? "completed" : "acknowledged");
    return result;
  }
}
