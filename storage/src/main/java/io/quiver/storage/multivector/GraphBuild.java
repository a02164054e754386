package io.quiver.storage.multivector;

import io.quiver.index.hnsw.HnswBuilder;
import io.quiver.index.hnsw.HnswGraph;
import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.hnsw.OrdBitSet;
import io.quiver.index.multivector.MaxSimScorerSupplier;
import io.quiver.index.multivector.MultiVectors;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The inputs of one multivector graph build, taken under the shard's read lock so the build needs
 * no lock: the name's store (to detect a compaction before installing), a frozen view of the rows
 * of {@code [from, to)}, the ords live then ({@code inserted}, in view ords), and the parts the
 * new one replaces.
 */
record GraphBuild(String name, MultiVectors store, MultiVectors view, int from, int to, OrdBitSet inserted, int nodes,
    long rows, List<GraphPart> absorbed, HnswParams params) {

  /** Builds the graph (no lock held); throws {@code BuildCancelledException} when cancelled. */
  HnswGraph run(BooleanSupplier cancelled) {
    return HnswBuilder.build(new MaxSimScorerSupplier(view), params, cancelled, inserted::get);
  }
}
