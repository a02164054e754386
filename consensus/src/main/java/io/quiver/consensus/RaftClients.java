package io.quiver.consensus;

import io.quiver.consensus.raft.CallMatchingClientRpc;
import io.quiver.consensus.raft.PeerCredentials;
import io.quiver.consensus.raft.RaftTls;
import io.quiver.consensus.shard.RaftShardClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;

/**
 * This node's Raft clients: every client of a group this node talks to (the meta group, shard
 * groups, another node's group management) is built here, on the servers' transport, with the
 * node's TLS identity when the Raft transport is TLS, and with every reply checked against its
 * request ({@link CallMatchingClientRpc}). The helpers that only talk to groups depend on this
 * rather than on {@link RaftNode}.
 */
final class RaftClients {

  private final Duration requestTimeout;

  /** The TLS identity and trust of every connection (reloaded when its files change), or null. */
  private final PeerCredentials credentials;

  /**
   * @param requestTimeout how long {@link #newClient(RaftGroup)}'s requests retry
   * @param credentials the node's TLS credentials, or null for plain gRPC
   */
  RaftClients(Duration requestTimeout, PeerCredentials credentials) {
    this.requestTimeout = requestTimeout;
    this.credentials = credentials;
  }

  /** A client of a group whose requests retry (every 100 ms) for up to the request timeout. */
  RaftClient newClient(RaftGroup group) {
    long sleepMs = 100;
    int attempts = (int) Math.max(1, requestTimeout.toMillis() / sleepMs);
    return newClient(
        group,
        TimeDuration.valueOf(3, TimeUnit.SECONDS),
        RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            attempts, TimeDuration.valueOf(sleepMs, TimeUnit.MILLISECONDS)));
  }

  /**
   * A client of a shard group that gives up after about {@link RaftShardClient#NO_LEADER_BUDGET_MS}
   * of failed attempts: when a shard has no majority, its requests fail fast (503 naming the shard)
   * instead of retrying for the whole request timeout. A leader election after a crash takes well
   * under a second on an idle machine, but took over 3 s under CI's load (SparseClusterIT's write
   * right after a SIGKILL of the shard's leader), so the budget leaves room for a slow failover.
   * Attempts that hang (a partitioned old leader) are cut by the router's request deadline.
   */
  RaftClient newShardClient(RaftGroup group, RaftPeerId leaderHint) {
    long sleepMs = 100;
    return newClient(
        group,
        TimeDuration.valueOf(3, TimeUnit.SECONDS),
        RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            (int) (RaftShardClient.NO_LEADER_BUDGET_MS / sleepMs),
            TimeDuration.valueOf(sleepMs, TimeUnit.MILLISECONDS)),
        leaderHint);
  }

  RaftClient newClient(RaftGroup group, TimeDuration requestTimeout, RetryPolicy retry) {
    return newClient(group, requestTimeout, retry, null);
  }

  /**
   * A client whose first request goes to {@code leaderHint} when it is a peer of the group (else
   * Ratis picks one: the highest priority, which may be a replica that is only joining and does not
   * host the group yet; the group mismatch it answers closes the client).
   */
  RaftClient newClient(
      RaftGroup group, TimeDuration requestTimeout, RetryPolicy retry, RaftPeerId leaderHint) {
    RaftPeerId leader =
        group.getPeers().size() == 1
            ? group.getPeers().iterator().next().getId()
            : leaderHint != null && group.getPeer(leaderHint) != null ? leaderHint : null;
    return CallMatchingClientRpc.newClientBuilder(
            ClientId.randomId(),
            RaftNode.clientProperties(requestTimeout),
            credentials == null ? null : RaftTls.parameters(credentials))
        .setRaftGroup(group)
        .setLeaderId(leader)
        .setRetryPolicy(retry)
        .build();
  }
}
