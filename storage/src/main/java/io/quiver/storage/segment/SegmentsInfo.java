package io.quiver.storage.segment;

/**
 * What a shard's segments hold, for collection info.
 *
 * @param segments the number of segments (the appendable one included)
 * @param indexedVectors live vectors in segments with an HNSW graph (per vector name)
 * @param optimizing true while the optimizer has work it has not finished (status yellow)
 */
public record SegmentsInfo(int segments, long indexedVectors, boolean optimizing) {}
