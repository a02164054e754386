package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;
import io.quiver.node.http.ApiException;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.storage.HnswConfig;
import io.quiver.storage.Memory;
import io.quiver.storage.MultiVectorParams;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.QuantizationConfig;
import io.quiver.storage.ShardInfo;
import io.quiver.storage.SparseVectorParams;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a create-collection request and writes collection info, in Qdrant's shapes. */
final class CollectionJson {

  private CollectionJson() {}

  /** Qdrant's rules for a collection name, checked before anything is written. */
  static void validateName(String name) {
    if (name.isEmpty() || name.length() > 255) {
      throw ApiException.badRequest(
          "Validation error in path parameters: [name: collection name must be 1 to 255 characters long]");
    }
    for (char c : name.toCharArray()) {
      if (c < 0x20 || "<>:\"/\\|?*".indexOf(c) >= 0) {
        throw ApiException.badRequest(
            "Validation error in path parameters: [name: collection name must not contain `"
                + c
                + "`]");
      }
    }
    if (name.equals(".") || name.equals("..")) {
      throw ApiException.badRequest(
          "Validation error in path parameters: [name: collection name must not be `"
              + name
              + "`]");
    }
  }

  static CollectionConfig parseCreate(JsonNode body) {
    KnownFields.only(body, "", KnownFields.CREATE_COLLECTION);
    JsonNode vectors = body.get("vectors");
    Map<String, SparseVectorParams> sparse = sparseVectors(body.get("sparse_vectors"));
    boolean noDense =
        vectors == null || vectors.isNull() || (vectors.isObject() && vectors.isEmpty());
    if (noDense && sparse.isEmpty()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `vectors` or `sparse_vectors` must configure at least one vector");
    }
    refuseUnimplemented(body);
    HnswConfig hnsw = hnswConfig(body.get("hnsw_config"), "hnsw_config", HnswConfig.DEFAULT);
    OptimizersConfig optimizers =
        optimizersConfig(body.get("optimizers_config"), "optimizers_config");
    VectorsConfig vectorsConfig;
    try {
      VectorsConfig dense = noDense ? null : vectorsConfig(vectors, hnsw);
      vectorsConfig =
          new VectorsConfig(
              dense == null ? Map.of() : dense.vectors(),
              sparse,
              dense == null ? Map.of() : dense.multi());
    } catch (io.quiver.storage.BadRequestException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    int shards = positiveInt(body, "shard_number", 1);
    int replication = positiveInt(body, "replication_factor", 1);
    int writeConsistency = positiveInt(body, "write_consistency_factor", 1);
    QuantizationConfig quantization =
        QuantizationJson.parse(body.get("quantization_config"), "quantization_config");
    try {
      CollectionConfig config =
          new CollectionConfig(
              vectorsConfig,
              shards,
              replication,
              writeConsistency,
              hnsw,
              optimizers,
              quantization,
              StrictModeJson.parse(body.get("strict_mode_config")),
              payloadMemory(body.get("payload"), "payload"));
      config.shardConfig(); // checks the quantization against the distances
      return config;
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("Validation error in JSON body: " + e.getMessage());
    }
  }

  /**
   * Create-collection fields Qdrant defines that Quiver does not implement, refused by name (the
   * settings rule that SettingsRuleIT enforces: never accepted silently).
   */
  private static void refuseUnimplemented(JsonNode body) {
    for (String field : List.of("metadata", "wal_config")) {
      if (body.hasNonNull(field)) {
        throw ApiException.badRequest(
            "Wrong input: `"
                + field
                + "` is not supported"
                + (field.equals("wal_config")
                    ? " (the Raft log is the write-ahead log; its settings are node settings)"
                    : " yet"));
      }
    }
    JsonNode sharding = body.get("sharding_method");
    if (sharding != null && !sharding.isNull() && !"auto".equals(sharding.asText())) {
      throw ApiException.badRequest(
          "Wrong input: `sharding_method`: only `auto` is supported (user-defined shard keys are not)");
    }
    if (body.hasNonNull("on_disk_payload") && !body.get("on_disk_payload").asBoolean(true)) {
      throw ApiException.badRequest(
          "Wrong input: `on_disk_payload`: payloads are always on disk (RocksDB)");
    }
  }

  /**
   * A multivector of {@code params}; uint8 Cosine refused by name: its rows are stored normalized,
   * which integers cannot be (dense uint8 Cosine vectors are stored as given; multivector rows not
   * yet).
   */
  private static MultiVectorParams multivector(
      VectorParams params, MultiVectorParams.Comparator comparator, String field) {
    if (params.storedAsGiven()) {
      throw ApiException.badRequest(
          "Wrong input: `"
              + field
              + ".datatype`: uint8 multivectors cannot use the Cosine"
              + " distance in Quiver yet (multivector rows are stored normalized, which integers 0..255 cannot be); use Dot,"
              + " Euclid or Manhattan, or datatype float16");
    }
    return new MultiVectorParams(params, comparator);
  }

  /**
   * Qdrant's {@code multivector_config: {comparator: max_sim}} of a vector: null when absent;
   * anything else than {@code max_sim}, unknown fields and the settings of {@link
   * #refuseMultivectorSettings} refused by name.
   */
  private static MultiVectorParams.Comparator multivectorConfig(JsonNode node, String field) {
    JsonNode multi = node.get("multivector_config");
    if (multi == null || multi.isNull()) {
      return null;
    }
    String at = field + ".multivector_config";
    if (!multi.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + at
              + "` must be an object {\"comparator\": \"max_sim\"}");
    }
    KnownFields.only(multi, at, java.util.Set.of("comparator"));
    JsonNode comparator = multi.get("comparator");
    if (comparator == null || !comparator.isTextual()) {
      throw ApiException.badRequest(
          "Json deserialize error: " + at + ": missing field `comparator`");
    }
    if (!comparator.asText().equals("max_sim")) {
      throw ApiException.badRequest(
          "Json deserialize error: "
              + at
              + ".comparator: unknown variant `"
              + comparator.asText()
              + "`, expected `max_sim`");
    }
    refuseMultivectorSettings(node, field);
    return MultiVectorParams.Comparator.MAX_SIM;
  }

  /**
   * What a multivector cannot honour yet, refused by name: {@code hnsw_config.on_disk: true} and
   * {@code memory: cold} (graphs are built on the heap). {@code on_disk: true} (or {@code memory:
   * cold}) is honoured: the shard maps the rows from scratch files. The rest of its {@code
   * hnsw_config} is honoured (the shard's multivector graphs), and so is its {@code
   * quantization_config} (each row quantized in the graph parts: {@code MultiVectorIndexes}).
   */
  private static void refuseMultivectorSettings(JsonNode node, String field) {
    JsonNode hnswNode = node.get("hnsw_config");
    if (hnswNode != null
        && hnswNode.isObject()
        && bool(hnswNode, "on_disk", field + ".hnsw_config", false)
        && !hnswNode.hasNonNull("memory")) {
      throw ApiException.badRequest(
          "Wrong input: `"
              + field
              + ".hnsw_config.on_disk`: true is not supported for"
              + " multivectors yet (their graphs are kept in memory); leave it out or set false");
    }
    if (hnswNode != null
        && hnswNode.isObject()
        && MemoryJson.parse(hnswNode, field + ".hnsw_config", GRAPH_PLACEMENTS, "")
            == Memory.COLD) {
      throw ApiException.badRequest(
          "Wrong input: `"
              + field
              + ".hnsw_config.memory`: `cold` is not supported for"
              + " multivectors yet (their graphs are held on the heap: `cached` or `pinned`)");
    }
  }

  /**
   * The payload storage's {@code memory} (Qdrant's {@code PayloadStorageParams}; null when absent):
   * {@code cold} and {@code cached} are honoured ({@link io.quiver.storage.ShardConfig}), {@code
   * pinned} is refused with 422 as Qdrant refuses it. Unknown fields of the object are refused.
   */
  private static Memory payloadMemory(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must be an object");
    }
    KnownFields.only(node, field, java.util.Set.of("memory"));
    return MemoryJson.parseNotPinned(node, field, "payload storage");
  }

  /** What the graph of a dense vector honours: all three ({@link HnswConfig#placement()}). */
  private static final java.util.Set<Memory> GRAPH_PLACEMENTS =
      java.util.EnumSet.allOf(Memory.class);

  /**
   * Qdrant's {@code HnswConfigDiff} over {@code base}: absent fields keep the base's values. {@code
   * max_indexing_threads} is accepted at 0 (automatic: what Quiver does); other values, {@code
   * payload_m} and {@code inline_storage: true} are refused by name. {@code memory} (all three
   * values) overrides {@code on_disk}: {@link HnswConfig#placement()}.
   */
  static HnswConfig hnswConfig(JsonNode node, String field, HnswConfig base) {
    if (node == null || node.isNull()) {
      return base;
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must be an object");
    }
    KnownFields.only(node, field, KnownFields.HNSW_CONFIG_DIFF);
    if (integer(node, "max_indexing_threads", field, 0, 0, Long.MAX_VALUE) != 0) {
      throw ApiException.badRequest(
          "Wrong input: `"
              + field
              + ".max_indexing_threads`: only 0 (automatic) is supported; a graph build"
              + " runs on the node's `storage.performance.optimizer_cpu_budget` threads");
    }
    if (node.hasNonNull("payload_m")) {
      throw ApiException.badRequest(
          "Wrong input: `" + field + ".payload_m`: payload-aware HNSW links are not built");
    }
    if (bool(node, "inline_storage", field, false)) {
      throw ApiException.badRequest(
          "Wrong input: `"
              + field
              + ".inline_storage`: vectors inlined in the graph file are not supported");
    }
    Memory memory = MemoryJson.parse(node, field, GRAPH_PLACEMENTS, "");
    int m = (int) integer(node, "m", field, base.m(), 2, HnswConfig.MAX_M);
    int ef = (int) integer(node, "ef_construct", field, base.efConstruct(), 4, HnswConfig.MAX_EF);
    long fullScan =
        integer(node, "full_scan_threshold", field, base.fullScanThresholdKb(), 0, Long.MAX_VALUE);
    boolean onDisk = bool(node, "on_disk", field, base.onDisk());
    return new HnswConfig(m, ef, fullScan, onDisk, memory != null ? memory : base.memory());
  }

  /**
   * Qdrant's {@code OptimizersConfigDiff} over the defaults; {@code memmap_threshold} and {@code
   * max_optimization_threads} are ignored.
   */
  static OptimizersConfig optimizersConfig(JsonNode node, String field) {
    return optimizersConfig(node, field, OptimizersConfig.DEFAULT);
  }

  /**
   * Qdrant's {@code OptimizersConfigDiff} over {@code d}: the fields given replace those of {@code
   * d}.
   */
  static OptimizersConfig optimizersConfig(JsonNode node, String field, OptimizersConfig d) {
    if (node == null || node.isNull()) {
      return d;
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must be an object");
    }
    KnownFields.only(node, field, KnownFields.OPTIMIZERS_CONFIG_DIFF);
    if (node.hasNonNull("memmap_threshold")) {
      throw ApiException.badRequest(
          "Wrong input: `"
              + field
              + ".memmap_threshold`: not supported (sealed segments are always mapped; use `on_disk`)");
    }
    if (node.hasNonNull("max_optimization_threads")) {
      throw ApiException.badRequest(
          "Wrong input: `"
              + field
              + ".max_optimization_threads`: not supported (segments are optimized by a"
              + " node-wide pool: the node settings `storage.performance.optimizer_threads` and `optimizer_cpu_budget`)");
    }
    if (bool(node, "prevent_unoptimized", field, false)) {
      throw ApiException.badRequest(
          "Wrong input: `" + field + ".prevent_unoptimized`: not supported yet");
    }
    double deleted = d.deletedThreshold();
    JsonNode deletedNode = node.get("deleted_threshold");
    if (deletedNode != null && !deletedNode.isNull()) {
      if (!deletedNode.isNumber() || deletedNode.asDouble() < 0 || deletedNode.asDouble() > 1) {
        throw ApiException.badRequest(
            "Validation error in JSON body: ["
                + field
                + ".deleted_threshold: must be a number in [0, 1]]");
      }
      deleted = deletedNode.asDouble();
    }
    long vacuumMin =
        integer(
            node,
            "vacuum_min_vector_number",
            field,
            d.vacuumMinVectorNumber(),
            100,
            Long.MAX_VALUE);
    int segments =
        (int) integer(node, "default_segment_number", field, d.defaultSegmentNumber(), 0, 1024);
    JsonNode maxSizeNode = node.get("max_segment_size");
    Long maxSize =
        maxSizeNode == null || maxSizeNode.isNull()
            ? d.maxSegmentSizeKb()
            : Long.valueOf(integer(node, "max_segment_size", field, 0, 1, Long.MAX_VALUE));
    long indexing =
        integer(node, "indexing_threshold", field, d.indexingThresholdKb(), 0, Long.MAX_VALUE);
    long flush =
        integer(node, "flush_interval_sec", field, d.flushIntervalSec(), 0, Long.MAX_VALUE);
    return new OptimizersConfig(deleted, vacuumMin, segments, maxSize, indexing, flush);
  }

  private static long integer(
      JsonNode node, String name, String field, long defaultValue, long min, long max) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
      throw ApiException.badRequest(
          "Validation error in JSON body: ["
              + field
              + "."
              + name
              + ": value "
              + v
              + " invalid, must be an integer from "
              + min
              + (max == Long.MAX_VALUE ? "" : " to " + max)
              + "]");
    }
    return v.asLong();
  }

  private static boolean bool(JsonNode node, String name, String field, boolean defaultValue) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isBoolean()) {
      throw ApiException.badRequest(
          "Json deserialize error: " + field + "." + name + ": expected a boolean, got " + v);
    }
    return v.asBoolean();
  }

  private static VectorsConfig vectorsConfig(JsonNode vectors, HnswConfig collectionHnsw) {
    if (!vectors.isObject()) {
      throw ApiException.badRequest("Validation error in JSON body: `vectors` must be an object");
    }
    if (vectors.has("size") || vectors.has("distance")) {
      VectorParams single = vectorParams(vectors, "vectors", collectionHnsw);
      MultiVectorParams.Comparator comparator = multivectorConfig(vectors, "vectors");
      return comparator == null
          ? VectorsConfig.single(single)
          : new VectorsConfig(
              Map.of(),
              Map.of(),
              Map.of(VectorsConfig.DEFAULT, multivector(single, comparator, "vectors")));
    }
    if (vectors.isEmpty()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `vectors` must configure at least one vector");
    }
    Map<String, VectorParams> named = new LinkedHashMap<>();
    Map<String, MultiVectorParams> multi = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = vectors.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().isEmpty()) {
        throw ApiException.badRequest(
            "Validation error in JSON body: vector names must not be empty");
      }
      VectorParams params = vectorParams(e.getValue(), "vectors." + e.getKey(), collectionHnsw);
      MultiVectorParams.Comparator comparator =
          multivectorConfig(e.getValue(), "vectors." + e.getKey());
      if (comparator == null) {
        named.put(e.getKey(), params);
      } else {
        multi.put(e.getKey(), multivector(params, comparator, "vectors." + e.getKey()));
      }
    }
    return new VectorsConfig(named, Map.of(), multi);
  }

  /**
   * Qdrant's {@code sparse_vectors}: name -&gt; {@code {index: {full_scan_threshold, on_disk,
   * datatype, memory}, modifier}}. What Quiver does not honour is refused by name: datatype {@code
   * turbo4}. {@code on_disk} and {@code memory} place the sealed parts of the inverted index (see
   * {@code SparseIndexes.Placement}).
   */
  static Map<String, SparseVectorParams> sparseVectors(JsonNode node) {
    Map<String, SparseVectorParams> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `sparse_vectors` must be an object of sparse vector names");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().isEmpty()) {
        throw ApiException.badRequest(
            "Validation error in JSON body: sparse vector names must not be empty");
      }
      out.put(
          e.getKey(),
          sparseVectorParams(
              e.getValue(), "sparse_vectors." + e.getKey(), SparseVectorParams.DEFAULT, false));
    }
    return out;
  }

  /**
   * One {@code SparseVectorParams} as a diff over {@code base} (the defaults when creating; {@code
   * existing}: a PATCH of a vector that has points, whose datatype cannot change).
   */
  static SparseVectorParams sparseVectorParams(
      JsonNode node, String field, SparseVectorParams base, boolean existing) {
    if (node == null || node.isNull()) {
      return base;
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must be an object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!name.equals("index") && !name.equals("modifier")) {
        throw ApiException.badRequest("Wrong input: `" + field + "." + name + "` is not supported");
      }
    }
    SparseVectorParams.Modifier modifier = base.modifier();
    JsonNode modifierNode = node.get("modifier");
    if (modifierNode != null && !modifierNode.isNull()) {
      modifier =
          switch (modifierNode.isTextual() ? modifierNode.asText() : "") {
            case "none" -> SparseVectorParams.Modifier.NONE;
            case "idf" -> SparseVectorParams.Modifier.IDF;
            default ->
                throw ApiException.badRequest(
                    "Json deserialize error: "
                        + field
                        + ".modifier: unknown variant "
                        + modifierNode
                        + ", expected `none` or `idf`");
          };
    }
    JsonNode index = node.get("index");
    if (index == null || index.isNull()) {
      return new SparseVectorParams(
          base.hasIndex(),
          base.fullScanThreshold(),
          base.onDisk(),
          base.datatype(),
          modifier,
          base.memory());
    }
    String at = field + ".index";
    if (!index.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + at + "` must be an object");
    }
    for (Iterator<String> it = index.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!List.of("full_scan_threshold", "on_disk", "datatype", "memory").contains(name)) {
        throw ApiException.badRequest(
            "Wrong input: `" + at + "." + name + "` is not supported for sparse vectors");
      }
    }
    Memory memory = MemoryJson.parse(index, at, java.util.EnumSet.allOf(Memory.class), "");
    if (memory == null) {
      memory = base.memory();
    }
    JsonNode threshold = index.get("full_scan_threshold");
    Long fullScan =
        threshold == null || threshold.isNull()
            ? base.fullScanThreshold()
            : Long.valueOf(integer(index, "full_scan_threshold", at, 0, 0, Long.MAX_VALUE));
    JsonNode onDiskNode = index.get("on_disk");
    Boolean onDisk =
        onDiskNode == null || onDiskNode.isNull()
            ? base.onDisk()
            : Boolean.valueOf(bool(index, "on_disk", at, false));
    JsonNode datatypeNode = index.get("datatype");
    String datatype = base.datatype();
    if (datatypeNode != null && !datatypeNode.isNull()) {
      datatype = sparseDatatype(datatypeNode, at + ".datatype");
      if (existing && !datatype.equals(base.storedDatatype().qdrantName())) {
        throw ApiException.badRequest(
            "Wrong input: `"
                + at
                + ".datatype`: the datatype of existing sparse vectors"
                + " cannot change (their values are stored at it)");
      }
    }
    return new SparseVectorParams(true, fullScan, onDisk, datatype, modifier, memory);
  }

  /**
   * A sparse vector's datatype: {@code float32}, {@code float16} or {@code uint8} ({@code turbo4}
   * refused by name).
   */
  private static String sparseDatatype(JsonNode node, String field) {
    VectorDatatype datatype = datatype(node, field);
    return datatype.qdrantName();
  }

  /**
   * Qdrant's {@code VectorNameConfig} for {@code PUT /collections/{c}/vectors/{name}}: {@code
   * {"dense": {size, distance, multivector_config, datatype}}} or {@code {"sparse": {modifier,
   * datatype}}}, as a vectors config holding only that vector.
   */
  static VectorsConfig vectorNameConfig(JsonNode body, String name, CollectionConfig collection) {
    return vectorNameConfig(body, name, collection.hnsw());
  }

  private static VectorsConfig vectorNameConfig(
      JsonNode body, String name, HnswConfig collectionHnsw) {
    if (body == null
        || !body.isObject()
        || body.size() != 1
        || !(body.has("dense") || body.has("sparse"))) {
      throw ApiException.badRequest(
          "Validation error in JSON body: the body must be {\"dense\": {...}} or {\"sparse\": {...}}");
    }
    if (body.has("dense")) {
      JsonNode dense = body.get("dense");
      onlyFields(dense, "dense", List.of("size", "distance", "multivector_config", "datatype"));
      VectorParams params = vectorParams(dense, "dense", collectionHnsw);
      MultiVectorParams.Comparator comparator = multivectorConfig(dense, "dense");
      if (comparator == null) {
        return new VectorsConfig(Map.of(name, params));
      }
      return new VectorsConfig(
          Map.of(), Map.of(), Map.of(name, multivector(params, comparator, "dense")));
    }
    JsonNode sparse = body.get("sparse");
    onlyFields(sparse, "sparse", List.of("modifier", "datatype"));
    JsonNode datatype = sparse.get("datatype");
    ObjectNode modifierOnly =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    if (sparse.has("modifier")) {
      modifierOnly.set("modifier", sparse.get("modifier"));
    }
    SparseVectorParams params =
        sparseVectorParams(modifierOnly, "sparse", SparseVectorParams.DEFAULT, false);
    if (datatype != null && !datatype.isNull()) {
      params =
          new SparseVectorParams(
              true, null, null, sparseDatatype(datatype, "sparse.datatype"), params.modifier());
    }
    return new VectorsConfig(Map.of(), Map.of(name, params));
  }

  private static void onlyFields(JsonNode node, String field, List<String> allowed) {
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must be an object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw ApiException.badRequest(
            "Wrong input: `"
                + field
                + "."
                + f
                + "` is not a field of Qdrant's "
                + field
                + " vector config ("
                + String.join(", ", allowed)
                + ")");
      }
    }
  }

  private static VectorParams vectorParams(JsonNode node, String field, HnswConfig collectionHnsw) {
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + field
              + "` must be an object with `size` and `distance`");
    }
    KnownFields.only(node, field, KnownFields.VECTOR_PARAMS);
    JsonNode size = node.get("size");
    if (size == null || !size.isIntegralNumber()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + ".size` must be an integer");
    }
    if (size.asLong() < 1 || size.asLong() > VectorParams.MAX_SIZE) {
      throw ApiException.badRequest(
          "Validation error in JSON body: ["
              + field
              + ".size: value "
              + size.asLong()
              + " invalid, must be from 1 to "
              + VectorParams.MAX_SIZE
              + "]");
    }
    JsonNode distanceNode = node.get("distance");
    if (distanceNode == null || !distanceNode.isTextual()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + field
              + ".distance` is required: one of Cosine, Euclid, Dot, Manhattan");
    }
    Distance distance = Distance.fromQdrantName(distanceNode.asText());
    if (distance == null) {
      throw ApiException.badRequest(
          "Json deserialize error: "
              + field
              + ".distance: unknown variant `"
              + distanceNode.asText()
              + "`, expected one of `Cosine`, `Euclid`, `Dot`, `Manhattan`");
    }
    Memory memory = MemoryJson.parseNotPinned(node, field, "dense vector storage");
    VectorDatatype datatype = datatype(node.get("datatype"), field + ".datatype");
    boolean onDisk = bool(node, "on_disk", field, false);
    JsonNode hnswNode = node.get("hnsw_config");
    // A vector's own hnsw_config is a diff over the collection's; stored resolved.
    HnswConfig hnsw =
        hnswNode == null || hnswNode.isNull()
            ? null
            : hnswConfig(hnswNode, field + ".hnsw_config", collectionHnsw);
    QuantizationConfig quantization =
        QuantizationJson.parse(node.get("quantization_config"), field + ".quantization_config");
    return new VectorParams(size.asInt(), distance, onDisk, hnsw, quantization, datatype, memory);
  }

  /**
   * Qdrant's {@code datatype} of a dense vector: null when absent; {@code float32}, {@code float16}
   * and {@code uint8} are honoured, {@code turbo4} is refused by name.
   */
  private static VectorDatatype datatype(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw ApiException.badRequest(
          "Json deserialize error: "
              + field
              + ": expected one of `float32`, `float16`, `uint8`,"
              + " got "
              + node);
    }
    VectorDatatype datatype = VectorDatatype.fromQdrantName(node.asText());
    if (datatype == null && node.asText().equals("turbo4")) {
      throw ApiException.badRequest(
          "Wrong input: `"
              + field
              + "`: turbo4 is not supported by Quiver as a storage"
              + " datatype; use float32, float16 or uint8, and for 4-bit TurboQuant codes"
              + " `quantization_config: {\"turbo\": {\"bits\": \"bits4\"}}` (searched, then rescored from the stored vectors)");
    }
    if (datatype == null) {
      throw ApiException.badRequest(
          "Json deserialize error: "
              + field
              + ": unknown variant `"
              + node.asText()
              + "`, expected one of `float32`, `uint8`, `float16`, `turbo4`");
    }
    return datatype;
  }

  /**
   * Qdrant's {@code UpdateCollection} over the current config: {@code optimizers_config} and {@code
   * hnsw_config} (diffs), {@code params.replication_factor} (the meta leader then adds or drops
   * replicas until every shard has that many: {@code ReplicaController}) / {@code
   * write_consistency_factor}, {@code vectors.NAME.on_disk} / {@code .hnsw_config}. What Quiver
   * cannot change is refused with 400 naming the field.
   */
  static CollectionConfig parseUpdate(JsonNode body, CollectionConfig current) {
    KnownFields.only(body, "", KnownFields.UPDATE_COLLECTION);
    if (body.hasNonNull("metadata")) {
      throw ApiException.badRequest("Wrong input: updating `metadata` is not supported");
    }
    io.quiver.sharding.StrictModeConfig strict =
        StrictModeJson.merge(
            current.strictMode(), StrictModeJson.parse(body.get("strict_mode_config")));
    HnswConfig hnsw = hnswConfig(body.get("hnsw_config"), "hnsw_config", current.hnsw());
    OptimizersConfig optimizers =
        optimizersConfig(body.get("optimizers_config"), "optimizers_config", current.optimizers());
    int replication = current.replicationFactor();
    int writeConsistency = current.writeConsistencyFactor();
    Memory payloadMemory = current.payloadMemory();
    JsonNode params = body.get("params");
    if (params != null && !params.isNull()) {
      if (!params.isObject()) {
        throw ApiException.badRequest("Validation error in JSON body: `params` must be an object");
      }
      KnownFields.only(params, "params", KnownFields.COLLECTION_PARAMS_DIFF);
      for (String unsupported :
          List.of("read_fan_out_factor", "read_fan_out_delay_ms", "sharding_method")) {
        if (params.hasNonNull(unsupported)) {
          throw ApiException.badRequest(
              "Wrong input: updating `params." + unsupported + "` is not supported");
        }
      }
      if (params.hasNonNull("on_disk_payload") && !params.get("on_disk_payload").asBoolean(false)) {
        throw ApiException.badRequest(
            "Wrong input: `params.on_disk_payload`: payloads are always on disk (RocksDB)");
      }
      Memory newPayloadMemory = payloadMemory(params.get("payload"), "params.payload");
      if (newPayloadMemory != null) {
        payloadMemory = newPayloadMemory;
      }
      replication = positiveInt(params, "replication_factor", replication);
      writeConsistency = positiveInt(params, "write_consistency_factor", writeConsistency);
    }
    Map<String, VectorParams> vectors = new LinkedHashMap<>();
    JsonNode vectorsNode = body.get("vectors");
    if (vectorsNode != null && !vectorsNode.isNull() && !vectorsNode.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `vectors` must be an object of vector names");
    }
    for (Map.Entry<String, VectorParams> e : current.vectors().vectors().entrySet()) {
      VectorParams p = e.getValue();
      JsonNode diff =
          vectorsNode == null || vectorsNode.isNull() ? null : vectorsNode.get(e.getKey());
      if (diff != null && !diff.isNull()) {
        String field = "vectors." + (e.getKey().isEmpty() ? "\"\"" : e.getKey());
        KnownFields.only(diff, field, KnownFields.VECTOR_PARAMS_DIFF);
        Memory memory = MemoryJson.parseNotPinned(diff, field, "dense vector storage");
        boolean onDisk = bool(diff, "on_disk", field, p.onDisk());
        JsonNode hnswNode = diff.get("hnsw_config");
        HnswConfig own =
            hnswNode == null || hnswNode.isNull()
                ? p.hnsw()
                : hnswConfig(hnswNode, field + ".hnsw_config", p.hnsw() == null ? hnsw : p.hnsw());
        QuantizationJson.Diff q =
            QuantizationJson.parseDiff(
                diff.get("quantization_config"), field + ".quantization_config");
        QuantizationConfig ownQuantization =
            q.disabled() ? null : q.config() != null ? q.config() : p.quantization();
        p =
            new VectorParams(
                p.size(),
                p.distance(),
                onDisk,
                own,
                ownQuantization,
                p.datatype(),
                memory != null ? memory : p.memory());
      }
      vectors.put(e.getKey(), p);
    }
    Map<String, MultiVectorParams> multi = new LinkedHashMap<>();
    for (Map.Entry<String, MultiVectorParams> e : current.vectors().multi().entrySet()) {
      MultiVectorParams p = e.getValue();
      JsonNode diff =
          vectorsNode == null || vectorsNode.isNull() ? null : vectorsNode.get(e.getKey());
      if (diff != null && !diff.isNull()) {
        String field = "vectors." + (e.getKey().isEmpty() ? "\"\"" : e.getKey());
        KnownFields.only(diff, field, KnownFields.VECTOR_PARAMS_DIFF);
        Memory memory = MemoryJson.parseNotPinned(diff, field, "dense vector storage");
        refuseMultivectorSettings(diff, field);
        JsonNode hnswNode = diff.get("hnsw_config");
        if (hnswNode != null
            && !hnswNode
                .isNull()) { // with memory, on_disk and quantization_config, the settings of a
          // multivector that can change
          VectorParams v = p.vector();
          HnswConfig own =
              hnswConfig(hnswNode, field + ".hnsw_config", v.hnsw() == null ? hnsw : v.hnsw());
          p = new MultiVectorParams(v.withHnsw(own), p.comparator());
        }
        if (memory != null) {
          p = new MultiVectorParams(p.vector().withMemory(memory), p.comparator());
        }
        QuantizationJson.Diff q =
            QuantizationJson.parseDiff(
                diff.get("quantization_config"), field + ".quantization_config");
        if (q.disabled()
            || q.config() != null) { // the replicas reopen: the parts' rows are quantized again
          p =
              new MultiVectorParams(
                  p.vector().withQuantization(q.disabled() ? null : q.config()), p.comparator());
        }
        boolean onDisk = bool(diff, "on_disk", field, p.vector().onDisk());
        if (onDisk
            != p.vector()
                .onDisk()) { // the replicas reopen their shards: rows mapped or on the heap
          VectorParams v = p.vector();
          p =
              new MultiVectorParams(
                  new VectorParams(
                      v.size(),
                      v.distance(),
                      onDisk,
                      v.hnsw(),
                      v.quantization(),
                      v.datatype(),
                      v.memory()),
                  p.comparator());
        }
      }
      multi.put(e.getKey(), p);
    }
    if (vectorsNode != null && vectorsNode.isObject()) {
      for (Iterator<String> it = vectorsNode.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!current.vectors().vectors().containsKey(name)
            && !current.vectors().multi().containsKey(name)) {
          throw ApiException.badRequest("Wrong input: Not existing vector name error: " + name);
        }
      }
    }
    Map<String, SparseVectorParams> sparse = new LinkedHashMap<>(current.vectors().sparse());
    JsonNode sparseNode = body.get("sparse_vectors");
    if (sparseNode != null && !sparseNode.isNull()) {
      if (!sparseNode.isObject()) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `sparse_vectors` must be an object of sparse vector names");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = sparseNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        SparseVectorParams base = sparse.get(e.getKey());
        if (base == null) {
          throw ApiException.badRequest(
              "Wrong input: Not existing vector name error: "
                  + e.getKey()
                  + " (`sparse_vectors`: a collection update cannot add sparse vectors)");
        }
        sparse.put(
            e.getKey(),
            sparseVectorParams(e.getValue(), "sparse_vectors." + e.getKey(), base, true));
      }
    }
    QuantizationJson.Diff q =
        QuantizationJson.parseDiff(body.get("quantization_config"), "quantization_config");
    QuantizationConfig quantization =
        q.disabled() ? null : q.config() != null ? q.config() : current.quantization();
    try {
      CollectionConfig config =
          new CollectionConfig(
              new VectorsConfig(vectors, sparse, multi),
              current.shardNumber(),
              replication,
              writeConsistency,
              hnsw,
              optimizers,
              quantization,
              strict,
              payloadMemory);
      config.shardConfig(); // checks the quantization against the distances
      return config;
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("Validation error in JSON body: " + e.getMessage());
    }
  }

  private static int positiveInt(JsonNode body, String field, int defaultValue) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > Integer.MAX_VALUE) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + field + "` must be a positive integer, got " + node);
    }
    return node.asInt();
  }

  /** Qdrant's {@code CollectionInfo} with the shards' figures summed ({@code ShardInfo}). */
  static ObjectNode info(ObjectMapper json, CollectionDescriptor c, ShardInfo shards) {
    ObjectNode info = json.createObjectNode();
    // yellow: the optimizer has work pending (sealing, indexing, merging, vacuuming) on some shard.
    info.put("status", shards.optimizing() ? "yellow" : "green");
    info.put("optimizer_status", "ok");
    info.putObject("update_queue").put("length", shards.updateQueue());
    var warnings = info.putArray("warnings");
    CollectionWarnings.of(c).forEach(w -> warnings.addObject().put("message", w));
    info.put("indexed_vectors_count", shards.indexedVectors());
    info.put("points_count", shards.points());
    info.put("segments_count", shards.segments());
    ObjectNode config = info.putObject("config");
    ObjectNode params = config.putObject("params");
    params.set("vectors", vectorsJson(json, c.config().vectors()));
    if (!c.config().vectors().sparse().isEmpty()) {
      params.set("sparse_vectors", sparseVectorsJson(json, c.config().vectors()));
    }
    params.put("shard_number", c.config().shardNumber());
    params.put("replication_factor", c.config().replicationFactor());
    params.put("write_consistency_factor", c.config().writeConsistencyFactor());
    params.put("on_disk_payload", true);
    if (c.config().payloadMemory() != null) {
      params.putObject("payload").put("memory", c.config().payloadMemory().qdrantName());
    }
    config.set("hnsw_config", hnswJson(json, c.config().hnsw()));
    OptimizersConfig o = c.config().optimizers();
    ObjectNode optimizer = config.putObject("optimizer_config");
    optimizer.put("deleted_threshold", o.deletedThreshold());
    optimizer.put("vacuum_min_vector_number", o.vacuumMinVectorNumber());
    optimizer.put("default_segment_number", o.defaultSegmentNumber());
    if (o.maxSegmentSizeKb() == null) {
      optimizer.putNull("max_segment_size");
    } else {
      optimizer.put("max_segment_size", o.maxSegmentSizeKb());
    }
    optimizer.putNull("memmap_threshold");
    optimizer.put("indexing_threshold", o.indexingThresholdKb());
    optimizer.put("flush_interval_sec", o.flushIntervalSec());
    optimizer.putNull("max_optimization_threads");
    ObjectNode wal = config.putObject("wal_config");
    wal.put("wal_capacity_mb", 32);
    wal.put("wal_segments_ahead", 0);
    config.set("quantization_config", QuantizationJson.json(json, c.config().quantization()));
    config.set("strict_mode_config", StrictModeJson.json(json, c.config().strictMode()));
    info.putObject("payload_schema");
    return info;
  }

  /** Exactly the sparse settings that were given (absent fields stay absent). */
  private static ObjectNode sparseVectorsJson(ObjectMapper json, VectorsConfig vectors) {
    ObjectNode out = json.createObjectNode();
    vectors
        .sparse()
        .forEach(
            (name, p) -> {
              ObjectNode node = out.putObject(name);
              if (p.hasIndex()) {
                ObjectNode index = node.putObject("index");
                if (p.fullScanThreshold() != null) {
                  index.put("full_scan_threshold", p.fullScanThreshold());
                }
                if (p.onDisk() != null) {
                  index.put("on_disk", p.onDisk());
                }
                if (p.datatype() != null) {
                  index.put("datatype", p.datatype());
                }
                MemoryJson.put(index, p.memory());
              }
              if (p.modifier() != null) {
                node.put("modifier", p.modifier().name().toLowerCase(java.util.Locale.ROOT));
              }
            });
    return out;
  }

  private static JsonNode vectorsJson(ObjectMapper json, VectorsConfig vectors) {
    if (vectors.isSingleUnnamed()) {
      return paramsJson(json, vectors.get(VectorsConfig.DEFAULT));
    }
    if (vectors.vectors().isEmpty()
        && vectors.multi().size() == 1
        && vectors.multi().containsKey(VectorsConfig.DEFAULT)) {
      return multiJson(json, vectors.getMulti(VectorsConfig.DEFAULT));
    }
    ObjectNode named = json.createObjectNode();
    vectors.vectors().forEach((name, p) -> named.set(name, paramsJson(json, p)));
    vectors.multi().forEach((name, p) -> named.set(name, multiJson(json, p)));
    return named;
  }

  /** A multivector's params: its vector's, with Qdrant's {@code multivector_config}. */
  private static ObjectNode multiJson(ObjectMapper json, MultiVectorParams p) {
    ObjectNode node = paramsJson(json, p.vector());
    node.putObject("multivector_config")
        .put("comparator", p.comparator().name().toLowerCase(java.util.Locale.ROOT));
    return node;
  }

  private static ObjectNode paramsJson(ObjectMapper json, VectorParams p) {
    ObjectNode node = json.createObjectNode();
    node.put("size", p.size());
    node.put("distance", p.distance().qdrantName());
    if (p.hnsw() != null) {
      node.set("hnsw_config", hnswJson(json, p.hnsw()));
    }
    if (p.quantization() != null) {
      node.set("quantization_config", QuantizationJson.json(json, p.quantization()));
    }
    if (p.onDisk()) {
      node.put("on_disk", true);
    }
    if (p.datatype() != null) {
      node.put("datatype", p.datatype().qdrantName());
    }
    MemoryJson.put(node, p.memory());
    return node;
  }

  private static ObjectNode hnswJson(ObjectMapper json, HnswConfig h) {
    ObjectNode hnsw = json.createObjectNode();
    hnsw.put("m", h.m());
    hnsw.put("ef_construct", h.efConstruct());
    hnsw.put("full_scan_threshold", h.fullScanThresholdKb());
    hnsw.put("max_indexing_threads", 0);
    hnsw.put("on_disk", h.onDisk());
    MemoryJson.put(hnsw, h.memory());
    return hnsw;
  }
}
