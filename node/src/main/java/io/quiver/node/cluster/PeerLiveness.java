package io.quiver.node.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether each peer of the cluster is reachable, as this node sees it: once a second one thread
 * opens (and at once closes) a TCP connection to every peer's Raft address, at most one second
 * each. A peer whose last successful connection is older than the dead-after timeout is {@link
 * State#Dead}; a peer not reached since this node started counts from the start. This node itself
 * is always alive. The probe sends no byte, so it costs a peer one accepted connection a second and
 * needs nothing of the Raft protocol (it works the same with TLS between peers).
 */
public final class PeerLiveness implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PeerLiveness.class);
  private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

  /** Qdrant's words: a replica on a dead peer is in state {@code Dead}. */
  public enum State {
    Alive,
    Dead
  }

  /** One peer as last seen: its state and its last successful contact (null: never reached). */
  public record Peer(State state, Instant lastContact) {}

  private final long self;
  private final Supplier<Map<Long, String>> peers;
  private final Duration deadAfter;

  /**
   * A successful contact: when, as shown to users ({@code at}), and in {@link System#nanoTime()}
   * terms, which decide the state: with the wall clock, a step back of it (NTP, a VM resumed) kept
   * a peer that died alive for as long as the step, and a step ahead made every peer dead.
   */
  private record Contact(Instant at, long nanos) {}

  private final long startedNanos = System.nanoTime();
  private final Map<Long, Contact> lastContact = new ConcurrentHashMap<>();
  private final Map<Long, State> logged = new ConcurrentHashMap<>();
  private final ScheduledExecutorService prober =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("peer-liveness").daemon().factory());

  /**
   * @param self this node's id
   * @param peers the cluster's peers: id to Raft {@code host:port}, read at every round
   * @param deadAfter how long without contact makes a peer dead
   */
  public PeerLiveness(long self, Supplier<Map<Long, String>> peers, Duration deadAfter) {
    this.self = self;
    this.peers = peers;
    this.deadAfter = deadAfter;
  }

  public PeerLiveness start() {
    prober.scheduleWithFixedDelay(
        this::probeAll, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  public Duration deadAfter() {
    return deadAfter;
  }

  /** The peer's state now; this node and an unknown id are alive. */
  public Peer peer(long id) {
    if (id == self) {
      return new Peer(State.Alive, Instant.now());
    }
    Contact last = lastContact.get(id);
    long since = last == null ? startedNanos : last.nanos();
    State state = System.nanoTime() - since > deadAfter.toNanos() ? State.Dead : State.Alive;
    return new Peer(state, last == null ? null : last.at());
  }

  public boolean isDead(long id) {
    return peer(id).state() == State.Dead;
  }

  private void probeAll() {
    Map<Long, String> current;
    try {
      current = peers.get();
    } catch (RuntimeException notYet) {
      return; // the cluster metadata is not readable yet
    }
    lastContact.keySet().retainAll(current.keySet());
    logged.keySet().retainAll(current.keySet());
    current.forEach(
        (id, address) -> {
          if (id == self) {
            return;
          }
          if (reachable(address)) {
            lastContact.put(id, new Contact(Instant.now(), System.nanoTime()));
          }
          State state = peer(id).state();
          State before = logged.put(id, state);
          if (before != state && (before != null || state == State.Dead)) {
            // One line per change, never one per probe: a dead peer must not fill the log.
            if (state == State.Dead) {
              LOG.warn(
                  "peer {} at {} is dead: no contact for more than {} s",
                  id,
                  address,
                  deadAfter.toSeconds());
            } else {
              LOG.info("peer {} at {} is alive again", id, address);
            }
          }
        });
  }

  private static boolean reachable(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      return false;
    }
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(
              hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
          (int) PROBE_INTERVAL.toMillis());
      return true;
    } catch (IOException | RuntimeException unreachable) {
      return false;
    }
  }

  @Override
  public void close() {
    prober.shutdownNow();
  }
}
