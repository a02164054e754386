package io.quiver.index.scorer;

/**
 * Scores stored vectors, named by their ordinal {@code 0 .. size()-1}, against one query that is
 * fixed when the scorer is created. This is the only way the graph sees vectors, so the same graph
 * code serves float32 on the heap, float32 from a mapped file and quantized codes.
 *
 * <p>Scores are similarities: <b>higher is better</b>, whatever the distance (a Euclidean scorer
 * returns the negated squared distance). They are comparable only with scores of the same scorer
 * type; {@link #isExact()} says whether they are the exact similarity of the float32 vectors or an
 * approximation (quantized codes) that a caller should rescore.
 *
 * <p>Not thread-safe: a scorer may keep scratch state. Create one per thread. Cost: one call reads
 * one stored vector (a cache miss per 64 bytes of it on a cold index).
 */
public interface VectorScorer {

  /** The similarity of the vector with ordinal {@code ord} to the query; higher is better. */
  float score(int ord);

  /** The number of ordinals this scorer can score. */
  int size();

  /** True when scores are exact float32 similarities, false for quantized approximations. */
  default boolean isExact() {
    return true;
  }

  /**
   * Scores {@code ords[0 .. count)} into {@code scores[0 .. count)}. Same result as calling {@link
   * #score(int)} for each; implementations may overlap the memory reads of several vectors.
   */
  default void bulkScore(int[] ords, int count, float[] scores) {
    for (int i = 0; i < count; i++) {
      scores[i] = score(ords[i]);
    }
  }

  /**
   * Brings the vectors of {@code ords[0 .. count)} towards the CPU before they are scored, so that
   * their cache misses overlap; for a caller about to score a batch scattered over a large index
   * once (the rescoring of quantized candidates). Nothing by default. Not for a graph search's
   * neighbour batches: there it cost a heap-backed index a third of its queries per second.
   */
  default void prefetch(int[] ords, int count) {}
}
