package io.quiver.index.multivector;

import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.scorer.VectorScorerSupplier;

/**
 * Scorers over {@link MultiVectors} by MaxSim, for the HNSW graph: a graph node is a whole point
 * (all its rows), and the distance between two nodes is the MaxSim of one's rows against the
 * other's, as Qdrant builds its multivector graphs. MaxSim is not symmetric; the builder scores
 * the node being inserted (the query side) against its candidates, as Qdrant does.
 *
 * <p>Not thread-safe (keeps the current query's rows); {@link #copy()} per builder thread.
 */
public final class MaxSimScorerSupplier implements VectorScorerSupplier {

  private final MultiVectors vectors;

  public MaxSimScorerSupplier(MultiVectors vectors) {
    this.vectors = vectors;
  }

  /** A scorer of the given query rows (prepared for the distance) against every stored multivector. */
  public static VectorScorer scorer(MultiVectors vectors, float[][] query) {
    return new VectorScorer() {
      @Override
      public float score(int ord) {
        return vectors.similarity(query, ord);
      }

      @Override
      public int size() {
        return vectors.size();
      }
    };
  }

  @Override
  public VectorScorer scorer(int ord) {
    return scorer(vectors, MaxSim.rows(vectors.get(ord), vectors.dim()));
  }

  @Override
  public int size() {
    return vectors.size();
  }

  @Override
  public VectorScorerSupplier copy() {
    return new MaxSimScorerSupplier(vectors);
  }
}
