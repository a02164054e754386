package io.quiver.storage;

/**
 * When the background optimizer of a shard seals, merges and vacuums segments (Qdrant's {@code
 * optimizers_config}). Sizes are kilobytes of vector data (all vectors of a point), as in Qdrant.
 *
 * @param deletedThreshold a sealed segment whose deleted fraction exceeds this is rebuilt without
 *     them
 * @param vacuumMinVectorNumber ... but only once it has at least this many deleted points
 * @param defaultSegmentNumber the number of sealed segments the merger aims for; 0: {@link
 *     #segmentTarget()} decides
 * @param maxSegmentSizeKb a merge never produces a segment larger than this; null: {@link
 *     #DEFAULT_MAX_SEGMENT_SIZE_KB}
 * @param indexingThresholdKb the appendable segment is flushed to a plain segment at this size, and
 *     the optimizer builds the HNSW graphs of plain segments; 0 disables indexing: plain segments
 *     are still flushed, at {@link #UNINDEXED_FLUSH_KB}
 * @param flushIntervalSec how often the shard's store is flushed to disk when it has new writes
 */
public record OptimizersConfig(
    double deletedThreshold,
    long vacuumMinVectorNumber,
    int defaultSegmentNumber,
    Long maxSegmentSizeKb,
    long indexingThresholdKb,
    long flushIntervalSec) {

  /**
   * Qdrant's defaults (its {@code max_segment_size} default depends on the machine; this is a fixed
   * one).
   */
  public static final OptimizersConfig DEFAULT =
      new OptimizersConfig(0.2, 1000, 0, null, 10_000, 5);

  public static final long DEFAULT_MAX_SEGMENT_SIZE_KB = 200_000;

  public OptimizersConfig {
    if (!(deletedThreshold >= 0 && deletedThreshold <= 1)) {
      throw new BadRequestException(
          "optimizers_config.deleted_threshold must be in [0, 1], got " + deletedThreshold);
    }
    if (vacuumMinVectorNumber < 0) {
      throw new BadRequestException(
          "optimizers_config.vacuum_min_vector_number must be >= 0, got " + vacuumMinVectorNumber);
    }
    if (defaultSegmentNumber < 0 || defaultSegmentNumber > 1024) {
      throw new BadRequestException(
          "optimizers_config.default_segment_number must be in [0, 1024], got "
              + defaultSegmentNumber);
    }
    if (maxSegmentSizeKb != null && maxSegmentSizeKb < 1) {
      throw new BadRequestException(
          "optimizers_config.max_segment_size must be >= 1, got " + maxSegmentSizeKb);
    }
    if (indexingThresholdKb < 0) {
      throw new BadRequestException(
          "optimizers_config.indexing_threshold must be >= 0, got " + indexingThresholdKb);
    }
    if (flushIntervalSec < 0) {
      throw new BadRequestException(
          "optimizers_config.flush_interval_sec must be >= 0, got " + flushIntervalSec);
    }
  }

  /**
   * The number of sealed segments merging aims for: the configured one, or the processor count (at
   * least 2).
   */
  public int segmentTarget() {
    return defaultSegmentNumber > 0
        ? defaultSegmentNumber
        : Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  /**
   * The size at which the appendable segment (on the heap) is flushed to a plain sealed segment
   * while indexing is disabled ({@code indexing_threshold: 0}, Qdrant's advice for bulk uploads):
   * without it the heap held every vector (a 1 GiB upload ran the node out of a 2 GiB heap).
   */
  public static final long UNINDEXED_FLUSH_KB = 10_000;

  /**
   * True unless {@code indexing_threshold} is 0: the optimizer builds the graphs of plain segments.
   */
  public boolean indexingEnabled() {
    return indexingThresholdKb > 0;
  }

  /**
   * The appendable segment's size at which it is flushed to a plain segment: the indexing
   * threshold, or {@link #UNINDEXED_FLUSH_KB}.
   */
  public long flushThresholdKb() {
    return indexingThresholdKb > 0 ? indexingThresholdKb : UNINDEXED_FLUSH_KB;
  }

  /** The configured maximum segment size, or the default. */
  public long maxSegmentSizeKbOrDefault() {
    return maxSegmentSizeKb != null ? maxSegmentSizeKb : DEFAULT_MAX_SEGMENT_SIZE_KB;
  }
}
