package io.quiver.sharding;

import java.util.Map;
import java.util.Objects;

/**
 * Qdrant's {@code strict_mode_config} of a collection: limits that every node enforces on the
 * requests it receives for the collection (the REST edge reads them from the cluster metadata).
 * Each limit is null when not set; {@code enabled} false (or null) turns every limit off while
 * keeping them stored, as Qdrant does. Per-vector limits: {@code multivectorMaxVectors} (vector
 * name -&gt; most vectors in one multivector, null entry: no limit) and {@code sparseMaxLength}
 * (vector name -&gt; most non-zero entries of one sparse vector). {@code readRateLimit} and {@code
 * writeRateLimit}: operations per minute, counted by each node that receives requests.
 */
public record StrictModeConfig(
    Boolean enabled,
    Long maxQueryLimit,
    Long maxTimeout,
    Boolean unindexedFilteringRetrieve,
    Boolean unindexedFilteringUpdate,
    Long searchMaxHnswEf,
    Boolean searchAllowExact,
    Double searchMaxOversampling,
    Long upsertMaxBatchsize,
    Long searchMaxBatchsize,
    Long maxPointsCount,
    Long filterMaxConditions,
    Long conditionMaxSize,
    Long maxPayloadIndexCount,
    Map<String, Long> multivectorMaxVectors,
    Map<String, Long> sparseMaxLength,
    Long readRateLimit,
    Long writeRateLimit) {

  public StrictModeConfig {
    multivectorMaxVectors =
        multivectorMaxVectors == null
            ? null
            : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(multivectorMaxVectors));
    sparseMaxLength =
        sparseMaxLength == null
            ? null
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sparseMaxLength));
  }

  /** Whether the limits apply. */
  public boolean active() {
    return Boolean.TRUE.equals(enabled);
  }

  /**
   * This config with the fields {@code diff} sets replaced (Qdrant's {@code StrictModeConfigDiff}
   * semantics).
   */
  public StrictModeConfig merge(StrictModeConfig diff) {
    Objects.requireNonNull(diff, "diff");
    return new StrictModeConfig(
        or(diff.enabled, enabled),
        or(diff.maxQueryLimit, maxQueryLimit),
        or(diff.maxTimeout, maxTimeout),
        or(diff.unindexedFilteringRetrieve, unindexedFilteringRetrieve),
        or(diff.unindexedFilteringUpdate, unindexedFilteringUpdate),
        or(diff.searchMaxHnswEf, searchMaxHnswEf),
        or(diff.searchAllowExact, searchAllowExact),
        or(diff.searchMaxOversampling, searchMaxOversampling),
        or(diff.upsertMaxBatchsize, upsertMaxBatchsize),
        or(diff.searchMaxBatchsize, searchMaxBatchsize),
        or(diff.maxPointsCount, maxPointsCount),
        or(diff.filterMaxConditions, filterMaxConditions),
        or(diff.conditionMaxSize, conditionMaxSize),
        or(diff.maxPayloadIndexCount, maxPayloadIndexCount),
        or(diff.multivectorMaxVectors, multivectorMaxVectors),
        or(diff.sparseMaxLength, sparseMaxLength),
        or(diff.readRateLimit, readRateLimit),
        or(diff.writeRateLimit, writeRateLimit));
  }

  private static <T> T or(T given, T current) {
    return given != null ? given : current;
  }
}
