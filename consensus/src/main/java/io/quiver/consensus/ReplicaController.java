package io.quiver.consensus;

import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReplicaPlanner;
import io.quiver.sharding.ReplicaStep;
import io.quiver.sharding.ShardPlacement;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the meta group's leader: keeps replica placement where the metadata says it should be, one
 * shard-group membership change at a time — replicas added or dropped until every shard has its
 * collection's {@code replication_factor} (at most one per node), draining nodes emptied, and a
 * rebalance carried out when one was asked for ({@link ClusterState#rebalancing()}). Each step is
 * planned afresh from the applied metadata by the pure {@link ReplicaPlanner} and carried out
 * with {@link ShardReplicaChanges} (an added replica catches up by snapshot install and the log
 * before its membership change commits). A failed step is planned again a second later; a new
 * meta leader picks up where the old one stopped, since everything it plans from is in the log.
 *
 * <p>With {@link RaftNodeConfig#autoRebalance()}, the leader asks for a rebalance itself whenever
 * the set of nodes that may hold replicas has grown since it last looked (a node joined, a drained
 * node was removed and another joined...).
 */
final class ReplicaController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaController.class);
  private static final long RETRY_DELAY_MS = 1000;

  private final RaftNode node;
  private final CoalescingTask task;
  private volatile ReplicaStep current;
  private volatile String lastError;
  private final AtomicLong stepsDone = new AtomicLong();
  private Set<Long> knownEligible; // only touched on the task's thread; null until this node leads
  private final Map<UUID, Long> changingSince = new HashMap<>(); // group -> nanoTime first seen mid-change; task thread only

  ReplicaController(RaftNode node) {
    this.node = node;
    this.task = new CoalescingTask("replica-controller", RETRY_DELAY_MS, this::pass);
  }

  void onStateChanged(ClusterState state) {
    task.trigger();
  }

  void onLeaderChanged() {
    task.trigger();
  }

  /** The step being carried out by this node (the meta leader), or null. */
  ReplicaStep currentStep() {
    return current;
  }

  /** Steps this node carried out since it started. */
  long stepsDone() {
    return stepsDone.get();
  }

  /** Why the last step failed (it is planned again), or null when it succeeded. */
  String lastError() {
    return lastError;
  }

  private void pass() throws Exception {
    RaftServer.Division division = node.server().getDivision(RaftNode.META_GROUP_ID);
    if (!division.getInfo().isLeaderReady() || !node.isCaughtUp()) {
      knownEligible = null;
      return;
    }
    ClusterState state = node.clusterState();
    if (node.config().autoRebalance()) {
      Set<Long> eligible = new TreeSet<>(state.eligibleNodes());
      if (knownEligible != null && !knownEligible.containsAll(eligible) && !state.rebalancing()) {
        LOG.info("node {}: nodes {} may take replicas now (were {}): rebalancing (cluster.auto_rebalance)",
            node.nodeId(), eligible, knownEligible);
        knownEligible = eligible;
        node.catalogInternal().setRebalancing(true).join();
        task.trigger();
        return;
      }
      knownEligible = eligible;
    }
    OverReplicated over = overReplicated(state);
    Optional<ReplicaStep> step = ReplicaPlanner.next(state.nodes().keySet(), state.draining(),
        state.collections().values(), state.rebalancing(), over.leaders(), over.changing());
    if (step.isEmpty()) {
      if (state.rebalancing()) {
        LOG.info("node {}: rebalance finished", node.nodeId());
        node.catalogInternal().setRebalancing(false).join();
      }
      return;
    }
    ReplicaStep s = step.get();
    current = s;
    LOG.info("node {}: replica step {} ({})", node.nodeId(), s, s.reason());
    try {
      ShardReplicaChanges changes = node.replicaChanges();
      switch (s) {
        case ReplicaStep.Add a -> changes.replicate(a.collection(), a.shardId(), anyReplica(state, a), a.to()).join();
        case ReplicaStep.Drop d -> changes.drop(d.collection(), d.shardId(), d.node()).join();
        case ReplicaStep.Move m -> changes.move(m.collection(), m.shardId(), m.from(), m.to()).join();
        case ReplicaStep.AddWitness a -> changes.addWitness(a.collection(), a.shardId(), a.to()).join();
        case ReplicaStep.DropWitness d -> changes.dropWitness(d.collection(), d.shardId(), d.node()).join();
      }
      stepsDone.incrementAndGet();
      lastError = null;
    } catch (RuntimeException e) {
      lastError = s + ": " + RaftFailureWords.describe(e.getCause() == null ? e : e.getCause());
      throw e;
    } finally {
      current = null;
    }
    task.trigger(); // the next step, planned from the state this one produced
  }

  /**
   * How long a shard group may look mid-change (metadata and configuration disagree) before this
   * controller treats it as a change that was abandoned (its node died) and repairs it.
   */
  static final long ABANDONED_CHANGE_MS = 60_000;

  /** What the replicas of the over-replicated shard groups say: who leads, and which groups are mid-change. */
  private record OverReplicated(Map<UUID, Long> leaders, Set<UUID> changing) {}

  /**
   * Asks the over-replicated shard groups (those the planner may drop from) who leads them and
   * whether their leader's configuration holds exactly the metadata's replicas. A group whose
   * voters differ is in the middle of a replica change that some node carries out (a move adds the
   * new replica to the metadata, then to the configuration): dropping its surplus replica would
   * undo that change halfway. After {@link #ABANDONED_CHANGE_MS} the change counts as abandoned.
   */
  private OverReplicated overReplicated(ClusterState state) {
    Map<UUID, Long> leaders = new HashMap<>();
    Set<UUID> changing = new java.util.HashSet<>();
    long now = System.nanoTime();
    Set<UUID> stillChanging = new java.util.HashSet<>();
    for (CollectionDescriptor c : state.collections().values()) {
      for (ShardPlacement s : c.shardMap().shards()) {
        if (s.replicas().size() <= c.config().replicationFactor()) {
          continue;
        }
        GroupView view = viewOf(state, s);
        if (view != null) {
          leaders.put(s.groupId(), view.leader());
        }
        // A group whose leader did not answer (busy, electing) may be mid-change as well: only a
        // leader's configuration that holds exactly the metadata's replicas says it is settled.
        if (view == null || !view.voters().equals(Set.copyOf(s.voters()))) {
          stillChanging.add(s.groupId());
          long since = changingSince.computeIfAbsent(s.groupId(), g -> now);
          if (now - since < TimeUnit.MILLISECONDS.toNanos(ABANDONED_CHANGE_MS)) {
            changing.add(s.groupId());
          } else {
            LOG.warn("node {}: shard group {} has had voters {} but replicas {} in the metadata for over {} s: "
                + "treating the change as abandoned", node.nodeId(), s.groupId(), view == null ? "(no leader answered)" : view.voters(), s.replicas(),
                ABANDONED_CHANGE_MS / 1000);
          }
        }
      }
    }
    changingSince.keySet().retainAll(stillChanging);
    return new OverReplicated(leaders, changing);
  }

  /** A shard group as its leader sees it: the leader's node and the voters of its configuration. */
  private record GroupView(long leader, Set<Long> voters) {}

  /** The group as its leader (one of the metadata's replicas) sees it, or null when no replica answers as leader. */
  private GroupView viewOf(ClusterState state, ShardPlacement shard) {
    RaftGroupId groupId = RaftGroupId.valueOf(shard.groupId());
    for (long replica : shard.replicas()) {
      NodeAddress address = state.nodes().get(replica);
      if (address == null) {
        continue;
      }
      RaftPeer peer = RaftNode.peer(replica, address.raftAddress());
      try (RaftClient client = node.newClient(RaftGroup.valueOf(groupId, peer), TimeDuration.valueOf(1, TimeUnit.SECONDS),
          RetryPolicies.noRetry())) {
        GroupInfoReply info = client.getGroupManagementApi(peer.getId()).info(groupId);
        // The reply's group holds the leader's current configuration (read from the group, not
        // from the conf field, which Ratis' Netty transport left empty).
        if (info.isSuccess() && info.getRoleInfoProto().getRole() == RaftPeerRole.LEADER) {
          Set<Long> voters = new TreeSet<>();
          info.getGroup().getPeers().stream()
              .map(p -> RaftNode.nodeIdOf(p.getId().toString()))
              .filter(java.util.Objects::nonNull)
              .forEach(voters::add);
          return new GroupView(replica, voters);
        }
      } catch (IOException | RuntimeException unreachable) {
        // ask the next replica
      }
    }
    return null;
  }

  private static long anyReplica(ClusterState state, ReplicaStep step) {
    CollectionDescriptor c = state.collections().get(step.collection());
    ShardPlacement shard = c.shardMap().shard(step.shardId());
    List<Long> live = shard.replicas().stream().filter(r -> !state.draining().contains(r)).toList();
    return live.isEmpty() ? shard.replicas().getFirst() : live.getFirst();
  }

  @Override
  public void close() {
    task.close();
  }
}
