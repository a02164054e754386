package io.quiver.storage.segment;

import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.scorer.VectorScorer;

/**
 * Exact top-k by scoring every candidate: a bounded min-heap of (similarity, ord) in two primitive
 * arrays, whose root is the worst hit kept. Ties keep the lower point id, so an exact result does
 * not depend on how points are spread over segments and ords.
 */
final class ExactScan {

  private final Segment segment;
  private final int k;
  private final int[] ords;
  private final float[] scores;
  private int size;

  private ExactScan(Segment segment, int k) {
    this.segment = segment;
    this.k = k;
    this.ords = new int[k];
    this.scores = new float[k];
  }

  /**
   * The k best of ords {@code 0 .. size)} that {@code accept} and {@code verify} (null: all) take.
   * {@code accept} is tested on every ord before scoring (keep it O(1)); {@code verify} (e.g. a
   * payload read) only on an ord whose score would enter the top k, so a costly filter runs on a
   * few candidates, not on every ord.
   */
  static TopHits topK(
      Segment segment, VectorScorer scorer, int size, int k, OrdFilter accept, OrdFilter verify) {
    ExactScan heap = new ExactScan(segment, Math.max(0, k));
    int visited = 0;
    for (int ord = 0; ord < size && k > 0; ord++) {
      if (accept.accept(ord)) {
        heap.offer(scorer.score(ord), ord, verify);
        visited++;
      }
    }
    return heap.drain(visited);
  }

  /** As {@link #topK} over the first {@code count} ords of {@code candidates}. */
  static TopHits topKOf(
      Segment segment,
      VectorScorer scorer,
      int[] candidates,
      int count,
      int k,
      OrdFilter accept,
      OrdFilter verify) {
    ExactScan heap = new ExactScan(segment, Math.max(0, k));
    int visited = 0;
    for (int i = 0; i < count && k > 0; i++) {
      int ord = candidates[i];
      if (accept.accept(ord)) {
        heap.offer(scorer.score(ord), ord, verify);
        visited++;
      }
    }
    return heap.drain(visited);
  }

  /** True when (sa, oa) ranks worse than (sb, ob). */
  private boolean worse(float sa, int oa, float sb, int ob) {
    return sa < sb || (sa == sb && segment.id(oa).compareTo(segment.id(ob)) > 0);
  }

  private void offer(float score, int ord, OrdFilter verify) {
    if (size < k) {
      if (verify != null && !verify.accept(ord)) {
        return;
      }
      ords[size] = ord;
      scores[size] = score;
      siftUp(size++);
    } else if (worse(scores[0], ords[0], score, ord) && (verify == null || verify.accept(ord))) {
      ords[0] = ord;
      scores[0] = score;
      siftDown(0);
    }
  }

  private void siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!worse(scores[i], ords[i], scores[parent], ords[parent])) {
        return;
      }
      swap(i, parent);
      i = parent;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int left = 2 * i + 1;
      if (left >= size) {
        return;
      }
      int worst = left;
      int right = left + 1;
      if (right < size && worse(scores[right], ords[right], scores[left], ords[left])) {
        worst = right;
      }
      if (!worse(scores[worst], ords[worst], scores[i], ords[i])) {
        return;
      }
      swap(i, worst);
      i = worst;
    }
  }

  private void swap(int a, int b) {
    int o = ords[a];
    ords[a] = ords[b];
    ords[b] = o;
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
  }

  /** Empties the heap into arrays, best first. */
  private TopHits drain(int visited) {
    int n = size;
    int[] outOrds = new int[n];
    float[] outScores = new float[n];
    for (int i = n - 1; i >= 0; i--) {
      outOrds[i] = ords[0];
      outScores[i] = scores[0];
      size--;
      ords[0] = ords[size];
      scores[0] = scores[size];
      siftDown(0);
    }
    return new TopHits(outOrds, outScores, visited);
  }
}
