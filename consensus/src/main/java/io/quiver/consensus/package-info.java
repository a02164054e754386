/**
 * Everything Raft (Apache Ratis): one Ratis server per node ({@link io.quiver.consensus.RaftNode})
 * hosting the meta group and one group per shard replica set placed on the node.
 *
 * <p>The module is layered; each package depends only on those below it:
 *
 * <pre>
 *   io.quiver.consensus         the node: RaftNode and its configuration, and the loops that act on
 *                               the cluster through it (catalog, membership, replica placement,
 *                               resharding, hosted groups, transfers, status)
 *        |            |
 *   .meta            .shard     the two state machines, their commands and their log formats
 *        \            /
 *          .snapshot            a replica fetching its snapshot from a peer (resumable)
 *        /            \
 *   .codec          .raft       binary codecs of storage values; Ratis plumbing shared by both
 * </pre>
 *
 * The meta group's {@link io.quiver.consensus.meta.MetaStateMachine} applies {@link
 * io.quiver.consensus.meta.MetaCommand}s to the {@link io.quiver.consensus.meta.ClusterState}
 * (nodes, collections and their shard maps, aliases, drains), read through {@link
 * io.quiver.consensus.RaftCollectionCatalog}; its leader runs the {@link
 * io.quiver.consensus.MetaMembership} and {@link io.quiver.consensus.ReplicaController} loops that
 * keep the meta voters and the replica placement where the metadata says, with {@link
 * io.quiver.consensus.ShardReplicaChanges} carrying out each membership change. Each shard group's
 * {@link io.quiver.consensus.shard.ShardStateMachine} applies {@link
 * io.quiver.consensus.shard.ShardCommand}s to a storage {@link io.quiver.storage.Shard} and answers
 * {@link io.quiver.consensus.shard.ShardQuery}s, with RocksDB checkpoints as snapshots ({@link
 * io.quiver.consensus.shard.ShardSnapshotStorage}); {@link
 * io.quiver.consensus.ShardGroupReconciler} makes the local server host exactly the groups placed
 * here; {@link io.quiver.consensus.shard.RaftShardClient} is the {@code ShardClient} the router
 * uses. Every log entry and message has an explicit, versioned binary form ({@link
 * io.quiver.consensus.codec.Envelope}, {@link io.quiver.consensus.meta.MetaMessages}, {@link
 * io.quiver.consensus.shard.ShardMessages} and the other codecs), never JSON of HTTP types: the log
 * is an on-disk format. Apply is deterministic, so a bad command fails the same way on every
 * replica.
 */
package io.quiver.consensus;
