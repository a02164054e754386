package io.quiver.bench.engine;

import io.quiver.bench.Dataset;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.quant.PqVectors;
import io.quiver.index.quant.ProductQuantizer;
import io.quiver.index.quant.RescoringSearch;

/**
 * Quiver with product-quantized codes (4 dimensions per byte): searches the float32 engine's graph
 * with table-lookup scores, then rescores {@code k * oversample} candidates exactly. Its build time
 * is the float32 graph's plus codebook training and encoding.
 */
public final class QuiverPqEngine implements Engine {

  private final QuiverEngine floatEngine;
  private final float oversample;
  private PqVectors codes;
  private HnswIndex index;

  public QuiverPqEngine(QuiverEngine floatEngine, float oversample) {
    this.floatEngine = floatEngine;
    this.oversample = oversample;
  }

  @Override
  public String name() {
    return "quiver-pq";
  }

  @Override
  public void build(Dataset data, int threads) {
    if (floatEngine.builtIndex() == null) {
      floatEngine.build(data, threads);
    }
    index = floatEngine.builtIndex();
    int m = Math.max(1, data.dim() / 4);
    ProductQuantizer pq = ProductQuantizer.train(index.vectors(), m, 5000, 6, 42);
    codes = PqVectors.quantize(index.vectors(), pq);
  }

  @Override
  public Searcher searcher() {
    RescoringSearch search = new RescoringSearch(index.graph(), codes, index.vectors(), oversample);
    return (query, k, ef) -> search.search(query, k, ef, OrdFilter.ALL).ords();
  }

  @Override
  public long heapBytes() {
    return index.graph().heapBytes() + codes.heapBytes();
  }

  @Override
  public long offHeapBytes() {
    return 0;
  }
}
