package io.quiver.consensus.raft;

/**
 * One Raft group as seen from this node: its term, commit and applied indexes, its leader (a node
 * id, or null while there is none), this node's role in it, and whether this node votes.
 */
public record RaftStatus(
    long term, long commitIndex, long appliedIndex, Long leaderNodeId, Role role, boolean voter) {

  /** Qdrant's names for the roles (its {@code StateRole}). */
  public enum Role {
    Leader,
    Follower,
    Candidate,
    Listener
  }

  public long pendingOperations() {
    return Math.max(0, commitIndex - appliedIndex);
  }
}
