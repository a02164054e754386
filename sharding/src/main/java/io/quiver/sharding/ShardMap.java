package io.quiver.sharding;

import io.quiver.storage.PointHashing;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Condition;
import java.util.List;
import java.util.Objects;

/**
 * A collection's shards at one epoch: immutable. A point lives in shard {@code hashing.shardOf(id,
 * routingCount())} (see {@link PointHashing}; the hash never changes between releases). While the
 * collection is resharded ({@link Resharding}, else null), the map may hold one shard more than
 * points are routed by, and each shard answers reads only for the points it owns ({@link
 * #readRestriction}).
 */
public record ShardMap(
    long epoch, List<ShardPlacement> shards, PointHashing hashing, Resharding resharding) {

  public ShardMap {
    shards = List.copyOf(shards);
    Objects.requireNonNull(hashing, "hashing");
    for (int i = 0; i < shards.size(); i++) {
      if (shards.get(i).shardId() != i) {
        throw new IllegalArgumentException("shard " + i + " is out of order: " + shards.get(i));
      }
    }
    if (resharding != null
        && Math.max(resharding.fromCount(), resharding.toCount()) != shards.size()) {
      throw new IllegalArgumentException(
          "resharding " + resharding + " over " + shards.size() + " shards");
    }
  }

  /**
   * A map of a collection created before resharding existed: {@link PointHashing#MOD}, not
   * resharding.
   */
  public ShardMap(long epoch, List<ShardPlacement> shards) {
    this(epoch, shards, PointHashing.MOD, null);
  }

  /** Every shard in the map, a new one being filled or an old one being emptied included. */
  public int shardCount() {
    return shards.size();
  }

  /** How many shards points are routed by. */
  public int routingCount() {
    return resharding == null ? shards.size() : resharding.routingCount();
  }

  /** The shard that owns a point now: where it is written and read by id. */
  public ShardPlacement shardOf(PointId id) {
    return shards.get(hashing.shardOf(id, routingCount()));
  }

  public ShardPlacement shard(int shardId) {
    return shards.get(shardId);
  }

  /** The shards a read that is not by id asks: the first {@link #routingCount()}. */
  public List<ShardPlacement> readShards() {
    return shards.subList(0, routingCount());
  }

  /**
   * What shard {@code shard} must restrict a read to, or null when it answers for all it holds:
   * while resharding, a shard may hold copies of points it does not own (moving to it, or still
   * there after moving away).
   */
  public Condition.OwnedBy readRestriction(ShardPlacement shard) {
    return resharding == null
        ? null
        : new Condition.OwnedBy(hashing, shard.shardId(), routingCount());
  }

  /**
   * True while the collection is resharded and {@code id}'s shard differs between the old and the
   * new count.
   */
  public boolean isMoving(PointId id) {
    return resharding != null
        && hashing.shardOf(id, resharding.fromCount()) != hashing.shardOf(id, resharding.toCount());
  }

  /** This map with other shards at a new epoch (hashing and resharding kept). */
  public ShardMap withShards(long newEpoch, List<ShardPlacement> newShards) {
    return new ShardMap(newEpoch, newShards, hashing, resharding);
  }

  /** This map with other shards and resharding state at a new epoch. */
  public ShardMap withResharding(
      long newEpoch, List<ShardPlacement> newShards, Resharding newResharding) {
    return new ShardMap(newEpoch, newShards, hashing, newResharding);
  }
}
