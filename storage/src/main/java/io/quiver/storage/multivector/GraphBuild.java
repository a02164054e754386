package io.quiver.storage.multivector;

import io.quiver.index.hnsw.HnswBuilder;
import io.quiver.index.hnsw.HnswGraph;
import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.hnsw.OrdBitSet;
import io.quiver.index.multivector.MaxSimScorerSupplier;
import io.quiver.index.multivector.MultiVectors;
import io.quiver.storage.PointId;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The inputs of one multivector graph build, taken under the shard's read lock so the build needs
 * no lock: the name's store (to detect a compaction before installing), a frozen view of the rows
 * of {@code [from, to)} with their point ids, the ords live then ({@code inserted}, in view ords),
 * the parts the new one replaces, and the store's generation (for the part's file).
 */
record GraphBuild(String name, MultiVectors store, long generation, MultiVectors view, PointId[] ids, int from, int to,
    OrdBitSet inserted, int nodes, long rows, List<GraphPart> absorbed, HnswParams params) {

  /**
   * Builds the graph (no lock held), with the nodes concurrent inserts cut off linked back in;
   * throws {@code BuildCancelledException} when cancelled.
   */
  HnswGraph run(BooleanSupplier cancelled) {
    return HnswBuilder.build(new MaxSimScorerSupplier(view), params, cancelled, inserted::get, true);
  }
}
