package io.quiver.storage.segment;

import io.quiver.index.hnsw.OrdBitSet;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.HeapFloatVectors;
import io.quiver.storage.PointId;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.VectorParams;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The segment that takes writes: vectors on the heap, one flat growing array per vector name
 * (prepared for the distance), searched by exact scan. Its points are also in the shard's RocksDB,
 * which is how they survive a restart: at open the appendable segment is rebuilt from the stored
 * points that no sealed segment holds.
 *
 * <p>Once {@link #freeze() frozen} (the flusher is writing it out) nothing is appended any more:
 * its arrays never change again and the flusher reads them without the shard's lock. Appends run
 * under the shard's write lock; reads under its read lock.
 */
public final class AppendableSegment extends Segment {

  private static final int INITIAL_CAPACITY = 64;

  private final ShardConfig config;
  private final Map<String, float[]> data = new LinkedHashMap<>();

  /** Per vector name, the ords whose point omits it (created at the first such point). */
  private final Map<String, OrdBitSet> absent = new java.util.HashMap<>();

  private PointId[] ids = new PointId[INITIAL_CAPACITY];
  private long[] versions = new long[INITIAL_CAPACITY];
  private volatile OrdBitSet deleted = new OrdBitSet(INITIAL_CAPACITY);
  private volatile int size;
  private volatile int deletedCount;
  private volatile boolean frozen;

  AppendableSegment(ShardConfig config) {
    this.config = config;
    for (Map.Entry<String, VectorParams> e : config.vectors().vectors().entrySet()) {
      data.put(e.getKey(), new float[INITIAL_CAPACITY * e.getValue().size()]);
    }
  }

  /** Appends a point whose vectors are prepared; returns its ord. */
  int append(PointId id, long version, Map<String, float[]> prepared) {
    if (frozen) {
      throw new IllegalStateException("append to a frozen segment");
    }
    int ord = size;
    if (ord == ids.length) {
      grow();
    }
    ids[ord] = id;
    versions[ord] = version;
    for (Map.Entry<String, float[]> e : data.entrySet()) {
      float[] v = prepared.get(e.getKey());
      if (v == null) { // the point omits this vector: its slot stays zeros, never scored
        absent.computeIfAbsent(e.getKey(), k -> new OrdBitSet(ids.length)).set(ord);
        continue;
      }
      System.arraycopy(v, 0, e.getValue(), ord * v.length, v.length);
    }
    size = ord + 1;
    return ord;
  }

  private void grow() {
    int capacity = Math.multiplyExact(ids.length, 2);
    ids = Arrays.copyOf(ids, capacity);
    versions = Arrays.copyOf(versions, capacity);
    for (Map.Entry<String, float[]> e : data.entrySet()) {
      e.setValue(Arrays.copyOf(e.getValue(), capacity * config.vectors().get(e.getKey()).size()));
    }
    OrdBitSet bigger = new OrdBitSet(capacity);
    for (int ord = 0; ord < size; ord++) {
      if (deleted.get(ord)) {
        bigger.set(ord);
      }
    }
    deleted = bigger;
    for (Map.Entry<String, OrdBitSet> e : absent.entrySet()) {
      e.setValue(copy(e.getValue(), capacity));
    }
  }

  private OrdBitSet copy(OrdBitSet bits, int capacity) {
    OrdBitSet bigger = new OrdBitSet(capacity);
    for (int ord = 0; ord < size; ord++) {
      if (bits.get(ord)) {
        bigger.set(ord);
      }
    }
    return bigger;
  }

  /** Stops appends: from now on the segment's vectors never change. */
  void freeze() {
    frozen = true;
  }

  boolean isFrozen() {
    return frozen;
  }

  /** Kilobytes of vector data held (live and deleted ords). */
  long sizeKb() {
    return (long) size * config.bytesPerPoint() / 1024;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public PointId id(int ord) {
    return ids[ord];
  }

  @Override
  public long version(int ord) {
    return versions[ord];
  }

  @Override
  public boolean isDeleted(int ord) {
    return deleted.get(ord);
  }

  @Override
  void delete(int ord) {
    if (deleted.set(ord)) {
      deletedCount++;
    }
  }

  @Override
  public int deletedCount() {
    return deletedCount;
  }

  @Override
  public FloatVectors vectors(String name) {
    VectorParams params = config.vectors().get(name);
    return new HeapFloatVectors(
        data.get(name), params.size(), params.distance(), params.storedAsGiven());
  }

  @Override
  public boolean isIndexed() {
    return false;
  }

  @Override
  public boolean hasVector(String name, int ord) {
    if (!data.containsKey(name)) {
      return false;
    }
    OrdBitSet bits = absent.get(name);
    return bits == null || !bits.get(ord);
  }

  @Override
  OrdFilter present(String name) {
    OrdBitSet bits = absent.get(name);
    return bits == null ? OrdFilter.ALL : bits.absent();
  }

  @Override
  OrdFilter live() {
    return deleted.absent();
  }

  @Override
  TopHits graphSearch(
      String name,
      float[] query,
      int k,
      int ef,
      OrdFilter accept,
      io.quiver.storage.QuantizationSearchParams quantization) {
    throw new IllegalStateException("an appendable segment has no graph");
  }

  @Override
  boolean preferExact(String name) {
    return true;
  }

  @Override
  public String toString() {
    return "appendable[" + size + (frozen ? ", frozen]" : "]");
  }
}
