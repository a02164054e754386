package io.quiver.index.quant;

import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.scorer.VectorScorerSupplier;

/**
 * Quantized codes of a set of vectors, addressed by the same ordinals as the float32 vectors they
 * were made from. Thread-safe for reads; the scorers it makes are not (one per thread). Scores are
 * approximate similarities (higher is better, {@link VectorScorer#isExact()} false), comparable
 * only with each other.
 */
public interface QuantizedVectors {

  /** Number of codes. */
  int size();

  /**
   * A scorer against {@code query} (prepared for the distance, float32), quantized on the way in.
   */
  VectorScorer scorer(float[] query);

  /** Scorers between stored codes, for building a graph over the codes. */
  VectorScorerSupplier supplier();

  /** Bytes of the codes (and their per-vector corrections) on the heap. */
  long heapBytes();
}
