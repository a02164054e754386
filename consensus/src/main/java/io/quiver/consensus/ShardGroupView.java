package io.quiver.consensus;

import io.quiver.consensus.meta.ClusterState;
import io.quiver.consensus.meta.NodeAddress;
import io.quiver.sharding.ShardPlacement;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * A shard group as its leader sees it: the leader's node, the voters of its configuration, and the
 * nodes it sends the log to ({@code appending}: its followers, and the new replicas it is bringing
 * in, a snapshot and then the log, before their configuration change commits).
 */
record ShardGroupView(long leader, Set<Long> voters, Set<Long> appending) {

  /** True while the leader sends to a voter of {@code wanted} that is not one of its voters yet. */
  boolean bringsIn(Set<Long> wanted) {
    return wanted.stream().anyMatch(v -> !voters.contains(v) && appending.contains(v));
  }

  /**
   * The group as its leader sees it, or null when no replica answers as its leader. When this node
   * hosts the leader, its division answers without a request. Otherwise the metadata's replicas are
   * asked in turn (1 s each, through this node's client of that node, {@link PeerInfoClients}), the
   * leader this node's replica follows first. The meta leader asks every group every 30 s ({@link
   * ReplicaController}): with a new client and a group-info request per group, a node with 1,400
   * groups spent over half a core on it for each audit (issue 17).
   */
  static ShardGroupView ask(RaftNode node, ClusterState state, ShardPlacement shard) {
    RaftGroupId groupId = RaftGroupId.valueOf(shard.groupId());
    Long followed = null;
    try {
      RaftServer.Division local = node.server().getDivision(groupId);
      if (local.getInfo().isLeader()) {
        return of(node.nodeId(), local.getGroup(), local.getCommitInfos());
      }
      RaftPeerId leaderId = local.getInfo().getLeaderId();
      followed = leaderId == null ? null : RaftNode.nodeIdOf(leaderId.toString());
    } catch (IOException notHostedHere) {
      // ask the replicas
    }
    List<Long> replicas = new ArrayList<>(shard.replicas());
    replicas.remove(node.nodeId()); // its division answered above, or it hosts none
    if (followed != null && replicas.remove(followed)) {
      replicas.addFirst(followed);
    }
    for (long replica : replicas) {
      NodeAddress address = state.nodes().get(replica);
      if (address == null) {
        continue;
      }
      try {
        GroupInfoReply info = node.peerInfoClients().info(replica, address.raftAddress(), groupId);
        // The reply's group holds the leader's current configuration (read from the group, not
        // from the conf field, which Ratis' Netty transport left empty).
        if (info.isSuccess() && info.getRoleInfoProto().getRole() == RaftPeerRole.LEADER) {
          return of(replica, info.getGroup(), info.getCommitInfos());
        }
      } catch (IOException | RuntimeException unreachable) {
        // ask the next replica
      }
    }
    return null;
  }

  /**
   * The view of the leader on node {@code leader}, from its group (current configuration) and
   * commit infos.
   */
  private static ShardGroupView of(
      long leader, RaftGroup group, Collection<CommitInfoProto> commitInfos) {
    Set<Long> voters = new TreeSet<>();
    group.getPeers().stream()
        .map(p -> RaftNode.nodeIdOf(p.getId().toString()))
        .filter(java.util.Objects::nonNull)
        .forEach(voters::add);
    Set<Long> appending = new TreeSet<>();
    commitInfos.stream()
        .map(ci -> RaftNode.nodeIdOf(RaftPeerId.valueOf(ci.getServer().getId()).toString()))
        .filter(java.util.Objects::nonNull)
        .forEach(appending::add);
    return new ShardGroupView(leader, voters, appending);
  }
}
