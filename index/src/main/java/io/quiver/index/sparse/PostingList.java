package io.quiver.index.sparse;

/**
 * One dimension's postings: ords in strictly increasing order, each with its value, plus the
 * largest and smallest value of the list (the upper bounds of pruning). Read-only views; a view of
 * a growing list covers the postings present when it was taken.
 */
public interface PostingList {

  /** The number of postings. */
  int size();

  /** The ord of the {@code i}-th posting (increasing in {@code i}). */
  int ord(int i);

  /** The value of the {@code i}-th posting. */
  float value(int i);

  /** The largest value of the list (at least every {@link #value}). */
  float maxValue();

  /** The smallest value of the list. */
  float minValue();

  /**
   * The first position at or after {@code from} whose ord is at least {@code target}, or {@link
   * #size()}: galloping, then binary search, so skipping far costs O(log distance).
   */
  default int advance(int from, int target) {
    int n = size();
    if (from >= n || ord(from) >= target) {
      return from;
    }
    int step = 1;
    int lo = from; // ord(lo) < target
    int hi = from + 1;
    while (hi < n && ord(hi) < target) {
      lo = hi;
      step <<= 1;
      hi = lo + step;
    }
    hi = Math.min(hi, n);
    // ord(lo) < target; ord(hi) >= target or hi == n
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (ord(mid) < target) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi;
  }
}
