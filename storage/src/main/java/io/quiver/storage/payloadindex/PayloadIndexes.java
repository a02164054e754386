package io.quiver.storage.payloadindex;

import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.segment.Segment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.roaringbitmap.RoaringBitmap;

/**
 * The payload indexes of one shard replica: the indexed fields with their schemas, one {@link
 * FieldIndex} per field, and the dense ords they are built over (payload-index ords: assigned when
 * a point is first seen, kept while it lives, compacted when the indexes are rebuilt at open).
 * Answers {@link #candidates(Filter)} and {@link #estimate(Filter)}.
 *
 * <p>Lives in memory and is rebuilt from the payloads at open (see
 * docs/design/filters-and-payload-indexes.md, "Payload indexes"); the schema is stored by the
 * shard. While no field is indexed nothing is kept, not even ords, so an unindexed shard pays
 * nothing.
 *
 * <p>Not thread-safe for writes: the shard calls the write methods under its write lock (from the
 * apply thread) and the read methods under its read lock. Read methods do not mutate.
 */
public final class PayloadIndexes {

  /** Every stored point with its payload ({@link Payload#EMPTY} when it has none). */
  @FunctionalInterface
  public interface PointSource {
    void forEach(BiConsumer<PointId, Payload> consumer);
  }

  /** One indexed field as collection info reports it. */
  public record FieldInfo(FieldIndexSchema schema, int points) {}

  private final Map<JsonPath, FieldIndexSchema> schema = new LinkedHashMap<>();
  private final Map<JsonPath, FieldIndex> indexes = new HashMap<>();
  private final Map<PointId, Integer> ordById = new HashMap<>();
  private final List<PointId> idByOrd = new ArrayList<>();
  private final RoaringBitmap live = new RoaringBitmap();

  /**
   * Per segment, the payload-index ord of each segment ord ({@link #ordsIn}). Weak keys: a segment
   * the optimizer replaced drops out with it. Cleared whenever the ords are reassigned.
   */
  private final Map<Segment, int[]> ordsBySegment =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** Indexes with these fields over {@code points}. */
  public static PayloadIndexes build(Map<JsonPath, FieldIndexSchema> schema, PointSource points) {
    PayloadIndexes indexes = new PayloadIndexes();
    if (schema.isEmpty()) {
      return indexes;
    }
    schema.forEach(
        (field, s) -> {
          indexes.schema.put(field, s);
          indexes.indexes.put(field, FieldIndex.create(s));
        });
    points.forEach(indexes::onPayloadChanged);
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
    schema.forEach((field, s) -> out.put(field, new FieldInfo(s, indexes.get(field).pointCount())));
    return out;
  }

  /**
   * Indexes {@code field} (replacing an index of another schema on it) over every point of {@code
   * points}. O(points); runs on the apply thread like every other write.
   */
  public void create(JsonPath field, FieldIndexSchema fieldSchema, PointSource points) {
    if (fieldSchema.equals(schema.get(field))) {
      return;
    }
    boolean first = schema.isEmpty();
    if (first) {
      ordsBySegment.clear(); // the ords are assigned anew below
    }
    FieldIndex index = FieldIndex.create(fieldSchema);
    schema.put(field, fieldSchema);
    indexes.put(field, index);
    if (first) {
      points.forEach(this::onPayloadChanged); // assigns the ords and fills the new index
      return;
    }
    points.forEach(
        (id, payload) -> {
          Integer ord = ordById.get(id);
          if (ord != null) {
            index.add(ord, PayloadValues.at(field, payload.tree()));
          }
        });
  }

  /** Drops the index of {@code field}; returns false when there was none. */
  public boolean drop(JsonPath field) {
    if (schema.remove(field) == null) {
      return false;
    }
    indexes.remove(field);
    if (schema.isEmpty()) {
      ordById.clear();
      idByOrd.clear();
      live.clear();
      ordsBySegment.clear();
    }
    return true;
  }

  /**
   * The hook every payload write calls after it is committed: the point now has {@code payload}
   * (null: the point was deleted). Upserts, deletes and payload operations all come here.
   */
  public void onPayloadChanged(PointId id, Payload payload) {
    if (schema.isEmpty()) {
      return;
    }
    Integer ord = ordById.get(id);
    if (payload == null) {
      if (ord != null) {
        for (FieldIndex index : indexes.values()) {
          index.remove(ord);
        }
        ordById.remove(id);
        idByOrd.set(ord, null);
        live.remove(ord);
      }
      return;
    }
    if (ord == null) {
      ord = idByOrd.size();
      idByOrd.add(id);
      ordById.put(id, ord);
      live.add(ord);
    }
    for (Map.Entry<JsonPath, FieldIndex> e : indexes.entrySet()) {
      e.getValue().remove(ord);
      e.getValue().add(ord, PayloadValues.at(e.getKey(), payload.tree()));
    }
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
      } else if (c instanceof Condition.Field f && indexes.get(f.key()) instanceof TextIndex text) {
        FieldPredicate.IndexedText decided = text.decidedAsIndexed(f.predicate());
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
    return live.getCardinality();
  }

  /** The ord of a live point, or -1. */
  public int ordOf(PointId id) {
    Integer ord = ordById.get(id);
    return ord == null ? -1 : ord;
  }

  public PointId idOf(int ord) {
    return idByOrd.get(ord);
  }

  /** One more than the largest ord assigned so far (ords are below it). */
  int ordBound() {
    return idByOrd.size();
  }

  /**
   * For each ord of {@code segment}, the payload-index ord of the point it holds (-1: deleted then,
   * or a point the indexes do not know). Valid for every ord that is live now: a point keeps its
   * payload-index ord while it lives, and an ord's point never changes (an update is a new ord, a
   * re-insert after a delete too). Computed once per segment (O(size) id lookups) and cached; an
   * appendable segment that grew is extended by its new ords only. Thread-safe; call under the
   * shard's read lock.
   */
  int[] ordsIn(Segment segment) {
    int size = segment.size();
    int[] cached = ordsBySegment.get(segment);
    if (cached != null && cached.length == size) {
      return cached;
    }
    int from = cached == null ? 0 : cached.length;
    int[] out = cached == null ? new int[size] : Arrays.copyOf(cached, size);
    for (int ord = from; ord < size; ord++) {
      out[ord] = segment.isDeleted(ord) ? -1 : ordOf(segment.id(ord));
    }
    ordsBySegment.put(segment, out);
    return out;
  }

  /** Calls {@code consumer} with the id of every ord in {@code ords}, in ord order. */
  public void forEachId(RoaringBitmap ords, Consumer<PointId> consumer) {
    ords.forEach((int ord) -> consumer.accept(idByOrd.get(ord)));
  }

  /**
   * The points {@code filter} may match. Exact when every condition that decides the outcome is
   * answered by an index (or is a {@code has_id}); otherwise a superset to check point by point.
   * Only meaningful when {@link #isEmpty()} is false.
   */
  public Candidates candidates(Filter filter) {
    return new FilterCandidates(this).of(filter);
  }

  /**
   * The number of points {@code filter} matches, as a {@link Estimate}: exact when the indexes
   * answer the whole filter, otherwise combined from per-condition estimates as Qdrant does. With
   * no index, {@code total} is the shard's point count and conditions are unknown.
   */
  public Estimate estimate(Filter filter, long total) {
    if (schema.isEmpty()) {
      return filter == null
          ? Estimate.exact(total)
          : new FilterCandidates(this).estimateUnindexed(filter, total);
    }
    if (filter == null) {
      return Estimate.exact(pointCount());
    }
    FilterCandidates f = new FilterCandidates(this);
    Candidates c = f.of(filter);
    if (c.exact()) {
      return Estimate.exact(c.size());
    }
    return f.estimate(filter);
  }

  /**
   * Whether {@code field} has an index that streams points in value order (integer with range,
   * float, datetime).
   */
  public boolean ordersBy(JsonPath field) {
    FieldIndex index = indexes.get(field);
    return index != null && index.ordersPoints();
  }

  /**
   * Walks the values of {@code orderBy.key()} in its direction from its start, each distinct value
   * once with the payload-index ords of the points holding it ({@link #idOf} gives their ids),
   * until the visitor returns false. Requires {@link #ordersBy} on the key. O(values visited).
   */
  public void forEachOrdered(io.quiver.storage.OrderBy orderBy, OrderedVisitor visitor) {
    if (!ordersBy(orderBy.key())) {
      throw new IllegalStateException("no ordering index on " + orderBy.key());
    }
    indexes.get(orderBy.key()).forEachOrdered(orderBy, visitor);
  }

  FieldIndex index(JsonPath field) {
    return indexes.get(field);
  }

  RoaringBitmap live() {
    return live;
  }

  /** The ords of the ids that are live. */
  RoaringBitmap ordsOf(Iterable<PointId> ids) {
    RoaringBitmap out = new RoaringBitmap();
    for (PointId id : ids) {
      Integer ord = ordById.get(id);
      if (ord != null) {
        out.add(ord);
      }
    }
    return out;
  }
}
