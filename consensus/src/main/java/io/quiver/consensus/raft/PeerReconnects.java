package io.quiver.consensus.raft;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.grpc.server.GrpcServicesImpl;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a group without a leader reach peers that came back. Ratis' gRPC transport talks to a peer
 * over one channel, and after failed connects that channel waits in gRPC's exponential backoff (up
 * to two minutes) before it connects again; meanwhile every call on it fails at once. Ratis resets
 * the backoff only in a leader's log appender. So a candidate whose channel to a restarted peer is
 * in backoff cannot get that peer's vote, and when the restarted peer's log is the shorter one (it
 * cannot win itself) the group stays without a leader for as long as the backoff lasts: a node
 * restarted after 10 s of a peer's outage waited more than 90 s for the meta group (WitnessTest in
 * CI). Once a second, this resets the backoff of the channels to every peer of each group hosted
 * here that has no leader; a reset of a channel that is connected, or whose peer is still down,
 * costs one connect attempt at most.
 */
public final class PeerReconnects implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PeerReconnects.class);
  static final long EVERY_MS = 1_000;

  private static volatile Method resetConnectBackoff;

  private final RaftServer server;
  private final ScheduledExecutorService timer;

  public PeerReconnects(RaftServer server, long nodeId) {
    this.server = server;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "peer-reconnects-n" + nodeId);
              t.setDaemon(true);
              return t;
            });
  }

  public void start() {
    timer.scheduleWithFixedDelay(
        this::resetLeaderlessGroups, EVERY_MS, EVERY_MS, TimeUnit.MILLISECONDS);
  }

  private void resetLeaderlessGroups() {
    if (!(server.getServerRpc() instanceof GrpcServicesImpl rpc)) {
      return;
    }
    try {
      for (RaftGroupId group : server.getGroupIds()) {
        RaftServer.Division division;
        try {
          division = server.getDivision(group);
        } catch (IOException closedMeanwhile) {
          continue;
        }
        if (division.getInfo().getLeaderId() != null) {
          continue;
        }
        for (RaftPeer peer : division.getRaftConf().getAllPeers()) {
          if (!peer.getId().equals(server.getId())) {
            reset(rpc, peer);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("resetting peer connections failed; tried again in {} ms", EVERY_MS, e);
    }
  }

  private static void reset(GrpcServicesImpl rpc, RaftPeer peer) {
    Object proxy;
    try {
      proxy = rpc.getProxies().getProxy(peer.getId());
    } catch (IOException | RuntimeException notConnectedYet) {
      return; // no channel to this peer yet (or the server is closing): nothing to reset
    }
    try {
      resetMethod(proxy).invoke(proxy);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("could not reset the connection backoff to {}", peer.getId(), e);
    }
  }

  /**
   * Ratis' {@code GrpcServerProtocolClient.resetConnectBackoff()} is public, but its class is
   * package-private, so it is called reflectively (looked up once).
   */
  private static Method resetMethod(Object proxy) throws NoSuchMethodException {
    Method m = resetConnectBackoff;
    if (m == null) {
      m = proxy.getClass().getMethod("resetConnectBackoff");
      m.setAccessible(true);
      resetConnectBackoff = m;
    }
    return m;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
