package io.quiver.consensus;

import io.quiver.sharding.CollectionConfig;

/** A change to the cluster metadata, as it sits in the meta group's Raft log. */
sealed interface MetaCommand {
  /** A node announces (or updates) its addresses. */
  record RegisterNode(long nodeId, NodeAddress address) implements MetaCommand {}

  /** Creates a collection; the applying state machine places its shards. */
  record CreateCollection(String name, CollectionConfig config) implements MetaCommand {}

  record DeleteCollection(String name) implements MetaCommand {}

  /**
   * Removes a node from the cluster: refused while it holds a replica, unless {@code force}: then
   * it leaves every shard's replica set, and a shard whose only copy it held starts again empty on
   * another node (its data is lost).
   */
  record RemoveNode(long nodeId, boolean force) implements MetaCommand {
    RemoveNode(long nodeId) {
      this(nodeId, false);
    }
  }

  /** Starts ({@code drain}) or stops draining a node: its replicas move away and it takes no new ones. */
  record SetDraining(long nodeId, boolean drain) implements MetaCommand {}

  /** Asks for a rebalance ({@code true}) or records that the one asked for has finished. */
  record SetRebalancing(boolean on) implements MetaCommand {}

  /** Replaces the replica set of one shard (a replica added, moved or dropped); a new shard-map epoch. */
  record SetShardReplicas(String collection, int shardId, java.util.List<Long> replicas) implements MetaCommand {}

  /** Replaces the witnesses of one shard (see {@link io.quiver.sharding.ShardPlacement}); a new shard-map epoch. */
  record SetShardWitnesses(String collection, int shardId, java.util.List<Long> witnesses) implements MetaCommand {}

  /** Applies alias changes atomically (all or none). */
  record UpdateAliases(java.util.List<io.quiver.sharding.AliasAction> actions) implements MetaCommand {}

  /** Replaces a collection's settings (not its vectors or shard count); its shard map stays. */
  record UpdateCollection(String name, CollectionConfig config) implements MetaCommand {}

  /**
   * Creates the named vector {@code vector} of a collection ({@code added}: a vectors config
   * holding exactly that name, dense or sparse) or deletes it ({@code added} null). Applied by
   * every node in log order; the shards learn it through their own logs.
   */
  record ChangeVectorName(String collection, String vector, io.quiver.storage.VectorsConfig added) implements MetaCommand {}
}
