package io.quiver.storage.payloadindex;

import io.quiver.storage.OrderBy;
import io.quiver.storage.OrderValue;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.segment.OrdChanges;
import io.quiver.storage.segment.Segment;
import io.quiver.storage.segment.ShardSegments;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The payload indexes of one shard replica: the indexed fields with their schemas, and per segment
 * a {@link SegmentPayloadIndex} in that segment's ords. Follows the points as the segments move
 * them ({@link OrdChanges}: an update that rewrites a point, a delete, a flush or an optimization
 * that replaces segments), so a point's entries move with it without its payload being read again.
 * Answers {@link #estimate} for the shard and {@link #of} per segment; {@link SearchPlan} combines
 * them.
 *
 * <p>Lives in memory and is rebuilt from the payloads at open (see
 * docs/design/filters-and-payload-indexes.md, "Payload indexes"); the schema is stored by the
 * shard. While no field is indexed nothing is kept, so an unindexed shard pays nothing.
 *
 * <p>Not thread-safe for writes: the shard calls the write methods (and the segments call the
 * {@link OrdChanges} ones) under its write lock, the read methods under its read lock. Read methods
 * do not mutate.
 */
public final class PayloadIndexes implements OrdChanges {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(PayloadIndexes.class);

  /** A swap's copy of the entries taking this long or more is logged. */
  private static final long SLOW_COPY_MS = 20;

  /** Every stored point with its payload ({@link Payload#EMPTY} when it has none). */
  @FunctionalInterface
  public interface PointSource {
    void forEach(BiConsumer<PointId, Payload> consumer);
  }

  /** One indexed field as collection info reports it. */
  public record FieldInfo(FieldIndexSchema schema, int points) {}

  /** One point of an ordered walk: its value at the order key. */
  public record OrderedPoint(OrderValue value, PointId id) {}

  private final ShardSegments segments;
  private final Map<JsonPath, FieldIndexSchema> schema = new LinkedHashMap<>();
  private final Map<Segment, SegmentPayloadIndex> bySegment = new IdentityHashMap<>();

  private PayloadIndexes(ShardSegments segments) {
    this.segments = segments;
  }

  /**
   * Indexes with these fields over the points of {@code payloads}, wherever they live now in {@code
   * segments}; call under the shard's write lock, then let the indexes follow the segments ({@link
   * ShardSegments#followOrds}).
   */
  public static PayloadIndexes build(
      Map<JsonPath, FieldIndexSchema> schema, ShardSegments segments, PointSource payloads) {
    PayloadIndexes indexes = new PayloadIndexes(segments);
    if (schema.isEmpty()) {
      return indexes;
    }
    indexes.schema.putAll(schema);
    payloads.forEach(indexes::onPayloadChanged);
    return indexes;
  }

  public boolean isEmpty() {
    return schema.isEmpty();
  }

  /** The indexed fields and their schemas, in creation order. */
  public Map<JsonPath, FieldIndexSchema> schema() {
    return Collections.unmodifiableMap(schema);
  }

  /** The indexed fields with the number of points each holds a value of. */
  public Map<JsonPath, FieldInfo> info() {
    Map<JsonPath, FieldInfo> out = new LinkedHashMap<>();
    schema.forEach(
        (field, s) -> {
          int count = 0;
          for (SegmentPayloadIndex index : bySegment.values()) {
            count += index.pointCount(field);
          }
          out.put(field, new FieldInfo(s, count));
        });
    return out;
  }

  /**
   * Indexes {@code field} (replacing an index of another schema on it) over every point of {@code
   * payloads}. O(points); runs on the apply thread like every other write.
   */
  public void create(JsonPath field, FieldIndexSchema fieldSchema, PointSource payloads) {
    if (fieldSchema.equals(schema.get(field))) {
      return;
    }
    boolean first = schema.isEmpty();
    schema.put(field, fieldSchema);
    if (first) {
      payloads.forEach(this::onPayloadChanged); // every point, into new segment indexes
      return;
    }
    for (SegmentPayloadIndex index : bySegment.values()) {
      index.addField(field, fieldSchema);
    }
    payloads.forEach(
        (id, payload) -> {
          ShardSegments.Location at = segments.locate(id);
          SegmentPayloadIndex index = at == null ? null : bySegment.get(at.segment());
          if (index != null) {
            index.indexField(field, at.ord(), payload);
          }
        });
  }

  /** Drops the index of {@code field}; returns false when there was none. */
  public boolean drop(JsonPath field) {
    if (schema.remove(field) == null) {
      return false;
    }
    if (schema.isEmpty()) {
      bySegment.clear();
    } else {
      for (SegmentPayloadIndex index : bySegment.values()) {
        index.dropField(field);
      }
    }
    return true;
  }

  /**
   * The hook every payload write calls after it is committed, the segments already updated: the
   * point now has {@code payload} (null: the point was deleted). Upserts, deletes and payload
   * operations all come here.
   */
  public void onPayloadChanged(PointId id, Payload payload) {
    if (schema.isEmpty()) {
      return;
    }
    ShardSegments.Location at = segments.locate(id);
    if (at == null) {
      return; // deleted: its entries went with the segment's delete (OrdChanges.deleted)
    }
    SegmentPayloadIndex index = indexOf(at.segment());
    if (payload == null) {
      index.remove(at.ord());
    } else {
      index.set(at.ord(), payload);
    }
  }

  private SegmentPayloadIndex indexOf(Segment segment) {
    return bySegment.computeIfAbsent(segment, this::newIndex);
  }

  private SegmentPayloadIndex newIndex(Segment segment) {
    return new SegmentPayloadIndex(
        schema,
        id -> {
          ShardSegments.Location at = segments.locate(id);
          return at != null && at.segment() == segment ? at.ord() : -1;
        });
  }

  // ---- following the segments (OrdChanges, under the shard's write lock)

  @Override
  public void moved(Segment from, int fromOrd, Segment to, int toOrd) {
    SegmentPayloadIndex source = bySegment.get(from);
    if (source == null) {
      return;
    }
    indexOf(to).copy(source, fromOrd, toOrd);
    source.remove(fromOrd);
  }

  @Override
  public void deleted(Segment segment, int ord) {
    SegmentPayloadIndex index = bySegment.get(segment);
    if (index != null) {
      index.remove(ord);
    }
  }

  @Override
  public void replaced(Iterable<Segment> sources, Segment result, OriginOf origins) {
    if (result != null && !schema.isEmpty()) {
      long started = System.nanoTime();
      SegmentPayloadIndex target = indexOf(result);
      for (int ord = 0; ord < result.size(); ord++) {
        if (!result.isDeleted(ord)) {
          SegmentPayloadIndex source = bySegment.get(origins.segment(ord));
          if (source != null) {
            target.copy(source, origins.ord(ord), ord);
          }
        }
      }
      long ms = (System.nanoTime() - started) / 1_000_000;
      if (ms >= SLOW_COPY_MS) {
        LOG.info(
            "payload index entries of {} points moved into {} in {} ms (writes waited)",
            target.pointCount(),
            result,
            ms);
      }
    }
    for (Segment source : sources) {
      bySegment.remove(source);
    }
  }

  // ---- reads (under the shard's read lock)

  ShardSegments segments() {
    return segments;
  }

  /**
   * The indexes of {@code segment} (empty ones when it has no point yet). Only meaningful when
   * {@link #isEmpty()} is false.
   */
  SegmentPayloadIndex of(Segment segment) {
    SegmentPayloadIndex index = bySegment.get(segment);
    return index != null ? index : newIndex(segment);
  }

  /**
   * {@code filter} with each full-text condition on a field with a full-text index replaced by the
   * index's own decision ({@link FieldPredicate.IndexedText}), for verifying candidates point by
   * point: a filter the indexes answer only in part (an unindexed condition beside an indexed text
   * match) then gives the same points as one they answer whole. Conditions inside {@code nested}
   * are left alone (their keys are relative to the nested objects).
   */
  public Filter forVerification(Filter filter) {
    if (filter == null || schema.isEmpty()) {
      return filter;
    }
    return new Filter(
        forVerification(filter.must()),
        filter.should() == null ? null : forVerification(filter.should()),
        forVerification(filter.mustNot()),
        filter.minShould() == null
            ? null
            : new Condition.MinShould(
                forVerification(filter.minShould().conditions()), filter.minShould().minCount()));
  }

  private List<Condition> forVerification(List<Condition> conditions) {
    List<Condition> out = new ArrayList<>(conditions.size());
    for (Condition c : conditions) {
      Condition replaced = c;
      if (c instanceof Filter inner) {
        replaced = forVerification(inner);
      } else if (c instanceof Condition.Field f
          && schema.get(f.key()) != null
          && schema.get(f.key()).type() == PayloadSchemaType.TEXT) {
        FieldPredicate.IndexedText decided =
            new TextIndex(schema.get(f.key())).decidedAsIndexed(f.predicate());
        if (decided != null) {
          replaced = new Condition.Field(f.key(), decided);
        }
      }
      out.add(replaced);
    }
    return out;
  }

  /** The number of points the indexes know. */
  public long pointCount() {
    long count = 0;
    for (SegmentPayloadIndex index : bySegment.values()) {
      count += index.pointCount();
    }
    return count;
  }

  /**
   * The number of points {@code filter} matches, as a {@link Estimate}: per segment exact when the
   * indexes answer the whole filter, otherwise combined from per-condition estimates as Qdrant
   * does; summed over the segments. With no index, {@code total} is the shard's point count and
   * conditions are unknown.
   */
  public Estimate estimate(Filter filter, long total) {
    if (schema.isEmpty()) {
      return filter == null
          ? Estimate.exact(total)
          : FilterCandidates.estimateUnindexed(filter, total);
    }
    Estimate sum = Estimate.exact(0);
    for (Segment segment : segments.all()) {
      SegmentPayloadIndex index = bySegment.get(segment);
      if (index != null) {
        sum = sum.plus(index.estimate(filter));
      }
    }
    return sum;
  }

  /**
   * Whether {@code field} has an index that streams points in value order (integer with range,
   * float, datetime).
   */
  public boolean ordersBy(JsonPath field) {
    FieldIndexSchema s = schema.get(field);
    return s != null && FieldIndex.create(s).ordersPoints();
  }

  /**
   * Up to {@code limit} points that {@code accept} takes (null: all), in the order of their values
   * at {@code orderBy.key()} from its start: one entry per distinct (value, point) pair, ties by id
   * in the walk's direction. Requires {@link #ordersBy} on the key. Each segment's index is walked
   * until it gave {@code limit} points past whose value no other of its points can come first; the
   * walks are merged. O(values walked).
   */
  public List<OrderedPoint> ordered(OrderBy orderBy, int limit, Predicate<PointId> accept) {
    if (!ordersBy(orderBy.key())) {
      throw new IllegalStateException("no ordering index on " + orderBy.key());
    }
    Comparator<PointId> tieOrder =
        orderBy.descending() ? Comparator.reverseOrder() : Comparator.naturalOrder();
    Comparator<OrderValue> valueOrder =
        orderBy.descending() ? Comparator.reverseOrder() : Comparator.naturalOrder();
    List<OrderedPoint> all = new ArrayList<>();
    if (limit <= 0) {
      return all;
    }
    for (Segment segment : segments.all()) {
      SegmentPayloadIndex index = bySegment.get(segment);
      FieldIndex field = index == null ? null : index.index(orderBy.key());
      if (field == null) {
        continue;
      }
      int[] taken = {0};
      field.forEachOrdered(
          orderBy,
          (value, ords) -> {
            ords.forEach(
                (int ord) -> {
                  PointId id = segment.id(ord);
                  if (accept == null || accept.test(id)) {
                    all.add(new OrderedPoint(value, id));
                    taken[0]++;
                  }
                });
            return taken[0] < limit; // a value's points are all taken: ties sort by id below
          });
    }
    all.sort(
        Comparator.comparing(OrderedPoint::value, valueOrder)
            .thenComparing(OrderedPoint::id, tieOrder));
    return all.size() > limit ? new ArrayList<>(all.subList(0, limit)) : all;
  }
}
