package io.quiver.sharding;

/**
 * One change of one shard's replica set, as the {@link ReplicaPlanner} proposes it: the cluster
 * carries out one such step at a time (a Raft membership change of the shard's group plus a new
 * shard map; for {@link TransferLeader}, a leadership transfer inside the group).
 */
public sealed interface ReplicaStep {

  String collection();

  int shardId();

  /**
   * Why the step is needed, in words ("replication_factor 3", "node 7 is draining", "rebalance").
   */
  String reason();

  /** A new replica on {@code to}, copied from the shard's group (snapshot, then the log). */
  record Add(String collection, int shardId, long to, String reason) implements ReplicaStep {}

  /** The replica on {@code node} leaves the group and its data is deleted. */
  record Drop(String collection, int shardId, long node, String reason) implements ReplicaStep {}

  /** Add on {@code to}, then drop on {@code from}. */
  record Move(String collection, int shardId, long from, long to, String reason)
      implements ReplicaStep {}

  /**
   * A witness of the shard on {@code to}: a voter of its group without data (see {@link
   * ShardPlacement}).
   */
  record AddWitness(String collection, int shardId, long to, String reason)
      implements ReplicaStep {}

  /** The witness on {@code node} leaves the shard's group. */
  record DropWitness(String collection, int shardId, long node, String reason)
      implements ReplicaStep {}

  /**
   * Leadership of the shard's group passes from the data replica on {@code from} to the one on
   * {@code to} (never to a witness): no data moves, the placement stays as it is.
   */
  record TransferLeader(String collection, int shardId, long from, long to, String reason)
      implements ReplicaStep {}
}
