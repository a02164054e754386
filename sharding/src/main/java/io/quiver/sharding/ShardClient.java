package io.quiver.sharding;

import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What can be asked of one shard, wherever its replicas live. The router talks only to this
 * interface; a Raft-backed implementation sends writes through the shard's log and reads to a
 * replica chosen by {@link ReadConsistency}.
 *
 * <p>All methods are asynchronous and thread-safe. Futures fail with {@link
 * io.quiver.storage.BadRequestException} for bad input and {@link ShardUnavailableException} when
 * the shard cannot answer (no leader, no majority, deadline passed).
 */
public interface ShardClient {

  /** Writes points; completes with the log index of the write once it is committed and applied. */
  default CompletableFuture<Long> upsert(List<Point> points) {
    return prepareUpsert(points, io.quiver.storage.UpsertCondition.NONE).send();
  }

  /**
   * Encodes and checks an upsert of distinct points without sending anything, so that a caller
   * writing to several shards can refuse the whole request before any shard is written. The write
   * may be split into several log entries (each point whole in one of them), sent one after another
   * when {@link PreparedWrite#send} is called; see {@link PreparedWrite}.
   *
   * @throws io.quiver.storage.BadRequestException naming the point and the limit when a point alone
   *     is larger than one log entry can hold
   */
  PreparedWrite prepareUpsert(List<Point> points, io.quiver.storage.UpsertCondition condition);

  /**
   * A write ready to be sent. {@link #send} completes with the highest log index of its entries
   * once all are committed and applied, or fails at the first entry that fails, the entries before
   * it being written and the ones after it not sent. Call {@code send} once.
   */
  interface PreparedWrite {
    CompletableFuture<Long> send();

    /**
     * How many of the write's points (or ids), from the first in the order given, are known to be
     * written: those of the entries committed and applied so far. After a failed {@link #send}, the
     * ones after them were not written, except perhaps those of the entry that was in flight.
     */
    int written();
  }

  /** Deletes points by id; completes with the log index of the delete. */
  CompletableFuture<Long> delete(List<PointId> ids);

  /** Gives the shard new engine settings (a collection update); completes with the log index. */
  CompletableFuture<Long> updateConfig(io.quiver.storage.ShardConfig config);

  /**
   * Applies a change to existing points (delete by filter, payload change, vector update);
   * completes with its log index once committed and applied.
   */
  default CompletableFuture<Long> apply(io.quiver.storage.PointsOperation operation) {
    return prepareApply(operation).send();
  }

  /**
   * Encodes and checks a change to existing points without sending anything (see {@link
   * #prepareUpsert}): an operation that selects points by id may be split into several log entries,
   * each point's change whole in one of them.
   *
   * @throws io.quiver.storage.BadRequestException naming the limit when the change of one point, or
   *     an operation that selects by filter, is larger than one log entry can hold
   */
  PreparedWrite prepareApply(io.quiver.storage.PointsOperation operation);

  /**
   * Up to {@code limit} points of this shard in id order, from {@code offset} (inclusive; null: the
   * first), matching {@code filter} (null: all).
   */
  CompletableFuture<List<PointRecord>> scroll(
      io.quiver.storage.PointId offset,
      int limit,
      io.quiver.storage.filter.Filter filter,
      boolean withPayload,
      boolean withVector,
      ReadConsistency consistency);

  /**
   * Up to {@code limit} points of this shard matching {@code filter} (null: all) in the order of
   * their values at {@code orderBy.key()}, each with its {@link PointRecord#orderValue()}: one
   * record per distinct (value, point), ties by id (see {@link io.quiver.storage.OrderBy}). Fails
   * with a {@link io.quiver.storage.BadRequestException} when the key has no range-capable payload
   * index.
   */
  CompletableFuture<List<PointRecord>> scrollOrdered(
      io.quiver.storage.OrderBy orderBy,
      int limit,
      io.quiver.storage.filter.Filter filter,
      boolean withPayload,
      boolean withVector,
      ReadConsistency consistency);

  CompletableFuture<List<ScoredPoint>> search(SearchRequest request, ReadConsistency consistency);

  CompletableFuture<List<PointRecord>> retrieve(
      List<PointId> ids, boolean withPayload, boolean withVector, ReadConsistency consistency);

  /** The number of points the filter matches (null: all points). */
  CompletableFuture<Long> count(
      io.quiver.storage.filter.Filter filter, ReadConsistency consistency);

  /**
   * The expected value of the payload indexes' cardinality estimate of {@code filter} (null: all).
   */
  CompletableFuture<Long> estimateCount(
      io.quiver.storage.filter.Filter filter, ReadConsistency consistency);

  /** Indexes a payload field on every replica (through the log); completes with the log index. */
  CompletableFuture<Long> createFieldIndex(
      String field, io.quiver.storage.payloadindex.FieldIndexSchema schema);

  /** Drops the index of a payload field on every replica; completes with the log index. */
  CompletableFuture<Long> deleteFieldIndex(String field);

  /** The fields this shard has indexed, with their schema and indexed point counts. */
  CompletableFuture<java.util.Map<String, io.quiver.storage.payloadindex.PayloadIndexes.FieldInfo>>
      payloadSchema(ReadConsistency consistency);

  /** The best points by a custom scorer (exact scan), higher score first, ties by id. */
  CompletableFuture<List<ScoredPoint>> score(
      io.quiver.storage.scoring.ScoreRequest request, ReadConsistency consistency);

  /** How many points matching {@code filter} (null: all) have each value at {@code key}. */
  CompletableFuture<java.util.Map<io.quiver.storage.scoring.FacetValue, Long>> facet(
      io.quiver.storage.filter.JsonPath key,
      io.quiver.storage.filter.Filter filter,
      ReadConsistency consistency);

  /**
   * For IDF weighting of sparse queries: the number of points with the sparse vector {@code
   * vectorName}, then for each of {@code indices} how many of them have that dimension ({@code
   * indices.length + 1} values).
   */
  CompletableFuture<long[]> sparseStatistics(
      String vectorName, int[] indices, ReadConsistency consistency);

  /** Points, segments, indexed vectors and whether the optimizer has work pending. */
  CompletableFuture<io.quiver.storage.ShardInfo> info(ReadConsistency consistency);

  default CompletableFuture<Long> count(ReadConsistency consistency) {
    return count(null, consistency);
  }
}
