package io.quiver.bench.engine;

import io.quiver.bench.Dataset;
import io.quiver.index.hnsw.HnswBuilder;
import io.quiver.index.hnsw.HnswGraph;
import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.quant.Int8Vectors;
import io.quiver.index.quant.RescoringSearch;
import io.quiver.index.quant.ScalarQuantizer;
import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.HeapFloatVectors;

/**
 * Quiver with int8 codes: the graph is built and searched over the codes (a quarter of the bytes),
 * the best {@code k * oversample} candidates are rescored from the float32 vectors.
 */
public final class QuiverInt8Engine implements Engine {

  private final int m;
  private final int efConstruction;
  private final float oversample;
  private FloatVectors vectors;
  private Int8Vectors codes;
  private HnswGraph graph;

  public QuiverInt8Engine(int m, int efConstruction, float oversample) {
    this.m = m;
    this.efConstruction = efConstruction;
    this.oversample = oversample;
  }

  @Override
  public String name() {
    return "quiver-int8";
  }

  @Override
  public void build(Dataset data, int threads) {
    vectors = new HeapFloatVectors(data.base(), data.dim(), data.distance());
    double confidence = 1 - 1.0 / (data.dim() + 1); // Lucene's default confidence interval
    codes = Int8Vectors.quantize(vectors, ScalarQuantizer.fit(vectors, confidence, 42));
    graph = HnswBuilder.build(codes.supplier(), new HnswParams(m, efConstruction, 42, threads));
  }

  @Override
  public Searcher searcher() {
    RescoringSearch search = new RescoringSearch(graph, codes, vectors, oversample);
    return (query, k, ef) -> search.search(query, k, ef, OrdFilter.ALL).ords();
  }

  /**
   * Graph and codes; the float32 vectors used for rescoring are not counted (they may stay on
   * disk).
   */
  @Override
  public long heapBytes() {
    return graph.heapBytes() + codes.heapBytes();
  }

  @Override
  public long offHeapBytes() {
    return 0;
  }
}
