package io.quiver.index.hnsw;

import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.scorer.VectorScorerSupplier;

/**
 * The paper's SELECT-NEIGHBORS-HEURISTIC (algorithm 4) without extendCandidates and
 * keepPrunedConnections, as hnswlib and Lucene use it: walk the candidates best first and keep one
 * only if it is closer to the base node than to every neighbour kept so far. This keeps edges
 * pointing in diverse directions, which is what makes the graph navigable across clusters.
 *
 * <p>Stateless; the supplier passed in must belong to the calling thread.
 */
final class NeighbourSelector {

  private NeighbourSelector() {}

  /**
   * Selects at most {@code cap} of {@code nodes[0 .. n)} (sorted best first by their similarity
   * {@code scores} to the base node; {@code self}, the base node, is skipped if present) into
   * {@code outNodes} / {@code outScores}. Returns how many were selected. Cost: up to {@code n *
   * cap} scores.
   */
  static int select(
      int[] nodes,
      float[] scores,
      int n,
      int cap,
      int self,
      VectorScorerSupplier supplier,
      int[] outNodes,
      float[] outScores) {
    int count = 0;
    for (int i = 0; i < n && count < cap; i++) {
      int candidate = nodes[i];
      if (candidate == self) {
        continue;
      }
      float toBase = scores[i];
      VectorScorer fromCandidate = supplier.scorer(candidate);
      boolean diverse = true;
      for (int j = 0; j < count; j++) {
        if (fromCandidate.score(outNodes[j]) > toBase) {
          diverse = false;
          break;
        }
      }
      if (diverse) {
        outNodes[count] = candidate;
        outScores[count] = toBase;
        count++;
      }
    }
    return count;
  }
}
