package io.quiver.index.multivector;

import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.scorer.VectorScorerSupplier;

/**
 * Scorers over {@link MultiVectors} for the HNSW graph, where a graph node is a whole point (all
 * its rows). A search scores by MaxSim ({@link #scorer(MultiVectors, float[][])}: the query's rows
 * against each point's, as Qdrant ranks). The builder links nodes by {@link MaxSim#nodeSimilarity},
 * symmetric and independent of row counts: the neighbour heuristic compares scores of different
 * pairs, which plain MaxSim (a sum over one side's rows, different each way) made meaningless; with
 * it ~9% of the nodes of a clustered set ended with no inbound link and could never be found
 * (MaxSimTest: 0 now).
 *
 * <p>Not thread-safe (a scorer keeps its node's rows and scratch); {@link #copy()} per builder
 * thread.
 */
public final class MaxSimScorerSupplier implements VectorScorerSupplier {

  private final MultiVectors vectors;

  public MaxSimScorerSupplier(MultiVectors vectors) {
    this.vectors = vectors;
  }

  /**
   * A scorer of the given query rows (prepared for the distance) against every stored multivector.
   */
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

  /**
   * A scorer of node {@code ord} against every stored multivector by {@link MaxSim#nodeSimilarity}.
   */
  @Override
  public VectorScorer scorer(int ord) {
    float[][] rows = MaxSim.rows(vectors.get(ord), vectors.dim());
    return new VectorScorer() {
      private float[] columns = new float[16];

      @Override
      public float score(int other) {
        int count = vectors.count(other);
        if (columns.length < count) {
          columns = new float[Math.max(count, columns.length * 2)];
        }
        return vectors.nodeSimilarity(rows, other, columns);
      }

      @Override
      public int size() {
        return vectors.size();
      }
    };
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
