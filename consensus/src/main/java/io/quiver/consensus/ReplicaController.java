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
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
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
    Optional<ReplicaStep> step = ReplicaPlanner.next(state.nodes().keySet(), state.draining(),
        state.collections().values(), state.rebalancing(), leadersOfOverReplicated(state));
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

  /** The leaders of the shard groups with more replicas than their replication factor (those the planner may drop from). */
  private Map<UUID, Long> leadersOfOverReplicated(ClusterState state) {
    Map<UUID, Long> leaders = new HashMap<>();
    for (CollectionDescriptor c : state.collections().values()) {
      for (ShardPlacement s : c.shardMap().shards()) {
        if (s.replicas().size() > c.config().replicationFactor()) {
          Long leader = leaderOf(state, s);
          if (leader != null) {
            leaders.put(s.groupId(), leader);
          }
        }
      }
    }
    return leaders;
  }

  /** The node leading a shard group as one of its replicas sees it, or null when none can tell. */
  private Long leaderOf(ClusterState state, ShardPlacement shard) {
    var local = node.shardStatus(shard.groupId());
    if (local.isPresent() && local.get().leaderNodeId() != null) {
      return local.get().leaderNodeId();
    }
    for (long replica : shard.replicas()) {
      NodeAddress address = state.nodes().get(replica);
      if (address == null) {
        continue;
      }
      RaftPeer peer = RaftNode.peer(replica, address.raftAddress());
      RaftGroupId groupId = RaftGroupId.valueOf(shard.groupId());
      try (RaftClient client = node.newClient(RaftGroup.valueOf(groupId, peer), TimeDuration.valueOf(1, TimeUnit.SECONDS),
          RetryPolicies.noRetry())) {
        GroupInfoReply info = client.getGroupManagementApi(peer.getId()).info(groupId);
        if (info.isSuccess()) {
          RoleInfoProto role = info.getRoleInfoProto();
          if (role.getRole() == RaftPeerRole.LEADER) {
            return replica;
          }
          if (role.hasFollowerInfo() && role.getFollowerInfo().hasLeaderInfo()) {
            String id = role.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8();
            if (id.startsWith("n")) {
              return Long.parseLong(id.substring(1));
            }
          }
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
