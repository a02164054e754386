package io.quiver.consensus.meta;

import io.quiver.sharding.CollectionConfig;

/** A change to the cluster metadata, as it sits in the meta group's Raft log. */
public sealed interface MetaCommand {
  /** A node announces (or updates) its addresses. */
  record RegisterNode(long nodeId, NodeAddress address) implements MetaCommand {}

  /**
   * Creates a collection; the applying state machine places its shards. A create written by this
   * build hashes points with {@link io.quiver.storage.PointHashing#JUMP}; one from an earlier
   * build's log (which had no hashing field) with {@code MOD}, as it did then.
   */
  record CreateCollection(
      String name, CollectionConfig config, io.quiver.storage.PointHashing hashing)
      implements MetaCommand {
    public CreateCollection(String name, CollectionConfig config) {
      this(name, config, io.quiver.storage.PointHashing.JUMP);
    }
  }

  /**
   * Starts changing a collection's shard count by one (see {@link io.quiver.sharding.Resharding}):
   * up adds a shard (its replicas from {@code peerId}, else the least loaded nodes), down removes
   * the last one. Refused while another resharding of the collection runs.
   */
  record StartResharding(
      String collection, io.quiver.sharding.Resharding.Direction direction, Long peerId)
      implements MetaCommand {}

  /**
   * Moves a collection's resharding from phase {@code from} to {@code to} ({@code to} null: it has
   * ended, and the shard added by an aborted one or removed by a finished one leaves the map). A
   * no-op conflict when the resharding is not in phase {@code from}: a driver that lost the meta
   * leadership cannot move it twice.
   */
  record ReshardingStep(
      String collection,
      io.quiver.sharding.Resharding.Phase from,
      io.quiver.sharding.Resharding.Phase to)
      implements MetaCommand {}

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

  /**
   * Starts ({@code drain}) or stops draining a node: its replicas move away and it takes no new
   * ones.
   */
  record SetDraining(long nodeId, boolean drain) implements MetaCommand {}

  /** Asks for a rebalance ({@code true}) or records that the one asked for has finished. */
  record SetRebalancing(boolean on) implements MetaCommand {}

  /**
   * Replaces the replica set of one shard (a replica added, moved or dropped); a new shard-map
   * epoch.
   */
  record SetShardReplicas(String collection, int shardId, java.util.List<Long> replicas)
      implements MetaCommand {}

  /**
   * Replaces the witnesses of one shard (see {@link io.quiver.sharding.ShardPlacement}); a new
   * shard-map epoch.
   */
  record SetShardWitnesses(String collection, int shardId, java.util.List<Long> witnesses)
      implements MetaCommand {}

  /** Applies alias changes atomically (all or none). */
  record UpdateAliases(java.util.List<io.quiver.sharding.AliasAction> actions)
      implements MetaCommand {}

  /** Replaces a collection's settings (not its vectors or shard count); its shard map stays. */
  record UpdateCollection(String name, CollectionConfig config) implements MetaCommand {}

  /**
   * Creates the named vector {@code vector} of a collection ({@code added}: a vectors config
   * holding exactly that name, dense or sparse) or deletes it ({@code added} null). Applied by
   * every node in log order; the shards learn it through their own logs.
   */
  record ChangeVectorName(String collection, String vector, io.quiver.storage.VectorsConfig added)
      implements MetaCommand {}
}
