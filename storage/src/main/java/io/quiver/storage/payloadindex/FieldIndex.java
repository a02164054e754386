package io.quiver.storage.payloadindex;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.storage.filter.FieldPredicate;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * The index of one payload field over the ords of one segment. Each point's values at the key are
 * given as {@link PayloadValues} flattens them. Besides its own structure, every index keeps the
 * points it indexed at least one value of ({@link #pointCount()}, Qdrant's {@code points} in {@code
 * payload_schema}) and the points with a value it could not index but a predicate it answers might
 * still accept ({@code foreign}, checked per point).
 *
 * <p>Not thread-safe for writes: {@code Shard} writes under its write lock and reads under its read
 * lock; reads do not mutate.
 */
abstract sealed class FieldIndex permits PostingIndex, GeoIndex {

  /** Points with at least one value in this index. */
  protected final RoaringBitmap indexed = new RoaringBitmap();

  /**
   * Points with at least one value this index does not cover but that could pass an answered
   * predicate.
   */
  protected final RoaringBitmap foreign = new RoaringBitmap();

  /** Adds a point that is not in the index (after {@link #remove} for a changed one). */
  abstract void add(int ord, List<JsonNode> values);

  /** Removes a point; absent points are ignored. */
  abstract void remove(int ord);

  /**
   * Adds point {@code ord} (not in the index) with the values {@code source}, an index of the same
   * schema, holds for its {@code sourceOrd}: what {@link #add} with those values would do, without
   * the values (a segment swap moves a point's entry into the new segment's ords).
   */
  final void copy(FieldIndex source, int sourceOrd, int ord) {
    if (source.foreign.contains(sourceOrd)) {
      foreign.add(ord);
    }
    if (copyValues(source, sourceOrd, ord)) {
      indexed.add(ord);
    }
  }

  /** Copies the values of {@code sourceOrd}; returns whether there were any. */
  abstract boolean copyValues(FieldIndex source, int sourceOrd, int ord);

  /** The answer to {@code predicate}, or null when this index cannot answer it. */
  abstract IndexAnswer answer(FieldPredicate predicate);

  /** Whether this index can stream points in value order ({@link #forEachOrdered}). */
  boolean ordersPoints() {
    return false;
  }

  /**
   * Walks the indexed values in {@code orderBy}'s direction from its start, each distinct value
   * once with the points holding it (shared: do not modify), until the visitor returns false. Only
   * when {@link #ordersPoints()}.
   */
  void forEachOrdered(io.quiver.storage.OrderBy orderBy, OrderedVisitor visitor) {
    throw new IllegalStateException(getClass().getSimpleName() + " does not order points");
  }

  /** The number of points with at least one indexed value. */
  final int pointCount() {
    return indexed.getCardinality();
  }

  /** The answer with the foreign points to verify. */
  final IndexAnswer withForeign(RoaringBitmap matches) {
    return new IndexAnswer(matches, foreign.clone());
  }

  /** A new index of this schema. */
  static FieldIndex create(FieldIndexSchema schema) {
    return switch (schema.type()) {
      case KEYWORD -> new PostingIndex.KeywordIndex(schema.matchesPrefixes());
      case INTEGER -> new PostingIndex.IntegerIndex(schema.lookup(), schema.range());
      case FLOAT -> new PostingIndex.FloatIndex();
      case BOOL -> new PostingIndex.BoolIndex();
      case DATETIME -> new PostingIndex.DatetimeIndex();
      case UUID -> new PostingIndex.UuidIndex();
      case TEXT -> new TextIndex(schema);
      case GEO -> new GeoIndex();
    };
  }
}
