package io.quiver.consensus;

import io.quiver.consensus.meta.ClusterState;
import io.quiver.consensus.meta.NodeAddress;
import io.quiver.sharding.ShardPlacement;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * Asks who leads a shard group and what that leader sees ({@link ShardGroupView}): this node's own
 * division when it leads, else the replicas the metadata names, through this node's clients of
 * them.
 */
final class ShardGroupViews {

  private final RaftServer server;
  private final long nodeId;
  private final PeerInfoClients peers;

  ShardGroupViews(RaftServer server, long nodeId, PeerInfoClients peers) {
    this.server = server;
    this.nodeId = nodeId;
    this.peers = peers;
  }

  /**
   * The group as its leader sees it, or null when no replica answers as its leader. When this node
   * hosts the leader, its division answers without a request. Otherwise the metadata's replicas are
   * asked in turn (1 s each, through this node's client of that node, {@link PeerInfoClients}), the
   * leader this node's replica follows first. The meta leader asks every group every 30 s ({@link
   * ReplicaController}): with a new client and a group-info request per group, a node with 1,400
   * groups spent over half a core on it for each audit (issue 17).
   */
  ShardGroupView ask(ClusterState state, ShardPlacement shard) {
    RaftGroupId groupId = RaftGroupId.valueOf(shard.groupId());
    Long followed = null;
    try {
      RaftServer.Division local = server.getDivision(groupId);
      if (local.getInfo().isLeader()) {
        return ShardGroupView.of(nodeId, local.getGroup(), local.getCommitInfos());
      }
      RaftPeerId leaderId = local.getInfo().getLeaderId();
      followed = leaderId == null ? null : RaftNode.nodeIdOf(leaderId.toString());
    } catch (IOException notHostedHere) {
      // ask the replicas
    }
    List<Long> replicas = new ArrayList<>(shard.replicas());
    replicas.remove(nodeId); // its division answered above, or it hosts none
    if (followed != null && replicas.remove(followed)) {
      replicas.addFirst(followed);
    }
    for (long replica : replicas) {
      NodeAddress address = state.nodes().get(replica);
      if (address == null) {
        continue;
      }
      try {
        GroupInfoReply info = peers.info(replica, address.raftAddress(), groupId);
        // The reply's group holds the leader's current configuration (read from the group, not
        // from the conf field, which Ratis' Netty transport left empty).
        if (info.isSuccess() && info.getRoleInfoProto().getRole() == RaftPeerRole.LEADER) {
          return ShardGroupView.of(replica, info.getGroup(), info.getCommitInfos());
        }
      } catch (IOException | RuntimeException unreachable) {
        // ask the next replica
      }
    }
    return null;
  }
}
