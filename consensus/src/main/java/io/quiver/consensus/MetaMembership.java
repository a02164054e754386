package io.quiver.consensus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the meta group's leader: keeps the meta group's Raft configuration equal to the registered
 * nodes — up to {@link #MAX_VOTERS} voters, every other node a listener (it receives the metadata
 * but does not vote, so elections stay fast in a large cluster). Voters stay voters; a new node
 * becomes a voter while there are fewer than five.
 *
 * <p>Runs on its own thread; on followers a pass does nothing.
 */
final class MetaMembership implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MetaMembership.class);
  static final int MAX_VOTERS = 5;
  private static final long RETRY_DELAY_MS = 1000;

  private final RaftNode node;
  private final CoalescingTask task;

  MetaMembership(RaftNode node) {
    this.node = node;
    this.task = new CoalescingTask("meta-membership", RETRY_DELAY_MS, this::reconcile);
  }

  void onStateChanged(ClusterState state) {
    task.trigger();
  }

  private void reconcile() throws IOException {
    RaftServer.Division division = node.server().getDivision(RaftNode.META_GROUP_ID);
    if (!division.getInfo().isLeader()) {
      return;
    }
    RaftConfiguration conf = division.getRaftConf();
    if (!conf.getPreviousPeers().isEmpty()) {
      // A configuration change is in progress; look again later.
      task.retryLater();
      return;
    }
    Map<Long, NodeAddress> nodes = node.meta().state().nodes();
    Set<String> currentVoters = new HashSet<>();
    conf.getCurrentPeers(RaftPeerRole.FOLLOWER).forEach(p -> currentVoters.add(p.getId().toString()));
    Set<String> currentListeners = new HashSet<>();
    conf.getCurrentPeers(RaftPeerRole.LISTENER).forEach(p -> currentListeners.add(p.getId().toString()));

    List<RaftPeer> voters = new ArrayList<>();
    List<RaftPeer> listeners = new ArrayList<>();
    for (Map.Entry<Long, NodeAddress> e : nodes.entrySet()) {
      if (currentVoters.contains(RaftNode.peerId(e.getKey()).toString())) {
        voters.add(RaftNode.peer(e.getKey(), e.getValue().raftAddress()));
      }
    }
    for (Map.Entry<Long, NodeAddress> e : nodes.entrySet()) {
      if (currentVoters.contains(RaftNode.peerId(e.getKey()).toString())) {
        continue;
      }
      RaftPeer peer = RaftNode.peer(e.getKey(), e.getValue().raftAddress());
      (voters.size() < MAX_VOTERS ? voters : listeners).add(peer);
    }
    Set<String> wantVoters = new HashSet<>();
    voters.forEach(p -> wantVoters.add(p.getId().toString()));
    Set<String> wantListeners = new HashSet<>();
    listeners.forEach(p -> wantListeners.add(p.getId().toString()));
    boolean addressesMatch = conf.getCurrentPeers().stream().allMatch(p -> {
      NodeAddress a = nodes.get(nodeIdOf(p));
      return a == null || a.raftAddress().equals(p.getAddress());
    });
    if (wantVoters.equals(currentVoters) && wantListeners.equals(currentListeners) && addressesMatch) {
      return;
    }
    LOG.info("node {}: meta group configuration -> voters {}, listeners {}", node.nodeId(), wantVoters, wantListeners);
    try (RaftClient client = node.newClient(RaftGroup.valueOf(RaftNode.META_GROUP_ID, node.self()))) {
      if (!client.admin().setConfiguration(voters, listeners).isSuccess()) {
        throw new IOException("setConfiguration was refused");
      }
    }
  }

  private static long nodeIdOf(RaftPeer peer) {
    String id = peer.getId().toString();
    return id.startsWith("n") ? Long.parseLong(id.substring(1)) : -1;
  }

  @Override
  public void close() {
    task.close();
  }
}
