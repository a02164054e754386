package io.quiver.index.scorer;

/**
 * Makes scorers whose query is itself a stored vector: what a graph builder needs to compare a node
 * being inserted with its candidates, and candidates with each other.
 *
 * <p>Not thread-safe (an implementation may reuse scratch buffers across the scorers it returns,
 * e.g. to decode a stored vector once); every builder thread takes its own {@link #copy()}.
 */
public interface VectorScorerSupplier {

  /**
   * A scorer whose query is the stored vector {@code ord}. The returned scorer is valid until the
   * next call of this method on the same supplier instance.
   */
  VectorScorer scorer(int ord);

  /** The number of stored vectors. */
  int size();

  /** An independent supplier over the same vectors, for another thread. Cheap: shares storage. */
  VectorScorerSupplier copy();
}
