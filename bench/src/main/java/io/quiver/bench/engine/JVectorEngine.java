package io.quiver.bench.engine;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.quiver.bench.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * JVector 4 as a library: in-memory graph with hierarchy, exact float scores (no PQ), vectors on
 * the heap. JVector's M is the maximum degree of every node, so it is set to 2M (HNSW's level-0
 * degree); beam width = efConstruction, alpha 1.2, neighbour overflow 1.2 (its defaults). A search
 * keeps ef candidates (rerankK) and returns the top k.
 */
public final class JVectorEngine implements Engine {

  private static final VectorTypeSupport VTS =
      VectorizationProvider.getInstance().getVectorTypeSupport();

  private final int m;
  private final int efConstruction;
  private VectorSimilarityFunction similarity;
  private RandomAccessVectorValues values;
  private ImmutableGraphIndex graph;

  public JVectorEngine(int m, int efConstruction) {
    this.m = m;
    this.efConstruction = efConstruction;
  }

  @Override
  public String name() {
    return "jvector";
  }

  @Override
  public void build(Dataset data, int threads) throws Exception {
    similarity =
        switch (data.distance()) {
          case EUCLID -> VectorSimilarityFunction.EUCLIDEAN;
          case DOT -> VectorSimilarityFunction.DOT_PRODUCT;
          case COSINE -> VectorSimilarityFunction.COSINE;
          case MANHATTAN -> throw new IllegalArgumentException("JVector has no Manhattan distance");
        };
    List<VectorFloat<?>> list = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      list.add(VTS.createFloatVector(data.baseVector(i)));
    }
    values = new ListRandomAccessVectorValues(list, data.dim());
    BuildScoreProvider bsp = BuildScoreProvider.randomAccessScoreProvider(values, similarity);
    ForkJoinPool simd = new ForkJoinPool(threads);
    ForkJoinPool parallel = new ForkJoinPool(threads);
    try (GraphIndexBuilder builder =
        new GraphIndexBuilder(
            bsp, data.dim(), 2 * m, efConstruction, 1.2f, 1.2f, true, true, simd, parallel)) {
      graph = builder.build(values);
    } finally {
      simd.shutdown();
      parallel.shutdown();
    }
  }

  @Override
  public Searcher searcher() {
    GraphSearcher searcher = new GraphSearcher(graph);
    RandomAccessVectorValues mine = values.copy();
    return (query, k, ef) -> {
      DefaultSearchScoreProvider ssp =
          DefaultSearchScoreProvider.exact(VTS.createFloatVector(query), similarity, mine);
      SearchResult result = searcher.search(ssp, k, Math.max(k, ef), 0f, 0f, Bits.ALL);
      SearchResult.NodeScore[] nodes = result.getNodes();
      int[] out = new int[nodes.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = nodes[i].node;
      }
      return out;
    };
  }

  @Override
  public long heapBytes() {
    return graph.ramBytesUsed() + (long) values.size() * (values.dimension() * 4L + 16);
  }

  @Override
  public long offHeapBytes() {
    return 0;
  }
}
