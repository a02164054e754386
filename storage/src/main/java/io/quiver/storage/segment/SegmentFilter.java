package io.quiver.storage.segment;

import io.quiver.index.hnsw.OrdFilter;
import io.quiver.storage.PointId;
import java.util.function.Predicate;

/**
 * A filtered search's test, given per segment in that segment's own ords (a search plan builds it;
 * {@link ShardSegments} asks it once per segment and search). Two parts:
 *
 * <ul>
 *   <li>{@link #accept}: O(1) per ord (a bit test), called for every ord a search visits;
 *   <li>{@link #verify}: a costly test (the filter evaluated on the point's payload), called only
 *       for an ord that {@link #accept} took and whose score would enter the results.
 * </ul>
 *
 * Either may be null (every ord passes). Called under the shard's read lock; the filters returned
 * must be safe for the searching thread and valid while that lock is held.
 */
public interface SegmentFilter {

  /** The cheap test in {@code segment}'s ords, or null. */
  OrdFilter accept(Segment segment);

  /** The costly test in {@code segment}'s ords, or null. */
  OrdFilter verify(Segment segment);

  /**
   * The ords of {@code segment} that may pass, in ord order, when the filter can enumerate them (a
   * payload index's candidates); null when it cannot (then every ord is tested with {@link
   * #accept}).
   */
  default int[] candidates(Segment segment) {
    return null;
  }

  /** A test of the point id only, evaluated as the costly part (null: every point). */
  static SegmentFilter ofPoints(Predicate<PointId> accept) {
    if (accept == null) {
      return null;
    }
    return new SegmentFilter() {
      @Override
      public OrdFilter accept(Segment segment) {
        return null;
      }

      @Override
      public OrdFilter verify(Segment segment) {
        return ord -> accept.test(segment.id(ord));
      }
    };
  }
}
