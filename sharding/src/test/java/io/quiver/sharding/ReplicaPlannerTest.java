package io.quiver.sharding;

import static io.quiver.sharding.ShardRoutingHashTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The replica steps the meta leader carries out one at a time: pure, converging, never the last
 * copy.
 */
class ReplicaPlannerTest {

  private static CollectionDescriptor collection(
      String name, int shards, int rf, List<Long> nodes) {
    CollectionConfig config = config(shards, rf);
    return new CollectionDescriptor(name, config, PlacementPlanner.place(nodes, name, 1, config));
  }

  private static CollectionDescriptor withRf(CollectionDescriptor c, int rf) {
    CollectionConfig old = c.config();
    return new CollectionDescriptor(
        c.name(),
        new CollectionConfig(
            old.vectors(),
            old.shardNumber(),
            rf,
            old.writeConsistencyFactor(),
            old.hnsw(),
            old.optimizers(),
            old.quantization()),
        c.shardMap());
  }

  /**
   * Applies steps until the planner has none; returns the settled collections and the steps taken.
   */
  private static List<CollectionDescriptor> settle(
      List<Long> nodes,
      Set<Long> draining,
      List<CollectionDescriptor> collections,
      boolean rebalance,
      List<ReplicaStep> taken) {
    List<CollectionDescriptor> current = new ArrayList<>(collections);
    for (int i = 0; i < 1000; i++) {
      var step = ReplicaPlanner.next(nodes, draining, current, rebalance);
      if (step.isEmpty()) {
        return current;
      }
      taken.add(step.get());
      for (int j = 0; j < current.size(); j++) {
        if (current.get(j).name().equals(step.get().collection())) {
          current.set(j, ReplicaPlanner.applied(current.get(j), step.get()));
        }
      }
      for (CollectionDescriptor c : current) {
        for (ShardPlacement s : c.shardMap().shards()) {
          assertTrue(!s.replicas().isEmpty(), "a shard lost its last copy after " + taken);
          assertEquals(
              s.replicas().size(),
              new HashSet<>(s.replicas()).size(),
              "two replicas on one node: " + s);
          assertTrue(
              s.witnesses().stream().noneMatch(s.replicas()::contains),
              "a replica and the witness on one node: " + s);
        }
      }
    }
    throw new AssertionError("no convergence: " + taken);
  }

  @Test
  void raisingAndLoweringTheReplicationFactorAddsAndDropsReplicas() {
    List<Long> nodes = List.of(1L, 2L, 3L);
    CollectionDescriptor c = collection("c", 4, 1, nodes);
    List<ReplicaStep> taken = new ArrayList<>();
    CollectionDescriptor raised =
        settle(nodes, Set.of(), List.of(withRf(c, 3)), false, taken).getFirst();
    assertEquals(8, taken.size(), "two replicas added per shard: " + taken);
    assertTrue(taken.stream().allMatch(s -> s instanceof ReplicaStep.Add));
    raised
        .shardMap()
        .shards()
        .forEach(s -> assertEquals(Set.of(1L, 2L, 3L), new HashSet<>(s.replicas())));

    taken.clear();
    CollectionDescriptor lowered =
        settle(nodes, Set.of(), List.of(withRf(raised, 1)), false, taken).getFirst();
    assertEquals(8, taken.size());
    lowered.shardMap().shards().forEach(s -> assertEquals(1, s.replicas().size()));
    Map<Long, Integer> load = ReplicaPlanner.loads(nodes, List.of(lowered));
    assertTrue(
        load.values().stream().allMatch(n -> n >= 1 && n <= 2),
        "dropped from the most loaded: " + load);
  }

  @Test
  void aReplicationFactorAboveTheNodeCountUsesEveryNode() {
    List<Long> nodes = List.of(1L, 2L);
    CollectionDescriptor c = withRf(collection("c", 2, 1, nodes), 3);
    List<ReplicaStep> taken = new ArrayList<>();
    settle(nodes, Set.of(), List.of(c), false, taken)
        .getFirst()
        .shardMap()
        .shards()
        .forEach(s -> assertEquals(2, s.replicas().size()));
  }

  @Test
  void rebalanceEvensOutReplicasOnANewNodeOnlyWhenAsked() {
    List<Long> three = List.of(1L, 2L, 3L);
    List<CollectionDescriptor> cs =
        List.of(collection("a", 4, 2, three), collection("b", 2, 1, three));
    List<Long> four = List.of(1L, 2L, 3L, 4L);
    assertTrue(
        ReplicaPlanner.next(four, Set.of(), cs, false).isEmpty(), "nothing moves unless asked");
    List<ReplicaStep> taken = new ArrayList<>();
    List<CollectionDescriptor> settled = settle(four, Set.of(), cs, true, taken);
    Map<Long, Integer> load = ReplicaPlanner.loads(four, settled);
    int max = load.values().stream().max(Integer::compare).orElseThrow();
    int min = load.values().stream().min(Integer::compare).orElseThrow();
    assertTrue(max - min <= 1, "even: " + load);
    assertTrue(
        taken.stream().allMatch(s -> s instanceof ReplicaStep.Move m && m.to() == 4L),
        "only onto the new node: " + taken);
    assertEquals(
        taken, ReplicaPlanner.plan(four, Set.of(), cs, true, 100), "plan() lists the same steps");
  }

  @Test
  void drainingMovesEveryReplicaOffTheNodeWithoutLosingACopy() {
    List<Long> nodes = List.of(1L, 2L, 3L, 4L);
    List<CollectionDescriptor> cs =
        List.of(collection("a", 4, 2, nodes), collection("b", 3, 1, nodes));
    List<ReplicaStep> taken = new ArrayList<>();
    List<CollectionDescriptor> settled = settle(nodes, Set.of(2L), cs, false, taken);
    assertEquals(0, ReplicaPlanner.loads(nodes, settled).get(2L), "drained: " + settled);
    for (CollectionDescriptor c : settled) {
      for (ShardPlacement s : c.shardMap().shards()) {
        assertEquals(c.config().replicationFactor(), s.replicas().size(), "rf kept: " + s);
      }
    }
  }

  @Test
  void theOnlyCopyOnADrainingNodeStaysWhenThereIsNowhereToGo() {
    List<Long> nodes = List.of(1L);
    List<CollectionDescriptor> cs = List.of(collection("a", 2, 1, nodes));
    assertTrue(ReplicaPlanner.next(nodes, Set.of(1L), cs, true).isEmpty());
  }

  @Test
  void aShardInTheMiddleOfAMoveKeepsItsSurplusReplicaUntilTheChangeEnds() {
    List<Long> nodes = List.of(1L, 2L, 3L);
    CollectionDescriptor c = collection("c", 1, 1, List.of(1L));
    // move_shard 1 -> 2 asked of some node: 2 is in the metadata, the group's configuration is
    // changing.
    CollectionDescriptor moving =
        ReplicaPlanner.applied(c, new ReplicaStep.Add("c", 0, 2L, "move"));
    java.util.UUID group = moving.shardMap().shard(0).groupId();
    assertTrue(
        ReplicaPlanner.next(
                nodes, Set.of(), List.of(moving), false, Map.of(group, 1L), Set.of(group))
            .isEmpty(),
        "the shard being moved is left to the move");
    var step =
        ReplicaPlanner.next(nodes, Set.of(), List.of(moving), false, Map.of(group, 1L), Set.of());
    assertEquals(
        new ReplicaStep.Drop("c", 0, 2L, "replication_factor 1"),
        step.orElseThrow(),
        "once settled (or abandoned), the surplus replica that does not lead is dropped");
  }

  @Test
  void aShardWhoseReplicaIsStillJoiningGetsNoWitnessUntilTheChangeEnds() {
    List<Long> nodes = List.of(1L, 2L, 3L);
    // replication_factor 2: replica 2 is in the metadata, not yet in the group's configuration.
    CollectionDescriptor joining =
        ReplicaPlanner.applied(
            withRf(collection("c", 1, 1, List.of(1L)), 2),
            new ReplicaStep.Add("c", 0, 2L, "replication_factor 2"));
    java.util.UUID group = joining.shardMap().shard(0).groupId();
    assertTrue(
        ReplicaPlanner.next(
                nodes, Set.of(), List.of(joining), true, Map.of(group, 1L), Set.of(group))
            .isEmpty(),
        "no witness, drop or move while the replica joins");
    assertEquals(
        new ReplicaStep.AddWitness(
            "c",
            0,
            3L,
            "replication_factor 2: a third voter keeps the shard available with one node down"),
        ReplicaPlanner.next(nodes, Set.of(), List.of(joining), true, Map.of(group, 1L), Set.of())
            .orElseThrow());
  }

  /**
   * Every shard's witness after settling: exactly one, off the shard's replicas, when rf is 2 and
   * there is a third node.
   */
  private static void assertWitnesses(
      List<Long> nodes, Set<Long> draining, List<CollectionDescriptor> settled) {
    for (CollectionDescriptor c : settled) {
      for (ShardPlacement s : c.shardMap().shards()) {
        boolean third =
            nodes.stream().anyMatch(n -> !draining.contains(n) && !s.replicas().contains(n));
        boolean wanted = c.config().replicationFactor() == 2 && s.replicas().size() == 2 && third;
        assertEquals(
            wanted ? 1 : 0,
            s.witnesses().size(),
            "witnesses of " + c.name() + "/" + s.shardId() + ": " + s);
        s.witnesses()
            .forEach(
                w ->
                    assertTrue(
                        nodes.contains(w) && !draining.contains(w),
                        "witness on a live node: " + s));
      }
    }
  }

  @Test
  void replicationFactorTwoGetsAWitnessOnAThirdNodeAndLosesItWhenItNoLongerNeedsOne() {
    List<Long> nodes = List.of(1L, 2L, 3L);
    CollectionDescriptor created = collection("c", 3, 2, nodes);
    assertWitnesses(nodes, Set.of(), List.of(created)); // placed at creation
    assertTrue(
        ReplicaPlanner.next(nodes, Set.of(), List.of(created), false).isEmpty(),
        "nothing to do: " + created);

    // rf 1 -> 2 on three nodes: a replica, then a witness, per shard.
    List<ReplicaStep> taken = new ArrayList<>();
    CollectionDescriptor two =
        settle(nodes, Set.of(), List.of(withRf(collection("c", 3, 1, nodes), 2)), false, taken)
            .getFirst();
    assertWitnesses(nodes, Set.of(), List.of(two));
    assertEquals(
        3,
        taken.stream().filter(s -> s instanceof ReplicaStep.AddWitness).count(),
        taken.toString());

    // rf 2 -> 3: the witness's node is the only one left for the third replica: the witness goes
    // first.
    taken.clear();
    CollectionDescriptor three =
        settle(nodes, Set.of(), List.of(withRf(two, 3)), false, taken).getFirst();
    assertWitnesses(nodes, Set.of(), List.of(three));
    assertTrue(
        taken.indexOf(
                taken.stream()
                    .filter(s -> s instanceof ReplicaStep.DropWitness)
                    .findFirst()
                    .orElseThrow())
            < taken.indexOf(
                taken.stream().filter(s -> s instanceof ReplicaStep.Add).findFirst().orElseThrow()),
        taken.toString());

    // Two nodes: no witness; a third node joins: one per shard.
    CollectionDescriptor onTwo = collection("d", 2, 2, List.of(1L, 2L));
    assertWitnesses(List.of(1L, 2L), Set.of(), List.of(onTwo));
    taken.clear();
    assertWitnesses(nodes, Set.of(), settle(nodes, Set.of(), List.of(onTwo), false, taken));
    assertEquals(
        List.of(
            new ReplicaStep.AddWitness("d", 0, 3L, taken.getFirst().reason()),
            new ReplicaStep.AddWitness("d", 1, 3L, taken.getFirst().reason())),
        taken);

    // The witness's node drains: its witnesses move to a fourth node.
    List<Long> four = List.of(1L, 2L, 3L, 4L);
    taken.clear();
    List<CollectionDescriptor> drained = settle(four, Set.of(3L), List.of(created), false, taken);
    assertWitnesses(four, Set.of(3L), drained);
    assertTrue(
        drained.getFirst().shardMap().shards().stream().noneMatch(s -> s.voters().contains(3L)),
        drained.toString());

    // The witness's node left the cluster (its witnesses are stripped in the metadata, or planned
    // away here).
    taken.clear();
    List<Long> withoutThree = List.of(1L, 2L, 4L);
    assertWitnesses(
        withoutThree, Set.of(), settle(withoutThree, Set.of(), List.of(created), false, taken));
  }
}
