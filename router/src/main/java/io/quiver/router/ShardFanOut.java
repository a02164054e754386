package io.quiver.router;

import io.quiver.sharding.CallerThreadReads;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ShardClient;
import io.quiver.sharding.ShardClients;
import io.quiver.sharding.ShardPlacement;
import io.quiver.sharding.ShardUnavailableException;
import io.quiver.storage.PointId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one place where the router calls {@link ShardClient}s: a call sent to several shards of a
 * collection, each bounded by a deadline, the answers gathered in shard order.
 *
 * <pre>
 *  deadline of one shard call          | the shard does not answer in time
 *  ------------------------------------+------------------------------------------------------
 *  node deadline (no caller timeout)   | ShardUnavailableException naming the shard (503)
 *  caller's timeout ({@link #withTimeout}) | RequestTimeoutException naming the shard (408)
 *  {@link Deadline#CALLER_ONLY}, no timeout | none: the call may take as long as it takes
 * </pre>
 *
 * A read completes once every shard asked has answered or failed: with the answers in the order of
 * the shards, or with the first failure in that order (the other answers are dropped). A write goes
 * by {@link WriteOutcome}: it says which shards (and points) were applied and which were not.
 * Thread-safe; make one per request with {@link #withTimeout} when the caller gives a timeout.
 */
final class ShardFanOut {

  /**
   * What bounds a shard call when the caller gave no timeout (with one, the timeout always does).
   */
  enum Deadline {
    /** The node's deadline: reads and point writes. */
    NODE,
    /** Nothing: work that may take long, such as building a payload index. */
    CALLER_ONLY
  }

  private final ShardClients clients;

  /** How long one shard call may take (the node's request timeout). */
  private final Duration deadline;

  /** The caller's {@code timeout} for the whole request, or null (see {@link #withTimeout}). */
  private final Duration requestTimeout;

  /**
   * When the caller's request times out, in {@link System#nanoTime()} terms; unused without a
   * timeout.
   */
  private final long requestDeadlineNanos;

  ShardFanOut(ShardClients clients, Duration deadline) {
    this(clients, deadline, null, 0);
  }

  private ShardFanOut(
      ShardClients clients, Duration deadline, Duration requestTimeout, long requestDeadlineNanos) {
    this.clients = clients;
    this.deadline = deadline;
    this.requestTimeout = requestTimeout;
    this.requestDeadlineNanos = requestDeadlineNanos;
  }

  /**
   * This fan-out for one request with the caller's {@code timeout}: every shard call made through
   * it from now on must complete before {@code timeout} has passed (see {@link
   * PointsRouter#withTimeout}).
   */
  ShardFanOut withTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    long now = System.nanoTime();
    long nanos =
        timeout.compareTo(Duration.ofDays(365)) > 0
            ? Duration.ofDays(365).toNanos()
            : timeout.toNanos();
    return new ShardFanOut(clients, deadline, timeout, now + nanos);
  }

  /**
   * {@code call} asked of every shard of {@code c}: the answers in shard order (see the class
   * comment).
   */
  <T> CompletableFuture<List<T>> toEveryShard(
      CollectionDescriptor c, Function<ShardClient, CompletableFuture<T>> call) {
    return toShards(c, everyShard(c), (client, shard) -> call.apply(client));
  }

  /**
   * {@code call} asked of every shard a read goes to ({@link
   * io.quiver.sharding.ShardMap#readShards}), with the filter that shard must answer for: the
   * request's {@code filter} (null: none), and while the collection is resharded the shard's
   * ownership too, since a shard may then hold copies of points it does not own. The answers in
   * shard order.
   */
  <T> CompletableFuture<List<T>> toReadShards(
      CollectionDescriptor c,
      io.quiver.storage.filter.Filter filter,
      BiFunction<ShardClient, io.quiver.storage.filter.Filter, CompletableFuture<T>> call) {
    Map<ShardPlacement, io.quiver.storage.filter.Filter> parts = new LinkedHashMap<>();
    for (ShardPlacement shard : c.shardMap().readShards()) {
      parts.put(
          shard, io.quiver.storage.filter.Filter.and(filter, c.shardMap().readRestriction(shard)));
    }
    return toShards(c, parts, call);
  }

  /**
   * {@code call} asked of each shard in {@code parts} with its part: the answers in the order of
   * {@code parts}. The last shard may answer on this thread ({@link CallerThreadReads}), while the
   * others, asked first, answer on theirs.
   */
  <P, T> CompletableFuture<List<T>> toShards(
      CollectionDescriptor c,
      Map<ShardPlacement, P> parts,
      BiFunction<ShardClient, P, CompletableFuture<T>> call) {
    List<CompletableFuture<T>> answers = new ArrayList<>(parts.size());
    int last = parts.size() - 1;
    parts.forEach(
        (shard, part) -> {
          Function<ShardClient, CompletableFuture<T>> ask = client -> call.apply(client, part);
          answers.add(
              answers.size() == last
                  ? CallerThreadReads.allow(() -> toShard(c, shard, ask))
                  : toShard(c, shard, ask));
        });
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> answers.stream().map(CompletableFuture::join).toList());
  }

  /**
   * {@code call} (a read) asked of one shard, bounded by the node's deadline or the caller's
   * timeout (the shard may answer on this thread when the caller allows it: {@link
   * CallerThreadReads}); asked once more through a new client when the first one was retired (it
   * met a replica that does not host the group: one joining or just dropped, while the placement
   * changes).
   */
  <T> CompletableFuture<T> toShard(
      CollectionDescriptor c,
      ShardPlacement shard,
      Function<ShardClient, CompletableFuture<T>> call) {
    CompletableFuture<T> answer =
        call.apply(clients.forShard(c.name(), shard))
            .handle(
                (value, error) ->
                    error == null
                        ? CompletableFuture.completedFuture(value)
                        : retired(error)
                            ? call.apply(clients.forShard(c.name(), shard))
                            : CompletableFuture.<T>failedFuture(error))
            .thenCompose(f -> f);
    return bounded(answer, c, shard, Deadline.NODE);
  }

  private static boolean retired(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof io.quiver.sharding.ShardClientRetiredException) {
        return true;
      }
    }
    return false;
  }

  /**
   * A write of the same thing to every shard of {@code c} (one log entry each); no point ids to
   * report. These writes set a state (a shard config, a field index there or not), so one that met
   * a retired client (a replica dropped or only joining while the placement changes: "does not host
   * it (yet)") is sent once more through a new client, as a read is: applying it twice sets the
   * same state. Writes of points are not resent: a conditional one is not idempotent.
   */
  CompletableFuture<Long> writeEveryShard(
      CollectionDescriptor c,
      Deadline bound,
      Function<ShardClient, CompletableFuture<Long>> write) {
    return write(
        c,
        everyShard(c),
        bound,
        (client, shard) ->
            whole(
                () ->
                    write
                        .apply(client)
                        .handle(
                            (index, error) ->
                                error == null
                                    ? CompletableFuture.completedFuture(index)
                                    : retired(error)
                                        ? write.apply(clients.forShard(c.name(), shard))
                                        : CompletableFuture.<Long>failedFuture(error))
                        .thenCompose(f -> f)),
        shard -> null);
  }

  /**
   * A write of each shard's part: 1. every part prepared ({@code prepare} encodes and checks it, so
   * a part that cannot be written refuses the whole request with nothing sent); 2. every part sent,
   * bounded by {@code bound}; 3. the outcome as {@link WriteOutcome} says, reporting each part's
   * ids ({@code idsOf}; null when a part selects by filter).
   */
  <P> CompletableFuture<Long> write(
      CollectionDescriptor c,
      Map<ShardPlacement, P> parts,
      Deadline bound,
      BiFunction<ShardClient, P, ShardClient.PreparedWrite> prepare,
      Function<P, List<PointId>> idsOf) {
    Map<ShardPlacement, ShardClient.PreparedWrite> prepared = new LinkedHashMap<>();
    parts.forEach(
        (shard, part) ->
            prepared.put(shard, prepare.apply(clients.forShard(c.name(), shard), part)));
    Map<ShardPlacement, WriteOutcome.Part> sent = new LinkedHashMap<>();
    prepared.forEach(
        (shard, write) ->
            sent.put(
                shard,
                new WriteOutcome.Part(
                    bounded(write.send(), c, shard, bound),
                    idsOf.apply(parts.get(shard)),
                    write::written)));
    return WriteOutcome.of(c.name(), sent);
  }

  /** A write that goes into one log entry: nothing to check before it is sent, all or nothing. */
  static ShardClient.PreparedWrite whole(Supplier<CompletableFuture<Long>> send) {
    return new ShardClient.PreparedWrite() {
      @Override
      public CompletableFuture<Long> send() {
        return send.get();
      }

      @Override
      public int written() {
        return 0;
      }
    };
  }

  private static Map<ShardPlacement, ShardPlacement> everyShard(CollectionDescriptor c) {
    Map<ShardPlacement, ShardPlacement> shards = new LinkedHashMap<>();
    c.shardMap().shards().forEach(shard -> shards.put(shard, shard));
    return shards;
  }

  private <T> CompletableFuture<T> bounded(
      CompletableFuture<T> future, CollectionDescriptor c, ShardPlacement shard, Deadline bound) {
    if (requestTimeout != null) {
      return withRequestDeadline(future, c, shard);
    }
    if (bound == Deadline.CALLER_ONLY) {
      return future;
    }
    return ShardCallTimeouts.processWide()
        .within(future, deadline.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(
            e -> {
              Throwable cause = e.getCause() != null ? e.getCause() : e;
              if (cause instanceof TimeoutException) {
                throw new ShardUnavailableException(
                    "shard "
                        + shard.shardId()
                        + " of collection `"
                        + c.name()
                        + "` did not answer within "
                        + deadline.toMillis()
                        + " ms (a write may still be applied later)",
                    cause);
              }
              throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            });
  }

  /** The shard call bounded by what is left of the caller's timeout. */
  private <T> CompletableFuture<T> withRequestDeadline(
      CompletableFuture<T> future, CollectionDescriptor c, ShardPlacement shard) {
    long remainingNanos = requestDeadlineNanos - System.nanoTime();
    if (remainingNanos <= 0) {
      future.cancel(false); // nothing waits for it; a write already sent may still be applied
      return CompletableFuture.failedFuture(timedOut(c, shard));
    }
    return ShardCallTimeouts.processWide()
        .within(future, remainingNanos, TimeUnit.NANOSECONDS)
        .exceptionally(
            e -> {
              Throwable cause = e.getCause() != null ? e.getCause() : e;
              if (cause instanceof TimeoutException) {
                throw timedOut(c, shard);
              }
              throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            });
  }

  private RequestTimeoutException timedOut(CollectionDescriptor c, ShardPlacement shard) {
    return new RequestTimeoutException(
        "Timeout error: the request did not complete within its timeout of "
            + requestTimeout.toNanos() / 1e9
            + " s: shard "
            + shard.shardId()
            + " of collection `"
            + c.name()
            + "` had not answered (a write may still be applied later)");
  }
}
