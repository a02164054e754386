package io.quiver.consensus.meta;

import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.PlacementPlanner;
import io.quiver.sharding.Resharding;
import io.quiver.sharding.ShardMap;
import io.quiver.sharding.ShardPlacement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the meta state machine applies {@link MetaCommand.StartResharding} and {@link
 * MetaCommand.ReshardingStep}: pure functions of the current state, deterministic on every node. A
 * refused command leaves the state as it was; its reply names why.
 */
public final class ReshardingTransitions {

  private ReshardingTransitions() {}

  /** The phases an abort may come from: before the routing switched. */
  private static final java.util.Set<Resharding.Phase> ABORTABLE =
      java.util.EnumSet.of(Resharding.Phase.COPYING, Resharding.Phase.SYNCING);

  /** Stands for "the resharding ends" in {@link #ALLOWED}. */
  private static final Object END = "end";

  /**
   * The steps a resharding may take from each phase (back to copying: a new driver starts the copy
   * again).
   */
  private static final Map<Resharding.Phase, java.util.Set<Object>> ALLOWED =
      Map.of(
          Resharding.Phase.COPYING,
              java.util.Set.of(Resharding.Phase.SYNCING, Resharding.Phase.ABORTING),
          Resharding.Phase.SYNCING,
              java.util.Set.of(
                  Resharding.Phase.CLEANUP, Resharding.Phase.COPYING, Resharding.Phase.ABORTING),
          Resharding.Phase.CLEANUP, java.util.Set.of(END),
          Resharding.Phase.ABORTING, java.util.Set.of(END));

  /** The state after the command and what it came to (a refusal leaves the state as it was). */
  record Outcome(ClusterState next, MetaOutcome outcome) {
    static Outcome refused(ClusterState current, long index, MetaOutcome outcome) {
      return new Outcome(current.atIndex(index), outcome);
    }

    /** The user's message of a refusal, or null when the command was applied. */
    String problem() {
      return outcome.applied() ? null : outcome.message();
    }

    ClusterState.Applied applied() {
      return new ClusterState.Applied(next, outcome);
    }
  }

  static Outcome start(ClusterState current, long index, MetaCommand.StartResharding command) {
    CollectionDescriptor c = current.collections().get(command.collection());
    if (c == null) {
      return notFound(current, index, command.collection());
    }
    ShardMap map = c.shardMap();
    if (map.resharding() != null) {
      return Outcome.refused(
          current,
          index,
          MetaOutcome.badRequest(
              "Bad request: collection `"
                  + c.name()
                  + "` is being resharded already ("
                  + map.resharding().direction().name().toLowerCase(java.util.Locale.ROOT)
                  + " to "
                  + map.resharding().toCount()
                  + " shards); abort it first"));
    }
    int n = map.shardCount();
    if (command.direction() == Resharding.Direction.DOWN) {
      if (n < 2) {
        return Outcome.refused(
            current,
            index,
            MetaOutcome.badRequest(
                "Bad request: collection `"
                    + c.name()
                    + "` has a single shard: it cannot be resharded down"));
      }
      ShardPlacement last = map.shard(n - 1);
      if (command.peerId() != null && !last.replicas().contains(command.peerId())) {
        return Outcome.refused(
            current,
            index,
            MetaOutcome.badRequest(
                "Bad request: peer "
                    + command.peerId()
                    + " holds no replica of shard "
                    + (n - 1)
                    + ", the shard that resharding down removes"));
      }
      long peer = command.peerId() != null ? command.peerId() : last.replicas().getFirst();
      Resharding r =
          new Resharding(Resharding.Direction.DOWN, n, n - 1, peer, Resharding.Phase.COPYING);
      return ok(current, index, c, map.withResharding(index, map.shards(), r));
    }
    if (n >= CollectionConfig.MAX_SHARDS) {
      return Outcome.refused(
          current,
          index,
          MetaOutcome.badRequest(
              "Bad request: collection `"
                  + c.name()
                  + "` has "
                  + n
                  + " shards, the most a collection may have"));
    }
    List<Long> eligible = current.eligibleNodes();
    if (command.peerId() != null && !current.nodes().containsKey(command.peerId())) {
      return Outcome.refused(
          current,
          index,
          MetaOutcome.badRequest(
              "Bad request: peer " + command.peerId() + " is not a member of the cluster"));
    }
    ShardPlacement added;
    try {
      added =
          PlacementPlanner.placeAddedShard(
              eligible,
              load(current),
              command.peerId(),
              c.name(),
              n,
              index,
              c.config().replicationFactor());
    } catch (IllegalArgumentException e) {
      return Outcome.refused(
          current, index, MetaOutcome.badRequest("Bad request: " + e.getMessage()));
    }
    List<ShardPlacement> shards = new ArrayList<>(map.shards());
    shards.add(added);
    Resharding r =
        new Resharding(
            Resharding.Direction.UP,
            n,
            n + 1,
            added.replicas().getFirst(),
            Resharding.Phase.COPYING);
    return ok(current, index, c, map.withResharding(index, shards, r));
  }

  static Outcome step(ClusterState current, long index, MetaCommand.ReshardingStep command) {
    CollectionDescriptor c = current.collections().get(command.collection());
    if (c == null) {
      return notFound(current, index, command.collection());
    }
    ShardMap map = c.shardMap();
    Resharding r = map.resharding();
    String now = r == null ? "not being resharded" : "in resharding phase " + phaseName(r.phase());
    if (command.to() == Resharding.Phase.ABORTING
        && (r == null || !ABORTABLE.contains(r.phase()))) {
      return Outcome.refused(
          current,
          index,
          MetaOutcome.badRequest(
              "Bad request: the resharding of collection `"
                  + c.name()
                  + "` cannot be aborted: it is "
                  + now
                  + (r != null && r.phase() == Resharding.Phase.CLEANUP
                      ? " (its points are routed to the new shards already)"
                      : "")));
    }
    if (r == null || r.phase() != command.from()) {
      return Outcome.refused(
          current,
          index,
          MetaOutcome.conflict(
              "Conflict: collection `"
                  + c.name()
                  + "` is "
                  + now
                  + ", not "
                  + phaseName(command.from())));
    }
    if (!ALLOWED
        .getOrDefault(r.phase(), java.util.Set.of())
        .contains(command.to() == null ? END : command.to())) {
      return Outcome.refused(
          current,
          index,
          MetaOutcome.badRequest(
              "Bad request: a resharding cannot go from "
                  + phaseName(r.phase())
                  + " to "
                  + (command.to() == null ? "its end" : phaseName(command.to()))));
    }
    if (command.to() != null) {
      return ok(
          current, index, c, map.withResharding(index, map.shards(), r.withPhase(command.to())));
    }
    // Ended: the shard that no longer takes points leaves the map.
    boolean finished = r.phase() == Resharding.Phase.CLEANUP;
    int count = finished ? r.toCount() : r.fromCount();
    List<ShardPlacement> shards = map.shards().subList(0, count);
    CollectionConfig config = c.config();
    CollectionConfig resized =
        new CollectionConfig(
            config.vectors(),
            count,
            config.replicationFactor(),
            config.writeConsistencyFactor(),
            config.hnsw(),
            config.optimizers(),
            config.quantization(),
            config.strictMode(),
            config.payloadMemory());
    ClusterState next =
        current.withCollection(
            index,
            new CollectionDescriptor(c.name(), resized, map.withResharding(index, shards, null)));
    return new Outcome(next, MetaOutcome.APPLIED);
  }

  private static Outcome notFound(ClusterState current, long index, String collection) {
    return Outcome.refused(current, index, MetaOutcome.collectionNotFound(collection));
  }

  public static String phaseName(Resharding.Phase phase) {
    return phase.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static Outcome ok(
      ClusterState current, long index, CollectionDescriptor c, ShardMap map) {
    return new Outcome(
        current.withCollection(index, new CollectionDescriptor(c.name(), c.config(), map)),
        MetaOutcome.APPLIED);
  }

  /** Replicas and witnesses per node over every collection. */
  private static Map<Long, Integer> load(ClusterState state) {
    Map<Long, Integer> load = new HashMap<>();
    for (CollectionDescriptor c : state.collections().values()) {
      for (ShardPlacement s : c.shardMap().shards()) {
        s.voters().forEach(n -> load.merge(n, 1, Integer::sum));
      }
    }
    return load;
  }
}
