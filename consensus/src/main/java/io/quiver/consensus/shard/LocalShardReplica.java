package io.quiver.consensus.shard;

import java.io.IOException;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;

/**
 * This node's own replica of a shard group, for reads served in-process: a query that this node's
 * replica may answer is handed to its state machine directly, not sent through the Raft client and
 * the loopback gRPC channel to this very server. That hop was most of a query's time on one node:
 * encoding the request for gRPC, a loopback round trip with two thread switches on each side,
 * Ratis' request handling, and the same back for the reply (the in-process engine answers a
 * Fashion-MNIST query in 0.12-0.16 ms; through REST it took 2-3 ms).
 *
 * <p>The replica answers exactly what Ratis would have let it answer: a leader read ({@link
 * #asLeader}) only while its division is the group's leader and ready (it has committed an entry of
 * its term: Ratis' own check for a non-linearizable leader read), and a read of any replica ({@link
 * #asMember}) only while it is a member of the group's configuration (a replica still receiving its
 * snapshot is not). A witness never answers.
 */
public final class LocalShardReplica {

  private final RaftServer server;
  private final RaftGroupId groupId;
  private final java.util.function.BooleanSupplier member;
  private final java.util.concurrent.Executor reads;

  /**
   * @param member true while this node's replica is in the group's configuration
   * @param reads where the queries run, except those of bounded cost that a caller lets run on its
   *     own thread ({@link io.quiver.sharding.CallerThreadReads}), which may be an HTTP event loop
   */
  public LocalShardReplica(
      RaftServer server,
      RaftGroupId groupId,
      java.util.function.BooleanSupplier member,
      java.util.concurrent.Executor reads) {
    this.server = server;
    this.groupId = groupId;
    this.member = member;
    this.reads = reads;
  }

  /**
   * A search whose time is over this, averaged over the replica's recent searches, keeps its
   * successors off the caller's thread (see {@link #searchesAreQuick}).
   */
  static final long QUICK_SEARCH_NANOS = 1_000_000;

  /**
   * The replica's recent searches without filter, in nanoseconds: an exponential moving average
   * (weight 1/8 for the newest). Racy updates lose a sample at worst.
   */
  private volatile long searchNanos;

  /** Where the replica's queries run. */
  java.util.concurrent.Executor reads() {
    return reads;
  }

  /**
   * True while the replica's recent searches without filter took under {@link #QUICK_SEARCH_NANOS}
   * on average: HNSW searches of indexed segments do (0.1-0.5 ms), full scans of segments not yet
   * indexed may not. One slow search moves the average by an eighth of its time, so a replica that
   * scans goes to its pool after one such search and comes back once quick ones have brought the
   * average down.
   */
  boolean searchesAreQuick() {
    return searchNanos < QUICK_SEARCH_NANOS;
  }

  /** Counts a search without filter that took {@code nanos}. */
  void searched(long nanos) {
    long average = searchNanos;
    searchNanos = average - (average >> 3) + (nanos >> 3);
  }

  /** The replica's state machine while it leads the group and may serve leader reads, else null. */
  ShardStateMachine asLeader() {
    try {
      RaftServer.Division division = server.getDivision(groupId);
      return division.getInfo().isLeaderReady()
              && division.getStateMachine() instanceof ShardStateMachine machine
              && machine.shardIfOpen() != null
          ? machine
          : null;
    } catch (IOException notHosted) {
      return null;
    }
  }

  /**
   * The replica's state machine while it is a data replica in the group's configuration, else null.
   */
  ShardStateMachine asMember() {
    try {
      return member.getAsBoolean()
              && server.getDivision(groupId).getStateMachine() instanceof ShardStateMachine machine
              && machine.shardIfOpen() != null
          ? machine
          : null;
    } catch (IOException notHosted) {
      return null;
    }
  }
}
