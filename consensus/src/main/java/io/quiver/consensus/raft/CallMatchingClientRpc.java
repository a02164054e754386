package io.quiver.consensus.raft;

import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Raft client transport that hands a reply only to the request it answers: a reply whose call id
 * is not the request's fails that request and resets the connection to the peer.
 *
 * <p>Why: Ratis' Netty client (3.2.1, {@code NettyRpcProxy}) pairs replies with requests by their
 * order on a connection alone, and its Netty server writes no reply at all when handling a request
 * throws a RuntimeException (a stale read sent to a replica whose log is not open yet: "log is
 * uninitialized", seen in SnapshotInstallIT's logs). From then on every request on that connection
 * would complete with the reply of the request after it: a read with another read's points, a write
 * acknowledged by another write's reply. Every Ratis reply carries its request's call id, so the
 * slip is detected at the first successful reply; resetting the connection fails the requests still
 * outstanding on it (the client retries them on a new connection, and the server's retry cache
 * keeps a retried write from being applied twice), and the mismatched request fails with an {@link
 * IOException}, which the client's retry policy also retries. Exception replies cannot be checked
 * (the transport turns them into exceptions without their call id); they only cause retries.
 */
public final class CallMatchingClientRpc implements RaftClientRpc {

  private static final Logger LOG = LoggerFactory.getLogger(CallMatchingClientRpc.class);

  /** A reply that answers another call than the request it was paired with. */
  static final class MismatchedReplyException extends IOException {
    MismatchedReplyException(String message) {
      super(message);
    }
  }

  /** Mismatched replies detected in this process (for tests and logs). */
  private static final AtomicLong MISMATCHES = new AtomicLong();

  private final RaftClientRpc transport;

  CallMatchingClientRpc(RaftClientRpc transport) {
    this.transport = transport;
  }

  /** The transport {@code properties} name (Ratis' own factory), wrapped in this check. */
  static RaftClientRpc of(ClientId clientId, RaftProperties properties, Parameters parameters) {
    ClientFactory factory =
        ClientFactory.cast(RaftConfigKeys.Rpc.type(properties, LOG::debug).newFactory(parameters));
    return new CallMatchingClientRpc(factory.newRaftClientRpc(clientId, properties));
  }

  /** A client builder whose transport is {@link #of}. */
  public static RaftClient.Builder newClientBuilder(
      ClientId clientId, RaftProperties properties, Parameters parameters) {
    RaftClient.Builder builder =
        RaftClient.newBuilder()
            .setClientId(clientId)
            .setProperties(properties)
            .setClientRpc(of(clientId, properties, parameters));
    return parameters == null ? builder : builder.setParameters(parameters);
  }

  /** Mismatched replies detected in this process since it started. */
  public static long mismatches() {
    return MISMATCHES.get();
  }

  @Override
  public CompletableFuture<RaftClientReply> sendRequestAsync(RaftClientRequest request) {
    return transport.sendRequestAsync(request).thenApply(reply -> matched(request, reply));
  }

  @Override
  public CompletableFuture<RaftClientReply> sendRequestAsyncUnordered(RaftClientRequest request) {
    return transport.sendRequestAsyncUnordered(request).thenApply(reply -> matched(request, reply));
  }

  @Override
  public RaftClientReply sendRequest(RaftClientRequest request) throws IOException {
    RaftClientReply reply;
    try {
      reply = transport.sendRequest(request);
    } catch (RuntimeException remote) {
      // Ratis' gRPC transport throws a remote failure of a blocking call (the admin APIs: a group
      // the peer does not host yet, ...) as an unchecked StatusRuntimeException; Ratis' retry
      // and every caller here handle failures of a call as IOExceptions.
      throw new IOException(request.getServerId() + ": " + remote.getMessage(), remote);
    }
    try {
      return matched(request, reply);
    } catch (CompletionException e) {
      throw (IOException) e.getCause();
    }
  }

  private RaftClientReply matched(RaftClientRequest request, RaftClientReply reply) {
    if (reply == null || reply.getCallId() == request.getCallId()) {
      return reply;
    }
    MISMATCHES.incrementAndGet();
    RaftPeerId peer = request.getServerId();
    MismatchedReplyException mismatch =
        new MismatchedReplyException(
            "call #"
                + request.getCallId()
                + " to "
                + peer
                + " received the reply of call #"
                + reply.getCallId()
                + ": the connection's replies are out of step");
    LOG.warn(
        "{}; resetting the connection (its outstanding requests are retried)",
        mismatch.getMessage());
    transport.handleException(peer, mismatch, true);
    throw new CompletionException(mismatch);
  }

  @Override
  public boolean handleException(RaftPeerId serverId, Throwable t, boolean reconnect) {
    return transport.handleException(serverId, t, reconnect);
  }

  @Override
  public boolean shouldReconnect(Throwable t) {
    return transport.shouldReconnect(t);
  }

  @Override
  public void addRaftPeers(Collection<RaftPeer> peers) {
    transport.addRaftPeers(peers);
  }

  @Override
  public void close() throws IOException {
    transport.close();
  }
}
