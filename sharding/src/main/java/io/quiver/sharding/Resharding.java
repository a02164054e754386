package io.quiver.sharding;

import java.util.Objects;

/**
 * A change of a collection's shard count in progress, as its {@link ShardMap} records it (Qdrant's
 * {@code ReshardingInfo}). Going {@link Direction#UP}, the new shard {@code fromCount} is in the
 * map from the start; going {@link Direction#DOWN}, the last shard stays in it until the end.
 *
 * <ol>
 *   <li>{@link Phase#COPYING}: points are routed by {@code fromCount} shards; reads and writes go
 *       on as usual. The points that will move are copied to their new shards, and the version and
 *       payload of each copy are remembered.
 *   <li>{@link Phase#SYNCING}: still routed by {@code fromCount}. Every shard is fenced (it refuses
 *       writes of points it will not own under {@code toCount}), routers hold writes of moving
 *       points (and writes that select by filter), and what changed at the old shards since its
 *       copy is copied again (or deleted). Short: only the changes travel.
 *   <li>{@link Phase#CLEANUP}: points are routed by {@code toCount} shards; each shard answers only
 *       for the points it owns (reads carry {@link io.quiver.storage.filter.Condition.OwnedBy}) and
 *       deletes the copies it no longer owns.
 *   <li>{@link Phase#ABORTING}: routed by {@code fromCount}; each shard's fence goes back to {@code
 *       fromCount} and the copies made so far are deleted.
 * </ol>
 *
 * @param peerId the node of the new shard (up), or of the shard removed (down): what Qdrant reports
 */
public record Resharding(
    Direction direction, int fromCount, int toCount, long peerId, Phase phase) {

  public enum Direction {
    UP,
    DOWN
  }

  /** In the order of their codes in the metadata (SYNCING came last). */
  public enum Phase {
    COPYING,
    CLEANUP,
    ABORTING,
    SYNCING
  }

  public Resharding {
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(phase, "phase");
    if (fromCount < 1
        || toCount < 1
        || toCount != (direction == Direction.UP ? fromCount + 1 : fromCount - 1)) {
      throw new IllegalArgumentException(
          "resharding " + direction + " from " + fromCount + " to " + toCount);
    }
  }

  /** How many shards points are routed by now. */
  public int routingCount() {
    return phase == Phase.CLEANUP ? toCount : fromCount;
  }

  /** The shard added (up) or removed (down). */
  public int changedShard() {
    return direction == Direction.UP ? fromCount : fromCount - 1;
  }

  /** True while routers hold writes of moving points and writes that select by filter. */
  public boolean holdsMovingWrites() {
    return phase == Phase.SYNCING || phase == Phase.ABORTING;
  }

  public Resharding withPhase(Phase next) {
    return new Resharding(direction, fromCount, toCount, peerId, next);
  }
}
