package io.quiver.router;

import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.PointsMovedException;
import io.quiver.sharding.Resharding;
import io.quiver.sharding.ShardMap;
import io.quiver.sharding.ShardUnavailableException;
import io.quiver.storage.PointId;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Writes to a collection that is being resharded ({@link Resharding}). While the last changes are
 * copied ({@link Resharding.Phase#SYNCING}, or a resharding is aborted), a write of a point that
 * moves, and a write that selects points by filter, wait until the routing has switched (or gone
 * back): the point's old shard is fenced and its new one is not routed to yet. During the bulk copy
 * before it, writes go on as usual. A write that a shard refuses because its points moved (a router
 * whose metadata was older than the shard's fence) is routed again by the newest map. Both wait at
 * most {@link #WAIT_MS} in all, then fail with a 503 that says why.
 */
final class ReshardingWrites {

  /** How long a write may wait for a resharding's copy to end. */
  static final long WAIT_MS = 60_000;

  private static final long POLL_MS = 50;

  private final Function<String, Optional<CollectionDescriptor>> collections;

  ReshardingWrites(Function<String, Optional<CollectionDescriptor>> collections) {
    this.collections = collections;
  }

  /**
   * Runs {@code write} with the newest descriptor of {@code c} once it may be written: at once
   * unless the collection is being copied and {@code ids} hold a moving point ({@code ids} null:
   * the write selects by filter).
   */
  CompletableFuture<Long> write(
      CollectionDescriptor c,
      Collection<PointId> ids,
      Function<CollectionDescriptor, CompletableFuture<Long>> write) {
    return attempt(c, ids, write, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS));
  }

  private CompletableFuture<Long> attempt(
      CollectionDescriptor c,
      Collection<PointId> ids,
      Function<CollectionDescriptor, CompletableFuture<Long>> write,
      long deadline) {
    if (mustWait(c.shardMap(), ids)) {
      return later(c, ids, write, deadline, null);
    }
    return write
        .apply(c)
        .exceptionallyCompose(
            error ->
                moved(error)
                    ? later(c, ids, write, deadline, error)
                    : CompletableFuture.failedFuture(error));
  }

  private CompletableFuture<Long> later(
      CollectionDescriptor c,
      Collection<PointId> ids,
      Function<CollectionDescriptor, CompletableFuture<Long>> write,
      long deadline,
      Throwable cause) {
    if (System.nanoTime() > deadline) {
      Resharding r = c.shardMap().resharding();
      return CompletableFuture.failedFuture(
          new ShardUnavailableException(
              "collection `"
                  + c.name()
                  + "` is being resharded"
                  + (r == null ? "" : " to " + r.toCount() + " shards")
                  + " and the points of this write are moving between shards;"
                  + " it was not written within "
                  + WAIT_MS / 1000
                  + " s: retry it",
              cause));
    }
    return CompletableFuture.supplyAsync(
            () -> collections.apply(c.name()).orElse(c),
            // Run on the JDK's delay thread: a lookup, then the write is only sent from there.
            CompletableFuture.delayedExecutor(POLL_MS, TimeUnit.MILLISECONDS, Runnable::run))
        .thenCompose(fresh -> attempt(fresh, ids, write, deadline));
  }

  private static boolean mustWait(ShardMap map, Collection<PointId> ids) {
    Resharding r = map.resharding();
    if (r == null || !r.holdsMovingWrites()) {
      return false;
    }
    if (ids == null) {
      return true;
    }
    for (PointId id : ids) {
      if (map.isMoving(id)) {
        return true;
      }
    }
    return false;
  }

  private static boolean moved(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof PointsMovedException) {
        return true;
      }
    }
    return false;
  }
}
