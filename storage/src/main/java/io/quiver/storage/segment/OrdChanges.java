package io.quiver.storage.segment;

/**
 * Told how the live copies of points move between segment ords, so that a structure kept per
 * segment in that segment's ords (the payload indexes) follows them. Every call comes with the
 * shard's write lock held, after {@link ShardSegments}' id tracker was updated.
 */
public interface OrdChanges {

  /**
   * A point was written again with new vectors: its live copy moved from {@code fromOrd} of {@code
   * from} (now deleted) to {@code toOrd} of {@code to} (the appendable segment).
   */
  void moved(Segment from, int fromOrd, Segment to, int toOrd);

  /** The point at {@code ord} of {@code segment} was deleted. */
  void deleted(Segment segment, int ord);

  /**
   * The flusher or the optimizer replaced {@code sources} by {@code result} (null: by nothing): ord
   * {@code i} of {@code result} holds the point {@code origins[i]} held, and is live exactly when
   * that was still the point's live copy ({@code result.isDeleted(i)} says).
   */
  void replaced(Iterable<Segment> sources, Segment result, OriginOf origins);

  /** The ord of a source segment that ord {@code ord} of a swap's result was built from. */
  interface OriginOf {
    Segment segment(int ord);

    int ord(int ord);
  }

  /** Nothing follows the ords. */
  OrdChanges NONE =
      new OrdChanges() {
        @Override
        public void moved(Segment from, int fromOrd, Segment to, int toOrd) {}

        @Override
        public void deleted(Segment segment, int ord) {}

        @Override
        public void replaced(Iterable<Segment> sources, Segment result, OriginOf origins) {}
      };
}
