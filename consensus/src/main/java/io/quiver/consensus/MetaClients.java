package io.quiver.consensus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client this node sends meta commands with. It addresses the meta group's current voters, not
 * only this node: a listener's not-leader reply does not lead Ratis' client to the leader, and a
 * client whose only peer is a listener retried it until its ordered sliding window closed, after
 * which every later request failed at once ("SlidingWindow$Client ... is closed"; found by {@code
 * ClusterFormationIT} with 3 voters among 5 nodes). So the client is rebuilt when the voters change
 * and after such a failure. Replaced clients are closed with the node (requests may still be in
 * flight on them). Thread-safe.
 */
final class MetaClients implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MetaClients.class);

  private final long nodeId;
  private final LocalDivisions divisions;
  private final RaftClients clients;
  private final List<RaftClient> replaced = new ArrayList<>();
  private RaftClient current;
  private Set<String> currentPeers = Set.of();

  MetaClients(long nodeId, LocalDivisions divisions, RaftClients clients) {
    this.nodeId = nodeId;
    this.divisions = divisions;
    this.clients = clients;
  }

  /**
   * The client over the meta group's voters as this node knows them (itself while it knows none).
   */
  synchronized RaftClient current() {
    List<RaftPeer> voters = voters();
    Set<String> ids = new TreeSet<>();
    voters.forEach(p -> ids.add(p.getId() + "@" + p.getAddress()));
    if (current == null || !ids.equals(currentPeers)) {
      replace(voters, ids);
    }
    return current;
  }

  /**
   * A request through {@code client} failed; if its sliding window is closed, the next request gets
   * a new client.
   */
  synchronized void failed(RaftClient client, Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (client == current && e instanceof AlreadyClosedException) {
      LOG.info("node {}: the meta client is closed ({}); replacing it", nodeId, e.getMessage());
      replace(voters(), currentPeers);
    }
  }

  private void replace(List<RaftPeer> voters, Set<String> ids) {
    if (current != null) {
      replaced.add(current);
    }
    current = clients.newClient(RaftGroup.valueOf(RaftNode.META_GROUP_ID, voters));
    currentPeers = ids;
  }

  /**
   * The meta group's voters in this node's copy of its configuration; this node alone while it
   * knows none.
   */
  List<RaftPeer> voters() {
    try {
      List<RaftPeer> voters = new ArrayList<>();
      for (RaftPeer peer :
          divisions
              .server()
              .getDivision(RaftNode.META_GROUP_ID)
              .getRaftConf()
              .getCurrentPeers(RaftPeerRole.FOLLOWER)) {
        // This node at the address it has now: a node restarted on another Raft port still finds
        // itself under its old one in the stored configuration until it re-registers (a single
        // node restarted so would otherwise never reach the meta leader, which is itself).
        voters.add(peer.getId().equals(divisions.self().getId()) ? divisions.self() : peer);
      }
      return voters.isEmpty() ? List.of(divisions.self()) : voters;
    } catch (IOException notHosted) {
      return List.of(divisions.self());
    }
  }

  @Override
  public synchronized void close() {
    if (current != null) {
      replaced.add(current);
    }
    for (RaftClient client : replaced) {
      try {
        client.close();
      } catch (IOException e) {
        LOG.warn("node {}: closing a meta client failed", nodeId, e);
      }
    }
    replaced.clear();
    current = null;
  }
}
