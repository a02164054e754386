package io.quiver.consensus;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

/**
 * One Raft client per other node for the group-info questions of {@link ShardGroupView}: a
 * group-info request names its group itself, so one client (and its connection) serves every group
 * hosted on that node. Before, each question built and closed a client of its own: the meta
 * leader's audit asks every group every 30 s, so a node with many groups opened a connection (a TLS
 * handshake with TLS on) per remotely led group and audit.
 *
 * <p>A client that fails a request (unreachable, timed out, closed) is dropped and closed, and the
 * next question to that node builds a new one; so is a client whose node's address changed.
 * Requests time out after 1 s and are not retried (the caller asks another replica). Thread-safe.
 */
final class PeerInfoClients implements AutoCloseable {

  private record Entry(String address, RaftPeer peer, RaftClient client) {}

  private final RaftClients raftClients;
  private final ConcurrentHashMap<Long, Entry> clients = new ConcurrentHashMap<>();
  private final AtomicLong opened = new AtomicLong();
  private volatile boolean closed;

  PeerInfoClients(RaftClients raftClients) {
    this.raftClients = raftClients;
  }

  /** Asks node {@code nodeId} at {@code raftAddress} for its view of group {@code groupId}. */
  GroupInfoReply info(long nodeId, String raftAddress, RaftGroupId groupId) throws IOException {
    if (closed) {
      throw new IOException("the node is stopping");
    }
    Entry entry =
        clients.compute(
            nodeId,
            (id, old) -> {
              if (old != null && old.address().equals(raftAddress)) {
                return old;
              }
              if (old != null) {
                closeQuietly(old.client());
              }
              RaftPeer peer = RaftNode.peer(nodeId, raftAddress);
              opened.incrementAndGet();
              return new Entry(
                  raftAddress,
                  peer,
                  raftClients.newClient(
                      RaftGroup.valueOf(groupId, peer),
                      TimeDuration.valueOf(1, TimeUnit.SECONDS),
                      RetryPolicies.noRetry()));
            });
    if (closed && clients.remove(nodeId, entry)) {
      closeQuietly(entry.client()); // built while the node closed
      throw new IOException("the node is stopping");
    }
    try {
      return entry.client().getGroupManagementApi(entry.peer().getId()).info(groupId);
    } catch (IOException | RuntimeException e) {
      if (clients.remove(nodeId, entry)) {
        closeQuietly(entry.client());
      }
      throw e;
    }
  }

  /** Clients built since the node started (for tests: one per node asked, not one per question). */
  long opened() {
    return opened.get();
  }

  @Override
  public void close() {
    closed = true;
    clients.values().forEach(e -> closeQuietly(e.client()));
    clients.clear();
  }

  private static void closeQuietly(RaftClient client) {
    try {
      client.close();
    } catch (IOException | RuntimeException ignored) {
      // closing a client of a node that is gone
    }
  }
}
