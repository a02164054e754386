/**
 * The seam between graphs and vectors: {@link io.quiver.index.scorer.VectorScorer} scores stored
 * vectors, named by ordinal, against one query, and {@link
 * io.quiver.index.scorer.VectorScorerSupplier} makes scorers whose query is itself a stored vector
 * (what a graph build needs). The HNSW code in {@code io.quiver.index.hnsw} sees vectors only
 * through these, so one graph implementation serves float32 vectors on the heap ({@link
 * io.quiver.index.scorer.HeapFloatVectors}), float32 vectors read in place from a mapped file
 * ({@link io.quiver.index.scorer.SegmentFloatVectors}) and the quantized codes of {@code
 * io.quiver.index.quant}. Scores are similarities, higher is better, whatever the distance; the
 * kernels that compute them come from {@code io.quiver.index.vector}.
 */
package io.quiver.index.scorer;
