package io.quiver.bench.engine;

import static org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;

import io.quiver.bench.Dataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.hnsw.HnswConcurrentMergeBuilder;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.NeighborArray;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Lucene 10.3's HNSW used as a library (lucene-core's util.hnsw): vectors on the heap ({@code
 * FloatVectorValues.fromFloats}), Lucene99 flat vector scorer (Panama SIMD when the incubator
 * module is present), the same M and efConstruction. One thread builds with {@code
 * HnswGraphBuilder}, two with {@code HnswConcurrentMergeBuilder} (what Lucene's merges use). A
 * search collects the best ef and returns the top k (Lucene's k + fanout).
 */
public final class LuceneEngine implements Engine {

  private final int m;
  private final int efConstruction;
  private final FlatVectorsScorer flatScorer = FlatVectorScorerUtil.getLucene99FlatVectorsScorer();
  private VectorSimilarityFunction similarity;
  private FloatVectorValues values;
  private OnHeapHnswGraph graph;

  public LuceneEngine(int m, int efConstruction) {
    this.m = m;
    this.efConstruction = efConstruction;
  }

  @Override
  public String name() {
    return "lucene";
  }

  @Override
  public void build(Dataset data, int threads) throws IOException {
    similarity =
        switch (data.distance()) {
          case EUCLID -> VectorSimilarityFunction.EUCLIDEAN;
          case DOT -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
          case COSINE -> VectorSimilarityFunction.DOT_PRODUCT;
          case MANHATTAN -> throw new IllegalArgumentException("Lucene has no Manhattan distance");
        };
    List<float[]> list = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      list.add(data.baseVector(i));
    }
    values = FloatVectorValues.fromFloats(list, data.dim());
    RandomVectorScorerSupplier supplier =
        flatScorer.getRandomVectorScorerSupplier(similarity, values);
    int n = data.size();
    HnswGraphBuilder builder = HnswGraphBuilder.create(supplier, m, efConstruction, 42, n);
    if (threads == 1) {
      graph = builder.build(n);
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      graph =
          new HnswConcurrentMergeBuilder(
                  new TaskExecutor(pool),
                  threads,
                  supplier,
                  m,
                  efConstruction,
                  builder.getGraph(),
                  null)
              .build(n);
    } finally {
      pool.shutdown();
    }
  }

  @Override
  public Searcher searcher() throws IOException {
    FloatVectorValues mine = values.copy();
    HnswGraph view = new GraphView(graph); // OnHeapHnswGraph's seek cursor is not thread-safe
    return (query, k, ef) -> {
      RandomVectorScorer scorer = flatScorer.getRandomVectorScorer(similarity, mine, query);
      TopKnnCollector collector = new TopKnnCollector(ef, Integer.MAX_VALUE);
      HnswGraphSearcher.search(scorer, collector, view, null);
      ScoreDoc[] docs = collector.topDocs().scoreDocs;
      int[] out = new int[Math.min(k, docs.length)];
      for (int i = 0; i < out.length; i++) {
        out[i] = docs[i].doc;
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

  /**
   * A read-only view of an OnHeapHnswGraph with its own neighbour cursor, so that two threads can
   * search one graph. Iterates the same NeighborArray the graph's own cursor would.
   */
  private static final class GraphView extends HnswGraph {
    private final OnHeapHnswGraph graph;
    private int[] nodes;
    private int count;
    private int upto;

    GraphView(OnHeapHnswGraph graph) {
      this.graph = graph;
    }

    @Override
    public void seek(int level, int target) {
      NeighborArray neighbours = graph.getNeighbors(level, target);
      nodes = neighbours.nodes();
      count = neighbours.size();
      upto = -1;
    }

    @Override
    public int size() {
      return graph.size();
    }

    @Override
    public int nextNeighbor() {
      return ++upto < count ? nodes[upto] : NO_MORE_DOCS;
    }

    @Override
    public int neighborCount() {
      return count;
    }

    @Override
    public int numLevels() throws IOException {
      return graph.numLevels();
    }

    @Override
    public int maxConn() {
      return graph.maxConn();
    }

    @Override
    public int entryNode() throws IOException {
      return graph.entryNode();
    }

    @Override
    public NodesIterator getNodesOnLevel(int level) throws IOException {
      return graph.getNodesOnLevel(level);
    }
  }
}
