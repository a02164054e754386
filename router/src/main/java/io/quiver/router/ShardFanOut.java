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
   * CallerThreadReads}); asked again through a new client while the one it went through was retired
   * (see {@link #resendWhileRetired}).
   */
  <T> CompletableFuture<T> toShard(
      CollectionDescriptor c,
      ShardPlacement shard,
      Function<ShardClient, CompletableFuture<T>> call) {
    Supplier<CompletableFuture<T>> ask = () -> call.apply(clients.forShard(c.name(), shard));
    return bounded(resendWhileRetired(ask.get(), ask, 1), c, shard, Deadline.NODE);
  }

  /**
   * How many times a call that met a retired client is sent again, each time through the shard's
   * new client. One is not always enough: while a replica set changes, the new client can be
   * retired too before it answers, when another request on it meets the replica that does not host
   * the group yet (Ratis then fails every request in the client's window at once). With the pauses
   * ({@link #retiredResendPauseMs}) the resends span about 3 s, bounded by the request's deadline:
   * 5 resends 50-200 ms apart (0.5 s) were used up while a drained node's replicas were removed,
   * and a write through that node answered 503 (RebalanceDrainIT in CI).
   */
  static final int RETIRED_RESENDS = 10;

  /**
   * The pause after try {@code attempt} (2 and later) met a retired client: from 50 ms, doubling,
   * at most 500.
   */
  static long retiredResendPauseMs(int attempt) {
    return Math.min(500, 50L << Math.min(attempt - 2, 10));
  }

  /**
   * {@code sent}'s outcome; while it failed because its client was retired (its Ratis client closed
   * itself: the call met a replica that does not host the group, or a request before it on the same
   * client did), {@code resend}'s, up to {@link #RETIRED_RESENDS} times in all. Only reads and
   * writes that set a state go through here: applying such a write twice (the first try may have
   * been applied before its client failed) leaves what applying it once does.
   */
  private static <T> CompletableFuture<T> resendWhileRetired(
      CompletableFuture<T> sent, Supplier<CompletableFuture<T>> resend, int attempt) {
    return sent.handle(
            (value, error) -> {
              if (error == null) {
                return CompletableFuture.completedFuture(value);
              }
              if (!retired(error) || attempt > RETIRED_RESENDS) {
                return CompletableFuture.<T>failedFuture(error);
              }
              if (attempt == 1) {
                return resendWhileRetired(resend.get(), resend, attempt + 1);
              }
              // A short pause on the JDK's delay thread, which only sends: the answer comes back on
              // the client's own threads.
              return CompletableFuture.supplyAsync(
                      () -> resendWhileRetired(resend.get(), resend, attempt + 1),
                      CompletableFuture.delayedExecutor(
                          retiredResendPauseMs(attempt), TimeUnit.MILLISECONDS, Runnable::run))
                  .thenCompose(f -> f);
            })
        .thenCompose(f -> f);
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
   * report.
   */
  CompletableFuture<Long> writeEveryShard(
      CollectionDescriptor c,
      Deadline bound,
      Function<ShardClient, CompletableFuture<Long>> write) {
    return write(
        c,
        everyShard(c),
        bound,
        (client, shard) -> whole(() -> write.apply(client)),
        shard -> null);
  }

  /**
   * A write of each shard's part: 1. every part prepared ({@code prepare} encodes and checks it, so
   * a part that cannot be written refuses the whole request with nothing sent); 2. every part sent,
   * bounded by {@code bound}, and sent again through the shard's new client while the one it went
   * through was retired ({@link #resendWhileRetired}); 3. the outcome as {@link WriteOutcome} says,
   * reporting each part's ids ({@code idsOf}; null when a part selects by filter).
   *
   * <p>Every write Quiver sends sets a state, so applying it twice leaves what applying it once
   * does: an upsert sets points (one with a condition finds, the second time, the points it wrote,
   * and writes them again or leaves them), a delete or a payload change sets what it names, a
   * config or a field index sets itself. So a part whose first try may have been applied before its
   * client failed is sent again whole, as a client retrying the request would.
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
        (shard, first) -> {
          // Each try sends the same entries in the same order: the points applied are the most
          // any try got through.
          List<ShardClient.PreparedWrite> tries = new java.util.concurrent.CopyOnWriteArrayList<>();
          tries.add(first);
          Supplier<CompletableFuture<Long>> again =
              () -> {
                ShardClient.PreparedWrite next =
                    prepare.apply(clients.forShard(c.name(), shard), parts.get(shard));
                tries.add(next);
                return next.send();
              };
          sent.put(
              shard,
              new WriteOutcome.Part(
                  bounded(resendWhileRetired(first.send(), again, 1), c, shard, bound),
                  idsOf.apply(parts.get(shard)),
                  () ->
                      tries.stream().mapToInt(ShardClient.PreparedWrite::written).max().orElse(0)));
        });
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
