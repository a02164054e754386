/**
 * A shard's Raft group: {@link io.quiver.consensus.shard.ShardStateMachine} applies {@link
 * io.quiver.consensus.shard.ShardCommand}s to a storage {@code Shard} and answers {@link
 * io.quiver.consensus.shard.ShardQuery}s; {@link io.quiver.consensus.shard.WitnessStateMachine} is
 * the same group's witness (a voter without data); {@link
 * io.quiver.consensus.shard.ShardSnapshotStorage} and {@link
 * io.quiver.consensus.shard.SnapshotWriters} make RocksDB checkpoints the group's snapshots; {@link
 * io.quiver.consensus.shard.ShardMessages} is the log's and the replies' binary form, and {@link
 * io.quiver.consensus.shard.UpsertEntries} and {@link io.quiver.consensus.shard.ApplyEntries} split
 * a large write into log entries of a bounded size. {@link
 * io.quiver.consensus.shard.RaftShardClient} is the router's {@code ShardClient} for one group,
 * reading locally through {@link io.quiver.consensus.shard.LocalShardReplica} when it can.
 */
package io.quiver.consensus.shard;
