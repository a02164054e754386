package io.quiver.storage.payloadindex;

import io.quiver.index.hnsw.OrdFilter;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.segment.Segment;
import io.quiver.storage.segment.SegmentFilter;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

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
 * <p>The candidates are computed per segment, in that segment's own ords, from its {@link
 * SegmentPayloadIndex}; the estimate is their sum. Searches take the plan's filter per segment
 * ({@link #segmentFilter()}): one bitset over the segment's candidates, built in a single pass, so
 * a visited ord costs one bit test. When the indexes answer the filter only in part, the bitset is
 * the superset and the payload check is the costly part, tested only on ords whose score would
 * enter the results; without indexes, that check is all.
 *
 * <p>Built and used by one search thread; valid only while the shard's read lock is held.
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
  private final Map<Segment, Candidates> candidates; // null when the indexes were not used
  private final Predicate<PointId> accept;
  private final Predicate<PointId> matches; // the payload check, null when all candidates are exact
  private final Map<Segment, long[]> candidateBits = new IdentityHashMap<>();

  private SearchPlan(
      Strategy strategy,
      Estimate estimate,
      Map<Segment, Candidates> candidates,
      Predicate<PointId> accept,
      Predicate<PointId> matches) {
    this.strategy = strategy;
    this.estimate = estimate;
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
      return new SearchPlan(Strategy.UNFILTERED, Estimate.exact(total), null, null, null);
    }
    if (indexes.isEmpty()) {
      Estimate estimate = indexes.estimate(filter, total);
      Strategy strategy =
          total < fullScanThresholdPoints ? Strategy.SCORE_CANDIDATES : Strategy.FILTERED_GRAPH;
      return new SearchPlan(strategy, estimate, null, matches, matches);
    }
    Map<Segment, Candidates> candidates = new IdentityHashMap<>();
    boolean exact = true;
    Estimate estimate = Estimate.exact(0);
    for (Segment segment : indexes.segments().all()) {
      SegmentPayloadIndex index = indexes.of(segment);
      Candidates c = index.candidates(filter);
      candidates.put(segment, c);
      exact &= c.exact();
      estimate = estimate.plus(c.exact() ? Estimate.exact(c.size()) : index.estimate(filter));
    }
    Strategy strategy = choose(estimate, fullScanThresholdPoints);
    io.quiver.storage.segment.ShardSegments segments = indexes.segments();
    Predicate<PointId> accept =
        id -> {
          var at = segments.locate(id);
          Candidates c = at == null ? null : candidates.get(at.segment());
          return c != null && c.ords().contains(at.ord()) && (c.exact() || matches.test(id));
        };
    return new SearchPlan(strategy, estimate, candidates, accept, exact ? null : matches);
  }

  /** The strategy for a filter of {@code estimate} points, given the full-scan threshold. */
  public static Strategy choose(Estimate estimate, long threshold) {
    if (estimate.max() < threshold) {
      return Strategy.SCORE_CANDIDATES;
    }
    if (estimate.min() > threshold) {
      return Strategy.FILTERED_GRAPH;
    }
    return estimate.expected() < threshold ? Strategy.SCORE_CANDIDATES : Strategy.FILTERED_GRAPH;
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
   * Calls {@code consumer} with every point that passes the filter, segment by segment in ord
   * order. Verifies inexact candidates. Requires {@link #hasCandidates()}.
   */
  public void forEachCandidate(Consumer<PointId> consumer) {
    forEach(
        (segment, c) ->
            c.ords()
                .forEach(
                    (int ord) -> {
                      PointId id = segment.id(ord);
                      if (c.exact() || matches.test(id)) {
                        consumer.accept(id);
                      }
                    }));
  }

  private void forEach(java.util.function.BiConsumer<Segment, Candidates> action) {
    if (candidates == null) {
      throw new IllegalStateException("this plan has no candidate set (no payload index)");
    }
    candidates.forEach(action);
  }

  /**
   * The filter in each segment's ords, null for {@link Strategy#UNFILTERED}: the cheap part is a
   * bit test of the segment's candidates (none without indexes); the costly part checks the point's
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
        long[] bits = candidateBits(segment);
        return ord -> ord < (bits.length << 6) && (bits[ord >>> 6] & (1L << ord)) != 0;
      }

      @Override
      public OrdFilter verify(Segment segment) {
        if (matches == null) {
          return null;
        }
        Candidates c = candidates == null ? null : candidates.get(segment);
        return c != null && c.exact() ? null : ord -> matches.test(segment.id(ord));
      }

      @Override
      public int[] candidates(Segment segment) {
        if (candidates == null) {
          return null;
        }
        Candidates c = candidates.get(segment);
        return c == null ? new int[0] : c.ords().toArray();
      }
    };
  }

  /** The candidates of {@code segment} as a plain bitset over its ords: one pass, then cached. */
  private long[] candidateBits(Segment segment) {
    long[] bits = candidateBits.get(segment);
    if (bits == null) {
      Candidates c = candidates.get(segment);
      if (c == null || c.ords().isEmpty()) {
        bits = new long[0];
      } else {
        long[] b = new long[(c.ords().last() >>> 6) + 1];
        c.ords().forEach((int o) -> b[o >>> 6] |= 1L << o);
        bits = b;
      }
      candidateBits.put(segment, bits);
    }
    return bits;
  }

  /** The candidate ords' count (before verification), or -1 without candidates. */
  public int candidateCount() {
    if (candidates == null) {
      return -1;
    }
    int count = 0;
    for (Candidates c : candidates.values()) {
      count += c.size();
    }
    return count;
  }
}
