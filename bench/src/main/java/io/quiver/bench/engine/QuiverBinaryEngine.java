package io.quiver.bench.engine;

import io.quiver.bench.Dataset;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.quant.BinaryVectors;
import io.quiver.index.quant.RescoringSearch;

/**
 * Quiver with binary codes (1 bit per dimension): searches the float32 engine's graph with
 * asymmetric binary scores (4-bit query against 1-bit codes), then rescores {@code k * oversample}
 * candidates exactly. Its build time is the float32 graph's plus quantization.
 */
public final class QuiverBinaryEngine implements Engine {

  private final QuiverEngine floatEngine;
  private final float oversample;
  private BinaryVectors codes;
  private HnswIndex index;

  public QuiverBinaryEngine(QuiverEngine floatEngine, float oversample) {
    this.floatEngine = floatEngine;
    this.oversample = oversample;
  }

  @Override
  public String name() {
    return "quiver-binary";
  }

  @Override
  public void build(Dataset data, int threads) {
    if (floatEngine.builtIndex() == null) {
      floatEngine.build(data, threads);
    }
    index = floatEngine.builtIndex();
    codes = BinaryVectors.quantize(index.vectors());
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
