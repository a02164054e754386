package io.quiver.index.quant;

import io.quiver.index.hnsw.HnswGraph;
import io.quiver.index.hnsw.HnswSearcher;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.VectorScorer;

/**
 * Searches a graph with quantized scores, then rescores the best {@code k * oversample} candidates
 * exactly from the float32 vectors and returns the best {@code k}. The float32 vectors are read
 * only for those candidates, so they may live on disk. Not thread-safe (holds a searcher): one
 * instance per thread.
 */
public final class RescoringSearch {

  private final HnswGraph graph;
  private final QuantizedVectors codes;
  private final FloatVectors exact;
  private final float oversample;
  private final HnswSearcher searcher = new HnswSearcher();

  /**
   * @param oversample how many candidates to rescore per wanted hit (>= 1; 2–5 for int8, 5–20 for
   *     binary)
   */
  public RescoringSearch(
      HnswGraph graph, QuantizedVectors codes, FloatVectors exact, float oversample) {
    if (oversample < 1) {
      throw new IllegalArgumentException("oversample must be >= 1, got " + oversample);
    }
    this.graph = graph;
    this.codes = codes;
    this.exact = exact;
    this.oversample = oversample;
  }

  /** The best {@code k} by exact score among the quantized search's candidates; query prepared. */
  public TopHits search(float[] query, int k, int ef, OrdFilter filter) {
    return search(
        searcher, graph, codes.scorer(query), exact, query, k, ef, oversample, true, filter);
  }

  /**
   * One quantized search with the caller's searcher (not thread-safe: one per thread): traverses
   * {@code graph} with {@code quantizedScorer} (from {@link QuantizedVectors#scorer} for {@code
   * query}) keeping the best {@code ceil(k * oversample)} candidates, then, when {@code rescore},
   * scores them exactly from {@code exact} and returns the best {@code k} by exact score; otherwise
   * the best {@code k} by quantized score, with quantized (approximate) scores.
   */
  public static TopHits search(
      HnswSearcher searcher,
      HnswGraph graph,
      VectorScorer quantizedScorer,
      FloatVectors exact,
      float[] query,
      int k,
      int ef,
      float oversample,
      boolean rescore,
      OrdFilter filter) {
    if (!(oversample >= 1)) {
      throw new IllegalArgumentException("oversample must be >= 1, got " + oversample);
    }
    return search(
        searcher,
        graph,
        quantizedScorer,
        rescore ? exact.scorer(query) : null,
        k,
        ef,
        oversample,
        filter);
  }

  /**
   * As {@link #search(HnswSearcher, HnswGraph, VectorScorer, FloatVectors, float[], int, int,
   * float, boolean, OrdFilter)} with the exact scorer given ({@code exactScorer}; null: no
   * rescoring, the best {@code k} keep their quantized scores): for graphs whose nodes are not
   * single vectors (a multivector's MaxSim over its float rows).
   */
  public static TopHits search(
      HnswSearcher searcher,
      HnswGraph graph,
      VectorScorer quantizedScorer,
      VectorScorer exactScorer,
      int k,
      int ef,
      float oversample,
      OrdFilter filter) {
    if (!(oversample >= 1)) {
      throw new IllegalArgumentException("oversample must be >= 1, got " + oversample);
    }
    int candidates = Math.max(k, (int) Math.ceil(k * (double) oversample));
    TopHits approx =
        searcher.search(graph, quantizedScorer, candidates, Math.max(ef, candidates), filter);
    if (exactScorer == null) {
      int m = Math.min(k, approx.size());
      return new TopHits(
          java.util.Arrays.copyOf(approx.ords(), m),
          java.util.Arrays.copyOf(approx.scores(), m),
          approx.visited());
    }
    VectorScorer scorer = exactScorer;
    int n = approx.size();
    int[] ords = approx.ords().clone();
    float[] scores = new float[n];
    scorer.prefetch(ords, n);
    scorer.bulkScore(ords, n, scores);
    sortBestFirst(ords, scores, n);
    int m = Math.min(k, n);
    return new TopHits(
        java.util.Arrays.copyOf(ords, m), java.util.Arrays.copyOf(scores, m), approx.visited() + n);
  }

  private static void sortBestFirst(int[] ords, float[] scores, int n) {
    for (int i = 1; i < n; i++) {
      float s = scores[i];
      int o = ords[i];
      int j = i - 1;
      while (j >= 0 && scores[j] < s) {
        scores[j + 1] = scores[j];
        ords[j + 1] = ords[j];
        j--;
      }
      scores[j + 1] = s;
      ords[j + 1] = o;
    }
  }
}
