/**
 * Ratis plumbing that both state machines and the node share, with no knowledge of either:
 * life-cycle pauses, dropping a log behind its snapshot, de-duplicating retried requests, turning
 * Ratis failures into words, reply decoding, TLS and peer credentials, reconnects, the shared group
 * management threads, the state machine updater's wake-up, the log's write-buffer budget, transfer
 * throttling, and status snapshots of a division.
 */
package io.quiver.consensus.raft;
