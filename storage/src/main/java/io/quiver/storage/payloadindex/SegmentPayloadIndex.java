package io.quiver.storage.payloadindex;

import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.roaringbitmap.RoaringBitmap;

/**
 * The payload indexes of one segment, in that segment's own ords: per indexed field a {@link
 * FieldIndex}, and the ords of the live points they know ({@link #live()}: every live point of the
 * segment, with or without a payload). A filtered search tests a visited ord against a bitset of
 * these ords directly; no id, no second ord space.
 *
 * <p>Not thread-safe for writes: the shard writes under its write lock (the apply thread, or a swap
 * of the flusher or the optimizer) and reads under its read lock.
 */
final class SegmentPayloadIndex {

  private final Map<JsonPath, FieldIndex> indexes = new HashMap<>();
  private final RoaringBitmap live = new RoaringBitmap();
  private final ToIntFunction<PointId> ordOf;

  /**
   * Empty indexes of {@code schema}'s fields.
   *
   * @param ordOf the ord of a point's live copy in this segment, or -1 (for {@code has_id})
   */
  public SegmentPayloadIndex(Map<JsonPath, FieldIndexSchema> schema, ToIntFunction<PointId> ordOf) {
    this.ordOf = ordOf;
    schema.forEach((field, s) -> indexes.put(field, FieldIndex.create(s)));
  }

  /** Point {@code ord} now has {@code payload} ({@link Payload#EMPTY} when it has none). */
  void set(int ord, Payload payload) {
    for (Map.Entry<JsonPath, FieldIndex> e : indexes.entrySet()) {
      e.getValue().remove(ord);
      e.getValue().add(ord, PayloadValues.at(e.getKey(), payload.tree()));
    }
    live.add(ord);
  }

  /** Point {@code ord} is gone (deleted, or moved to another ord); absent ords are ignored. */
  void remove(int ord) {
    if (!live.checkedRemove(ord)) {
      return;
    }
    for (FieldIndex index : indexes.values()) {
      index.remove(ord);
    }
  }

  /**
   * Point {@code ord} (not here yet) holds what point {@code sourceOrd} of {@code source} (indexes
   * of the same fields) holds: a point that moved to another segment keeps its entries without its
   * payload being read again. Nothing when {@code source} does not know {@code sourceOrd}.
   */
  void copy(SegmentPayloadIndex source, int sourceOrd, int ord) {
    if (!source.live.contains(sourceOrd)) {
      return;
    }
    for (Map.Entry<JsonPath, FieldIndex> e : indexes.entrySet()) {
      FieldIndex from = source.indexes.get(e.getKey());
      if (from != null) {
        e.getValue().copy(from, sourceOrd, ord);
      }
    }
    live.add(ord);
  }

  /**
   * Adds an empty index of {@code field} (replacing one of another schema); fill with {@link
   * #index}.
   */
  void addField(JsonPath field, FieldIndexSchema schema) {
    indexes.put(field, FieldIndex.create(schema));
  }

  /** Indexes {@code payload} of point {@code ord} in the field {@link #addField} just added. */
  void indexField(JsonPath field, int ord, Payload payload) {
    if (live.contains(ord)) {
      indexes.get(field).add(ord, PayloadValues.at(field, payload.tree()));
    }
  }

  void dropField(JsonPath field) {
    indexes.remove(field);
  }

  FieldIndex index(JsonPath field) {
    return indexes.get(field);
  }

  /** The ords of the live points (shared: do not modify). */
  RoaringBitmap live() {
    return live;
  }

  /** The number of live points known. */
  int pointCount() {
    return live.getCardinality();
  }

  /** The number of live points with at least one value of {@code field} indexed. */
  int pointCount(JsonPath field) {
    FieldIndex index = indexes.get(field);
    return index == null ? 0 : index.pointCount();
  }

  /** The ords of {@code ids} whose live copy is in this segment. */
  RoaringBitmap ordsOf(Iterable<PointId> ids) {
    RoaringBitmap out = new RoaringBitmap();
    for (PointId id : ids) {
      int ord = ordOf.applyAsInt(id);
      if (ord >= 0 && live.contains(ord)) {
        out.add(ord);
      }
    }
    return out;
  }

  /**
   * The ords {@code filter} may match: exact when every condition that decides the outcome is
   * answered by an index (or is a {@code has_id}); otherwise a superset to check point by point.
   */
  Candidates candidates(Filter filter) {
    return new FilterCandidates(this).of(filter);
  }

  /**
   * How many of this segment's points {@code filter} matches: exact when the indexes answer the
   * whole filter, otherwise combined from per-condition estimates as Qdrant does.
   */
  Estimate estimate(Filter filter) {
    if (filter == null) {
      return Estimate.exact(pointCount());
    }
    FilterCandidates f = new FilterCandidates(this);
    Candidates c = f.of(filter);
    return c.exact() ? Estimate.exact(c.size()) : f.estimate(filter);
  }
}
