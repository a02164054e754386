package io.quiver.index.hnsw;

/**
 * Thrown by a graph build whose caller cancelled it (see {@link HnswBuilder#build(
 * io.quiver.index.scorer.VectorScorerSupplier, HnswParams, java.util.function.BooleanSupplier)}).
 * The build's threads have all stopped when it is thrown; nothing of the partial graph is kept.
 */
public final class BuildCancelledException extends RuntimeException {

  public BuildCancelledException(int nodes) {
    super("HNSW build of " + nodes + " nodes cancelled");
  }
}
