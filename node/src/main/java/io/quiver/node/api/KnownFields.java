package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.http.ApiException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The fields Qdrant's spec defines for one settings object, and the refusal of any other with a 400
 * naming it: a typo ({@code ef_construction} for {@code ef_construct}) is not taken for a setting
 * and ignored, as Qdrant ignores it. A field given as null counts as absent (a client that sends
 * every field it knows, null when unset, still works). Whether a known field is honoured or refused
 * is the parser's business; this only closes the list.
 */
final class KnownFields {

  private KnownFields() {}

  /** Qdrant's {@code CreateCollection}. */
  static final Set<String> CREATE_COLLECTION =
      Set.of(
          "vectors",
          "shard_number",
          "sharding_method",
          "replication_factor",
          "write_consistency_factor",
          "on_disk_payload",
          "payload",
          "hnsw_config",
          "wal_config",
          "optimizers_config",
          "quantization_config",
          "sparse_vectors",
          "strict_mode_config",
          "metadata");

  /** Qdrant's {@code UpdateCollection}. */
  static final Set<String> UPDATE_COLLECTION =
      Set.of(
          "vectors",
          "optimizers_config",
          "params",
          "hnsw_config",
          "quantization_config",
          "sparse_vectors",
          "strict_mode_config",
          "metadata");

  /** Qdrant's {@code CollectionParamsDiff}. */
  static final Set<String> COLLECTION_PARAMS_DIFF =
      Set.of(
          "replication_factor",
          "write_consistency_factor",
          "read_fan_out_factor",
          "read_fan_out_delay_ms",
          "on_disk_payload",
          "payload");

  /** Qdrant's {@code HnswConfigDiff}. */
  static final Set<String> HNSW_CONFIG_DIFF =
      Set.of(
          "m",
          "ef_construct",
          "full_scan_threshold",
          "max_indexing_threads",
          "on_disk",
          "memory",
          "payload_m",
          "inline_storage");

  /** Qdrant's {@code OptimizersConfigDiff}. */
  static final Set<String> OPTIMIZERS_CONFIG_DIFF =
      Set.of(
          "deleted_threshold",
          "vacuum_min_vector_number",
          "default_segment_number",
          "max_segment_size",
          "memmap_threshold",
          "indexing_threshold",
          "flush_interval_sec",
          "max_optimization_threads",
          "prevent_unoptimized");

  /** Qdrant's {@code VectorParams}. */
  static final Set<String> VECTOR_PARAMS =
      Set.of(
          "size",
          "distance",
          "hnsw_config",
          "quantization_config",
          "on_disk",
          "memory",
          "datatype",
          "multivector_config");

  /** Qdrant's {@code VectorParamsDiff}. */
  static final Set<String> VECTOR_PARAMS_DIFF =
      Set.of("hnsw_config", "quantization_config", "on_disk", "memory");

  /** Qdrant's {@code SearchParams}. */
  static final Set<String> SEARCH_PARAMS =
      Set.of("hnsw_ef", "exact", "quantization", "indexed_only", "acorn", "idf");

  /** Qdrant's {@code QuantizationSearchParams}. */
  static final Set<String> QUANTIZATION_SEARCH_PARAMS = Set.of("ignore", "rescore", "oversampling");

  /** Qdrant's {@code AcornSearchParams}. */
  static final Set<String> ACORN_SEARCH_PARAMS = Set.of("enable", "max_selectivity");

  /** Qdrant's {@code CreateFieldIndex}. */
  static final Set<String> CREATE_FIELD_INDEX = Set.of("field_name", "field_schema");

  /** Qdrant's {@code StrictModeConfig}. */
  static final Set<String> STRICT_MODE_CONFIG =
      Set.of(
          "enabled",
          "max_query_limit",
          "max_timeout",
          "unindexed_filtering_retrieve",
          "unindexed_filtering_update",
          "search_max_hnsw_ef",
          "search_allow_exact",
          "search_max_oversampling",
          "upsert_max_batchsize",
          "search_max_batchsize",
          "max_collection_vector_size_bytes",
          "read_rate_limit",
          "write_rate_limit",
          "max_collection_payload_size_bytes",
          "max_points_count",
          "filter_max_conditions",
          "condition_max_size",
          "multivector_config",
          "sparse_config",
          "max_payload_index_count",
          "max_resident_memory_percent");

  /**
   * Refuses a non-null field of object {@code node} that is not in {@code known}; {@code at} names
   * the object in the body (empty: the body itself).
   */
  static void only(JsonNode node, String at, Set<String> known) {
    if (node == null || !node.isObject()) {
      return;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f) && !node.get(f).isNull()) {
        List<String> expected = known.stream().sorted().map(k -> "`" + k + "`").toList();
        throw ApiException.badRequest(
            "Json deserialize error: "
                + (at.isEmpty() ? "" : at + ": ")
                + "unknown field `"
                + f
                + (expected.isEmpty()
                    ? "`: this request takes no fields"
                    : "`, expected one of " + expected));
      }
    }
  }
}
