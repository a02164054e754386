package io.quiver.index.sparse;

import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import java.util.Arrays;

/**
 * Exact top-k search of an inverted index by dot product over shared dimensions: only ords sharing
 * at least one dimension with the query are candidates (Qdrant's semantics), and the result is
 * exactly the brute-force top k, ties ranked by an {@link OrdTieOrder}.
 *
 * <p>Document-at-a-time MaxScore (Turtle and Flood 1995): the query's lists are sorted by their
 * upper bound ({@code max(q * maxValue, q * minValue)}, clamped at 0 for the sums); once the heap
 * is full, the longest prefix of lists whose summed bounds cannot reach the k-th score is
 * <em>non-essential</em>: candidates come only from the essential lists, and the non-essential ones
 * are probed (galloping) for each candidate, from the largest bound down, until the candidate's
 * score plus the remaining bounds falls below the k-th score. So most ords of long, low-weight
 * lists (frequent terms) are never scored.
 *
 * <pre>
 *   lists by bound:   [ l0  l1  l2 | l3  l4 ]     prefix(3) = b0 + b1 + b2 < k-th score
 *                      non-essential   essential  -> candidates = union of l3, l4
 * </pre>
 *
 * Scores are summed in double (a product of two floats is exact in double) and rounded once, as
 * {@link SparseVector#dot} does. A bound is compared with a relative slack of 1e-6, so rounding
 * never prunes an ord that ties or beats the k-th score. Pruning is strict ({@code bound < kth}):
 * an ord whose bound equals the k-th score may still win the tie.
 *
 * <p>Stateless and thread-safe; each call allocates O(query size + k).
 */
public final class SparseSearcher {

  private SparseSearcher() {}

  /**
   * The top {@code k} ords of {@code index} by dot product with {@code query}, best first, among
   * ords {@code accept} takes and the index has not deleted. {@link TopHits#visited()} counts the
   * ords fully scored. Ties go by {@code tieOrder}.
   */
  public static TopHits search(
      SparsePostings index, SparseVector query, int k, OrdFilter accept, OrdTieOrder tieOrder) {
    return search(index, query, k, accept, tieOrder, Float.NEGATIVE_INFINITY);
  }

  /**
   * As {@link #search(SparsePostings, SparseVector, int, OrdFilter, OrdTieOrder)}, for a caller
   * that already holds k hits scoring at least {@code floor} (from other parts of an index): ords
   * whose score is below {@code floor} are neither returned nor scored when pruning can skip them
   * (an ord scoring exactly {@code floor} is still returned: it may win the tie).
   */
  public static TopHits search(
      SparsePostings index,
      SparseVector query,
      int k,
      OrdFilter accept,
      OrdTieOrder tieOrder,
      float floor) {
    if (k <= 0) {
      return new TopHits(new int[0], new float[0], 0);
    }
    Cursor[] cursors = cursors(index, query);
    int n = cursors.length;
    if (n == 0) {
      return new TopHits(new int[0], new float[0], 0);
    }
    // prefix[i] = sum of the positive bounds of lists [0, i)
    double[] prefix = new double[n + 1];
    for (int i = 0; i < n; i++) {
      prefix[i + 1] = prefix[i] + Math.max(0, cursors[i].bound);
    }
    TopK top = new TopK(k, tieOrder);
    int firstEssential = 0;
    int visited = 0;
    while (true) {
      double threshold = Math.max(top.threshold(), floor);
      while (firstEssential < n && below(prefix[firstEssential + 1], threshold)) {
        firstEssential++;
      }
      if (firstEssential == n) {
        break; // no ord outside the heap can reach the k-th score
      }
      int candidate = Integer.MAX_VALUE;
      for (int i = firstEssential; i < n; i++) {
        Cursor c = cursors[i];
        if (c.pos < c.size) {
          candidate = Math.min(candidate, c.list.ord(c.pos));
        }
      }
      if (candidate == Integer.MAX_VALUE) {
        break; // the essential lists are exhausted
      }
      double score = 0;
      for (int i = firstEssential; i < n; i++) {
        Cursor c = cursors[i];
        if (c.pos < c.size && c.list.ord(c.pos) == candidate) {
          score += c.weight * c.list.value(c.pos);
          c.pos++;
        }
      }
      boolean pruned = false;
      for (int i = firstEssential - 1; i >= 0; i--) {
        if (below(score + prefix[i + 1], threshold)) {
          pruned = true;
          break;
        }
        Cursor c = cursors[i];
        c.pos = c.list.advance(c.pos, candidate);
        if (c.pos < c.size && c.list.ord(c.pos) == candidate) {
          score += c.weight * c.list.value(c.pos);
        }
      }
      if (pruned || index.isDeleted(candidate)) {
        continue;
      }
      visited++;
      float s = (float) score;
      if (s >= floor && top.wouldAccept(candidate, s) && accept.accept(candidate)) {
        top.offer(candidate, s);
      }
    }
    return top.toHits(visited);
  }

  /** True when an upper bound (with a relative slack against rounding) is below the k-th score. */
  private static boolean below(double bound, double threshold) {
    return bound + Math.abs(bound) * 1e-6 + Float.MIN_NORMAL < threshold;
  }

  /** The query's dimensions that have postings, sorted by increasing bound. */
  private static Cursor[] cursors(SparsePostings index, SparseVector query) {
    Cursor[] cursors = new Cursor[query.size()];
    int n = 0;
    for (int i = 0; i < query.size(); i++) {
      PostingList list = index.postings(query.index(i));
      if (list != null && list.size() > 0) {
        cursors[n++] = new Cursor(list, query.value(i));
      }
    }
    cursors = Arrays.copyOf(cursors, n);
    Arrays.sort(cursors, (a, b) -> Double.compare(a.bound, b.bound));
    return cursors;
  }

  /** A position in one query dimension's list. */
  private static final class Cursor {
    final PostingList list;
    final double weight;
    final double bound;
    final int size;
    int pos;

    Cursor(PostingList list, float weight) {
      this.list = list;
      this.weight = weight;
      this.size = list.size();
      this.bound = Math.max((double) weight * list.maxValue(), (double) weight * list.minValue());
    }
  }

  /**
   * The best k (ord, score) pairs seen: a binary heap with the worst at the root (lowest score; of
   * equal scores, the one ranked last by the tie order).
   */
  static final class TopK {
    private final int k;
    private final OrdTieOrder tieOrder;
    private final int[] ords;
    private final float[] scores;
    private int size;

    TopK(int k, OrdTieOrder tieOrder) {
      this.k = k;
      this.tieOrder = tieOrder;
      this.ords = new int[k];
      this.scores = new float[k];
    }

    /** The score an ord must reach (ties may still win): -inf until the heap is full. */
    double threshold() {
      return size < k ? Double.NEGATIVE_INFINITY : scores[0];
    }

    /** True when (ord, score) would enter the heap. */
    boolean wouldAccept(int ord, float score) {
      return size < k || worse(ords[0], scores[0], ord, score);
    }

    void offer(int ord, float score) {
      if (size < k) {
        ords[size] = ord;
        scores[size] = score;
        up(size++);
      } else if (worse(ords[0], scores[0], ord, score)) {
        ords[0] = ord;
        scores[0] = score;
        down(0);
      }
    }

    /** True when (aOrd, aScore) ranks below (bOrd, bScore). */
    private boolean worse(int aOrd, float aScore, int bOrd, float bScore) {
      if (aScore != bScore) {
        return aScore < bScore;
      }
      return tieOrder.compare(aOrd, bOrd) > 0;
    }

    private void up(int i) {
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!worse(ords[i], scores[i], ords[parent], scores[parent])) {
          break;
        }
        swap(i, parent);
        i = parent;
      }
    }

    private void down(int i) {
      while (true) {
        int l = 2 * i + 1;
        if (l >= size) {
          return;
        }
        int worst = l;
        int r = l + 1;
        if (r < size && worse(ords[r], scores[r], ords[l], scores[l])) {
          worst = r;
        }
        if (!worse(ords[worst], scores[worst], ords[i], scores[i])) {
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

    /** The heap's contents, best first; empties the heap. */
    TopHits toHits(int visited) {
      int n = size;
      int[] outOrds = new int[n];
      float[] outScores = new float[n];
      for (int i = n - 1; i >= 0; i--) {
        outOrds[i] = ords[0];
        outScores[i] = scores[0];
        size--;
        ords[0] = ords[size];
        scores[0] = scores[size];
        down(0);
      }
      return new TopHits(outOrds, outScores, visited);
    }
  }
}
