package io.quiver.router;

import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardClient;
import io.quiver.sharding.ShardUnavailableException;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.OrderBy;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.PointSelector;
import io.quiver.storage.PointsOperation;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.Shard;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.ShardInfo;
import io.quiver.storage.UpsertCondition;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadIndexes;
import io.quiver.storage.scoring.FacetValue;
import io.quiver.storage.scoring.ScoreRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;

/**
 * A {@link ShardClient} over a real {@link Shard} in this process (Qdrant's {@code Shard::Local}):
 * the router's unit-test seam, so that its fan-out, merges and deadlines are tested without Ratis.
 * No log and no replicas: every {@link ReadConsistency} reads the one copy.
 *
 * <ul>
 *   <li>Writes apply in call order with increasing log indexes, as one replica's apply thread
 *       applies a shard's log; a write the shard refuses as bad input still takes its index (as
 *       {@code ShardStateMachine} marks it applied) and fails with {@link BadRequestException}.
 *   <li>Every call runs on {@code executor}: a test that keeps that executor busy has a shard that
 *       does not answer.
 *   <li>After {@link #close}, calls fail with {@link ShardUnavailableException}, as those to a
 *       shard group without a leader do.
 * </ul>
 *
 * Thread-safe.
 */
final class LocalShardClient implements ShardClient, AutoCloseable {

  private final String name;
  private final Path dir;
  private final Executor executor;

  /**
   * Calls hold the read lock while they use {@link #shard}; closing and reopening it take the write
   * lock.
   */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();

  /** One writer at a time, in index order. */
  private final Object writes = new Object();

  private volatile Shard shard;
  private long lastIndex;

  private LocalShardClient(String name, Path dir, Shard shard, Executor executor) {
    this.name = name;
    this.dir = dir;
    this.shard = shard;
    this.executor = executor;
    this.lastIndex = Math.max(0, shard.appliedIndex());
  }

  /**
   * Opens (or creates, with {@code config}) the shard in {@code dir}; {@code name} appears in
   * errors.
   */
  static LocalShardClient open(String name, Path dir, ShardConfig config, Executor executor) {
    return new LocalShardClient(name, dir, Shard.openOrCreate(dir, config), executor);
  }

  @Override
  public PreparedWrite prepareUpsert(List<Point> points, UpsertCondition condition) {
    return new AllOrNothing(
        points.size(), () -> write((s, index) -> s.upsert(points, condition, index)));
  }

  @Override
  public PreparedWrite prepareApply(PointsOperation operation) {
    int ids =
        operation.selector() instanceof PointSelector.Ids selected ? selected.ids().size() : 0;
    return new AllOrNothing(ids, () -> write((s, index) -> s.apply(operation, index)));
  }

  @Override
  public CompletableFuture<Long> delete(List<PointId> ids) {
    return write((s, index) -> s.delete(ids, index));
  }

  /** Stores the config and reopens the shard with it, as a replica does. */
  @Override
  public CompletableFuture<Long> updateConfig(ShardConfig config) {
    return run(
        lifecycle.writeLock(),
        s ->
            applyInOrder(
                s,
                (open, index) -> {
                  open.updateConfig(config, index);
                  open.close();
                  shard = Shard.open(dir);
                }));
  }

  @Override
  public CompletableFuture<Long> createFieldIndex(String field, FieldIndexSchema schema) {
    return write((s, index) -> s.createFieldIndex(field, schema, index));
  }

  @Override
  public CompletableFuture<Long> deleteFieldIndex(String field) {
    return write((s, index) -> s.deleteFieldIndex(field, index));
  }

  @Override
  public CompletableFuture<List<PointRecord>> scroll(
      PointId offset,
      int limit,
      Filter filter,
      boolean withPayload,
      boolean withVector,
      ReadConsistency consistency) {
    return read(s -> s.scroll(offset, limit, filter, withPayload, withVector));
  }

  @Override
  public CompletableFuture<List<PointRecord>> scrollOrdered(
      OrderBy orderBy,
      int limit,
      Filter filter,
      boolean withPayload,
      boolean withVector,
      ReadConsistency consistency) {
    return read(s -> s.scrollOrdered(orderBy, limit, filter, withPayload, withVector));
  }

  @Override
  public CompletableFuture<List<ScoredPoint>> search(
      SearchRequest request, ReadConsistency consistency) {
    return read(s -> s.search(request));
  }

  @Override
  public CompletableFuture<List<PointRecord>> retrieve(
      List<PointId> ids, boolean withPayload, boolean withVector, ReadConsistency consistency) {
    return read(s -> s.retrieve(ids, withPayload, withVector));
  }

  @Override
  public CompletableFuture<Long> count(Filter filter, ReadConsistency consistency) {
    return read(s -> s.count(filter));
  }

  @Override
  public CompletableFuture<Long> estimateCount(Filter filter, ReadConsistency consistency) {
    return read(s -> s.estimate(filter).expected());
  }

  @Override
  public CompletableFuture<Map<String, PayloadIndexes.FieldInfo>> payloadSchema(
      ReadConsistency consistency) {
    return read(Shard::payloadSchema);
  }

  @Override
  public CompletableFuture<List<ScoredPoint>> score(
      ScoreRequest request, ReadConsistency consistency) {
    return read(s -> s.score(request));
  }

  @Override
  public CompletableFuture<Map<FacetValue, Long>> facet(
      JsonPath key, Filter filter, ReadConsistency consistency) {
    return read(s -> s.facet(key, filter));
  }

  @Override
  public CompletableFuture<long[]> sparseStatistics(
      String vectorName, int[] indices, ReadConsistency consistency) {
    return read(s -> s.sparseStatistics(vectorName, indices));
  }

  @Override
  public CompletableFuture<ShardInfo> info(ReadConsistency consistency) {
    return read(Shard::info);
  }

  /** Closes the shard: from now on every call fails as a shard without a leader does. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (shard != null) {
        shard.close();
        shard = null;
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return name;
  }

  private <T> CompletableFuture<T> read(Function<Shard, T> query) {
    if (io.quiver.sharding.CallerThreadReads.allowed()) {
      readsAllowedOnCaller.incrementAndGet();
    }
    return run(lifecycle.readLock(), query);
  }

  /**
   * Reads asked while the caller allowed them on its thread ({@link
   * io.quiver.sharding.CallerThreadReads}); they still run on the executor, as the slow-shard tests
   * need.
   */
  final AtomicInteger readsAllowedOnCaller = new AtomicInteger();

  private CompletableFuture<Long> write(ObjLongConsumer<Shard> command) {
    return run(lifecycle.readLock(), s -> applyInOrder(s, command));
  }

  /** {@code work} on the executor, holding {@code lock} while it uses the open shard. */
  private <T> CompletableFuture<T> run(Lock lock, Function<Shard, T> work) {
    return CompletableFuture.supplyAsync(
        () -> {
          lock.lock();
          try {
            if (shard == null) {
              throw new ShardUnavailableException(
                  name + " is unavailable: its replica is closed", null);
            }
            return work.apply(shard);
          } finally {
            lock.unlock();
          }
        },
        executor);
  }

  /** Applies {@code command} at the next log index; completes with the index. */
  private long applyInOrder(Shard open, ObjLongConsumer<Shard> command) {
    synchronized (writes) {
      long index = ++lastIndex;
      try {
        command.accept(open, index);
      } catch (BadRequestException e) {
        open.markApplied(index);
        throw e;
      }
      return index;
    }
  }

  /** A write in one step: none of its points (ids) written until it is, then all. */
  private static final class AllOrNothing implements PreparedWrite {
    private final int items;
    private final java.util.function.Supplier<CompletableFuture<Long>> send;
    private final AtomicInteger written = new AtomicInteger();

    AllOrNothing(int items, java.util.function.Supplier<CompletableFuture<Long>> send) {
      this.items = items;
      this.send = send;
    }

    @Override
    public CompletableFuture<Long> send() {
      return send.get()
          .thenApply(
              index -> {
                written.set(items);
                return index;
              });
    }

    @Override
    public int written() {
      return written.get();
    }
  }
}
