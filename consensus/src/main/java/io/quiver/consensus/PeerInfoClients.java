package io.quiver.consensus;

import io.quiver.consensus.snapshot.IncomingTransfer;
import io.quiver.consensus.snapshot.SnapshotMessages;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

/**
 * One Raft client per other node for the group-info questions of {@link ShardGroupView} and for the
 * question which snapshots a node is receiving ({@link #transfers}): a group-info request names its
 * group itself, so one client (and its connection) serves every group hosted on that node. Before,
 * each question built and closed a client of its own: the meta leader's audit asks every group
 * every 30 s, so a node with many groups opened a connection (a TLS handshake with TLS on) per
 * remotely led group and audit.
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
    Entry entry = entry(nodeId, raftAddress);
    try {
      return entry.client().getGroupManagementApi(entry.peer().getId()).info(groupId);
    } catch (IOException | RuntimeException e) {
      dropped(nodeId, entry);
      throw e;
    }
  }

  /**
   * Asks node {@code nodeId} at {@code raftAddress} which shard snapshots it is receiving: a stale
   * read of its meta group replica, which every node hosts (as a voter or a listener) and runs once
   * it has joined, unlike a shard group's new replica, which Ratis keeps STARTING (refusing client
   * requests) until its snapshot is in. Sent unordered (see {@code RaftShardClient.staleRead}); the
   * reply completes off the Ratis transport.
   */
  CompletableFuture<List<IncomingTransfer>> transfers(long nodeId, String raftAddress) {
    Entry entry;
    try {
      entry = entry(nodeId, raftAddress);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return org.apache.ratis.client.impl.UnorderedAsync.send(
            RaftClientRequest.staleReadRequestType(0),
            SnapshotMessages.transfers(),
            entry.peer().getId(),
            (org.apache.ratis.client.impl.RaftClientImpl) entry.client())
        .handleAsync(
            (reply, error) -> {
              Throwable failure =
                  error != null ? error : reply.isSuccess() ? null : reply.getException();
              if (failure != null) {
                dropped(nodeId, entry);
                throw new CompletionException(failure);
              }
              try {
                return SnapshotMessages.decodeTransfers(reply.getMessage().getContent());
              } catch (IOException e) {
                throw new CompletionException(e);
              }
            },
            REPLIES);
  }

  /** Decodes the replies of {@link #transfers}, never on a thread of the Ratis transport. */
  private static final java.util.concurrent.Executor REPLIES =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          Thread.ofPlatform().daemon().name("peer-transfers").factory());

  /** The client of node {@code nodeId}, built on first use and after a failure. */
  private Entry entry(long nodeId, String raftAddress) throws IOException {
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
              // The meta group: a group-info request names its own group, and a transfers
              // question goes to the meta group's replica.
              return new Entry(
                  raftAddress,
                  peer,
                  raftClients.newClient(
                      RaftGroup.valueOf(RaftNode.META_GROUP_ID, peer),
                      TimeDuration.valueOf(1, TimeUnit.SECONDS),
                      RetryPolicies.noRetry()));
            });
    if (closed && clients.remove(nodeId, entry)) {
      closeQuietly(entry.client()); // built while the node closed
      throw new IOException("the node is stopping");
    }
    return entry;
  }

  private void dropped(long nodeId, Entry entry) {
    if (clients.remove(nodeId, entry)) {
      closeQuietly(entry.client());
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
