/**
 * How a collection is cut into shards and where their replicas live, without any Raft or network
 * code: the immutable, versioned {@link io.quiver.sharding.ShardMap} (a point lives in shard {@code
 * floorMod(PointId.stableHash(), shardCount)}) and its {@link io.quiver.sharding.ShardPlacement}s,
 * the pure, deterministic planners that place a new collection's shards ({@link
 * io.quiver.sharding.PlacementPlanner}) and change replica sets one step at a time ({@link
 * io.quiver.sharding.ReplicaPlanner}, {@link io.quiver.sharding.ReplicaStep}) so that every node
 * computes the same plan inside a state machine, and a collection's settings ({@link
 * io.quiver.sharding.CollectionConfig}, {@link io.quiver.sharding.StrictModeConfig}). It also holds
 * the seams the upper modules meet at: {@link io.quiver.sharding.ShardClient} (what can be asked of
 * one shard, wherever its replicas are; {@code consensus} implements it over Raft and {@code
 * router} calls only it), {@link io.quiver.sharding.CollectionCatalog} (the cluster's collections),
 * {@link io.quiver.sharding.ReadConsistency}, and the failures the REST edge maps to 404, 409 and
 * 503.
 */
package io.quiver.sharding;
