package io.quiver.sharding;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One shard of a collection: its number, the id of the Raft group that replicates it, and the
 * nodes holding its replicas.
 */
public record ShardPlacement(int shardId, UUID groupId, List<Long> replicas) {
  public ShardPlacement {
    Objects.requireNonNull(groupId, "groupId");
    replicas = List.copyOf(replicas);
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("shard " + shardId + " has no replicas");
    }
  }
}
