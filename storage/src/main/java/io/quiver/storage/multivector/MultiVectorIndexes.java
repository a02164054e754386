package io.quiver.storage.multivector;

import io.quiver.index.hnsw.OrdBitSet;
import io.quiver.index.multivector.MultiVectors;
import io.quiver.storage.MultiVectorParams;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Predicate;

/**
 * A shard's multivectors, one {@link MultiVectors} store per name over shard-wide ords (assigned
 * when a point's multivector is written, in write order). An update deletes the old ord and
 * appends a new one; when deleted ords outnumber live ones (and exceed {@link #COMPACT_MIN_DELETED})
 * the name's store is rewritten with the live ords only.
 *
 * <p>Rows are held prepared (normalized for Cosine), as the point's stored vectors are. The
 * RocksDB point value is the truth (the flat rows are part of the point's dense vector map); this
 * is rebuilt from it at open, like the sparse and payload indexes.
 *
 * <p>Not thread-safe: writes under the shard's write lock, searches under its read lock.
 */
public final class MultiVectorIndexes {

  /** Deleted ords a name's store tolerates before it may compact (with more deleted than live). */
  static final int COMPACT_MIN_DELETED = 1024;

  private final Map<String, Named> byName = new LinkedHashMap<>();

  public MultiVectorIndexes(Map<String, MultiVectorParams> params) {
    params.forEach((name, p) -> byName.put(name, new Named(p)));
  }

  /** True when the shard has no multivector. */
  public boolean isEmpty() {
    return byName.isEmpty();
  }

  /** Records that point {@code id} now has these prepared vectors (names that are not multivectors are ignored). */
  public void put(PointId id, Map<String, float[]> prepared) {
    for (Map.Entry<String, Named> e : byName.entrySet()) {
      e.getValue().remove(id);
      float[] v = prepared.get(e.getKey());
      if (v != null) {
        e.getValue().add(id, v);
      }
    }
  }

  /** Records that point {@code id} was deleted. */
  public void remove(PointId id) {
    for (Named named : byName.values()) {
      named.remove(id);
    }
  }

  /** The prepared flat multivectors point {@code id} has, by name (empty when none). */
  public Map<String, float[]> vectors(PointId id) {
    if (byName.isEmpty()) {
      return Map.of();
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    byName.forEach((name, named) -> {
      Integer ord = named.ords.get(id);
      if (ord != null) {
        out.put(name, named.store.get(ord));
      }
    });
    return out;
  }

  /** The MaxSim score (as Qdrant reports it) of prepared query rows against point {@code id}'s multivector, or null. */
  public Float score(String name, float[][] query, PointId id) {
    Named named = byName.get(name);
    Integer ord = named.ords.get(id);
    return ord == null ? null : named.store.score(query, ord);
  }

  /**
   * Exact MaxSim search: the best {@code limit} points whose multivector {@code name} exists and
   * that {@code accept} takes (null: all), by the vector's distance (higher first for similarities,
   * lower first for distances), ties by id. Hits carry no payload or vectors and version 0.
   */
  public List<ScoredPoint> search(String name, float[][] query, int limit, Predicate<PointId> accept) {
    Named named = byName.get(name);
    boolean higher = named.params.distance().higherIsBetter();
    java.util.Comparator<ScoredPoint> best = higher ? ScoredPoint.HIGHER_FIRST : ScoredPoint.LOWER_FIRST;
    PriorityQueue<ScoredPoint> heap = new PriorityQueue<>(best.reversed()); // worst on top
    for (int ord = 0; ord < named.store.size(); ord++) {
      if (named.deleted.get(ord)) {
        continue;
      }
      PointId id = named.ids.get(ord);
      if (accept != null && !accept.test(id)) {
        continue;
      }
      ScoredPoint hit = new ScoredPoint(id, 0, named.store.score(query, ord), null, null);
      if (heap.size() < limit) {
        heap.add(hit);
      } else if (best.compare(hit, heap.peek()) < 0) {
        heap.poll();
        heap.add(hit);
      }
    }
    List<ScoredPoint> out = new ArrayList<>(heap);
    out.sort(best);
    return out;
  }

  /** Live points with multivector {@code name}. */
  public int pointCount(String name) {
    return byName.get(name).ords.size();
  }

  /** One name's store, its id maps and deleted ords. */
  private static final class Named {
    private final MultiVectorParams params;
    private MultiVectors store;
    private final Map<PointId, Integer> ords = new HashMap<>();
    private List<PointId> ids = new ArrayList<>();
    private OrdBitSet deleted = new OrdBitSet(64);
    private int deletedCount;

    Named(MultiVectorParams params) {
      this.params = params;
      this.store = new MultiVectors(params.size(), params.distance());
    }

    void add(PointId id, float[] prepared) {
      int ord = store.add(prepared);
      ids.add(id);
      ords.put(id, ord);
      if (ord >= deleted.size()) {
        OrdBitSet bigger = new OrdBitSet(Math.max(ord + 1, deleted.size() * 2));
        for (int o = 0; o < ord; o++) {
          if (deleted.get(o)) {
            bigger.set(o);
          }
        }
        deleted = bigger;
      }
    }

    void remove(PointId id) {
      Integer ord = ords.remove(id);
      if (ord == null) {
        return;
      }
      deleted.set(ord);
      deletedCount++;
      if (deletedCount > COMPACT_MIN_DELETED && deletedCount > ords.size()) {
        compact();
      }
    }

    private void compact() {
      MultiVectors live = new MultiVectors(params.size(), params.distance());
      List<PointId> liveIds = new ArrayList<>(ords.size());
      for (int ord = 0; ord < store.size(); ord++) {
        if (!deleted.get(ord)) {
          PointId id = ids.get(ord);
          ords.put(id, live.add(store.get(ord)));
          liveIds.add(id);
        }
      }
      store = live;
      ids = liveIds;
      deleted = new OrdBitSet(Math.max(64, liveIds.size() * 2));
      deletedCount = 0;
    }
  }
}
