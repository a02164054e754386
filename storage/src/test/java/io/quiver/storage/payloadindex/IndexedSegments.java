package io.quiver.storage.payloadindex;

import io.quiver.index.vector.Distance;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.segment.OrdChanges;
import io.quiver.storage.segment.Segment;
import io.quiver.storage.segment.SegmentWorkPool;
import io.quiver.storage.segment.ShardSegments;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Real segments of one shard with payload indexes over them, as a shard keeps them: a point is put
 * into the segments (a 4-dimensional vector) and then its payload given to the indexes; the flusher
 * and the optimizer run in the background with a 1 KB threshold (a segment per 64 points), so the
 * points move between segments — flushes, merges, vacuums — while a test runs. Writes take the
 * lock's write side, reads its read side, as the shard does.
 */
final class IndexedSegments implements AutoCloseable {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final SegmentWorkPool pool = new SegmentWorkPool("test-segments", 1, timer);
  private final ShardSegments segments;
  private final Map<PointId, Payload> payloads = new HashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger replaced =
      new java.util.concurrent.atomic.AtomicInteger();
  private PayloadIndexes indexes;
  private long version;

  IndexedSegments(Path dir) {
    this(dir, 1);
  }

  /** With segments flushed at {@code flushKb} of vectors (16 bytes a point). */
  IndexedSegments(Path dir, long flushKb) {
    ShardConfig config =
        new ShardConfig(
            VectorsConfig.single(new VectorParams(4, Distance.DOT, false)),
            io.quiver.storage.HnswConfig.DEFAULT,
            new OptimizersConfig(0.2, 8, 2, null, flushKb, 1));
    segments =
        ShardSegments.open(
            dir.resolve("segments"),
            config,
            lock,
            visitor -> {},
            (ids, versions) -> {},
            () -> {},
            pool,
            pool,
            1);
    indexes = build(Map.of());
  }

  private PayloadIndexes build(Map<JsonPath, FieldIndexSchema> schema) {
    lock.writeLock().lock();
    try {
      PayloadIndexes built = PayloadIndexes.build(schema, segments, payloads::forEach);
      segments.followOrds(
          new OrdChanges() {
            @Override
            public void moved(Segment from, int fromOrd, Segment to, int toOrd) {
              built.moved(from, fromOrd, to, toOrd);
            }

            @Override
            public void deleted(Segment segment, int ord) {
              built.deleted(segment, ord);
            }

            @Override
            public void replaced(Iterable<Segment> sources, Segment result, OriginOf origins) {
              built.replaced(sources, result, origins);
              replaced.incrementAndGet();
            }
          });
      return built;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Inserts or replaces a point; {@code newVector} false: a payload-only change. */
  void put(PointId id, Payload payload, boolean newVector) {
    write(
        () -> {
          if (newVector || !segments.contains(id)) {
            segments.put(id, ++version, Map.of(VectorsConfig.DEFAULT, new float[] {1, 2, 3, 4}));
          }
          payloads.put(id, payload);
          indexes.onPayloadChanged(id, payload);
        });
  }

  void put(PointId id, Payload payload) {
    put(id, payload, true);
  }

  /** A point written again with new vectors and the same payload (a vector update). */
  void rewriteVector(PointId id) {
    write(
        () -> {
          if (segments.contains(id)) {
            segments.put(id, ++version, Map.of(VectorsConfig.DEFAULT, new float[] {4, 3, 2, 1}));
          }
        });
  }

  void delete(PointId id) {
    write(
        () -> {
          segments.remove(id);
          payloads.remove(id);
          indexes.onPayloadChanged(id, null);
        });
  }

  void create(JsonPath field, FieldIndexSchema schema) {
    write(() -> indexes.create(field, schema, payloads::forEach));
  }

  /** The indexes built anew from the payloads: what a reopen does. */
  void rebuild() {
    indexes = build(read(() -> Map.copyOf(indexes.schema())));
  }

  PayloadIndexes indexes() {
    return indexes;
  }

  /**
   * Waits until the flusher or the optimizer replaced segments at least {@code swaps} times since
   * this opened (at most 30 s); returns how many times they did.
   */
  int awaitReplaced(int swaps) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (replaced.get() < swaps && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return replaced.get();
  }

  /** The indexes' candidates of {@code filter}, as ids, and whether every segment's are exact. */
  record Found(Set<PointId> ids, boolean exact) {}

  Found candidates(Filter filter) {
    return read(
        () -> {
          Set<PointId> ids = new TreeSet<>();
          boolean exact = true;
          for (Segment segment : segments.all()) {
            Candidates c = indexes.of(segment).candidates(filter);
            exact &= c.exact();
            c.ords().forEach((int ord) -> ids.add(segment.id(ord)));
          }
          return new Found(ids, exact);
        });
  }

  <T> T read(Supplier<T> read) {
    lock.readLock().lock();
    try {
      return read.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  private void write(Runnable write) {
    lock.writeLock().lock();
    try {
      write.run();
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void close() {
    segments.close();
    pool.close();
    timer.shutdownNow();
  }
}
