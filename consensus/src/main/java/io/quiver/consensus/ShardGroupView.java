package io.quiver.consensus;

import io.quiver.sharding.ShardPlacement;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

/**
 * A shard group as its leader sees it: the leader's node, the voters of its configuration, and
 * the nodes it sends the log to ({@code appending}: its followers, and the new replicas it is
 * bringing in, a snapshot and then the log, before their configuration change commits).
 */
record ShardGroupView(long leader, Set<Long> voters, Set<Long> appending) {

  /** True while the leader sends to a voter of {@code wanted} that is not one of its voters yet. */
  boolean bringsIn(Set<Long> wanted) {
    return wanted.stream().anyMatch(v -> !voters.contains(v) && appending.contains(v));
  }

  /**
   * Asks the metadata's replicas of {@code shard} in turn (1 s each) until one answers as the
   * group's leader; null when none does.
   */
  static ShardGroupView ask(RaftNode node, ClusterState state, ShardPlacement shard) {
    RaftGroupId groupId = RaftGroupId.valueOf(shard.groupId());
    for (long replica : shard.replicas()) {
      NodeAddress address = state.nodes().get(replica);
      if (address == null) {
        continue;
      }
      RaftPeer peer = RaftNode.peer(replica, address.raftAddress());
      try (RaftClient client = node.newClient(RaftGroup.valueOf(groupId, peer), TimeDuration.valueOf(1, TimeUnit.SECONDS),
          RetryPolicies.noRetry())) {
        GroupInfoReply info = client.getGroupManagementApi(peer.getId()).info(groupId);
        // The reply's group holds the leader's current configuration (read from the group, not
        // from the conf field, which Ratis' Netty transport left empty).
        if (info.isSuccess() && info.getRoleInfoProto().getRole() == RaftPeerRole.LEADER) {
          Set<Long> voters = new TreeSet<>();
          info.getGroup().getPeers().stream()
              .map(p -> RaftNode.nodeIdOf(p.getId().toString()))
              .filter(java.util.Objects::nonNull)
              .forEach(voters::add);
          Set<Long> appending = new TreeSet<>();
          info.getCommitInfos().stream()
              .map(ci -> RaftNode.nodeIdOf(RaftPeerId.valueOf(ci.getServer().getId()).toString()))
              .filter(java.util.Objects::nonNull)
              .forEach(appending::add);
          return new ShardGroupView(replica, voters, appending);
        }
      } catch (IOException | RuntimeException unreachable) {
        // ask the next replica
      }
    }
    return null;
  }
}
