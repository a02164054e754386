package io.quiver.consensus.shard;

import io.quiver.storage.PointId;
import io.quiver.storage.SearchRequest;
import java.util.List;

/** A read of one shard, sent to a replica's state machine. */
public sealed interface ShardQuery {
  /**
   * A nearest-neighbour search. {@code similarities}: the hits are to be scored as similarities
   * (higher is better; see {@link io.quiver.storage.ScoreScale}), as routers since that change ask;
   * false for a query of an older router, which is answered with the scores Qdrant reports.
   */
  record Search(SearchRequest request, boolean similarities) implements ShardQuery {

    /** A search of this build: scored as similarities. */
    public Search(SearchRequest request) {
      this(request, true);
    }
  }

  record Retrieve(List<PointId> ids, boolean withPayload, boolean withVector)
      implements ShardQuery {}

  /** The number of points matching {@code filter} (null: all). */
  /**
   * Up to {@code limit} points from {@code offset} (null: the first) in id order, matching {@code
   * filter}.
   */
  record Scroll(
      io.quiver.storage.PointId offset,
      int limit,
      io.quiver.storage.filter.Filter filter,
      boolean withPayload,
      boolean withVector)
      implements ShardQuery {}

  /** Up to {@code limit} points matching {@code filter} in the order of a payload key's values. */
  record ScrollOrdered(
      io.quiver.storage.OrderBy orderBy,
      int limit,
      io.quiver.storage.filter.Filter filter,
      boolean withPayload,
      boolean withVector)
      implements ShardQuery {}

  record Count(io.quiver.storage.filter.Filter filter) implements ShardQuery {}

  /**
   * The payload indexes' cardinality estimate of {@code filter} (null: all): its expected value.
   */
  record EstimateCount(io.quiver.storage.filter.Filter filter) implements ShardQuery {}

  /** The indexed payload fields with their schema and point counts. */
  record PayloadSchema() implements ShardQuery {}

  /** A scored scan with a custom scorer (recommend, discover, context, random, id order). */
  record Score(io.quiver.storage.scoring.ScoreRequest request) implements ShardQuery {}

  /** Counts of the values at {@code key} among the points matching {@code filter} (null: all). */
  record Facet(io.quiver.storage.filter.JsonPath key, io.quiver.storage.filter.Filter filter)
      implements ShardQuery {}

  /**
   * For IDF: the number of points with sparse vector {@code vectorName}, then how many of them have
   * each of {@code indices} (reply: {@code indices.length + 1} longs).
   */
  record SparseStatistics(String vectorName, int[] indices) implements ShardQuery {}

  /** Points, segments, indexed vectors and optimizer state of the replica (collection info). */
  record Info() implements ShardQuery {}
}
