package io.quiver.router;

import io.quiver.index.sparse.SparseVector;
import io.quiver.router.ShardFanOut.Deadline;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.CollectionNotFoundException;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardClients;
import io.quiver.sharding.ShardMap;
import io.quiver.sharding.ShardPlacement;
import io.quiver.storage.OrderBy;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.PointSelector;
import io.quiver.storage.PointsOperation;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.ShardInfo;
import io.quiver.storage.UpsertCondition;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadIndexes;
import io.quiver.storage.scoring.FacetValue;
import io.quiver.storage.scoring.ScoreRequest;
import io.quiver.storage.scoring.Scorer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;

/**
 * A request about points, arriving at any node: writes split by shard and sent to each shard's
 * group; reads fanned out to one replica of every shard in parallel, with a deadline, and merged.
 * Every shard call goes through one {@link ShardFanOut} (deadlines, timeouts, partial failure), so
 * this class holds only what is asked of the shards and how their answers merge. The router cannot
 * tell a local shard from a remote one. Thread-safe.
 *
 * <p>Methods take the {@link CollectionDescriptor} their caller looked up (with {@link
 * #collection}): one request sees one shard map, however many fan-outs it makes.
 */
public final class PointsRouter {

  /** Finds a collection by its name or an alias (the catalog's applied view). */
  private final Function<String, Optional<CollectionDescriptor>> collections;

  private final ShardFanOut fanOut;
  private final ReshardingWrites resharding;

  /**
   * @param collections finds a collection by its name or an alias (e.g. {@code catalog::get})
   * @param shards the client of each shard
   * @param deadline how long one shard call may take when the caller gives no timeout
   */
  public PointsRouter(
      Function<String, Optional<CollectionDescriptor>> collections,
      ShardClients shards,
      Duration deadline) {
    this(collections, new ShardFanOut(shards, deadline));
  }

  private PointsRouter(
      Function<String, Optional<CollectionDescriptor>> collections, ShardFanOut fanOut) {
    this.collections = collections;
    this.fanOut = fanOut;
    this.resharding = new ReshardingWrites(collections);
  }

  /**
   * This router for one request with the caller's {@code timeout} (Qdrant's query parameter): from
   * now on, every shard call of the request — however many fan-outs it makes — must complete before
   * {@code timeout} has passed, instead of each within the node's deadline; when it expires the
   * request fails with {@link RequestTimeoutException}. Index creation and removal, which have no
   * deadline otherwise, get this one too. Make one per request: the clock starts here.
   */
  public PointsRouter withTimeout(Duration timeout) {
    return new PointsRouter(collections, fanOut.withTimeout(timeout));
  }

  /** The collection, or a {@link CollectionNotFoundException}. */
  public CollectionDescriptor collection(String name) {
    return collections.apply(name).orElseThrow(() -> new CollectionNotFoundException(name));
  }

  // ---- writes ----

  /**
   * Writes points; completes with the highest log index among the shards' writes once every shard
   * has committed and applied its part. A point id that occurs twice keeps its last occurrence.
   */
  public CompletableFuture<Long> upsert(CollectionDescriptor c, List<Point> points) {
    return upsert(c, points, UpsertCondition.NONE);
  }

  /**
   * Writes the points that {@code condition} admits, each shard deciding per point when it applies
   * its entries (see {@link UpsertCondition}). Every shard's part is encoded and checked before any
   * is sent, so a point too large for the log refuses the whole request ({@link
   * io.quiver.storage.BadRequestException}) with nothing written. A shard's part may go into
   * several log entries, sent in order ({@link io.quiver.sharding.ShardClient#prepareUpsert}).
   */
  public CompletableFuture<Long> upsert(
      CollectionDescriptor c, List<Point> points, UpsertCondition condition) {
    Map<PointId, Point> last = new LinkedHashMap<>();
    for (Point p : points) {
      last.remove(p.id());
      last.put(p.id(), p);
    }
    return resharding.write(
        c,
        last.keySet(),
        current ->
            fanOut.write(
                current,
                groupByShard(current.shardMap(), last.values(), Point::id),
                Deadline.NODE,
                (client, batch) -> client.prepareUpsert(batch, condition),
                batch -> batch.stream().map(Point::id).toList()));
  }

  /** Deletes points by id; absent ids are ignored. */
  public CompletableFuture<Long> delete(CollectionDescriptor c, List<PointId> ids) {
    LinkedHashSet<PointId> distinct = new LinkedHashSet<>(ids);
    return resharding.write(
        c,
        distinct,
        current ->
            fanOut.write(
                current,
                groupByShard(current.shardMap(), distinct, Function.identity()),
                Deadline.NODE,
                (client, batch) -> ShardFanOut.whole(() -> client.delete(batch)),
                Function.identity()));
  }

  /**
   * Applies a change to existing points. An id selector is split by shard like a delete; a filter
   * selector goes to every shard, each of which resolves it against its own points when it applies
   * the operation. Every shard's part is encoded and checked before any is sent (see {@link
   * io.quiver.sharding.ShardClient#prepareApply}). Completes with the highest log index once every
   * shard has applied its part.
   */
  public CompletableFuture<Long> apply(CollectionDescriptor c, PointsOperation operation) {
    return switch (operation.selector()) {
      case PointSelector.ByFilter f ->
          resharding.write(
              c,
              null,
              current -> {
                Map<ShardPlacement, PointsOperation> everyShard = new LinkedHashMap<>();
                current.shardMap().shards().forEach(shard -> everyShard.put(shard, operation));
                return fanOut.write(
                    current,
                    everyShard,
                    Deadline.NODE,
                    (client, op) -> client.prepareApply(op),
                    op -> null);
              });
      case PointSelector.Ids ids -> {
        LinkedHashSet<PointId> distinct = new LinkedHashSet<>(ids.ids());
        yield resharding.write(
            c,
            distinct,
            current ->
                fanOut.write(
                    current,
                    groupByShard(current.shardMap(), distinct, Function.identity()),
                    Deadline.NODE,
                    (client, part) -> client.prepareApply(operation.restrictedTo(part)),
                    Function.identity()));
      }
    };
  }

  /** Sends the collection's (updated) engine settings to every shard. */
  public CompletableFuture<Long> updateShardConfig(CollectionDescriptor c) {
    return fanOut.writeEveryShard(
        c, Deadline.NODE, client -> client.updateConfig(c.config().shardConfig()));
  }

  /**
   * Indexes a payload field in every shard, through each shard's log (so every replica builds it);
   * completes with the highest log index once every shard has applied it. Only the caller's timeout
   * bounds it: building an index may take long.
   */
  public CompletableFuture<Long> createFieldIndex(
      CollectionDescriptor c, String field, FieldIndexSchema schema) {
    return fanOut.writeEveryShard(
        c, Deadline.CALLER_ONLY, client -> client.createFieldIndex(field, schema));
  }

  /** Drops the index of a payload field in every shard, through each shard's log. */
  public CompletableFuture<Long> deleteFieldIndex(CollectionDescriptor c, String field) {
    return fanOut.writeEveryShard(
        c, Deadline.CALLER_ONLY, client -> client.deleteFieldIndex(field));
  }

  // ---- reads: pages and top-k ----

  /**
   * One page of points in id order over every shard: up to {@code limit} points from {@code offset}
   * (inclusive; null: the first) matching {@code filter}, and the id the next page starts at (null
   * when there is none). Each shard returns its first {@code limit + 1}, so the merged {@code limit
   * + 1}-th id, if any, is the next page's offset.
   */
  public CompletableFuture<ScrollPage> scroll(
      CollectionDescriptor c,
      PointId offset,
      int limit,
      Filter filter,
      boolean withPayload,
      boolean withVector,
      ReadConsistency consistency) {
    return fanOut
        .toReadShards(
            c,
            filter,
            (client, f) ->
                client.scroll(offset, limit + 1, f, withPayload, withVector, consistency))
        .thenApply(
            lists -> {
              List<PointRecord> merged =
                  TopKMerger.merge(lists, Comparator.comparing(PointRecord::id), 0, limit + 1);
              if (merged.size() <= limit) {
                return new ScrollPage(merged, null);
              }
              return new ScrollPage(merged.subList(0, limit), merged.get(limit).id());
            });
  }

  /**
   * A page of {@link #scroll}: the points, and the offset of the next page (null: the last page).
   */
  public record ScrollPage(List<PointRecord> points, PointId nextOffset) {}

  /**
   * Up to {@code limit} points over every shard matching {@code filter} (null: all) in the order of
   * their values at {@code orderBy.key()}, each with its order value (see {@link OrderBy}: once per
   * distinct value a point holds, ties by id). Each shard streams its first {@code limit} from its
   * payload index; the merge by (value, id) keeps the first {@code limit}. There is no next-page
   * offset: callers page with {@code start_from} and a filter, as in Qdrant.
   */
  public CompletableFuture<List<PointRecord>> scrollOrdered(
      CollectionDescriptor c,
      OrderBy orderBy,
      int limit,
      Filter filter,
      boolean withPayload,
      boolean withVector,
      ReadConsistency consistency) {
    Comparator<PointRecord> order =
        (a, b) -> orderBy.compare(a.orderValue(), a.id(), b.orderValue(), b.id());
    return fanOut
        .toReadShards(
            c,
            filter,
            (client, f) ->
                client.scrollOrdered(orderBy, limit, f, withPayload, withVector, consistency))
        .thenApply(lists -> TopKMerger.merge(lists, order, 0, limit));
  }

  /**
   * The best {@code limit} hits after skipping {@code offset}, merged over every shard: by
   * similarity, higher first, ties by id (the caller reports scores with the vector's {@link
   * io.quiver.storage.ScoreScale}). A sparse vector with {@code modifier: idf} is first weighted
   * over the whole collection (one more fan-out, see {@link #idfWeighted}).
   */
  public CompletableFuture<List<ScoredPoint>> search(
      CollectionDescriptor c, SearchRequest request, int offset, ReadConsistency consistency) {
    if (request.isSparse()) {
      var sparse = c.config().vectors().getSparse(request.vectorName());
      if (sparse != null && sparse.idf()) {
        return idfWeighted(c, request, consistency)
            .thenCompose(weighted -> searchShards(c, weighted, offset, consistency));
      }
    }
    return searchShards(c, request, offset, consistency);
  }

  /**
   * The request with its sparse query weighted by inverse document frequency over the whole
   * collection ({@link #idfWeights}).
   */
  private CompletableFuture<SearchRequest> idfWeighted(
      CollectionDescriptor c, SearchRequest request, ReadConsistency consistency) {
    return idfWeights(c, request.vectorName(), request.sparseVector().indices(), consistency)
        .thenApply(idf -> request.withSparseVector(request.sparseVector().reweighted(idf)));
  }

  /**
   * Inverse document frequencies of {@code indices} over the whole collection (Qdrant's {@code
   * modifier: idf}): every shard reports N (its points, with or without the vector, as Qdrant
   * counts available points) and n (those whose vector {@code name} has each dimension), summed; a
   * dimension's weight is {@code ln((N - n + 0.5) / (n + 0.5) + 1)}. Only the given dimensions have
   * a weight.
   */
  private CompletableFuture<IntToDoubleFunction> idfWeights(
      CollectionDescriptor c, String name, int[] indices, ReadConsistency consistency) {
    return fanOut
        .toEveryShard(c, client -> client.sparseStatistics(name, indices, consistency))
        .thenApply(
            parts -> {
              long[] total = new long[indices.length + 1];
              for (long[] counts : parts) {
                for (int i = 0; i < total.length; i++) {
                  total[i] += counts[i];
                }
              }
              Map<Integer, Double> idf = new HashMap<>();
              for (int i = 0; i < indices.length; i++) {
                double n = total[i + 1];
                idf.put(indices[i], Math.log((total[0] - n + 0.5) / (n + 0.5) + 1));
              }
              return idf::get;
            });
  }

  /**
   * A custom scorer's sparse examples weighted by IDF over the whole collection when the request's
   * vector is sparse with {@code modifier: idf} (Qdrant weights every sparse vector of a query);
   * the request as it is otherwise.
   */
  @SuppressWarnings("unchecked")
  private CompletableFuture<ScoreRequest> idfWeighted(
      CollectionDescriptor c, ScoreRequest request, ReadConsistency consistency) {
    var sparse = c.config().vectors().getSparse(request.vectorName());
    List<?> examples = request.scorer().examples();
    if (sparse == null
        || !sparse.idf()
        || examples.isEmpty()
        || !(examples.getFirst() instanceof SparseVector)) {
      return CompletableFuture.completedFuture(request);
    }
    java.util.TreeSet<Integer> dimensions = new java.util.TreeSet<>();
    for (Object e : examples) {
      for (int index : ((SparseVector) e).indices()) {
        dimensions.add(index);
      }
    }
    int[] indices = dimensions.stream().mapToInt(Integer::intValue).toArray();
    var scorer = (Scorer<SparseVector>) request.scorer();
    return idfWeights(c, request.vectorName(), indices, consistency)
        .thenApply(idf -> request.withScorer(scorer.map(v -> v.reweighted(idf))));
  }

  /**
   * Each shard's best {@code offset + limit}, merged into the page {@code [offset, offset +
   * limit)}: higher similarity first whatever the distance (see {@link
   * io.quiver.storage.ScoreScale}), ties by id.
   */
  private CompletableFuture<List<ScoredPoint>> searchShards(
      CollectionDescriptor c, SearchRequest request, int offset, ReadConsistency consistency) {
    SearchRequest shardRequest = request.withLimit(request.limit() + offset);
    return fanOut
        .toReadShards(
            c,
            shardRequest.filter(),
            (client, f) -> client.search(shardRequest.withFilter(f), consistency))
        .thenApply(
            lists -> TopKMerger.merge(lists, ScoredPoint.HIGHER_FIRST, offset, request.limit()));
  }

  /**
   * The best {@code limit} points by a custom scorer after skipping {@code offset}, merged over
   * every shard: higher score first, ties by id. Sparse examples of a vector with {@code modifier:
   * idf} are first weighted over the whole collection.
   */
  public CompletableFuture<List<ScoredPoint>> score(
      CollectionDescriptor c, ScoreRequest request, int offset, ReadConsistency consistency) {
    return idfWeighted(c, request.withLimit(request.limit() + offset), consistency)
        .thenCompose(
            shardRequest ->
                fanOut.toReadShards(
                    c,
                    shardRequest.filter(),
                    (client, f) -> client.score(shardRequest.withFilter(f), consistency)))
        .thenApply(
            lists -> TopKMerger.merge(lists, ScoredPoint.HIGHER_FIRST, offset, request.limit()));
  }

  /**
   * The points among {@code ids} that exist, each once, in the order of first occurrence in {@code
   * ids}.
   */
  public CompletableFuture<List<PointRecord>> retrieve(
      CollectionDescriptor c,
      List<PointId> ids,
      boolean withPayload,
      boolean withVector,
      ReadConsistency consistency) {
    LinkedHashSet<PointId> unique = new LinkedHashSet<>(ids);
    Map<ShardPlacement, List<PointId>> byShard =
        groupByShard(c.shardMap(), unique, Function.identity());
    return fanOut
        .toShards(
            c,
            byShard,
            (client, batch) -> client.retrieve(batch, withPayload, withVector, consistency))
        .thenApply(
            parts -> {
              Map<PointId, PointRecord> found = new HashMap<>();
              parts.forEach(part -> part.forEach(r -> found.put(r.id(), r)));
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

  // ---- reads: sums over the shards ----

  /** The exact number of points in the collection, summed over its shards. */
  public CompletableFuture<Long> count(CollectionDescriptor c, ReadConsistency consistency) {
    return count(c, null, consistency);
  }

  /** The exact number of points matching {@code filter} (null: all), summed over the shards. */
  public CompletableFuture<Long> count(
      CollectionDescriptor c, Filter filter, ReadConsistency consistency) {
    return fanOut
        .toReadShards(c, filter, (client, f) -> client.count(f, consistency))
        .thenApply(PointsRouter::sum);
  }

  /**
   * The exact number of points in one shard, read from the replica {@code consistency} chooses
   * ({@link ReadConsistency#ANY}: this node's own when it has one), within the deadline.
   */
  public CompletableFuture<Long> shardCount(
      CollectionDescriptor c, ShardPlacement shard, ReadConsistency consistency) {
    return fanOut.toShard(c, shard, client -> client.count(consistency));
  }

  /**
   * The approximate number of points matching {@code filter} (null: all): the sum over the shards
   * of the expected value of each shard's payload-index cardinality estimate ({@code exact:
   * false}).
   */
  public CompletableFuture<Long> estimateCount(
      CollectionDescriptor c, Filter filter, ReadConsistency consistency) {
    return fanOut
        .toReadShards(c, filter, (client, f) -> client.estimateCount(f, consistency))
        .thenApply(PointsRouter::sum);
  }

  /**
   * Points, segments, indexed vectors and optimizer state, summed over the shards (one replica
   * each).
   */
  public CompletableFuture<ShardInfo> info(CollectionDescriptor c, ReadConsistency consistency) {
    return fanOut
        .toEveryShard(c, client -> client.info(consistency))
        .thenApply(parts -> parts.stream().reduce(ShardInfo.EMPTY, ShardInfo::plus));
  }

  /**
   * How many points matching {@code filter} (null: all) have each value at {@code key}, summed over
   * the shards.
   */
  public CompletableFuture<Map<FacetValue, Long>> facet(
      CollectionDescriptor c, JsonPath key, Filter filter, ReadConsistency consistency) {
    return fanOut
        .toReadShards(c, filter, (client, f) -> client.facet(key, f, consistency))
        .thenApply(
            parts -> {
              Map<FacetValue, Long> total = new HashMap<>();
              parts.forEach(part -> part.forEach((value, n) -> total.merge(value, n, Long::sum)));
              return total;
            });
  }

  /**
   * The indexed payload fields of the collection as its shards report them (the shards are the
   * source of truth): a field any shard indexes, with the schema of the first shard that has it and
   * the indexed point counts summed over the shards.
   */
  public CompletableFuture<Map<String, PayloadIndexes.FieldInfo>> payloadSchema(
      CollectionDescriptor c, ReadConsistency consistency) {
    return fanOut
        .toEveryShard(c, client -> client.payloadSchema(consistency))
        .thenApply(
            parts -> {
              Map<String, PayloadIndexes.FieldInfo> merged = new TreeMap<>();
              parts.forEach(
                  part ->
                      part.forEach(
                          (field, info) ->
                              merged.merge(
                                  field,
                                  info,
                                  (a, b) ->
                                      new PayloadIndexes.FieldInfo(
                                          a.schema(), a.points() + b.points()))));
              return merged;
            });
  }

  private static long sum(List<Long> counts) {
    return counts.stream().mapToLong(Long::longValue).sum();
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
