package io.quiver.storage.payloadindex;

import io.quiver.index.hnsw.OrdFilter;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.segment.Segment;
import io.quiver.storage.segment.SegmentFilter;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.roaringbitmap.RoaringBitmap;

/**
 * How to run one filtered search, chosen from the filter's cardinality estimate (Qdrant's {@code
 * full_scan_threshold} logic):
 *
 * <pre>
 *   estimate.max &lt; threshold          -&gt; SCORE_CANDIDATES  (exact scan of the matching points only)
 *   estimate.min &gt; threshold          -&gt; FILTERED_GRAPH    (HNSW traversal with an accept test)
 *   otherwise expected &lt; threshold ?  SCORE_CANDIDATES : FILTERED_GRAPH
 * </pre>
 *
 * Qdrant samples points to settle the middle case; Quiver uses the expected value.
 *
 * <p>Searches take the plan's filter in each segment's own ords ({@link #segmentFilter()}): one
 * bitset over the candidates, built in a single pass over the index postings, and per segment the
 * cached map of its ords to payload-index ords ({@link PayloadIndexes#ordsIn}), so a visited ord
 * costs two array reads and a bit test — no id, no hash lookup. When the indexes answer the filter
 * only in part, the bitset is the superset and the payload check is the costly part, tested only on
 * ords whose score would enter the results; without indexes, that check is all.
 *
 * <p>Built and used by one search thread; valid only while the shard's read lock is held (it shares
 * the indexes' id map).
 */
public final class SearchPlan {

  public enum Strategy {
    /** No filter: every point. */
    UNFILTERED,
    /** Score exactly the candidates ({@link #forEachCandidate}) and nothing else. */
    SCORE_CANDIDATES,
    /** Search the graph (or scan) with {@link #accept()}. */
    FILTERED_GRAPH
  }

  private final Strategy strategy;
  private final Estimate estimate;
  private final PayloadIndexes indexes;
  private final Candidates candidates; // null when the indexes were not used
  private final Predicate<PointId> accept;
  private final Predicate<PointId> matches; // the payload check, null when the candidates are exact
  private long[] candidateBits; // built on the first segmentFilter().accept

  private SearchPlan(
      Strategy strategy,
      Estimate estimate,
      PayloadIndexes indexes,
      Candidates candidates,
      Predicate<PointId> accept,
      Predicate<PointId> matches) {
    this.strategy = strategy;
    this.estimate = estimate;
    this.indexes = indexes;
    this.candidates = candidates;
    this.accept = accept;
    this.matches = matches;
  }

  /**
   * Plans a search over {@code total} points.
   *
   * @param matches the filter evaluated on one point's payload (the no-index path), used for points
   *     the indexes cannot decide
   * @param fullScanThresholdPoints below this many matching points, scoring them beats a graph
   */
  public static SearchPlan plan(
      PayloadIndexes indexes,
      Filter filter,
      long total,
      long fullScanThresholdPoints,
      Predicate<PointId> matches) {
    if (filter == null) {
      return new SearchPlan(Strategy.UNFILTERED, Estimate.exact(total), indexes, null, null, null);
    }
    if (indexes.isEmpty()) {
      Estimate estimate = indexes.estimate(filter, total);
      Strategy strategy =
          total < fullScanThresholdPoints ? Strategy.SCORE_CANDIDATES : Strategy.FILTERED_GRAPH;
      return new SearchPlan(strategy, estimate, indexes, null, matches, matches);
    }
    Candidates candidates = indexes.candidates(filter);
    Estimate estimate =
        candidates.exact() ? Estimate.exact(candidates.size()) : indexes.estimate(filter, total);
    Strategy strategy = choose(estimate, fullScanThresholdPoints);
    RoaringBitmap ords = candidates.ords();
    Predicate<PointId> accept =
        candidates.exact()
            ? id -> contains(indexes, ords, id)
            : id -> contains(indexes, ords, id) && matches.test(id);
    return new SearchPlan(
        strategy, estimate, indexes, candidates, accept, candidates.exact() ? null : matches);
  }

  static Strategy choose(Estimate estimate, long threshold) {
    if (estimate.max() < threshold) {
      return Strategy.SCORE_CANDIDATES;
    }
    if (estimate.min() > threshold) {
      return Strategy.FILTERED_GRAPH;
    }
    return estimate.expected() < threshold ? Strategy.SCORE_CANDIDATES : Strategy.FILTERED_GRAPH;
  }

  private static boolean contains(PayloadIndexes indexes, RoaringBitmap ords, PointId id) {
    int ord = indexes.ordOf(id);
    return ord >= 0 && ords.contains(ord);
  }

  public Strategy strategy() {
    return strategy;
  }

  public Estimate estimate() {
    return estimate;
  }

  /** Whether a point passes the filter; null for {@link Strategy#UNFILTERED}. Thread-safe. */
  public Predicate<PointId> accept() {
    return accept;
  }

  /**
   * True when {@link #forEachCandidate} can enumerate the candidates from the indexes (otherwise
   * the caller scans its points with {@link #accept()}).
   */
  public boolean hasCandidates() {
    return candidates != null;
  }

  /**
   * Calls {@code consumer} with every point that passes the filter, in index ord order. Verifies
   * inexact candidates. Requires {@link #hasCandidates()}.
   */
  public void forEachCandidate(Consumer<PointId> consumer) {
    if (candidates == null) {
      throw new IllegalStateException("this plan has no candidate set (no payload index)");
    }
    if (candidates.exact()) {
      indexes.forEachId(candidates.ords(), consumer);
      return;
    }
    indexes.forEachId(
        candidates.ords(),
        id -> {
          if (accept.test(id)) {
            consumer.accept(id);
          }
        });
  }

  /**
   * Calls {@code consumer} with every point of the indexes' candidate set, in index ord order,
   * without verifying it: when the candidates are not exact, the caller verifies those it keeps
   * with {@link #segmentFilter()}'s costly part. Requires {@link #hasCandidates()}.
   */
  public void forEachIndexedCandidate(Consumer<PointId> consumer) {
    if (candidates == null) {
      throw new IllegalStateException("this plan has no candidate set (no payload index)");
    }
    indexes.forEachId(candidates.ords(), consumer);
  }

  /**
   * The filter in each segment's ords, null for {@link Strategy#UNFILTERED}: the cheap part is a
   * bit test of the candidate set (none without indexes); the costly part checks the point's
   * payload (none when the candidates are exact).
   */
  public SegmentFilter segmentFilter() {
    if (strategy == Strategy.UNFILTERED) {
      return null;
    }
    return new SegmentFilter() {
      @Override
      public OrdFilter accept(Segment segment) {
        if (candidates == null) {
          return null;
        }
        long[] bits = candidateBits();
        int[] indexOrds = indexes.ordsIn(segment);
        return ord -> {
          int o = indexOrds[ord];
          return o >= 0 && (bits[o >>> 6] & (1L << o)) != 0;
        };
      }

      @Override
      public OrdFilter verify(Segment segment) {
        return matches == null ? null : ord -> matches.test(segment.id(ord));
      }
    };
  }

  /**
   * The candidates as a plain bitset over payload-index ords: one pass over the postings' result.
   */
  private long[] candidateBits() {
    if (candidateBits == null) {
      long[] bits = new long[(indexes.ordBound() + 63) >>> 6];
      candidates.ords().forEach((int o) -> bits[o >>> 6] |= 1L << o);
      candidateBits = bits;
    }
    return candidateBits;
  }

  /** The candidate ords' count (before verification), or -1 without candidates. */
  public int candidateCount() {
    return candidates == null ? -1 : candidates.size();
  }
}
