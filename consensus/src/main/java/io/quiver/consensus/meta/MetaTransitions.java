package io.quiver.consensus.meta;

import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.PlacementPlanner;
import io.quiver.sharding.ShardMap;
import io.quiver.storage.VectorNameChange;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The rules of the meta group: what each {@link MetaCommand} does to a {@link ClusterState}, or why
 * it is refused. A pure, deterministic function (no clock, no randomness, no Ratis), so every node
 * that applies the same log computes the same states and outcomes, and tests apply command
 * sequences without a Raft group ({@code ClusterStateTest}). Entered through {@link
 * ClusterState#apply}; {@link MetaStateMachine} keeps only the Ratis plumbing around it.
 *
 * <p>A refused command leaves the state as it was (only the applied index moves on).
 */
public final class MetaTransitions {

  private MetaTransitions() {}

  static ClusterState.Applied apply(ClusterState current, long index, MetaCommand command) {
    try {
      return switch (command) {
        case MetaCommand.RegisterNode r ->
            applied(current.withNode(index, r.nodeId(), r.address()));
        case MetaCommand.CreateCollection c -> create(current, index, c);
        case MetaCommand.RemoveNode r -> removeNode(current, index, r);
        case MetaCommand.SetDraining d -> setDraining(current, index, d);
        case MetaCommand.SetRebalancing r -> applied(current.withRebalancing(index, r.on()));
        case MetaCommand.SetShardReplicas r -> {
          MetaOutcome problem = checkReplicas(current, r);
          yield problem != null
              ? refused(current, index, problem)
              : applied(
                  current.withShardReplicas(index, r.collection(), r.shardId(), r.replicas()));
        }
        case MetaCommand.SetShardWitnesses w -> {
          MetaOutcome problem = checkWitnesses(current, w);
          yield problem != null
              ? refused(current, index, problem)
              : applied(
                  current.withShardWitnesses(index, w.collection(), w.shardId(), w.witnesses()));
        }
        case MetaCommand.StartResharding r ->
            ReshardingTransitions.start(current, index, r).applied();
        case MetaCommand.ReshardingStep r ->
            ReshardingTransitions.step(current, index, r).applied();
        case MetaCommand.UpdateCollection u -> update(current, index, u);
        case MetaCommand.ChangeVectorName v -> changeVectorName(current, index, v);
        case MetaCommand.UpdateAliases u -> {
          AliasChanges.Result result = AliasChanges.apply(current, u.actions());
          yield result.refusal() != null
              ? refused(current, index, result.refusal())
              : applied(current.withAliases(index, result.aliases()));
        }
        case MetaCommand.DeleteCollection d -> {
          boolean existed = current.collections().containsKey(d.name());
          ClusterState next = current.withoutCollection(index, d.name());
          yield new ClusterState.Applied(
              next, existed ? MetaOutcome.APPLIED : MetaOutcome.nothingToDelete(d.name()));
        }
      };
    } catch (IllegalArgumentException e) {
      // A config the planner or a constructor refuses (a bad value that passed the edge's checks).
      return refused(current, index, MetaOutcome.badRequest(e.getMessage()));
    }
  }

  private static ClusterState.Applied create(
      ClusterState current, long index, MetaCommand.CreateCollection c) {
    if (current.collections().containsKey(c.name())) {
      return refused(current, index, MetaOutcome.collectionExists(c.name()));
    }
    if (current.aliases().containsKey(c.name())) {
      return refused(
          current,
          index,
          MetaOutcome.badRequest(
              "Wrong input: Can't create collection with name `"
                  + c.name()
                  + "`: an alias with the same name exists"));
    }
    ShardMap map =
        PlacementPlanner.place(
            List.copyOf(current.nodes().keySet()), c.name(), index, c.config(), c.hashing());
    return applied(
        current.withCollection(index, new CollectionDescriptor(c.name(), c.config(), map)));
  }

  private static ClusterState.Applied removeNode(
      ClusterState current, long index, MetaCommand.RemoveNode r) {
    long peer = r.nodeId();
    String holds = replicasOn(current, peer, false);
    String only = replicasOn(current, peer, true);
    if (!current.nodes().containsKey(peer)) {
      return refused(current, index, MetaOutcome.peerNotFound(peer));
    }
    if (holds != null && !r.force()) {
      return refused(
          current,
          index,
          MetaOutcome.conflict(
              only != null
                  ? "peer "
                      + peer
                      + " holds the only copy of shards "
                      + only
                      + "; drain it first (POST /cluster/peer/"
                      + peer
                      + "/drain) or raise their replication_factor. force=true removes it anyway and loses that data"
                  : "peer "
                      + peer
                      + " still holds replicas ("
                      + holds
                      + "); drain it first (POST /cluster/peer/"
                      + peer
                      + "/drain), or move or drop them"));
    }
    if (only != null && current.nodes().size() == 1) {
      return refused(
          current,
          index,
          MetaOutcome.conflict("peer " + peer + " is the last node of the cluster"));
    }
    return applied(ForcedRemoval.apply(current, index, peer));
  }

  private static ClusterState.Applied setDraining(
      ClusterState current, long index, MetaCommand.SetDraining d) {
    if (!current.nodes().containsKey(d.nodeId())) {
      return refused(current, index, MetaOutcome.peerNotFound(d.nodeId()));
    }
    String stuck = d.drain() ? undrainable(current, d.nodeId()) : null;
    if (stuck != null) {
      return refused(current, index, MetaOutcome.conflict(stuck));
    }
    return applied(current.withDraining(index, d.nodeId(), d.drain()));
  }

  private static ClusterState.Applied update(
      ClusterState current, long index, MetaCommand.UpdateCollection u) {
    CollectionDescriptor c = current.collections().get(u.name());
    if (c == null) {
      return refused(current, index, MetaOutcome.collectionNotFound(u.name()));
    }
    if (!sameShape(c.config(), u.config())) {
      return refused(
          current,
          index,
          MetaOutcome.badRequest(
              "Wrong input: an update cannot change the vectors' sizes or distances or the number of shards"));
    }
    int eligible = current.eligibleNodes().size();
    if (u.config().replicationFactor() != c.config().replicationFactor()
        && u.config().replicationFactor() > eligible) {
      return refused(
          current,
          index,
          MetaOutcome.badRequest(
              "Wrong input: `params.replication_factor` "
                  + u.config().replicationFactor()
                  + " is larger than the number of nodes that can hold replicas ("
                  + eligible
                  + ")"));
    }
    return applied(
        current.withCollection(
            index, new CollectionDescriptor(c.name(), u.config(), c.shardMap())));
  }

  private static ClusterState.Applied changeVectorName(
      ClusterState current, long index, MetaCommand.ChangeVectorName v) {
    CollectionDescriptor c = current.collections().get(v.collection());
    if (c == null) {
      return refused(current, index, MetaOutcome.collectionNotFound(v.collection()));
    }
    String problem = VectorNameChange.problem(c.config().vectors(), v.vector(), v.added());
    if (problem != null) {
      return refused(current, index, MetaOutcome.badRequest(problem));
    }
    CollectionConfig config = c.config();
    CollectionConfig changed =
        new CollectionConfig(
            VectorNameChange.apply(config.vectors(), v.vector(), v.added()),
            config.shardNumber(),
            config.replicationFactor(),
            config.writeConsistencyFactor(),
            config.hnsw(),
            config.optimizers(),
            config.quantization(),
            config.strictMode(),
            config.payloadMemory());
    return applied(
        current.withCollection(index, new CollectionDescriptor(c.name(), changed, c.shardMap())));
  }

  private static ClusterState.Applied applied(ClusterState next) {
    return new ClusterState.Applied(next, MetaOutcome.APPLIED);
  }

  private static ClusterState.Applied refused(
      ClusterState current, long index, MetaOutcome outcome) {
    return new ClusterState.Applied(current.atIndex(index), outcome);
  }

  /** True when an update keeps the vectors (names, sizes, distances) and the shard count. */
  private static boolean sameShape(CollectionConfig before, CollectionConfig after) {
    if (before.shardNumber() != after.shardNumber()
        || !before.vectors().vectors().keySet().equals(after.vectors().vectors().keySet())) {
      return false;
    }
    for (var e : before.vectors().vectors().entrySet()) {
      var p = after.vectors().get(e.getKey());
      if (p.size() != e.getValue().size() || p.distance() != e.getValue().distance()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The shards with a replica on {@code nodeId} (only those whose only copy it holds, when {@code
   * onlyCopy}), as "collection/shard, ...", or null when none.
   */
  private static String replicasOn(ClusterState state, long nodeId, boolean onlyCopy) {
    List<String> held = new ArrayList<>();
    for (CollectionDescriptor c : state.collections().values()) {
      for (var s : c.shardMap().shards()) {
        if (s.replicas().contains(nodeId) && (!onlyCopy || s.replicas().size() == 1)) {
          held.add(c.name() + "/" + s.shardId());
        }
      }
    }
    return held.isEmpty() ? null : String.join(", ", held);
  }

  /**
   * Why draining {@code nodeId} could never finish (it holds an only copy and no other node may
   * take it), or null.
   */
  private static String undrainable(ClusterState state, long nodeId) {
    String only = replicasOn(state, nodeId, true);
    boolean elsewhere = state.eligibleNodes().stream().anyMatch(n -> n != nodeId);
    if (only != null && !elsewhere) {
      return "peer "
          + nodeId
          + " holds the only copy of shards "
          + only
          + " and no other node can take them; add a node first";
    }
    return null;
  }

  /** Why a replica change is invalid in {@code state}, or null when it is valid. */
  private static MetaOutcome checkReplicas(ClusterState state, MetaCommand.SetShardReplicas r) {
    CollectionDescriptor c = state.collections().get(r.collection());
    if (c == null) {
      return MetaOutcome.collectionNotFound(r.collection());
    }
    if (r.shardId() < 0 || r.shardId() >= c.shardMap().shardCount()) {
      return MetaOutcome.badRequest(
          "Wrong input: shard "
              + r.shardId()
              + " does not exist in collection `"
              + r.collection()
              + "`");
    }
    if (r.replicas().isEmpty()) {
      return MetaOutcome.badRequest(
          "Wrong input: shard " + r.shardId() + " would have no replica left");
    }
    if (new HashSet<>(r.replicas()).size() != r.replicas().size()) {
      return MetaOutcome.badRequest("Wrong input: a node can hold only one replica of a shard");
    }
    for (long node : r.replicas()) {
      if (!state.nodes().containsKey(node)) {
        return MetaOutcome.badRequest(
            "Wrong input: peer " + node + " is not a member of the cluster");
      }
      if (c.shardMap().shard(r.shardId()).witnesses().contains(node)) {
        return MetaOutcome.badRequest(
            "Wrong input: peer "
                + node
                + " holds the witness of shard "
                + r.shardId()
                + " of `"
                + r.collection()
                + "`; a node holds either a replica or the witness of a shard");
      }
    }
    return null;
  }

  /** Why a witness change is invalid in {@code state}, or null when it is valid. */
  private static MetaOutcome checkWitnesses(ClusterState state, MetaCommand.SetShardWitnesses w) {
    CollectionDescriptor c = state.collections().get(w.collection());
    if (c == null) {
      return MetaOutcome.collectionNotFound(w.collection());
    }
    if (w.shardId() < 0 || w.shardId() >= c.shardMap().shardCount()) {
      return MetaOutcome.badRequest(
          "Wrong input: shard "
              + w.shardId()
              + " does not exist in collection `"
              + w.collection()
              + "`");
    }
    if (new HashSet<>(w.witnesses()).size() != w.witnesses().size()) {
      return MetaOutcome.badRequest("Wrong input: a node can hold only one witness of a shard");
    }
    for (long node : w.witnesses()) {
      if (!state.nodes().containsKey(node)) {
        return MetaOutcome.badRequest(
            "Wrong input: peer " + node + " is not a member of the cluster");
      }
      if (c.shardMap().shard(w.shardId()).replicas().contains(node)) {
        return MetaOutcome.badRequest(
            "Wrong input: peer "
                + node
                + " holds a replica of shard "
                + w.shardId()
                + " of `"
                + w.collection()
                + "`");
      }
    }
    return null;
  }
}
