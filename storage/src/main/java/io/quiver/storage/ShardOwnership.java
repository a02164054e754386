package io.quiver.storage;

import java.util.Objects;

/**
 * Which points a shard of a collection owns: those that {@code hashing} maps to {@code shard} of
 * {@code shards}. A shard that has one (set while its collection is resharded, and kept after)
 * refuses writes of points it does not own, and can delete the copies it holds of points it does
 * not own.
 */
public record ShardOwnership(PointHashing hashing, int shard, int shards) {

  public ShardOwnership {
    Objects.requireNonNull(hashing, "hashing");
    if (shards < 1 || shard < 0) {
      throw new IllegalArgumentException("shard " + shard + " of " + shards);
    }
  }

  /**
   * True when the shard owns {@code id}. A shard numbered past {@code shards} (being removed) owns
   * none.
   */
  public boolean owns(PointId id) {
    return shard < shards && hashing.shardOf(id, shards) == shard;
  }

  /**
   * The points the shard holds but does not own: what its cleanup deletes. Only for a shard that
   * still owns some.
   */
  public io.quiver.storage.filter.Filter foreignFilter() {
    if (shard >= shards) {
      throw new IllegalStateException("shard " + shard + " of " + shards + " owns no point");
    }
    return io.quiver.storage.filter.Filter.noneOf(
        new io.quiver.storage.filter.Condition.OwnedBy(hashing, shard, shards));
  }
}
