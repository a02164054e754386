package io.quiver.consensus;

import io.quiver.consensus.raft.RaftStatus;
import io.quiver.storage.ShardInfo;
import io.quiver.storage.segment.SegmentWork;
import io.quiver.storage.segment.SegmentsInfo;
import java.util.UUID;

/**
 * One shard replica hosted by this node, as the metrics read it: where it belongs, its Raft group
 * as this node sees it, and what its shard holds and does. A shard's witness (a voter without data)
 * is listed too, with its Raft group only: {@code shard}, {@code segments} and {@code work} null,
 * no leader changes or snapshot installs counted.
 *
 * @param leaderChanges leaders this replica has seen change since the node started
 * @param snapshotInstalls snapshots installed into it from its leader since the node started
 * @param followerLag on the group's leader: the largest number of log entries a follower is behind
 *     the leader's log; -1 on any other replica
 * @param vectorsPerPoint dense vectors each point carries (the collection's vector names)
 * @param shard points, segments and optimizer state, or null while the shard is closed (a snapshot
 *     being installed into it)
 * @param segments what the segments hold, or null with {@code shard}
 * @param work the flusher's and optimizer's work since the shard opened, or null with {@code shard}
 */
public record ReplicaStats(
    String collection,
    int shardId,
    UUID groupId,
    RaftStatus raft,
    long leaderChanges,
    long snapshotInstalls,
    long followerLag,
    int vectorsPerPoint,
    ShardInfo shard,
    SegmentsInfo segments,
    SegmentWork work) {}
