package io.quiver.sharding;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One shard of a collection: its number, the id of the Raft group that replicates it, the nodes
 * holding its replicas, and the nodes holding its <b>witnesses</b>.
 *
 * <p>A witness is a voter of the shard's group that keeps the group's log (up to its latest
 * snapshot) but no data: it never applies a write and never serves a read, and when it is elected
 * it hands leadership to a data replica as soon as one has caught up. A shard with two replicas
 * gets one on a third node, so that its group of three voters keeps a majority with any one node
 * down (as Spanner's witness replicas and TiKV's witness peers do). See {@link ReplicaPlanner}.
 */
public record ShardPlacement(int shardId, UUID groupId, List<Long> replicas, List<Long> witnesses) {
  public ShardPlacement {
    Objects.requireNonNull(groupId, "groupId");
    replicas = List.copyOf(replicas);
    witnesses = List.copyOf(witnesses);
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("shard " + shardId + " has no replicas");
    }
    var distinct = new HashSet<>(replicas);
    for (long w : witnesses) {
      if (!distinct.add(w)) {
        throw new IllegalArgumentException(
            "shard " + shardId + ": node " + w + " would hold both a replica and a witness");
      }
    }
  }

  /** A shard without witnesses. */
  public ShardPlacement(int shardId, UUID groupId, List<Long> replicas) {
    this(shardId, groupId, replicas, List.of());
  }

  /** The voters of the shard's Raft group: its replicas, then its witnesses. */
  public List<Long> voters() {
    if (witnesses.isEmpty()) {
      return replicas;
    }
    var all = new java.util.ArrayList<Long>(replicas);
    all.addAll(witnesses);
    return List.copyOf(all);
  }

  /** This placement with other replicas and the same witnesses. */
  public ShardPlacement withReplicas(List<Long> newReplicas) {
    return new ShardPlacement(shardId, groupId, newReplicas, witnesses);
  }

  /** This placement with other witnesses and the same replicas. */
  public ShardPlacement withWitnesses(List<Long> newWitnesses) {
    return new ShardPlacement(shardId, groupId, replicas, newWitnesses);
  }
}
