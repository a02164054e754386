package io.quiver.consensus;

import io.quiver.consensus.meta.ClusterState;
import io.quiver.consensus.meta.MetaMembershipPlan;
import io.quiver.consensus.meta.MetaStateMachine;
import io.quiver.consensus.raft.CoalescingTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the meta group's leader: keeps the meta group's Raft configuration equal to the registered
 * nodes — up to {@link RaftNodeConfig#metaVoters()} voters (five by default), every other node a
 * listener (it receives the metadata but does not vote, so elections stay fast in a large cluster).
 * Voters stay voters; a new node becomes a voter while there are fewer, one voter per configuration
 * change ({@link MetaMembershipPlan}).
 *
 * <p>Runs on its own thread; on followers a pass does nothing.
 */
final class MetaMembership implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MetaMembership.class);
  private static final long RETRY_DELAY_MS = 1000;

  private final LocalNode local;
  private final MetaStateMachine meta;
  private final LocalDivisions divisions;
  private final RaftClients clients;
  private final CoalescingTask task;

  MetaMembership(
      LocalNode local, MetaStateMachine meta, LocalDivisions divisions, RaftClients clients) {
    this.local = local;
    this.meta = meta;
    this.divisions = divisions;
    this.clients = clients;
    this.task = new CoalescingTask("meta-membership", RETRY_DELAY_MS, this::reconcile);
  }

  void onStateChanged(ClusterState state) {
    task.trigger();
  }

  /** A new meta leader (possibly this node) takes over the plan where the old one left it. */
  void onLeaderChanged() {
    task.trigger();
  }

  /**
   * One pass on the leader: plans one configuration step from what Ratis holds now ({@link
   * MetaMembershipPlan}), asks Ratis for it, and schedules the next pass; a refused or failed
   * change is re-planned on the next pass from the then current configuration.
   */
  private void reconcile() throws IOException {
    RaftServer.Division division = divisions.server().getDivision(RaftNode.META_GROUP_ID);
    if (!division.getInfo().isLeader()) {
      return;
    }
    if (!local.isCaughtUp()) {
      // The leader's own registration is not applied yet (a new cluster's seed, whose first
      // entries may be other nodes' registrations): a plan now would drop the voters it does not
      // see registered yet, the leader among them ("voters [n1] -> []").
      task.retryLater();
      return;
    }
    RaftConfiguration conf = division.getRaftConf();
    if (!conf.getPreviousPeers().isEmpty()) {
      // A configuration change is in progress; look again later.
      task.retryLater();
      return;
    }
    SortedMap<Long, String> registered = new TreeMap<>();
    meta.state().nodes().forEach((id, address) -> registered.put(id, address.raftAddress()));
    MetaMembershipPlan.Configuration current =
        new MetaMembershipPlan.Configuration(
            addresses(conf.getCurrentPeers(RaftPeerRole.FOLLOWER)),
            addresses(conf.getCurrentPeers(RaftPeerRole.LISTENER)));
    Optional<MetaMembershipPlan.Configuration> step =
        MetaMembershipPlan.nextStep(current, registered, local.config().metaVoters());
    if (step.isEmpty()) {
      return;
    }
    MetaMembershipPlan.Configuration next = step.get();
    LOG.info(
        "node {}: meta group configuration: voters {} -> {}, listeners {} -> {}",
        local.nodeId(),
        current.voters().keySet(),
        next.voters().keySet(),
        current.listeners().keySet(),
        next.listeners().keySet());
    try (RaftClient client =
        clients.newClient(RaftGroup.valueOf(RaftNode.META_GROUP_ID, divisions.self()))) {
      RaftClientReply reply =
          client.admin().setConfiguration(peers(next.voters()), peers(next.listeners()));
      if (!reply.isSuccess()) {
        throw new IOException("the configuration change was refused: " + reply.getException());
      }
    }
    task.trigger(); // the next step, if any
  }

  private static Map<Long, String> addresses(java.util.Collection<RaftPeer> peers) {
    Map<Long, String> byNode = new HashMap<>();
    for (RaftPeer p : peers) {
      byNode.put(nodeIdOf(p), p.getAddress());
    }
    return byNode;
  }

  private static List<RaftPeer> peers(Map<Long, String> byNode) {
    List<RaftPeer> peers = new ArrayList<>();
    new TreeMap<>(byNode).forEach((id, address) -> peers.add(RaftNode.peer(id, address)));
    return peers;
  }

  private static long nodeIdOf(RaftPeer peer) {
    Long node = RaftNode.nodeIdOf(peer.getId().toString());
    return node == null ? -1 : node;
  }

  @Override
  public void close() {
    task.close();
  }
}
