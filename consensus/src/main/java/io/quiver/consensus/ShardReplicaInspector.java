package io.quiver.consensus;

import io.quiver.consensus.meta.ClusterState;
import io.quiver.consensus.meta.NodeAddress;
import io.quiver.consensus.raft.RaftFailureWords;
import io.quiver.consensus.raft.RaftStatus;
import io.quiver.sharding.ShardPlacement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

/**
 * Asks every replica of a shard group how it sees the group, through Ratis' group admin API (the
 * same call {@code ratis sh group info} makes): its role, the leader it follows, its commit and
 * applied indexes, and whether it is in the leader's Raft configuration yet (a replica being added
 * is in the shard map before it is in the configuration: it is catching up by snapshot and log).
 * For dashboards; read-only, and each replica gets one attempt with a short timeout, so a dead node
 * shows as unreachable instead of slowing the answer.
 *
 * <p>Thread-safe. Blocking work runs on virtual threads, never on the caller's.
 */
public final class ShardReplicaInspector implements AutoCloseable {

  /** How long one replica may take to answer before it is reported unreachable. */
  static final long REPLICA_TIMEOUT_MS = 1_000;

  /**
   * One replica as it reports itself.
   *
   * @param role null when the replica did not answer ({@code problem} says why)
   * @param leaderNodeId the leader this replica knows, or null
   * @param inConfiguration false while the leader's Raft configuration does not list this replica
   *     yet (it is being added); true when unknown
   */
  public record ReplicaStatus(
      long nodeId,
      RaftStatus.Role role,
      Long leaderNodeId,
      long commitIndex,
      long appliedIndex,
      boolean inConfiguration,
      String problem) {

    public boolean reachable() {
      return role != null;
    }
  }

  private final RaftClients clients;
  private final java.util.function.Supplier<ClusterState> state;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * @param clients this node's Raft clients
   * @param state the applied cluster metadata (where each replica's node is)
   */
  ShardReplicaInspector(RaftClients clients, java.util.function.Supplier<ClusterState> state) {
    this.clients = clients;
    this.state = state;
  }

  /**
   * Every replica of {@code shard}, in the shard map's order; never fails (an unreachable replica
   * says so).
   */
  public CompletableFuture<List<ReplicaStatus>> inspect(ShardPlacement shard) {
    RaftGroupId groupId = RaftGroupId.valueOf(shard.groupId());
    List<CompletableFuture<Answer>> answers = new ArrayList<>();
    for (long replica : shard.replicas()) {
      answers.add(CompletableFuture.supplyAsync(() -> ask(groupId, replica), workers));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              List<Answer> all = answers.stream().map(CompletableFuture::join).toList();
              // The leader's configuration says which replicas are members yet.
              List<String> members =
                  all.stream()
                      .filter(
                          a ->
                              a.reply != null
                                  && a.reply.getRoleInfoProto().getRole() == RaftPeerRole.LEADER
                                  && a.reply.getConf().isPresent())
                      .findFirst()
                      .map(
                          a ->
                              a.reply.getConf().get().getPeersList().stream()
                                  .map(p -> p.getId().toStringUtf8())
                                  .toList())
                      .orElse(null);
              return all.stream().map(a -> a.toStatus(members)).toList();
            });
  }

  private record Answer(long nodeId, GroupInfoReply reply, String problem) {

    ReplicaStatus toStatus(List<String> members) {
      boolean inConfiguration =
          members == null || members.contains(RaftNode.peerId(nodeId).toString());
      if (reply == null) {
        return new ReplicaStatus(nodeId, null, null, 0, 0, inConfiguration, problem);
      }
      RoleInfoProto role = reply.getRoleInfoProto();
      var log = reply.getLogInfoProto();
      return new ReplicaStatus(
          nodeId,
          role(role.getRole()),
          leaderOf(role),
          log.getCommitted().getIndex(),
          log.getApplied().getIndex(),
          inConfiguration,
          null);
    }
  }

  private Answer ask(RaftGroupId groupId, long replica) {
    NodeAddress address = state.get().nodes().get(replica);
    if (address == null) {
      return new Answer(replica, null, "not a member of the cluster");
    }
    RaftPeer peer = RaftNode.peer(replica, address.raftAddress());
    try (RaftClient client =
        clients.newClient(
            RaftGroup.valueOf(groupId, peer),
            TimeDuration.valueOf(REPLICA_TIMEOUT_MS, TimeUnit.MILLISECONDS),
            RetryPolicies.noRetry())) {
      GroupInfoReply reply = client.getGroupManagementApi(peer.getId()).info(groupId);
      return reply.isSuccess()
          ? new Answer(replica, reply, null)
          : new Answer(replica, null, "does not host the shard yet");
    } catch (Exception e) {
      // Unreachable, timed out, or not hosting the group (over gRPC that arrives unchecked).
      return new Answer(replica, null, RaftFailureWords.describe(e));
    }
  }

  private static RaftStatus.Role role(RaftPeerRole role) {
    return switch (role) {
      case LEADER -> RaftStatus.Role.Leader;
      case CANDIDATE -> RaftStatus.Role.Candidate;
      case LISTENER -> RaftStatus.Role.Listener;
      default -> RaftStatus.Role.Follower;
    };
  }

  private static Long leaderOf(RoleInfoProto role) {
    RaftPeerProto leader =
        role.getRole() == RaftPeerRole.LEADER
            ? role.getSelf()
            : role.hasFollowerInfo() && role.getFollowerInfo().hasLeaderInfo()
                ? role.getFollowerInfo().getLeaderInfo().getId()
                : null;
    return leader == null ? null : RaftNode.nodeIdOf(leader.getId().toStringUtf8());
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }
}
