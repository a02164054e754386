package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.index.vector.Distance;
import io.quiver.node.http.ApiException;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a create-collection request and writes collection info, in Qdrant's shapes. */
final class CollectionJson {

  /** Qdrant's defaults, reported in collection info until the storage engine makes them tunable. */
  private static final int HNSW_M = 16;
  private static final int HNSW_EF_CONSTRUCT = 100;
  private static final int FULL_SCAN_THRESHOLD_KB = 10_000;

  private CollectionJson() {}

  /** Qdrant's rules for a collection name, checked before anything is written. */
  static void validateName(String name) {
    if (name.isEmpty() || name.length() > 255) {
      throw ApiException.badRequest("Validation error in path parameters: [name: collection name must be 1 to 255 characters long]");
    }
    for (char c : name.toCharArray()) {
      if (c < 0x20 || "<>:\"/\\|?*".indexOf(c) >= 0) {
        throw ApiException.badRequest("Validation error in path parameters: [name: collection name must not contain `" + c + "`]");
      }
    }
    if (name.equals(".") || name.equals("..")) {
      throw ApiException.badRequest("Validation error in path parameters: [name: collection name must not be `" + name + "`]");
    }
  }

  static CollectionConfig parseCreate(JsonNode body) {
    JsonNode vectors = body.get("vectors");
    if (vectors == null || vectors.isNull()) {
      throw ApiException.badRequest("Validation error in JSON body: field `vectors` is required (sparse-only collections are not supported yet)");
    }
    if (body.hasNonNull("sparse_vectors") && !body.get("sparse_vectors").isEmpty()) {
      throw ApiException.badRequest("Wrong input: `sparse_vectors` are not supported yet");
    }
    VectorsConfig vectorsConfig = vectorsConfig(vectors);
    int shards = positiveInt(body, "shard_number", 1);
    int replication = positiveInt(body, "replication_factor", 1);
    int writeConsistency = positiveInt(body, "write_consistency_factor", 1);
    try {
      return new CollectionConfig(vectorsConfig, shards, replication, writeConsistency);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("Validation error in JSON body: " + e.getMessage());
    }
  }

  private static VectorsConfig vectorsConfig(JsonNode vectors) {
    if (!vectors.isObject()) {
      throw ApiException.badRequest("Validation error in JSON body: `vectors` must be an object");
    }
    if (vectors.has("size") || vectors.has("distance")) {
      return VectorsConfig.single(vectorParams(vectors, "vectors"));
    }
    if (vectors.isEmpty()) {
      throw ApiException.badRequest("Validation error in JSON body: `vectors` must configure at least one vector");
    }
    Map<String, VectorParams> named = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = vectors.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().isEmpty()) {
        throw ApiException.badRequest("Validation error in JSON body: vector names must not be empty");
      }
      named.put(e.getKey(), vectorParams(e.getValue(), "vectors." + e.getKey()));
    }
    return new VectorsConfig(named);
  }

  private static VectorParams vectorParams(JsonNode node, String field) {
    if (!node.isObject()) {
      throw ApiException.badRequest("Validation error in JSON body: `" + field + "` must be an object with `size` and `distance`");
    }
    JsonNode size = node.get("size");
    if (size == null || !size.isIntegralNumber()) {
      throw ApiException.badRequest("Validation error in JSON body: `" + field + ".size` must be an integer");
    }
    if (size.asLong() < 1 || size.asLong() > VectorParams.MAX_SIZE) {
      throw ApiException.badRequest("Validation error in JSON body: [" + field + ".size: value " + size.asLong()
          + " invalid, must be from 1 to " + VectorParams.MAX_SIZE + "]");
    }
    JsonNode distanceNode = node.get("distance");
    if (distanceNode == null || !distanceNode.isTextual()) {
      throw ApiException.badRequest("Validation error in JSON body: `" + field + ".distance` is required: one of Cosine, Euclid, Dot, Manhattan");
    }
    Distance distance = Distance.fromQdrantName(distanceNode.asText());
    if (distance == null) {
      throw ApiException.badRequest("Json deserialize error: " + field + ".distance: unknown variant `" + distanceNode.asText()
          + "`, expected one of `Cosine`, `Euclid`, `Dot`, `Manhattan`");
    }
    if (node.hasNonNull("multivector_config")) {
      throw ApiException.badRequest("Wrong input: `" + field + ".multivector_config`: multi-vectors are not supported yet");
    }
    JsonNode onDisk = node.get("on_disk");
    return new VectorParams(size.asInt(), distance, onDisk != null && onDisk.asBoolean(false));
  }

  private static int positiveInt(JsonNode body, String field, int defaultValue) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > Integer.MAX_VALUE) {
      throw ApiException.badRequest("Validation error in JSON body: `" + field + "` must be a positive integer, got " + node);
    }
    return node.asInt();
  }

  /** Qdrant's {@code CollectionInfo} for a collection holding {@code pointsCount} points. */
  static ObjectNode info(ObjectMapper json, CollectionDescriptor c, long pointsCount) {
    ObjectNode info = json.createObjectNode();
    info.put("status", "green");
    info.put("optimizer_status", "ok");
    info.put("indexed_vectors_count", 0); // every search is an exact scan until the HNSW work lands
    info.put("points_count", pointsCount);
    info.put("segments_count", c.shardMap().shardCount());
    ObjectNode config = info.putObject("config");
    ObjectNode params = config.putObject("params");
    params.set("vectors", vectorsJson(json, c.config().vectors()));
    params.put("shard_number", c.config().shardNumber());
    params.put("replication_factor", c.config().replicationFactor());
    params.put("write_consistency_factor", c.config().writeConsistencyFactor());
    params.put("on_disk_payload", true);
    ObjectNode hnsw = config.putObject("hnsw_config");
    hnsw.put("m", HNSW_M);
    hnsw.put("ef_construct", HNSW_EF_CONSTRUCT);
    hnsw.put("full_scan_threshold", FULL_SCAN_THRESHOLD_KB);
    hnsw.put("max_indexing_threads", 0);
    hnsw.put("on_disk", false);
    ObjectNode optimizer = config.putObject("optimizer_config");
    optimizer.put("deleted_threshold", 0.2);
    optimizer.put("vacuum_min_vector_number", 1000);
    optimizer.put("default_segment_number", 0);
    optimizer.putNull("max_segment_size");
    optimizer.putNull("memmap_threshold");
    optimizer.put("indexing_threshold", 10000);
    optimizer.put("flush_interval_sec", 5);
    optimizer.putNull("max_optimization_threads");
    ObjectNode wal = config.putObject("wal_config");
    wal.put("wal_capacity_mb", 32);
    wal.put("wal_segments_ahead", 0);
    config.putNull("quantization_config");
    info.putObject("payload_schema");
    return info;
  }

  private static JsonNode vectorsJson(ObjectMapper json, VectorsConfig vectors) {
    if (vectors.isSingleUnnamed()) {
      return paramsJson(json, vectors.get(VectorsConfig.DEFAULT));
    }
    ObjectNode named = json.createObjectNode();
    vectors.vectors().forEach((name, p) -> named.set(name, paramsJson(json, p)));
    return named;
  }

  private static ObjectNode paramsJson(ObjectMapper json, VectorParams p) {
    ObjectNode node = json.createObjectNode();
    node.put("size", p.size());
    node.put("distance", p.distance().qdrantName());
    if (p.onDisk()) {
      node.put("on_disk", true);
    }
    return node;
  }
}
