package io.quiver.sharding;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides the next change of replica placement, one step at a time. Pure and deterministic: the
 * same cluster gives the same step on every node, and the caller plans again from the resulting
 * cluster after each step (so a step that failed or was overtaken is simply planned afresh).
 *
 * <p>In order of priority:
 *
 * <ol>
 *   <li><b>Under-replicated</b>: a shard with fewer replicas than {@code min(replication_factor,
 *       eligible nodes)} gets one on the least-loaded eligible node that lacks it.
 *   <li><b>Draining</b>: a replica on a draining node is dropped once the shard has a copy on a
 *       node that is not draining (step 1 counts only those, so it adds the copy first: a drain is
 *       an add then a drop). A draining node's only copy with nowhere to go stays.
 *   <li><b>Over-replicated</b>: a shard with more replicas than {@code replication_factor} loses
 *       the one on the most-loaded node (never the last copy).
 *   <li><b>Witnesses</b>: a witness on a node that left or drains is dropped, as is one of a shard
 *       that should have none; a shard should have exactly one when its collection's {@code
 *       replication_factor} is 2 and it has its 2 replicas, so that its group of three voters
 *       survives the loss of any one node. It is placed on the eligible node without a replica of
 *       the shard that holds the fewest witnesses (then the fewest replicas). A node that holds a
 *       shard's witness never takes a replica of it: when it is the only node left for a needed
 *       replica, the witness is dropped first.
 *   <li><b>Rebalance</b> (only when asked, see {@link RebalancePlanner}): replicas move until the
 *       bytes per node are even (within a tolerance), then the replica counts; then leadership of
 *       shard groups passes between data replicas until no node leads clearly more than another.
 * </ol>
 *
 * A node's load is the bytes of the replicas it holds over all collections ({@link ShardWeights},
 * from the points the groups reported), then their number; eligible nodes are the members that are
 * not draining. Ties go to the lower node id, then the lower collection name and shard id.
 */
public final class ReplicaPlanner {

  private ReplicaPlanner() {}

  /** The next step, or empty when the placement is as it should be. */
  public static Optional<ReplicaStep> next(
      Collection<Long> nodes,
      Set<Long> draining,
      Collection<CollectionDescriptor> collections,
      boolean rebalance) {
    return next(nodes, draining, collections, rebalance, Map.of(), Set.of());
  }

  /**
   * As {@link #next(Collection, Set, Collection, boolean)}, knowing the leaders of some shard
   * groups ({@code leaders}: group id -> node): a surplus replica is dropped from a node that does
   * not lead the group when there is one (a group that loses its leader is without one for an
   * election, and in Ratis 3.2 sometimes for many seconds). The groups in {@code changing} are in
   * the middle of a replica change that some node carries out (a {@code move_shard} asked of it:
   * the new replica is in the metadata and not yet in the group's configuration): no step is
   * planned for them (their surplus replica is the one being added; a witness added beside a
   * replica that is still joining would make the configuration change wait for both).
   */
  public static Optional<ReplicaStep> next(
      Collection<Long> nodes,
      Set<Long> draining,
      Collection<CollectionDescriptor> collections,
      boolean rebalance,
      Map<java.util.UUID, Long> leaders,
      Set<java.util.UUID> changing) {
    return next(
        nodes, draining, collections, rebalance, new ShardReports(leaders, Map.of()), changing);
  }

  /**
   * As {@link #next(Collection, Set, Collection, boolean, Map, Set)}, with what the groups
   * reported: their leaders, and their points, which weigh each replica ({@link ShardWeights}) when
   * choosing where a replica goes, which one is dropped, and which moves a rebalance makes.
   */
  public static Optional<ReplicaStep> next(
      Collection<Long> nodes,
      Set<Long> draining,
      Collection<CollectionDescriptor> collections,
      boolean rebalance,
      ShardReports reports,
      Set<java.util.UUID> changing) {
    return next(
        nodes,
        draining,
        collections,
        rebalance,
        reports,
        ShardWeights.of(collections, reports),
        changing);
  }

  private static Optional<ReplicaStep> next(
      Collection<Long> nodes,
      Set<Long> draining,
      Collection<CollectionDescriptor> collections,
      boolean rebalance,
      ShardReports reports,
      ShardWeights weights,
      Set<java.util.UUID> changing) {
    Map<java.util.UUID, Long> leaders = reports.leaders();
    List<Long> eligible = nodes.stream().filter(n -> !draining.contains(n)).sorted().toList();
    Map<Long, NodeLoad> nodeLoad = NodeLoad.perNode(nodes, collections, weights, leaders);
    Comparator<Long> lighter = lighterFirst(nodeLoad);
    List<CollectionDescriptor> sorted =
        collections.stream().sorted(Comparator.comparing(CollectionDescriptor::name)).toList();

    for (CollectionDescriptor c : sorted) {
      int target = Math.min(c.config().replicationFactor(), eligible.size());
      for (ShardPlacement s : c.shardMap().shards()) {
        if (changing.contains(s.groupId())) {
          continue;
        }
        long live = s.replicas().stream().filter(r -> !draining.contains(r)).count();
        if (live < target) {
          Optional<Long> to = leastLoaded(eligible, lighter, s);
          if (to.isPresent()) {
            return Optional.of(
                new ReplicaStep.Add(
                    c.name(),
                    s.shardId(),
                    to.get(),
                    "replication_factor " + c.config().replicationFactor()));
          }
          Optional<Long> witness = s.witnesses().stream().filter(eligible::contains).findFirst();
          if (witness.isPresent()) {
            return Optional.of(
                new ReplicaStep.DropWitness(
                    c.name(),
                    s.shardId(),
                    witness.get(),
                    "node "
                        + witness.get()
                        + " is needed for a replica (replication_factor "
                        + c.config().replicationFactor()
                        + ")"));
          }
        }
      }
    }
    for (CollectionDescriptor c : sorted) {
      for (ShardPlacement s : c.shardMap().shards()) {
        for (long r : s.replicas()) {
          if (!draining.contains(r) || changing.contains(s.groupId())) {
            continue;
          }
          // Step 1 has already added the copies the shard needs elsewhere (where it could).
          if (s.replicas().stream().anyMatch(other -> !draining.contains(other))) {
            return Optional.of(
                new ReplicaStep.Drop(c.name(), s.shardId(), r, "node " + r + " is draining"));
          }
        }
      }
    }
    for (CollectionDescriptor c : sorted) {
      for (ShardPlacement s : c.shardMap().shards()) {
        if (s.replicas().size() > c.config().replicationFactor()
            && !changing.contains(s.groupId())) {
          Long leader = leaders.get(s.groupId());
          long victim =
              s.replicas().stream()
                  .max(
                      Comparator.<Long, Boolean>comparing(n -> !n.equals(leader))
                          .thenComparingLong(n -> nodeLoad.get(n).bytes())
                          .thenComparingInt(n -> nodeLoad.get(n).replicas())
                          .thenComparing(Comparator.reverseOrder()))
                  .orElseThrow();
          return Optional.of(
              new ReplicaStep.Drop(
                  c.name(),
                  s.shardId(),
                  victim,
                  "replication_factor " + c.config().replicationFactor()));
        }
      }
    }
    Optional<ReplicaStep> witnessStep =
        witnessStep(nodes, draining, eligible, lighter, sorted, changing);
    if (witnessStep.isPresent()) {
      return witnessStep;
    }
    if (rebalance) {
      Optional<ReplicaStep> move =
          RebalancePlanner.moveStep(eligible, sorted, weights, leaders, changing);
      return move.isPresent()
          ? move
          : RebalancePlanner.leaderStep(eligible, sorted, leaders, changing);
    }
    return Optional.empty();
  }

  /** True when the shard should have a witness: see the class comment. */
  public static boolean wantsWitness(CollectionDescriptor c, ShardPlacement s) {
    return c.config().replicationFactor() == 2 && s.replicas().size() == 2;
  }

  private static Optional<ReplicaStep> witnessStep(
      Collection<Long> nodes,
      Set<Long> draining,
      List<Long> eligible,
      Comparator<Long> lighter,
      List<CollectionDescriptor> sorted,
      Set<java.util.UUID> changing) {
    for (CollectionDescriptor c : sorted) {
      for (ShardPlacement s : c.shardMap().shards()) {
        for (int i = 0; i < s.witnesses().size() && !changing.contains(s.groupId()); i++) {
          long w = s.witnesses().get(i);
          if (!nodes.contains(w)) {
            return Optional.of(
                new ReplicaStep.DropWitness(
                    c.name(), s.shardId(), w, "node " + w + " left the cluster"));
          }
          if (draining.contains(w)) {
            return Optional.of(
                new ReplicaStep.DropWitness(
                    c.name(), s.shardId(), w, "node " + w + " is draining"));
          }
          if (!wantsWitness(c, s) || i > 0) {
            return Optional.of(
                new ReplicaStep.DropWitness(
                    c.name(),
                    s.shardId(),
                    w,
                    "a shard with "
                        + s.replicas().size()
                        + " replicas (replication_factor "
                        + c.config().replicationFactor()
                        + ") needs "
                        + (wantsWitness(c, s) ? "one witness" : "no witness")));
          }
        }
      }
    }
    Map<Long, Integer> witnesses = witnessLoads(nodes, sorted);
    for (CollectionDescriptor c : sorted) {
      for (ShardPlacement s : c.shardMap().shards()) {
        if (wantsWitness(c, s) && s.witnesses().isEmpty() && !changing.contains(s.groupId())) {
          Optional<Long> to =
              eligible.stream()
                  .filter(n -> !s.replicas().contains(n))
                  .min(
                      Comparator.<Long>comparingInt(n -> witnesses.getOrDefault(n, 0))
                          .thenComparing(lighter));
          if (to.isPresent()) {
            return Optional.of(
                new ReplicaStep.AddWitness(
                    c.name(),
                    s.shardId(),
                    to.get(),
                    "replication_factor 2: a third voter keeps the shard available with one node down"));
          }
        }
      }
    }
    return Optional.empty();
  }

  /** Witnesses per node (every member present, with 0 when it holds none). */
  static Map<Long, Integer> witnessLoads(
      Collection<Long> nodes, Collection<CollectionDescriptor> collections) {
    Map<Long, Integer> load = new HashMap<>();
    nodes.forEach(n -> load.put(n, 0));
    for (CollectionDescriptor c : collections) {
      for (ShardPlacement s : c.shardMap().shards()) {
        s.witnesses().forEach(w -> load.merge(w, 1, Integer::sum));
      }
    }
    return load;
  }

  /**
   * Every step from here to a settled placement, computed by applying each step to a copy of the
   * placement (what {@code GET /cluster/rebalance} shows). Bounded by {@code maxSteps}.
   */
  public static List<ReplicaStep> plan(
      Collection<Long> nodes,
      Set<Long> draining,
      Collection<CollectionDescriptor> collections,
      boolean rebalance,
      int maxSteps) {
    return plan(nodes, draining, collections, rebalance, ShardReports.NONE, maxSteps).steps();
  }

  /**
   * As {@link #plan(Collection, Set, Collection, boolean, int)}, knowing what the groups reported,
   * with each step's shard weight and the node loads after it. A group whose leading replica moves
   * or is dropped has no known leader for the rest of the plan (its next one is elected then).
   */
  public static RebalancePlan plan(
      Collection<Long> nodes,
      Set<Long> draining,
      Collection<CollectionDescriptor> collections,
      boolean rebalance,
      ShardReports reports,
      int maxSteps) {
    Map<String, CollectionDescriptor> current = new java.util.TreeMap<>();
    collections.forEach(c -> current.put(c.name(), c));
    ShardWeights weights = ShardWeights.of(collections, reports);
    Map<java.util.UUID, Long> leaders = new HashMap<>(reports.leaders());
    Map<Long, NodeLoad> before = NodeLoad.perNode(nodes, current.values(), weights, leaders);
    List<RebalancePlan.Planned> steps = new ArrayList<>();
    while (steps.size() < maxSteps) {
      Optional<ReplicaStep> step =
          next(
              nodes,
              draining,
              current.values(),
              rebalance,
              new ShardReports(leaders, reports.points()),
              weights,
              Set.of());
      if (step.isEmpty()) {
        break;
      }
      CollectionDescriptor c = current.get(step.get().collection());
      java.util.UUID group = c.shardMap().shard(step.get().shardId()).groupId();
      Long leader = leaders.get(group);
      switch (step.get()) {
        case ReplicaStep.TransferLeader t -> leaders.put(group, t.to());
        case ReplicaStep.Move m when leader != null && leader == m.from() -> leaders.remove(group);
        case ReplicaStep.Drop d when leader != null && leader == d.node() -> leaders.remove(group);
        case ReplicaStep.DropWitness d when leader != null && leader == d.node() ->
            leaders.remove(group);
        default -> {}
      }
      current.put(c.name(), applied(c, step.get()));
      steps.add(
          new RebalancePlan.Planned(
              step.get(),
              weights.bytes(group),
              weights.points(group),
              NodeLoad.perNode(nodes, current.values(), weights, leaders)));
    }
    Map<Long, NodeLoad> after = steps.isEmpty() ? before : steps.getLast().loadsAfter();
    return new RebalancePlan(steps, before, after);
  }

  /**
   * The collection with {@code step} applied to its shard map (same epoch: a plan, not a change).
   */
  static CollectionDescriptor applied(CollectionDescriptor c, ReplicaStep step) {
    if (step instanceof ReplicaStep.TransferLeader) {
      return c; // the placement stays
    }
    List<ShardPlacement> shards = new ArrayList<>(c.shardMap().shards());
    ShardPlacement s = shards.get(step.shardId());
    List<Long> replicas = new ArrayList<>(s.replicas());
    List<Long> witnesses = new ArrayList<>(s.witnesses());
    switch (step) {
      case ReplicaStep.Add a -> replicas.add(a.to());
      case ReplicaStep.Drop d -> replicas.remove(d.node());
      case ReplicaStep.Move m -> {
        replicas.remove(m.from());
        replicas.add(m.to());
      }
      case ReplicaStep.AddWitness a -> witnesses.add(a.to());
      case ReplicaStep.DropWitness d -> witnesses.remove(d.node());
      case ReplicaStep.TransferLeader t -> throw new IllegalStateException("handled above: " + t);
    }
    shards.set(s.shardId(), new ShardPlacement(s.shardId(), s.groupId(), replicas, witnesses));
    return new CollectionDescriptor(
        c.name(), c.config(), c.shardMap().withShards(c.shardMap().epoch(), shards));
  }

  /** The lightest eligible node that holds neither a replica nor the witness of shard {@code s}. */
  private static Optional<Long> leastLoaded(
      List<Long> eligible, Comparator<Long> lighter, ShardPlacement s) {
    return eligible.stream()
        .filter(n -> !s.replicas().contains(n) && !s.witnesses().contains(n))
        .min(lighter);
  }

  /** Nodes by bytes held, then replicas held, then id. */
  private static Comparator<Long> lighterFirst(Map<Long, NodeLoad> load) {
    return Comparator.<Long>comparingLong(n -> load.get(n).bytes())
        .thenComparingInt(n -> load.get(n).replicas())
        .thenComparing(Comparator.naturalOrder());
  }

  /** Replicas per node (every member present, with 0 when it holds none). */
  public static Map<Long, Integer> loads(
      Collection<Long> nodes, Collection<CollectionDescriptor> collections) {
    Map<Long, Integer> load = new HashMap<>();
    nodes.forEach(n -> load.put(n, 0));
    for (CollectionDescriptor c : collections) {
      for (ShardPlacement s : c.shardMap().shards()) {
        s.replicas().forEach(r -> load.merge(r, 1, Integer::sum));
      }
    }
    return load;
  }
}
