package io.quiver.consensus;

import io.quiver.consensus.meta.ClusterState;
import io.quiver.consensus.meta.MetaStateMachine;
import io.quiver.consensus.raft.CoalescingTask;
import io.quiver.consensus.raft.GroupManagementThreads;
import io.quiver.consensus.raft.LogBufferMemory;
import io.quiver.consensus.raft.StateMachineUpdaterSignal;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.PlacementPlanner;
import io.quiver.sharding.ShardPlacement;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the local Ratis server host exactly the shard groups the cluster state places on this node,
 * as replicas or as witnesses: adds the missing ones, removes (and deletes the data of) those no
 * longer placed here.
 *
 * <p>Runs on its own thread, never on the apply thread: {@link #onStateChanged} only schedules a
 * pass, and a pass also runs every {@link #CHECK_PERIOD_MS}, which restarts a division that closed
 * by itself ({@link #stoppedItself}). Passes are idempotent; a failed pass is retried after a
 * second.
 */
final class ShardGroupReconciler implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ShardGroupReconciler.class);
  private static final long RETRY_DELAY_MS = 1000;

  /** The client id of this node's own group adds (sent in-process, never over the network). */
  private static final ClientId ADMIN_CLIENT = ClientId.randomId();

  private final LocalNode local;
  private final MetaStateMachine meta;
  private final LocalDivisions divisions;
  private final RaftClients clients;
  private final RaftShardClients shardClients;
  private final CoalescingTask task;
  private final AtomicLong callIds = new AtomicLong();
  private volatile boolean started;
  private volatile boolean converged;

  ShardGroupReconciler(
      LocalNode local,
      MetaStateMachine meta,
      LocalDivisions divisions,
      RaftClients clients,
      RaftShardClients shardClients) {
    this.local = local;
    this.meta = meta;
    this.divisions = divisions;
    this.clients = clients;
    this.shardClients = shardClients;
    this.task = new CoalescingTask("shard-reconciler", RETRY_DELAY_MS, this::pass);
  }

  /** How often a pass runs without a state change, to find divisions that stopped by themselves. */
  private static final long CHECK_PERIOD_MS = 2000;

  /**
   * Starts reconciling. Call only once the local metadata has caught up with the meta group's log
   * (see {@link RaftNode#start}); until then state changes are ignored.
   */
  void start() {
    started = true;
    onStateChanged(meta.state());
    task.triggerEvery(CHECK_PERIOD_MS);
  }

  /** Called on the meta apply thread for every new state: schedules a pass and returns. */
  void onStateChanged(ClusterState state) {
    converged = false;
    if (started) {
      task.trigger();
    }
  }

  boolean isConverged() {
    return converged;
  }

  private void pass() throws IOException {
    ClusterState state = meta.state();
    reconcile(state);
    converged = meta.state() == state;
  }

  private void reconcile(ClusterState state) throws IOException {
    Map<RaftGroupId, RaftGroup> desired = new HashMap<>();
    Set<RaftGroupId> witnessHere = new HashSet<>();
    Set<RaftGroupId> unchangedSinceCreation = new HashSet<>();
    Set<ShardPlacement> allPlacements = new HashSet<>();
    for (CollectionDescriptor c : state.collections().values()) {
      for (ShardPlacement s : c.shardMap().shards()) {
        allPlacements.add(s);
        if (s.voters().contains(local.nodeId())) {
          RaftGroup group = RaftNode.shardGroup(s, state.nodes());
          desired.put(group.getGroupId(), group);
          if (PlacementPlanner.groupId(c.name(), s.shardId(), c.shardMap().epoch())
              .equals(s.groupId())) {
            unchangedSinceCreation.add(group.getGroupId());
          }
          if (s.witnesses().contains(local.nodeId())) {
            witnessHere.add(group.getGroupId());
          }
        }
      }
    }
    Set<RaftGroupId> hosted = new HashSet<>();
    divisions.server().getGroupIds().forEach(hosted::add);
    hosted.remove(RaftNode.META_GROUP_ID);
    // A node that held a replica of a shard and now holds its witness (or the other way round)
    // hosts the group with the wrong kind of state machine: it leaves the group with its data,
    // and is added again below as what it is now.
    boolean swapped = false;
    for (RaftGroupId id : desired.keySet()) {
      if (hosted.contains(id) && divisions.hostsWitness(id) != witnessHere.contains(id)) {
        LOG.info(
            "node {}: shard group {} is hosted as a {} but placed here as a {}: removing it to host it again",
            local.nodeId(),
            id,
            witnessHere.contains(id) ? "replica" : "witness",
            witnessHere.contains(id) ? "witness" : "replica");
        check(manage(removal(id, true)), "remove", id);
        hosted.remove(id);
        swapped = true;
      }
    }

    // A failed add fails the pass only after the restarts and removals below: a removal can free
    // what the add lacked (LogBufferMemory), and a stuck add must not keep a dropped group running.
    IOException addFailed = null;
    try {
      addMissing(desired, hosted, unchangedSinceCreation);
    } catch (IOException e) {
      addFailed = e;
    } finally {
      divisions.firstElectionFor(null);
    }
    for (Map.Entry<RaftGroupId, RaftGroup> e : desired.entrySet()) {
      if (hosted.contains(e.getKey())
          && (stoppedItself(e.getKey()) || startedWithoutConfiguration(e.getValue()))) {
        restart(e.getValue());
      }
    }
    boolean removed = false;
    for (RaftGroupId id : hosted) {
      if (!desired.containsKey(id)) {
        LOG.info("node {}: removing shard group {}", local.nodeId(), id);
        check(manage(removal(id, true)), "remove", id);
        removed = true;
      }
    }
    if (removed || swapped) {
      // Ratis deleted the removed groups' directories: their stores in the node's storage engine go
      // too.
      io.quiver.storage.Shard.dropUnreferencedStores();
    }
    shardClients.retainOnly(allPlacements);
    if (addFailed != null) {
      throw addFailed;
    }
  }

  /**
   * Direct memory left to other buffers (file I/O, transfers) when deciding how many groups fit.
   */
  private static final long DIRECT_MEMORY_RESERVE_BYTES = 16L << 20;

  /**
   * Concurrent "does this group run elsewhere" questions of one pass (each opens a client per
   * peer).
   */
  private static final int CONCURRENT_CHECKS = 8;

  /**
   * Adds the groups this node should host and does not, several at a time (Ratis runs them on
   * {@link GroupManagementThreads}): first those whose only voter is this node, all with the short
   * first election, then all others with the usual one ({@link RaftNode#firstElectionFor} is one
   * setting of the server, read as each division starts, so the two kinds are never added side by
   * side). Whether each joins a running group is asked of the peers for all groups at once first. A
   * failed add fails the pass (retried) after the others of its batch finished.
   */
  private void addMissing(
      Map<RaftGroupId, RaftGroup> desired,
      Set<RaftGroupId> hosted,
      Set<RaftGroupId> unchangedSinceCreation)
      throws IOException {
    List<RaftGroup> missing = new ArrayList<>();
    for (Map.Entry<RaftGroupId, RaftGroup> e : desired.entrySet()) {
      if (!hosted.contains(e.getKey())) {
        missing.add(e.getValue());
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    List<RaftGroup> soleVoter = new ArrayList<>();
    List<RaftGroup> others = new ArrayList<>();
    for (RaftGroup group : startConfigurations(missing, unchangedSinceCreation)) {
      (divisions.isSoleVoter(group) ? soleVoter : others).add(group);
    }
    addAll(soleVoter);
    addAll(others);
  }

  /**
   * The configuration each missing group starts with. A replica joining a group that already runs
   * starts with an empty configuration and learns the real one from the leader's log (Ratis' way to
   * add a server): started with the new configuration, it would time out, campaign with an empty
   * log and disturb the group, and Ratis may shut it down. A group that does not run yet (a new
   * collection) starts with its full configuration. A directory of the group already here (an add
   * or restart that was interrupted) holds a configuration: it starts from it, with the full
   * configuration as its initial one.
   *
   * <p>A group whose collection's shard map has not changed since the group was created (its id is
   * still the one the map's epoch gives) is started with its full configuration without asking:
   * every replica placed there is one of the group's first members, which the leader's
   * configuration holds whether the group runs already or not (a member that starts late catches up
   * from the leader like any follower behind). Asking every peer took 160-360 ms of each collection
   * create in a 3-node cluster.
   */
  private List<RaftGroup> startConfigurations(
      List<RaftGroup> missing, Set<RaftGroupId> unchangedSinceCreation) throws IOException {
    List<Future<RaftGroup>> answers = new ArrayList<>();
    Semaphore checks = new Semaphore(CONCURRENT_CHECKS);
    try (ExecutorService askers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (RaftGroup group : missing) {
        answers.add(
            askers.submit(
                () -> {
                  boolean hereAlready =
                      java.nio.file.Files.isDirectory(
                          local
                              .config()
                              .raftDir()
                              .resolve(group.getGroupId().getUuid().toString()));
                  if (hereAlready
                      || group.getPeers().size() < 2
                      || unchangedSinceCreation.contains(group.getGroupId())) {
                    return group;
                  }
                  checks.acquire();
                  try {
                    return hasLeaderElsewhere(group)
                        ? RaftGroup.valueOf(group.getGroupId())
                        : group;
                  } finally {
                    checks.release();
                  }
                }));
      }
      List<RaftGroup> groups = new ArrayList<>();
      for (Future<RaftGroup> answer : answers) {
        groups.add(answer.get());
      }
      return groups;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking peers about new shard groups", e);
    } catch (ExecutionException e) {
      throw new IOException("asking peers about new shard groups failed", e.getCause());
    }
  }

  /**
   * Adds {@code groups} (all of one kind for {@link RaftNode#firstElectionFor}) through the local
   * server at once and waits for every add.
   */
  private void addAll(List<RaftGroup> groups) throws IOException {
    if (groups.isEmpty()) {
      return;
    }
    divisions.firstElectionFor(groups.get(0));
    // Only as many as the direct memory can hold: a Ratis add that runs out of it leaves the
    // group's directory locked until the node restarts (LogBufferMemory).
    long bufferBytes = divisions.logWriteBufferBytes();
    int fit =
        LogBufferMemory.groupsThatFit(groups.size(), bufferBytes, DIRECT_MEMORY_RESERVE_BYTES);
    IOException failed =
        fit == groups.size()
            ? null
            : new IOException(
                LogBufferMemory.shortage(
                    groups.size() - fit,
                    bufferBytes,
                    (int)
                        java.util.stream.StreamSupport.stream(
                                divisions.server().getGroupIds().spliterator(), false)
                            .count()));
    Map<RaftGroupId, CompletableFuture<RaftClientReply>> adds = new LinkedHashMap<>();
    for (RaftGroup group : groups.subList(0, fit)) {
      LOG.info(
          "node {}: adding shard group {}{}",
          local.nodeId(),
          group.getGroupId(),
          group.getPeers().isEmpty() ? " (joining a running group)" : "");
      adds.put(group.getGroupId(), divisions.server().groupManagementAsync(addition(group)));
    }
    for (Map.Entry<RaftGroupId, CompletableFuture<RaftClientReply>> add : adds.entrySet()) {
      try {
        check(add.getValue().join().isSuccess(), "add", add.getKey());
        StateMachineUpdaterSignal.install(divisions.server(), add.getKey());
      } catch (CompletionException | IOException e) {
        IOException cause =
            e instanceof IOException io
                ? io
                : new IOException("add of group " + add.getKey() + " failed", e.getCause());
        if (failed == null) {
          failed = cause;
        } else {
          failed.addSuppressed(cause);
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  /**
   * True when the local division of a group this node should host has closed although nobody
   * removed it. Ratis 3.2.1 closes a division whose configuration does not contain itself when it
   * starts an election, and a restarted division's configuration can be empty for a moment: a
   * division loaded from disk at start has an empty initial configuration, and after each chunk of
   * a snapshot install Ratis drops the configurations from the leader's last configuration index on
   * (falling back to that initial one) before it sets the leader's, outside the lock an election
   * takes. An election that was waiting for the chunk then finds itself "not in the configuration"
   * and shuts the division down for good (SnapshotInstallIT: a returning replica CLOSED to every
   * later install).
   */
  private boolean stoppedItself(RaftGroupId id) {
    try {
      // CLOSED, not CLOSING: a closing division still holds its storage directory's lock.
      return divisions.server().getDivision(id).getInfo().getLifeCycleState()
          == LifeCycle.State.CLOSED;
    } catch (IOException notHosted) {
      return false;
    }
  }

  /**
   * True when the local division of a group this node should host has no configuration at all and
   * no other replica knows a leader: it came up from a directory whose add was interrupted (a crash
   * before the group's first election logged a configuration; the server reloads such a directory
   * with none, and Ratis keeps a division outside every configuration waiting for a leader to
   * contact it, forever: InterruptedGroupAddTest). A replica added to join a running group also
   * starts without one, but a leader elsewhere then sends it the configuration.
   */
  private boolean startedWithoutConfiguration(RaftGroup group) {
    try {
      if (!divisions
          .server()
          .getDivision(group.getGroupId())
          .getRaftConf()
          .getAllPeers()
          .isEmpty()) {
        return false;
      }
    } catch (IOException notHosted) {
      return false;
    }
    return !hasLeaderElsewhere(group);
  }

  /**
   * Restarts a closed division from its data (Ratis' RECOVER, nothing is formatted or deleted),
   * this time with the group's full configuration as its initial one, so that it can never fall
   * back to an empty configuration again. If the add fails after the remove, the next pass adds the
   * group as a missing one, from the same directory.
   */
  private void restart(RaftGroup group) throws IOException {
    LOG.warn(
        "node {}: shard group {} stopped by itself, or waits without a configuration; restarting it from its data with the configuration {}",
        local.nodeId(),
        group.getGroupId(),
        group.getPeers());
    check(manage(removal(group.getGroupId(), false)), "remove (to restart)", group.getGroupId());
    divisions.firstElectionFor(null);
    check(manage(addition(group)), "restart", group.getGroupId());
  }

  /**
   * True when another replica of the group answers and knows a leader: the group already runs. The
   * other replicas are asked at the same time (each through a new client, 1 s at most): asked one
   * after another they cost a new collection's create about 0.1 s per peer on every node.
   */
  private boolean hasLeaderElsewhere(RaftGroup group) {
    List<RaftPeer> others = new ArrayList<>();
    for (RaftPeer peer : group.getPeers()) {
      if (!peer.getId().equals(divisions.self().getId())) {
        others.add(peer);
      }
    }
    if (others.isEmpty()) {
      return false;
    }
    try (ExecutorService askers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Boolean>> answers = new ArrayList<>();
      for (RaftPeer peer : others) {
        answers.add(askers.submit(() -> knowsLeader(peer, group.getGroupId())));
      }
      boolean known = false;
      for (Future<Boolean> answer : answers) {
        known |= answer.get();
      }
      return known;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException cannotHappen) {
      return false;
    }
  }

  /** True when {@code peer} answers that it hosts the group and knows its leader. */
  private boolean knowsLeader(RaftPeer peer, RaftGroupId groupId) {
    try (RaftClient client =
        clients.newClient(
            RaftGroup.valueOf(groupId, peer),
            TimeDuration.valueOf(1, TimeUnit.SECONDS),
            RetryPolicies.noRetry())) {
      GroupInfoReply info = client.getGroupManagementApi(peer.getId()).info(groupId);
      return info.isSuccess() && knowsLeader(info.getRoleInfoProto());
    } catch (IOException | RuntimeException unreachableOrNotHosting) {
      return false; // this replica cannot tell
    }
  }

  private static boolean knowsLeader(RoleInfoProto role) {
    return role.getRole() == RaftPeerRole.LEADER
        || (role.hasFollowerInfo()
            && role.getFollowerInfo().hasLeaderInfo()
            && !role.getFollowerInfo().getLeaderInfo().getId().getId().isEmpty());
  }

  private static void check(boolean success, String what, RaftGroupId id) throws IOException {
    if (!success) {
      throw new IOException(what + " of group " + id + " was refused");
    }
  }

  /**
   * An add of {@code group} to this node's server. RECOVER, not FORMAT: Ratis formats a new
   * directory, and a directory left by an add or a restart that was interrupted is taken up instead
   * of failing "existing directories found" at every later pass. (Group ids include the
   * collection's creation index, so a directory can only belong to this very group.)
   */
  private GroupManagementRequest addition(RaftGroup group) {
    return GroupManagementRequest.newAdd(
        ADMIN_CLIENT, divisions.self().getId(), callIds.incrementAndGet(), group, false);
  }

  /** A removal of group {@code id} from this node's server, its directory deleted or kept. */
  private GroupManagementRequest removal(RaftGroupId id, boolean deleteDirectory) {
    return GroupManagementRequest.newRemove(
        ADMIN_CLIENT,
        divisions.self().getId(),
        callIds.incrementAndGet(),
        id,
        deleteDirectory,
        false);
  }

  /**
   * Carries out {@code request} on this node's own server, in process, and waits for it; true when
   * it succeeded. Never through a Ratis client: a client sends a request again when it takes longer
   * than the client's timeout (an add under load waits seconds for its directory's lock), and two
   * adds of one group at the same time can leave a started division outside the server's map of
   * groups (Ratis 3.2.1 removes the group from the map when the second add fails, whichever add put
   * it there): that division holds its directory's lock for good, and every later add of the group
   * failed "the directory is already locked" until the process restarted.
   */
  private boolean manage(GroupManagementRequest request) throws IOException {
    if (request.getRemove() != null) {
      return remove(request);
    }
    try {
      return divisions.server().groupManagementAsync(request).join().isSuccess();
    } catch (CompletionException e) {
      throw new IOException(
          "group management (" + request + ") failed", e.getCause() == null ? e : e.getCause());
    }
  }

  /**
   * How long a pass waits for a group's removal before it goes on without it. Ratis closes a
   * removed division on the thread that asks for the removal (an add starts its division on a
   * thread of Ratis' own), and a close that hung held this node's reconciler, so it added no group
   * any more: a drained node whose drain was cancelled never hosted the replicas moved back to it
   * ({@code AutoRebalanceIT}, once: a division's close still running after 90 s).
   */
  static final long REMOVAL_WAIT_MS = 10_000;

  /** Where removals run: a division's close never holds the reconciler's own thread. */
  private final ExecutorService removals =
      Executors.newCachedThreadPool(
          Thread.ofPlatform().daemon().name("group-removal-", 0).factory());

  /**
   * Removes a group through {@link #removals}, waiting at most {@link #REMOVAL_WAIT_MS}. The group
   * leaves the server's map of groups at once, so the next pass does not see it hosted; a removal
   * still closing its division after the wait is logged with where it is, and the pass goes on (an
   * add of the same group meanwhile fails on its directory's lock, and is tried again at the next
   * pass).
   */
  private boolean remove(GroupManagementRequest request) throws IOException {
    java.util.concurrent.atomic.AtomicReference<Thread> runner =
        new java.util.concurrent.atomic.AtomicReference<>();
    long started = System.nanoTime();
    CompletableFuture<Boolean> removed =
        CompletableFuture.supplyAsync(
            () -> {
              runner.set(Thread.currentThread());
              return divisions.server().groupManagementAsync(request).join().isSuccess();
            },
            removals);
    try {
      return removed.get(REMOVAL_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
      throw new IOException("group management (" + request + ") failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while removing group " + request.getRaftGroupId(), e);
    } catch (java.util.concurrent.TimeoutException slow) {
      Thread t = runner.get();
      LOG.warn(
          "node {}: removing shard group {} has taken more than {} ms; going on without waiting"
              + " (its division is still closing, at: {})",
          local.nodeId(),
          request.getRaftGroupId(),
          REMOVAL_WAIT_MS,
          t == null ? "not started" : stackOf(t));
      removed.whenComplete(
          (ok, error) -> {
            LOG.info(
                "node {}: the removal of shard group {} ended {} ms after it began{}",
                local.nodeId(),
                request.getRaftGroupId(),
                (System.nanoTime() - started) / 1_000_000,
                error == null ? "" : ": " + error);
            if (error == null) {
              // The pass that asked for it dropped the unreferenced stores before this removal
              // deleted the group's directory: its store goes now, not at some later removal.
              io.quiver.storage.Shard.dropUnreferencedStores();
            }
          });
      return true;
    }
  }

  private static String stackOf(Thread t) {
    StringBuilder out = new StringBuilder(t.getName());
    StackTraceElement[] frames = t.getStackTrace();
    for (int i = 0; i < Math.min(frames.length, 30); i++) {
      out.append(" <- ").append(frames[i]);
    }
    return out.toString();
  }

  @Override
  public void close() {
    task.close();
    removals.shutdown();
  }
}
