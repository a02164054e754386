/**
 * Everything Raft (Apache Ratis): one Ratis server per node ({@link io.quiver.consensus.RaftNode})
 * hosting the meta group and one group per shard replica set placed on the node. The meta group's
 * {@link io.quiver.consensus.MetaStateMachine} applies {@link io.quiver.consensus.MetaCommand}s to
 * the {@link io.quiver.consensus.ClusterState} (nodes, collections and their shard maps, aliases,
 * drains), read through {@link io.quiver.consensus.RaftCollectionCatalog}; its leader runs the
 * {@link io.quiver.consensus.MetaMembership} and {@link io.quiver.consensus.ReplicaController} loops
 * that keep the meta voters and the replica placement where the metadata says, with {@link
 * io.quiver.consensus.ShardReplicaChanges} carrying out each membership change. Each shard group's
 * {@link io.quiver.consensus.ShardStateMachine} applies {@link io.quiver.consensus.ShardCommand}s to a
 * storage {@link io.quiver.storage.Shard} and answers {@link io.quiver.consensus.ShardQuery}s, with
 * RocksDB checkpoints as snapshots ({@link io.quiver.consensus.ShardSnapshotStorage}); {@link
 * io.quiver.consensus.ShardGroupReconciler} makes the local server host exactly the groups placed
 * here; {@link io.quiver.consensus.RaftShardClient} is the {@code ShardClient} the router uses.
 * Every log entry and message has an explicit, versioned binary form ({@link
 * io.quiver.consensus.Envelope}, {@link io.quiver.consensus.MetaMessages}, {@link
 * io.quiver.consensus.ShardMessages} and the other codecs), never JSON of HTTP types: the log is an
 * on-disk format. Apply is deterministic, so a bad command fails the same way on every replica.
 */
package io.quiver.consensus;
