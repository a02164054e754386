package io.quiver.bench.engine;

import io.quiver.bench.Dataset;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.quant.RescoringSearch;
import io.quiver.index.quant.TurboBits;
import io.quiver.index.quant.TurboVectors;

/**
 * Quiver with TurboQuant codes ({@link TurboVectors} at the given bits): searches the float32
 * engine's graph with the codes' asymmetric scores (float query rotated once, one table lookup per
 * code byte), then rescores {@code k * oversample} candidates exactly. Its build time is the
 * float32 graph's plus quantization.
 */
public final class QuiverTurboEngine implements Engine {

  private final QuiverEngine floatEngine;
  private final TurboBits bits;
  private final float oversample;
  private TurboVectors codes;
  private HnswIndex index;

  public QuiverTurboEngine(QuiverEngine floatEngine, TurboBits bits, float oversample) {
    this.floatEngine = floatEngine;
    this.bits = bits;
    this.oversample = oversample;
  }

  @Override
  public String name() {
    return "quiver-turbo" + bits.name().substring(4).toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public void build(Dataset data, int threads) {
    if (floatEngine.builtIndex() == null) {
      floatEngine.build(data, threads);
    }
    index = floatEngine.builtIndex();
    codes = TurboVectors.quantize(index.vectors(), bits, 42);
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
