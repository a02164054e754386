package io.quiver.consensus.shard;

import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import java.util.List;

/** A write to one shard, as it sits in the shard group's Raft log. */
public sealed interface ShardCommand {
  /** Points to write, each if {@code condition} admits it when the entry is applied. */
  record Upsert(List<Point> points, io.quiver.storage.UpsertCondition condition)
      implements ShardCommand {
    public Upsert(List<Point> points) {
      this(points, io.quiver.storage.UpsertCondition.NONE);
    }
  }

  record Delete(List<PointId> ids) implements ShardCommand {}

  /** A change to existing points: delete by filter, payload change, vector update. */
  record Apply(io.quiver.storage.PointsOperation operation) implements ShardCommand {}

  /** Index a payload field (every replica of every shard of the collection gets one). */
  record CreateFieldIndex(String field, io.quiver.storage.payloadindex.FieldIndexSchema schema)
      implements ShardCommand {}

  /** Drop the index of a payload field. */
  record DeleteFieldIndex(String field) implements ShardCommand {}

  /**
   * New HNSW / optimizer / per-vector settings from a collection update; the replica reopens its
   * shard.
   */
  record UpdateConfig(io.quiver.storage.ShardConfig config) implements ShardCommand {}

  /**
   * Changes nothing: a linearizable read first commits one through the group's leader, then reads a
   * replica that has applied it (see {@link RaftShardClient}). Committing proves a majority
   * accepted this leader after the read began, which Ratis' ReadIndex does not always prove.
   */
  record ReadBarrier() implements ShardCommand {}

  /**
   * Sets the shard's ownership fence ({@code ownership} null: clears it): from this entry on, the
   * shard refuses writes of points it does not own (see {@link io.quiver.storage.ShardOwnership}).
   * Written to every shard of a collection being resharded before any point is copied.
   */
  record SetOwnership(io.quiver.storage.ShardOwnership ownership) implements ShardCommand {}

  /**
   * Deletes every point the shard holds but does not own under its fence (none without a fence).
   */
  record DropForeignPoints() implements ShardCommand {}
}
