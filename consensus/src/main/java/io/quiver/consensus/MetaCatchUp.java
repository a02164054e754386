package io.quiver.consensus;

import io.quiver.consensus.meta.MetaCommand;
import io.quiver.consensus.meta.MetaMessages;
import io.quiver.consensus.meta.MetaStateMachine;
import io.quiver.consensus.meta.NodeAddress;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings this node's copy of the cluster metadata up to date after its Raft server has started,
 * then starts the reconciler. Runs on its own thread and never gives up: a node that cannot reach
 * the meta leader (the other nodes are down, the network is cut) keeps running, not ready, and says
 * why in its log — once per new reason and then every {@link #LOG_EVERY_MS} — until it has caught
 * up.
 *
 * <ol>
 *   <li>A node joining through a bootstrap member first hosts the meta group with an empty
 *       configuration (see {@link RaftNode#hostMetaGroup}).
 *   <li>It writes a {@code RegisterNode} entry: while its own copy of the meta group has no
 *       configuration yet (it is not a member), through the voters the bootstrap member names
 *       ({@link #bootstrapContacts}), else through the voters it knows, whose not-leader replies
 *       lead the client to the leader. Always a write, even when nothing changed: once this node
 *       has applied it, its copy holds every earlier entry.
 *   <li>It waits until its meta state machine has applied that entry. Only then may the reconciler
 *       decide which groups to drop: a copy still replaying its log would not yet know recent
 *       collections and would delete their data.
 * </ol>
 */
final class MetaCatchUp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MetaCatchUp.class);
  static final long LOG_EVERY_MS = 10_000;
  private static final long RETRY_PAUSE_MS = 500;

  private final LocalNode local;
  private final MetaStateMachine meta;
  private final LocalDivisions divisions;
  private final RaftClients clients;
  private final MetaClients metaClients;
  private final boolean joining;
  private final NodeAddress address;
  private final Runnable onCaughtUp;
  private final Thread thread;
  private final long startNanos = System.nanoTime();
  private volatile boolean caughtUp;
  private volatile String waitingFor = "the Raft server is starting";
  private String lastLogged;
  private long lastLogNanos;

  /**
   * @param joining true when this node was started on an empty data directory to join the cluster
   *     at the bootstrap address
   */
  MetaCatchUp(
      LocalNode local,
      MetaStateMachine meta,
      LocalDivisions divisions,
      RaftClients clients,
      MetaClients metaClients,
      boolean joining,
      NodeAddress address,
      Runnable onCaughtUp) {
    this.local = local;
    this.meta = meta;
    this.divisions = divisions;
    this.clients = clients;
    this.metaClients = metaClients;
    this.joining = joining;
    this.address = address;
    this.onCaughtUp = onCaughtUp;
    this.thread = new Thread(this::run, "meta-catch-up");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** True once this node has applied its own registration (and the reconciler has started). */
  boolean isCaughtUp() {
    return caughtUp;
  }

  /** What the catch-up waits for now, in words; meaningless once {@link #isCaughtUp()}. */
  String waitingFor() {
    return waitingFor;
  }

  private void run() {
    try {
      if (joining) {
        while (!tryHostMetaGroup()) {
          Thread.sleep(RETRY_PAUSE_MS);
        }
      }
      long index = register();
      awaitApplied(index);
      caughtUp = true;
      LOG.info(
          "node {}: cluster metadata caught up (applied index {}) {} ms after start",
          local.nodeId(),
          index,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
      onCaughtUp.run();
    } catch (InterruptedException closing) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean tryHostMetaGroup() {
    try {
      divisions.hostMetaGroup();
      return true;
    } catch (IOException e) {
      report("host", "could not host the meta group locally: " + e.getMessage());
      return false;
    }
  }

  /**
   * Writes this node's {@code RegisterNode} entry, retrying until one is committed; returns its
   * index.
   */
  private long register() throws InterruptedException {
    while (true) {
      boolean viaBootstrap = local.config().bootstrapAddress() != null && !divisions.isMetaMember();
      // The bootstrap member's peer id is unknown; Ratis answers a request sent to a non-leader
      // with
      // the leader's id and the group's peers, and the client follows. A member asks the voters it
      // knows: a listener's not-leader reply does not lead the client to the leader (MetaClients).
      java.util.List<RaftPeer> contacts = viaBootstrap ? bootstrapContacts() : metaClients.voters();
      String through =
          viaBootstrap
              ? "the bootstrap member " + local.config().bootstrapAddress()
              : "the meta leader";
      waitingFor = "registering with " + through;
      try (RaftClient client =
          clients.newClient(
              RaftGroup.valueOf(RaftNode.META_GROUP_ID, contacts),
              TimeDuration.valueOf(3, TimeUnit.SECONDS),
              RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                  20, TimeDuration.valueOf(250, TimeUnit.MILLISECONDS)))) {
        RaftClientReply reply =
            client
                .io()
                .send(MetaMessages.encode(new MetaCommand.RegisterNode(local.nodeId(), address)));
        if (reply.isSuccess()) {
          return MetaMessages.decodeReply(reply.getMessage().getContent()).value();
        }
        report("register", "could not register with " + through + ": " + reply.getException());
      } catch (IOException e) {
        report(
            "register",
            "could not register with "
                + through
                + " (is a majority of the meta group's voters up and reachable?): "
                + describe(e));
      }
      Thread.sleep(RETRY_PAUSE_MS);
    }
  }

  /**
   * Whom a joining node sends its registration to: the meta leader as the bootstrap member knows
   * it, else the group's members it knows, else the bootstrap member itself. The bootstrap member
   * may be a listener (a node that joined after the voters were chosen): a listener does not lead a
   * client to the leader, and a listener Ratis added to a running group stays STARTING for client
   * requests ("is not in [RUNNING]"), so a node bootstrapping through one could never register
   * (ClusterFormationIT.aNodeJoinsThroughAListener). The group's information is answered by any
   * member: it names the leader the member follows (a listener too), or at least the members.
   */
  private java.util.List<RaftPeer> bootstrapContacts() {
    RaftPeer bootstrap =
        RaftPeer.newBuilder()
            .setId("bootstrap")
            .setAddress(local.config().bootstrapAddress())
            .build();
    try (RaftClient client =
        clients.newClient(
            RaftGroup.valueOf(RaftNode.META_GROUP_ID, bootstrap),
            TimeDuration.valueOf(3, TimeUnit.SECONDS),
            RetryPolicies.noRetry())) {
      org.apache.ratis.protocol.GroupInfoReply info =
          client.getGroupManagementApi(bootstrap.getId()).info(RaftNode.META_GROUP_ID);
      if (info.isSuccess()) {
        // The leader it follows (with its address), else every member of the group it knows.
        var role = info.getRoleInfoProto();
        if (role.hasFollowerInfo()
            && role.getFollowerInfo().hasLeaderInfo()
            && !role.getFollowerInfo().getLeaderInfo().getId().getAddress().isEmpty()) {
          return java.util.List.of(
              org.apache.ratis.util.ProtoUtils.toRaftPeer(
                  role.getFollowerInfo().getLeaderInfo().getId()));
        }
        if (!info.getGroup().getPeers().isEmpty()) {
          return java.util.List.copyOf(info.getGroup().getPeers());
        }
      }
    } catch (IOException | RuntimeException notYet) {
      // the bootstrap member does not answer yet: ask it directly
    }
    return java.util.List.of(bootstrap);
  }

  private void awaitApplied(long index) throws InterruptedException {
    while (meta.state().appliedIndex() < index) {
      report(
          "apply",
          "registered at meta log index "
              + index
              + "; this node's copy of the cluster metadata has applied index "
              + meta.state().appliedIndex()
              + " (waiting for the meta leader to replicate to it)");
      Thread.sleep(20);
    }
  }

  /**
   * Records what the catch-up waits for; logs it when its kind is new, then every {@link
   * #LOG_EVERY_MS}, so a long wait leaves a few lines, not one per attempt.
   */
  private void report(String kind, String reason) {
    waitingFor = reason;
    long now = System.nanoTime();
    boolean newKind = !kind.equals(lastLogged);
    boolean due = now - lastLogNanos >= TimeUnit.MILLISECONDS.toNanos(LOG_EVERY_MS);
    // A short wait for one's own entry to apply is normal; say nothing about it for the first
    // second.
    boolean quietStart = now - startNanos < TimeUnit.SECONDS.toNanos(1) && kind.equals("apply");
    if ((newKind || due) && !quietStart) {
      LOG.warn(
          "node {}: not ready, {} s after start: {}",
          local.nodeId(),
          TimeUnit.NANOSECONDS.toSeconds(now - startNanos),
          reason);
      lastLogged = kind;
      lastLogNanos = now;
    }
  }

  private static String describe(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null && s.length() < 300; t = t.getCause()) {
      if (t.getMessage() != null) {
        s.append(s.isEmpty() ? "" : ": ").append(t.getMessage());
      }
    }
    return s.isEmpty() ? "no answer" : s.toString();
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
