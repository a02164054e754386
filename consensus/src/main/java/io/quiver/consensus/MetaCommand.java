package io.quiver.consensus;

import io.quiver.sharding.CollectionConfig;

/** A change to the cluster metadata, as it sits in the meta group's Raft log. */
sealed interface MetaCommand {
  /** A node announces (or updates) its addresses. */
  record RegisterNode(long nodeId, NodeAddress address) implements MetaCommand {}

  /** Creates a collection; the applying state machine places its shards. */
  record CreateCollection(String name, CollectionConfig config) implements MetaCommand {}

  record DeleteCollection(String name) implements MetaCommand {}

  /** Removes a node that holds no shard replica from the cluster. */
  record RemoveNode(long nodeId) implements MetaCommand {}

  /** Replaces the replica set of one shard (a replica added, moved or dropped); a new shard-map epoch. */
  record SetShardReplicas(String collection, int shardId, java.util.List<Long> replicas) implements MetaCommand {}

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
