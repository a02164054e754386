/**
 * How a replica that is too far behind its group's log (or new to the group) gets a snapshot: Ratis
 * only notifies its state machine ({@code installSnapshotEnabled=false}), and the replica fetches
 * the files itself, in chunks, from a peer that has them ({@link
 * io.quiver.consensus.snapshot.SnapshotFetcher}). The peers answer with {@link
 * io.quiver.consensus.snapshot.SnapshotSource} over Ratis' read path. What has arrived is kept in a
 * staging directory ({@link io.quiver.consensus.snapshot.SnapshotStaging}), so a fetch cut short by
 * a crash of either side resumes where it stopped instead of starting over. {@link
 * io.quiver.consensus.snapshot.IncomingSnapshots} holds the transfers into this node, for progress
 * reports and for the node's transfer rate limit.
 */
package io.quiver.consensus.snapshot;
