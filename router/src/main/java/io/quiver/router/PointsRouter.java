package io.quiver.router;

import io.quiver.sharding.CollectionCatalog;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.CollectionNotFoundException;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardClient;
import io.quiver.sharding.ShardClients;
import io.quiver.sharding.ShardMap;
import io.quiver.sharding.ShardPlacement;
import io.quiver.sharding.ShardUnavailableException;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.PointSelector;
import io.quiver.storage.PointsOperation;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.UpsertCondition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A request about points, arriving at any node: writes split by shard and sent to each shard's
 * group; reads fanned out to one replica of every shard in parallel, with a deadline, and merged.
 * Everything goes through {@link ShardClient}s, so the router cannot tell a local shard from a
 * remote one. Thread-safe.
 */
public final class PointsRouter {

  private final CollectionCatalog catalog;
  private final ShardClients shards;
  /** How long one shard call may take (the node's request timeout). */
  private final Duration deadline;
  /** The caller's {@code timeout} for the whole request, or null (see {@link #withTimeout}). */
  private final Duration requestTimeout;
  /** When the caller's request times out, in {@link System#nanoTime()} terms; unused without a timeout. */
  private final long requestDeadlineNanos;

  public PointsRouter(CollectionCatalog catalog, ShardClients shards, Duration deadline) {
    this(catalog, shards, deadline, null, 0);
  }

  private PointsRouter(CollectionCatalog catalog, ShardClients shards, Duration deadline, Duration requestTimeout,
      long requestDeadlineNanos) {
    this.catalog = catalog;
    this.shards = shards;
    this.deadline = deadline;
    this.requestTimeout = requestTimeout;
    this.requestDeadlineNanos = requestDeadlineNanos;
  }

  /**
   * This router for one request with the caller's {@code timeout} (Qdrant's query parameter): from
   * now on, every shard call of the request — however many fan-outs it makes — must complete
   * before {@code timeout} has passed, instead of each within the node's deadline; when it
   * expires the request fails with {@link RequestTimeoutException}. Index creation and removal,
   * which have no deadline otherwise, get this one too. Make one per request: the clock starts here.
   */
  public PointsRouter withTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    long now = System.nanoTime();
    long nanos = timeout.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos() : timeout.toNanos();
    return new PointsRouter(catalog, shards, deadline, timeout, now + nanos);
  }

  /** The collection, or a {@link CollectionNotFoundException}. */
  public CollectionDescriptor collection(String name) {
    return catalog.get(name).orElseThrow(() -> new CollectionNotFoundException(name));
  }

  /**
   * Writes points; completes with the highest log index among the shards' writes once every shard
   * has committed and applied its part. A point id that occurs twice keeps its last occurrence.
   */
  public CompletableFuture<Long> upsert(String collection, List<Point> points) {
    return upsert(collection, points, UpsertCondition.NONE);
  }

  /**
   * Writes the points that {@code condition} admits, each shard deciding per point when it applies
   * its entries (see {@link UpsertCondition}). Every shard's part is encoded and checked before
   * any is sent, so a point too large for the log refuses the whole request
   * ({@link io.quiver.storage.BadRequestException}) with nothing written. A shard's part may go
   * into several log entries, sent in order ({@link io.quiver.sharding.ShardClient#prepareUpsert}).
   */
  public CompletableFuture<Long> upsert(String collection, List<Point> points, UpsertCondition condition) {
    CollectionDescriptor c = collection(collection);
    Map<PointId, Point> last = new LinkedHashMap<>();
    for (Point p : points) {
      last.remove(p.id());
      last.put(p.id(), p);
    }
    Map<ShardPlacement, List<Point>> byShard = groupByShard(c.shardMap(), last.values(), Point::id);
    Map<ShardPlacement, ShardClient.PreparedWrite> prepared = new LinkedHashMap<>();
    byShard.forEach((shard, batch) -> prepared.put(shard, client(c, shard).prepareUpsert(batch, condition)));
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    prepared.forEach((shard, write) -> parts.put(shard, new WriteOutcome.Part(withDeadline(write.send(), c, shard),
        byShard.get(shard).stream().map(Point::id).toList(), write::written)));
    return WriteOutcome.of(c.name(), parts);
  }

  /** Deletes points by id; absent ids are ignored. */
  public CompletableFuture<Long> delete(String collection, List<PointId> ids) {
    CollectionDescriptor c = collection(collection);
    Map<ShardPlacement, List<PointId>> byShard = groupByShard(c.shardMap(), new LinkedHashSet<>(ids), Function.identity());
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    byShard.forEach((shard, batch) ->
        parts.put(shard, WriteOutcome.Part.whole(withDeadline(client(c, shard).delete(batch), c, shard), batch)));
    return WriteOutcome.of(c.name(), parts);
  }

  /**
   * Applies a change to existing points. An id selector is split by shard like a delete; a filter
   * selector goes to every shard, each of which resolves it against its own points when it applies
   * the operation. Completes with the highest log index once every shard has applied its part.
   */
  public CompletableFuture<Long> apply(String collection, PointsOperation operation) {
    CollectionDescriptor c = collection(collection);
    // Every shard's part is encoded and checked before any is sent (see ShardClient.prepareApply).
    Map<ShardPlacement, ShardClient.PreparedWrite> prepared = new LinkedHashMap<>();
    Map<ShardPlacement, List<PointId>> idsOf = new LinkedHashMap<>();
    switch (operation.selector()) {
      case PointSelector.ByFilter f -> {
        for (ShardPlacement shard : c.shardMap().shards()) {
          prepared.put(shard, client(c, shard).prepareApply(operation));
        }
      }
      case PointSelector.Ids ids -> {
        idsOf = groupByShard(c.shardMap(), new LinkedHashSet<>(ids.ids()), Function.identity());
        idsOf.forEach((shard, part) -> prepared.put(shard, client(c, shard).prepareApply(operation.restrictedTo(part))));
      }
    }
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    Map<ShardPlacement, List<PointId>> ids = idsOf;
    prepared.forEach((shard, write) ->
        parts.put(shard, new WriteOutcome.Part(withDeadline(write.send(), c, shard), ids.get(shard), write::written)));
    return WriteOutcome.of(c.name(), parts);
  }

  /**
   * One page of points in id order over every shard: up to {@code limit} points from {@code offset}
   * (inclusive; null: the first) matching {@code filter}, and the id the next page starts at (null
   * when there is none). Each shard returns its first {@code limit + 1}, so the merged
   * {@code limit + 1}-th id, if any, is the next page's offset.
   */
  public CompletableFuture<ScrollPage> scroll(String collection, PointId offset, int limit,
      io.quiver.storage.filter.Filter filter, boolean withPayload, boolean withVector, ReadConsistency consistency) {
    CollectionDescriptor c = collection(collection);
    List<CompletableFuture<List<PointRecord>>> parts = new ArrayList<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.add(withDeadline(
          client(c, shard).scroll(offset, limit + 1, filter, withPayload, withVector, consistency), c, shard));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      List<List<PointRecord>> lists = parts.stream().map(CompletableFuture::join).toList();
      List<PointRecord> merged = TopKMerger.merge(lists, Comparator.comparing(PointRecord::id), 0, limit + 1);
      if (merged.size() <= limit) {
        return new ScrollPage(merged, null);
      }
      return new ScrollPage(merged.subList(0, limit), merged.get(limit).id());
    });
  }

  /**
   * Up to {@code limit} points over every shard matching {@code filter} (null: all) in the order of
   * their values at {@code orderBy.key()}, each with its order value (see
   * {@link io.quiver.storage.OrderBy}: once per distinct value a point holds, ties by id). Each shard
   * streams its first {@code limit} from its payload index; the merge by (value, id) keeps the
   * first {@code limit}. There is no next-page offset: callers page with {@code start_from} and a
   * filter, as in Qdrant.
   */
  public CompletableFuture<List<PointRecord>> scrollOrdered(String collection, io.quiver.storage.OrderBy orderBy,
      int limit, io.quiver.storage.filter.Filter filter, boolean withPayload, boolean withVector,
      ReadConsistency consistency) {
    CollectionDescriptor c = collection(collection);
    List<CompletableFuture<List<PointRecord>>> parts = new ArrayList<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.add(withDeadline(
          client(c, shard).scrollOrdered(orderBy, limit, filter, withPayload, withVector, consistency), c, shard));
    }
    Comparator<PointRecord> order = (a, b) -> orderBy.compare(a.orderValue(), a.id(), b.orderValue(), b.id());
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      List<List<PointRecord>> lists = parts.stream().map(CompletableFuture::join).toList();
      return TopKMerger.merge(lists, order, 0, limit);
    });
  }

  /** A page of {@link #scroll}: the points, and the offset of the next page (null: the last page). */
  public record ScrollPage(List<PointRecord> points, PointId nextOffset) {}

  /**
   * The best {@code limit} hits after skipping {@code offset}, merged over every shard: by score
   * as the vector's distance orders it, ties by id.
   */
  public CompletableFuture<List<ScoredPoint>> search(
      String collection, SearchRequest request, int offset, ReadConsistency consistency) {
    CollectionDescriptor c = collection(collection);
    if (request.isSparse()) {
      var sparse = c.config().vectors().getSparse(request.vectorName());
      if (sparse != null && sparse.idf()) {
        return idfWeighted(c, request, consistency).thenCompose(weighted -> searchShards(c, weighted, offset, consistency));
      }
    }
    return searchShards(c, request, offset, consistency);
  }

  /**
   * The request with its sparse query weighted by inverse document frequency over the whole
   * collection (Qdrant's {@code modifier: idf}): every shard reports N (its points, with or without
   * the vector, as Qdrant counts available points) and n (those whose vector has each query
   * dimension), summed, then each value times
   * {@code ln((N - n + 0.5) / (n + 0.5) + 1)}.
   */
  private CompletableFuture<SearchRequest> idfWeighted(CollectionDescriptor c, SearchRequest request,
      ReadConsistency consistency) {
    int[] indices = request.sparseVector().indices();
    List<CompletableFuture<long[]>> parts = new ArrayList<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.add(withDeadline(client(c, shard).sparseStatistics(request.vectorName(), indices, consistency), c, shard));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      long[] total = new long[indices.length + 1];
      for (CompletableFuture<long[]> part : parts) {
        long[] counts = part.join();
        for (int i = 0; i < total.length; i++) {
          total[i] += counts[i];
        }
      }
      Map<Integer, Double> idf = new HashMap<>();
      for (int i = 0; i < indices.length; i++) {
        double n = total[i + 1];
        idf.put(indices[i], Math.log((total[0] - n + 0.5) / (n + 0.5) + 1));
      }
      return request.withSparseVector(request.sparseVector().reweighted(idf::get));
    });
  }

  private CompletableFuture<List<ScoredPoint>> searchShards(CollectionDescriptor c, SearchRequest request, int offset,
      ReadConsistency consistency) {
    var params = c.config().vectors().get(request.vectorName());
    var multi = c.config().vectors().getMulti(request.vectorName());
    boolean higherIsBetter = multi != null ? multi.distance().higherIsBetter()
        : params == null || params.distance().higherIsBetter();
    int perShard = request.limit() + offset;
    SearchRequest shardRequest = request.withLimit(perShard);
    List<CompletableFuture<List<ScoredPoint>>> parts = new ArrayList<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.add(withDeadline(client(c, shard).search(shardRequest, consistency), c, shard));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      List<List<ScoredPoint>> lists = parts.stream().map(CompletableFuture::join).toList();
      return TopKMerger.merge(lists, ScoredPoint.bestFirst(higherIsBetter), offset, request.limit());
    });
  }

  /**
   * The best {@code limit} points by a custom scorer after skipping {@code offset}, merged over
   * every shard: higher score first, ties by id.
   */
  public CompletableFuture<List<ScoredPoint>> score(
      String collection, io.quiver.storage.scoring.ScoreRequest request, int offset, ReadConsistency consistency) {
    CollectionDescriptor c = collection(collection);
    var shardRequest = request.withLimit(request.limit() + offset);
    List<CompletableFuture<List<ScoredPoint>>> parts = new ArrayList<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.add(withDeadline(client(c, shard).score(shardRequest, consistency), c, shard));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      List<List<ScoredPoint>> lists = parts.stream().map(CompletableFuture::join).toList();
      return TopKMerger.merge(lists, ScoredPoint.HIGHER_FIRST, offset, request.limit());
    });
  }

  /** How many points matching {@code filter} (null: all) have each value at {@code key}, summed over the shards. */
  public CompletableFuture<Map<io.quiver.storage.scoring.FacetValue, Long>> facet(
      String collection, io.quiver.storage.filter.JsonPath key, io.quiver.storage.filter.Filter filter,
      ReadConsistency consistency) {
    CollectionDescriptor c = collection(collection);
    List<CompletableFuture<Map<io.quiver.storage.scoring.FacetValue, Long>>> parts = new ArrayList<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.add(withDeadline(client(c, shard).facet(key, filter, consistency), c, shard));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<io.quiver.storage.scoring.FacetValue, Long> total = new HashMap<>();
      parts.forEach(part -> part.join().forEach((value, n) -> total.merge(value, n, Long::sum)));
      return total;
    });
  }

  /** The points among {@code ids} that exist, in the order of first occurrence in {@code ids}. */
  public CompletableFuture<List<PointRecord>> retrieve(
      String collection, List<PointId> ids, boolean withPayload, boolean withVector, ReadConsistency consistency) {
    CollectionDescriptor c = collection(collection);
    LinkedHashSet<PointId> unique = new LinkedHashSet<>(ids);
    Map<ShardPlacement, List<PointId>> byShard = groupByShard(c.shardMap(), unique, Function.identity());
    List<CompletableFuture<List<PointRecord>>> parts = new ArrayList<>();
    byShard.forEach((shard, batch) ->
        parts.add(withDeadline(client(c, shard).retrieve(batch, withPayload, withVector, consistency), c, shard)));
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<PointId, PointRecord> found = new HashMap<>();
      for (CompletableFuture<List<PointRecord>> part : parts) {
        for (PointRecord r : part.join()) {
          found.put(r.id(), r);
        }
      }
      List<PointRecord> out = new ArrayList<>(found.size());
      for (PointId id : unique) {
        PointRecord r = found.get(id);
        if (r != null) {
          out.add(r);
        }
      }
      return out;
    });
  }

  /** The exact number of points in the collection, summed over its shards. */
  public CompletableFuture<Long> count(String collection, ReadConsistency consistency) {
    return count(collection, null, consistency);
  }

  /** The exact number of points matching {@code filter} (null: all), summed over the shards. */
  public CompletableFuture<Long> count(String collection, io.quiver.storage.filter.Filter filter, ReadConsistency consistency) {
    CollectionDescriptor c = collection(collection);
    List<CompletableFuture<Long>> parts = new ArrayList<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.add(withDeadline(client(c, shard).count(filter, consistency), c, shard));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> parts.stream().mapToLong(CompletableFuture::join).sum());
  }

  /** Points, segments, indexed vectors and optimizer state, summed over the shards (one replica each). */
  public CompletableFuture<io.quiver.storage.ShardInfo> info(String collection, ReadConsistency consistency) {
    CollectionDescriptor c = collection(collection);
    List<CompletableFuture<io.quiver.storage.ShardInfo>> parts = new ArrayList<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.add(withDeadline(client(c, shard).info(consistency), c, shard));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> parts.stream().map(CompletableFuture::join)
            .reduce(new io.quiver.storage.ShardInfo(0, 0, 0, false), io.quiver.storage.ShardInfo::plus));
  }

  /**
   * The approximate number of points matching {@code filter} (null: all): the sum over the shards
   * of the expected value of each shard's payload-index cardinality estimate ({@code exact: false}).
   */
  public CompletableFuture<Long> estimateCount(String collection, io.quiver.storage.filter.Filter filter,
      ReadConsistency consistency) {
    CollectionDescriptor c = collection(collection);
    List<CompletableFuture<Long>> parts = new ArrayList<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.add(withDeadline(client(c, shard).estimateCount(filter, consistency), c, shard));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> parts.stream().mapToLong(CompletableFuture::join).sum());
  }

  /**
   * Indexes a payload field in every shard, through each shard's log (so every replica builds it);
   * completes with the highest log index once every shard has applied it.
   */
  /** Sends the collection's (updated) engine settings to every shard. */
  public CompletableFuture<Long> updateShardConfig(String collection) {
    CollectionDescriptor c = collection(collection);
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.put(shard, WriteOutcome.Part.whole(withDeadline(client(c, shard).updateConfig(c.config().shardConfig()), c, shard), null));
    }
    return WriteOutcome.of(c.name(), parts);
  }

  public CompletableFuture<Long> createFieldIndex(String collection, String field,
      io.quiver.storage.payloadindex.FieldIndexSchema schema) {
    CollectionDescriptor c = collection(collection);
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.put(shard, WriteOutcome.Part.whole(withRequestDeadline(client(c, shard).createFieldIndex(field, schema), c, shard), null));
    }
    return WriteOutcome.of(c.name(), parts);
  }

  /** Drops the index of a payload field in every shard, through each shard's log. */
  public CompletableFuture<Long> deleteFieldIndex(String collection, String field) {
    CollectionDescriptor c = collection(collection);
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.put(shard, WriteOutcome.Part.whole(withRequestDeadline(client(c, shard).deleteFieldIndex(field), c, shard), null));
    }
    return WriteOutcome.of(c.name(), parts);
  }

  /**
   * The indexed payload fields of the collection as its shards report them (the shards are the
   * source of truth): a field any shard indexes, with the schema of the first shard that has it and
   * the indexed point counts summed over the shards.
   */
  public CompletableFuture<Map<String, io.quiver.storage.payloadindex.PayloadIndexes.FieldInfo>> payloadSchema(
      String collection, ReadConsistency consistency) {
    CollectionDescriptor c = collection(collection);
    List<CompletableFuture<Map<String, io.quiver.storage.payloadindex.PayloadIndexes.FieldInfo>>> parts = new ArrayList<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      parts.add(withDeadline(client(c, shard).payloadSchema(consistency), c, shard));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<String, io.quiver.storage.payloadindex.PayloadIndexes.FieldInfo> merged = new java.util.TreeMap<>();
      for (var part : parts) {
        part.join().forEach((field, info) -> merged.merge(field, info,
            (a, b) -> new io.quiver.storage.payloadindex.PayloadIndexes.FieldInfo(a.schema(), a.points() + b.points())));
      }
      return merged;
    });
  }

  private ShardClient client(CollectionDescriptor c, ShardPlacement shard) {
    return shards.forShard(c.name(), shard);
  }

  private <T> CompletableFuture<T> withDeadline(CompletableFuture<T> future, CollectionDescriptor c, ShardPlacement shard) {
    if (requestTimeout != null) {
      return withRequestDeadline(future, c, shard);
    }
    return future.orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS).exceptionally(e -> {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof TimeoutException) {
        throw new ShardUnavailableException("shard " + shard.shardId() + " of collection `" + c.name()
            + "` did not answer within " + deadline.toMillis() + " ms (a write may still be applied later)", cause);
      }
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    });
  }

  /** The shard call bounded by what is left of the caller's timeout (no bound without one). */
  private <T> CompletableFuture<T> withRequestDeadline(CompletableFuture<T> future, CollectionDescriptor c,
      ShardPlacement shard) {
    if (requestTimeout == null) {
      return future;
    }
    long remainingNanos = requestDeadlineNanos - System.nanoTime();
    if (remainingNanos <= 0) {
      future.cancel(false); // nothing waits for it; a write already sent may still be applied
      return CompletableFuture.failedFuture(timedOut(c, shard));
    }
    return future.orTimeout(remainingNanos, TimeUnit.NANOSECONDS).exceptionally(e -> {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof TimeoutException) {
        throw timedOut(c, shard);
      }
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    });
  }

  private RequestTimeoutException timedOut(CollectionDescriptor c, ShardPlacement shard) {
    return new RequestTimeoutException("Timeout error: the request did not complete within its timeout of "
        + requestTimeout.toNanos() / 1e9 + " s: shard " + shard.shardId() + " of collection `" + c.name()
        + "` had not answered (a write may still be applied later)");
  }

  private static <T> Map<ShardPlacement, List<T>> groupByShard(
      ShardMap map, Iterable<T> items, Function<T, PointId> idOf) {
    Map<ShardPlacement, List<T>> byShard = new LinkedHashMap<>();
    for (T item : items) {
      byShard.computeIfAbsent(map.shardOf(idOf.apply(item)), s -> new ArrayList<>()).add(item);
    }
    return byShard;
  }
}
