package io.quiver.storage.segment;

/**
 * The background work of one shard's segments since it opened, for metrics: counts restart at zero
 * when the shard is reopened (a restart, a config change, a snapshot install).
 *
 * @param flushes appendable segments written to plain segments
 * @param optimizations optimizer jobs finished (index builds, merges, vacuums, quantization)
 * @param failures flushes and jobs that failed (each is retried a second later)
 * @param flushing true while the flusher writes a segment
 * @param optimizing true while the optimizer runs a job
 */
public record SegmentWork(
    long flushes, long optimizations, long failures, boolean flushing, boolean optimizing) {}
