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
   * @param reads where the queries run: never the caller's thread, which may be an HTTP event loop
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

  /** Where the replica's queries run. */
  java.util.concurrent.Executor reads() {
    return reads;
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
