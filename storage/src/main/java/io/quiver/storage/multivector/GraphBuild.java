package io.quiver.storage.multivector;

import io.quiver.index.hnsw.HnswBuilder;
import io.quiver.index.hnsw.HnswGraph;
import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.hnsw.OrdBitSet;
import io.quiver.index.multivector.MaxSimScorerSupplier;
import io.quiver.index.multivector.MultiVectors;
import io.quiver.index.multivector.QuantizedMaxSim;
import io.quiver.storage.PointId;
import io.quiver.storage.QuantizationConfig;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The inputs of one multivector graph build, taken under the shard's read lock so the build needs
 * no lock: the name's store (to detect a compaction before installing), a frozen view of the rows
 * of {@code [from, to)} with their point ids, the ords live then ({@code inserted}, in view ords),
 * the parts the new one replaces, the store's generation (for the part's file), and the vector's
 * quantization (null: none) its rows' codes are made for.
 */
record GraphBuild(
    String name,
    MultiVectors store,
    long generation,
    MultiVectors view,
    PointId[] ids,
    int from,
    int to,
    OrdBitSet inserted,
    int nodes,
    long rows,
    List<GraphPart> absorbed,
    HnswParams params,
    QuantizationConfig quantization) {

  /**
   * Builds the graph (no lock held), with the nodes concurrent inserts cut off linked back in;
   * throws {@code BuildCancelledException} when cancelled.
   */
  HnswGraph run(BooleanSupplier cancelled) {
    return HnswBuilder.build(
        new MaxSimScorerSupplier(view), params, cancelled, inserted::get, true);
  }

  /**
   * The codes of the view's rows for {@link #quantization} (no lock held), or null when it is none.
   */
  QuantizedMaxSim quantize() {
    return quantization == null ? null : PartCodes.quantize(quantization, view);
  }
}
