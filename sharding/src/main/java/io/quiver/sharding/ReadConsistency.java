package io.quiver.sharding;

/** How fresh a read must be. */
public enum ReadConsistency {
  /** Confirmed with a majority before answering (Raft ReadIndex): sees every acknowledged write. */
  LINEARIZABLE,
  /** Answered by the shard's current leader from its applied state: the default. */
  LEADER,
  /** Any live replica, possibly behind the leader. */
  ANY
}
