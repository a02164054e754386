package io.quiver.storage.sparse;

import io.quiver.index.hnsw.TopHits;
import io.quiver.index.sparse.GrowingSparseIndex;
import io.quiver.index.sparse.PostingList;
import io.quiver.index.sparse.SparseSearcher;
import io.quiver.index.sparse.SparseVector;
import io.quiver.storage.PointId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A shard's inverted indexes, one per sparse vector name, over shard-wide sparse ords (assigned
 * when a point's vector is written, in write order). An update deletes the old ord and appends a
 * new one; when deleted ords outnumber live ones (and exceed {@link #COMPACT_MIN_DELETED}) the index
 * is compacted in place (live ords renumbered in order).
 *
 * <p>Not thread-safe: writes under the shard's write lock, searches under its read lock.
 */
public final class SparseIndexes {

  /** Deleted ords a name's index tolerates before it may compact (with more deleted than live). */
  static final int COMPACT_MIN_DELETED = 1024;

  private final Map<String, NamedIndex> byName = new LinkedHashMap<>();

  private SparseIndexes(Map<String, io.quiver.storage.SparseVectorParams> params) {
    params.forEach((name, p) -> byName.put(name,
        new NamedIndex(p.storedDatatype() == io.quiver.index.vector.VectorDatatype.FLOAT16)));
  }

  /**
   * The indexes of the sparse vectors {@code params} names, filled from the stored points:
   * {@code stored} calls its argument with every stored point's sparse vectors (in any order),
   * whose values are stored values ({@link SparseValues}). A float16 vector's index holds its
   * values as halves (2 bytes a value); float32 and uint8 ones hold floats.
   */
  public static SparseIndexes build(Map<String, io.quiver.storage.SparseVectorParams> params,
      Consumer<BiConsumer<PointId, Map<String, SparseVector>>> stored) {
    SparseIndexes indexes = new SparseIndexes(params);
    if (!params.isEmpty()) {
      stored.accept(indexes::put);
    }
    return indexes;
  }

  /** True when the shard has no sparse vector name. */
  public boolean isEmpty() {
    return byName.isEmpty();
  }

  /** Records that point {@code id} now has exactly {@code vectors} (unknown names are ignored). */
  public void put(PointId id, Map<String, SparseVector> vectors) {
    for (Map.Entry<String, NamedIndex> e : byName.entrySet()) {
      e.getValue().remove(id);
      SparseVector v = vectors.get(e.getKey());
      if (v != null) {
        e.getValue().add(id, v);
      }
    }
  }

  /** Records that point {@code id} was deleted. */
  public void remove(PointId id) {
    for (NamedIndex index : byName.values()) {
      index.remove(id);
    }
  }

  /**
   * The best {@code limit} points by dot product with {@code query} among those sharing a dimension
   * with it and accepted by {@code accept} (null: all), best first, ties by id.
   */
  public List<Hit> search(String name, SparseVector query, int limit, Predicate<PointId> accept) {
    NamedIndex index = byName.get(name);
    PointId[] ids = index.ordToId;
    TopHits top = SparseSearcher.search(index.index, query, limit,
        accept == null ? io.quiver.index.hnsw.OrdFilter.ALL : ord -> accept.test(ids[ord]),
        (a, b) -> ids[a].compareTo(ids[b]));
    Hit[] hits = new Hit[top.size()];
    for (int i = 0; i < hits.length; i++) {
      hits[i] = new Hit(ids[top.ords()[i]], top.scores()[i]);
    }
    return Arrays.asList(hits);
  }

  /** The number of live points that have the sparse vector {@code name}. */
  public long pointCount(String name) {
    return byName.get(name).index.liveCount();
  }

  /** The number of live points whose vector {@code name} has dimension {@code dimension}. */
  public long documentFrequency(String name, int dimension) {
    GrowingSparseIndex index = byName.get(name).index;
    PostingList list = index.postings(dimension);
    if (list == null) {
      return 0;
    }
    if (index.deletedCount() == 0) {
      return list.size();
    }
    long n = 0;
    for (int i = 0; i < list.size(); i++) {
      n += index.isDeleted(list.ord(i)) ? 0 : 1;
    }
    return n;
  }

  /** Postings held for {@code name} (deleted ones until compaction included) and their heap bytes. */
  public long[] postingsAndHeapBytes(String name) {
    GrowingSparseIndex index = byName.get(name).index;
    return new long[] {index.postingCount(), index.heapBytes()};
  }

  /** A search hit. */
  public record Hit(PointId id, float score) {}

  /** One name's index and its ord &lt;-&gt; point id maps. */
  private static final class NamedIndex {
    final GrowingSparseIndex index;
    PointId[] ordToId = new PointId[16];
    final Map<PointId, Integer> idToOrd = new HashMap<>();

    NamedIndex(boolean halfValues) {
      this.index = new GrowingSparseIndex(halfValues);
    }

    void add(PointId id, SparseVector v) {
      int ord = index.ordBound();
      if (ord == ordToId.length) {
        ordToId = Arrays.copyOf(ordToId, ord + (ord >> 1) + 16);
      }
      ordToId[ord] = id;
      idToOrd.put(id, ord);
      index.add(ord, v);
    }

    void remove(PointId id) {
      Integer ord = idToOrd.remove(id);
      if (ord == null) {
        return;
      }
      index.delete(ord);
      int deleted = index.deletedCount();
      if (deleted > COMPACT_MIN_DELETED && deleted > index.liveCount()) {
        compact();
      }
    }

    private void compact() {
      int[] remap = index.compact();
      PointId[] next = new PointId[Math.max(16, index.ordBound())];
      for (int ord = 0; ord < remap.length; ord++) {
        if (remap[ord] >= 0) {
          next[remap[ord]] = ordToId[ord];
          idToOrd.put(ordToId[ord], remap[ord]);
        }
      }
      ordToId = next;
    }
  }
}
