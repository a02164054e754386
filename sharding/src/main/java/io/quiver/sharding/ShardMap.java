package io.quiver.sharding;

import io.quiver.storage.PointId;
import java.util.List;

/**
 * A collection's shards at one epoch: immutable. A point lives in shard
 * {@code floorMod(id.stableHash(), shardCount)}; the hash never changes between releases.
 */
public record ShardMap(long epoch, List<ShardPlacement> shards) {

  public ShardMap {
    shards = List.copyOf(shards);
    for (int i = 0; i < shards.size(); i++) {
      if (shards.get(i).shardId() != i) {
        throw new IllegalArgumentException("shard " + i + " is out of order: " + shards.get(i));
      }
    }
  }

  public int shardCount() {
    return shards.size();
  }

  /** The shard that owns a point. */
  public ShardPlacement shardOf(PointId id) {
    return shards.get((int) Math.floorMod(id.stableHash(), (long) shards.size()));
  }

  public ShardPlacement shard(int shardId) {
    return shards.get(shardId);
  }
}
