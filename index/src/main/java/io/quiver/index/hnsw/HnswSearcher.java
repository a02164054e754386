package io.quiver.index.hnsw;

import io.quiver.index.scorer.VectorScorer;

/**
 * Searches an {@link HnswGraph}: greedy descent through the upper levels, then a beam search of
 * width ef on level 0 (the paper's SEARCH-LAYER).
 *
 * <p>Owns all scratch a search needs — the visited set, the candidate and result heaps, the
 * neighbour and score buffers — and reuses it across calls, so a search allocates only its result.
 * Not thread-safe: one searcher per thread (e.g. in a {@link ThreadLocal}).
 */
public final class HnswSearcher {

  private final VisitedSet visited = new VisitedSet(1024);
  private final NodeQueue candidates = new NodeQueue(256, NodeQueue.Order.BEST_FIRST);
  private final NodeQueue results = new NodeQueue(256, NodeQueue.Order.WORST_FIRST);
  private int[] neighbours = new int[64];
  private int[] toScore = new int[64];
  private float[] scores = new float[64];
  private int[] drainNodes = new int[256];
  private float[] drainScores = new float[256];
  private int visitedCount;

  /**
   * The {@code k} best ordinals accepted by {@code accept}, best first, searched with a beam of
   * {@code max(ef, k)}. Rejected ordinals are traversed but not returned; with a very selective
   * filter the search may visit most of the graph (callers should scan exactly instead).
   */
  public TopHits search(HnswGraph graph, VectorScorer scorer, int k, int ef, OrdFilter accept) {
    int beam = Math.max(ef, k);
    visitedCount = 0;
    int entry = graph.entryPoint();
    if (entry < 0 || k <= 0) {
      return new TopHits(new int[0], new float[0], 0);
    }
    ensureCapacity(graph.maxConn0(), beam);
    int node = entry;
    float score = scorer.score(entry);
    visitedCount++;
    for (int level = graph.maxLevel(); level > 0; level--) {
      node = greedyDescend(graph, scorer, level, node, score);
      score = greedyScore;
    }
    visited.clear(graph.size());
    candidates.clear();
    results.clear();
    visited.visit(node);
    candidates.push(score, node);
    if (accept.accept(node)) {
      results.push(score, node);
    }
    searchLevel(graph, scorer, 0, beam, accept);
    int n = results.drainBestFirst(drainNodes, drainScores);
    int m = Math.min(n, k);
    int[] ords = new int[m];
    float[] top = new float[m];
    System.arraycopy(drainNodes, 0, ords, 0, m);
    System.arraycopy(drainScores, 0, top, 0, m);
    return new TopHits(ords, top, visitedCount);
  }

  /** The number of nodes scored by the last search (for statistics and benchmarks). */
  public int lastVisitedCount() {
    return visitedCount;
  }

  private float greedyScore;

  /** The score of the node the last {@link #greedyDescend} ended on. */
  float lastGreedyScore() {
    return greedyScore;
  }

  /**
   * Moves from {@code node} to its best neighbour at {@code level} until no neighbour is better.
   * Returns the final node; its score is left in {@link #greedyScore}.
   */
  int greedyDescend(HnswGraph graph, VectorScorer scorer, int level, int node, float score) {
    boolean moved = true;
    while (moved) {
      moved = false;
      int count = graph.neighbours(level, node, neighbours);
      scorer.bulkScore(neighbours, count, scores);
      visitedCount += count;
      for (int i = 0; i < count; i++) {
        if (scores[i] > score) {
          score = scores[i];
          node = neighbours[i];
          moved = true;
        }
      }
    }
    greedyScore = score;
    return node;
  }

  /**
   * Beam search on one level, starting from the contents of the candidate queue (already marked
   * visited, and those accepted already in the results). Leaves at most {@code beam} accepted nodes
   * in the result queue.
   */
  private void searchLevel(
      HnswGraph graph, VectorScorer scorer, int level, int beam, OrdFilter accept) {
    NodeQueue candidates = this.candidates;
    NodeQueue results = this.results;
    int[] neighbours = this.neighbours;
    int[] toScore = this.toScore;
    float[] scores = this.scores;
    // Below this score a node can no longer enter a full result set.
    float threshold = results.size() >= beam ? results.topScore() : Float.NEGATIVE_INFINITY;
    while (candidates.size() > 0) {
      float best = candidates.topScore();
      if (best < threshold) {
        break;
      }
      int node = candidates.pop();
      int count = graph.neighbours(level, node, neighbours);
      int fresh = 0;
      for (int i = 0; i < count; i++) {
        int nb = neighbours[i];
        if (visited.visit(nb)) {
          toScore[fresh++] = nb;
        }
      }
      scorer.bulkScore(toScore, fresh, scores);
      visitedCount += fresh;
      for (int i = 0; i < fresh; i++) {
        float s = scores[i];
        if (s > threshold || results.size() < beam) {
          int nb = toScore[i];
          candidates.push(s, nb);
          if (accept.accept(nb) && results.offer(s, nb, beam) && results.size() >= beam) {
            threshold = results.topScore();
          }
        }
      }
    }
  }

  /**
   * For the builder: beam search of width {@code beam} on {@code level} from the given entry
   * points, all accepted. Returns the number of results, written best first into {@code outNodes} /
   * {@code outScores} (each of length at least beam).
   */
  int searchLevelFrom(
      HnswGraph graph,
      VectorScorer scorer,
      int level,
      int[] entryNodes,
      float[] entryScores,
      int entryCount,
      int beam,
      int[] outNodes,
      float[] outScores) {
    ensureCapacity(graph.maxConn0(), beam);
    visited.clear(graph.size());
    candidates.clear();
    results.clear();
    for (int i = 0; i < entryCount; i++) {
      if (visited.visit(entryNodes[i])) {
        candidates.push(entryScores[i], entryNodes[i]);
        results.offer(entryScores[i], entryNodes[i], beam);
      }
    }
    searchLevel(graph, scorer, level, beam, OrdFilter.ALL);
    return results.drainBestFirst(outNodes, outScores);
  }

  private void ensureCapacity(int maxConn0, int beam) {
    if (neighbours.length < maxConn0) {
      neighbours = new int[maxConn0];
      toScore = new int[maxConn0];
      scores = new float[maxConn0];
    }
    if (drainNodes.length < beam + 1) {
      drainNodes = new int[beam + 1];
      drainScores = new float[beam + 1];
    }
  }
}
