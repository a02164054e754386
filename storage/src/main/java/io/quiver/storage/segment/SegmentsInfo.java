package io.quiver.storage.segment;

/**
 * What a shard's segments hold, for collection info, benchmarks and tests.
 *
 * @param segments the number of segments (the appendable one included)
 * @param indexedVectors live vectors in segments with an HNSW graph (per vector name)
 * @param optimizing true while the flusher or the optimizer has work it has not finished (status
 *     yellow)
 * @param plainSegments sealed segments without graphs, waiting for the optimizer to index them
 * @param appendablePoints points (live and deleted) held on the heap by the appendable segment and
 *     by a frozen one being flushed: the in-heap backlog the flusher keeps bounded
 * @param indexedSegments sealed segments with an HNSW graph; the rest of {@code segments} beyond
 *     the plain and indexed ones are appendable (the active one, and frozen ones being flushed)
 */
public record SegmentsInfo(
    int segments,
    long indexedVectors,
    boolean optimizing,
    int plainSegments,
    long appendablePoints,
    int indexedSegments) {}
