/**
 * The vector side of a shard: segments, and the background threads that seal, index and merge them.
 * New points go to the {@link io.quiver.storage.segment.AppendableSegment} (heap, exact scan); the
 * {@link io.quiver.storage.segment.SegmentFlusher} writes a full one to a plain sealed segment
 * (mapped vectors, no graph), and the {@link io.quiver.storage.segment.SegmentOptimizer} builds
 * indexed {@link io.quiver.storage.segment.SealedSegment}s (an HNSW graph and optional quantized
 * {@link io.quiver.storage.segment.SegmentCodes}) from plain ones, merges small ones and vacuums
 * deleted points, as Qdrant's optimizers do, never on the Raft apply thread. {@link
 * io.quiver.storage.segment.ShardSegments} ties them together with the id tracker (point id to the
 * segment and ord of its one live copy) and publishes each change as a new immutable {@link
 * io.quiver.storage.segment.SegmentSet}, so a search sees one consistent set. The file formats and
 * the atomically replaced manifest are described in {@link io.quiver.storage.segment.SegmentFiles}.
 */
package io.quiver.storage.segment;
