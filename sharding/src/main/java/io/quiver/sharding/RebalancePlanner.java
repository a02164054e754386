package io.quiver.sharding;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The steps of a rebalance ({@link ReplicaPlanner}'s last priority, only while one is asked), in
 * this order:
 *
 * <ol>
 *   <li><b>Bytes</b>: a replica moves from a node to a lighter one (by {@link ShardWeights}) while
 *       their loads differ by more than {@value #SPREAD_TOLERANCE_PERCENT}% of the mean node load,
 *       choosing the shard whose size is nearest half their gap and strictly less than the gap (so
 *       both nodes end strictly between their old loads, and the move narrows the spread);
 *   <li><b>Replicas</b> (the tie-breaker, all an empty cluster has): a replica moves from a node
 *       holding more than one replica more than another, choosing the smallest shard that is no
 *       larger than the byte gap between them (a shard of 0 bytes always qualifies);
 *   <li><b>Leaders</b>: leadership of a group passes from a node that leads at least two groups
 *       more than another data replica of that group to that replica (never to a witness).
 * </ol>
 *
 * Why no step is ever undone: a byte move of size {@code w < gap} lowers the sum of squared node
 * bytes by {@code 2w(gap - w) > 0}; a replica move keeps that sum from growing ({@code w <= gap})
 * and lowers the sum of squared replica counts; a leader transfer changes neither and lowers the
 * sum of squared leader counts. Each step thus strictly lowers (bytes², replicas², leaders²) in
 * lexicographic order, so from the same sizes no sequence of steps comes back to a placement it
 * left, and planning ends. Ties go to the lower node id, then collection name and shard id.
 */
final class RebalancePlanner {

  /**
   * Node loads closer than this share of the mean node load (in bytes) are even: sizes drift under
   * writes.
   */
  static final int SPREAD_TOLERANCE_PERCENT = 5;

  private RebalancePlanner() {}

  /** The next replica move of a rebalance, or empty when bytes and replica counts are even. */
  static Optional<ReplicaStep> moveStep(
      List<Long> eligible,
      List<CollectionDescriptor> collections,
      ShardWeights weights,
      Map<UUID, Long> leaders,
      Set<UUID> changing) {
    if (eligible.size() < 2) {
      return Optional.empty();
    }
    Map<Long, NodeLoad> load = NodeLoad.perNode(eligible, collections, weights, leaders);
    Optional<ReplicaStep> bytes = byteMove(eligible, load, collections, weights, leaders, changing);
    return bytes.isPresent()
        ? bytes
        : replicaMove(eligible, load, collections, weights, leaders, changing);
  }

  private static Optional<ReplicaStep> byteMove(
      List<Long> eligible,
      Map<Long, NodeLoad> load,
      List<CollectionDescriptor> collections,
      ShardWeights weights,
      Map<UUID, Long> leaders,
      Set<UUID> changing) {
    long total = 0;
    for (long n : eligible) {
      total += load.get(n).bytes();
    }
    long tolerance = total / eligible.size() * SPREAD_TOLERANCE_PERCENT / 100;
    Comparator<Long> light =
        Comparator.<Long>comparingLong(n -> load.get(n).bytes())
            .thenComparingInt(n -> load.get(n).replicas())
            .thenComparing(Comparator.naturalOrder());
    Comparator<Long> heavy =
        Comparator.<Long>comparingLong(n -> -load.get(n).bytes())
            .thenComparingInt(n -> -load.get(n).replicas())
            .thenComparing(Comparator.naturalOrder());
    for (long to : eligible.stream().sorted(light).toList()) {
      for (long from : eligible.stream().sorted(heavy).toList()) {
        long gap = load.get(from).bytes() - load.get(to).bytes();
        if (gap <= tolerance) {
          break;
        }
        Candidate best = null;
        for (CollectionDescriptor c : collections) {
          for (ShardPlacement s : c.shardMap().shards()) {
            long w = weights.bytes(s.groupId());
            if (w > 0 && w < gap && movable(s, from, to, changing)) {
              // Nearest half the gap narrows it most; then a replica that does not lead (no
              // election).
              Candidate candidate =
                  new Candidate(
                      c,
                      s,
                      Math.abs(gap - 2 * w),
                      Long.valueOf(from).equals(leaders.get(s.groupId())));
              if (best == null || candidate.betterThan(best)) {
                best = candidate;
              }
            }
          }
        }
        if (best != null) {
          return Optional.of(
              new ReplicaStep.Move(
                  best.collection.name(),
                  best.shard.shardId(),
                  from,
                  to,
                  "rebalance: node "
                      + from
                      + " holds "
                      + load.get(from).bytes()
                      + " bytes, node "
                      + to
                      + " "
                      + load.get(to).bytes()
                      + "; the shard weighs "
                      + weights.bytes(best.shard.groupId())));
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<ReplicaStep> replicaMove(
      List<Long> eligible,
      Map<Long, NodeLoad> load,
      List<CollectionDescriptor> collections,
      ShardWeights weights,
      Map<UUID, Long> leaders,
      Set<UUID> changing) {
    Comparator<Long> fewest =
        Comparator.<Long>comparingInt(n -> load.get(n).replicas())
            .thenComparing(Comparator.naturalOrder());
    Comparator<Long> most =
        Comparator.<Long>comparingInt(n -> -load.get(n).replicas())
            .thenComparing(Comparator.naturalOrder());
    for (long to : eligible.stream().sorted(fewest).toList()) {
      for (long from : eligible.stream().sorted(most).toList()) {
        if (load.get(from).replicas() - load.get(to).replicas() <= 1) {
          break;
        }
        long gap = load.get(from).bytes() - load.get(to).bytes();
        Candidate best = null;
        for (CollectionDescriptor c : collections) {
          for (ShardPlacement s : c.shardMap().shards()) {
            long w = weights.bytes(s.groupId());
            if ((w == 0 || w <= gap) && movable(s, from, to, changing)) {
              Candidate candidate =
                  new Candidate(c, s, w, Long.valueOf(from).equals(leaders.get(s.groupId())));
              if (best == null || candidate.betterThan(best)) {
                best = candidate;
              }
            }
          }
        }
        if (best != null) {
          return Optional.of(
              new ReplicaStep.Move(
                  best.collection.name(),
                  best.shard.shardId(),
                  from,
                  to,
                  "rebalance: node "
                      + from
                      + " holds "
                      + load.get(from).replicas()
                      + " replicas, node "
                      + to
                      + " "
                      + load.get(to).replicas()));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The next leadership transfer of a rebalance, or empty when no node leads two groups more than
   * another data replica of one of them. Only groups whose leader is known and is one of their data
   * replicas count (a witness that leads hands over by itself).
   */
  static Optional<ReplicaStep> leaderStep(
      List<Long> eligible,
      List<CollectionDescriptor> collections,
      Map<UUID, Long> leaders,
      Set<UUID> changing) {
    Map<Long, NodeLoad> load =
        NodeLoad.perNode(
            eligible, collections, ShardWeights.of(List.of(), ShardReports.NONE), leaders);
    Comparator<Long> most =
        Comparator.<Long>comparingInt(n -> -load.get(n).leaders())
            .thenComparing(Comparator.naturalOrder());
    for (long from : eligible.stream().sorted(most).toList()) {
      int led = load.get(from).leaders();
      for (CollectionDescriptor c : collections) {
        for (ShardPlacement s : c.shardMap().shards()) {
          if (!Long.valueOf(from).equals(leaders.get(s.groupId()))
              || !s.replicas().contains(from)
              || changing.contains(s.groupId())) {
            continue;
          }
          Optional<Long> to =
              s.replicas().stream()
                  .filter(
                      n -> n != from && eligible.contains(n) && load.get(n).leaders() <= led - 2)
                  .min(
                      Comparator.<Long>comparingInt(n -> load.get(n).leaders())
                          .thenComparing(Comparator.naturalOrder()));
          if (to.isPresent()) {
            return Optional.of(
                new ReplicaStep.TransferLeader(
                    c.name(),
                    s.shardId(),
                    from,
                    to.get(),
                    "rebalance: node "
                        + from
                        + " leads "
                        + led
                        + " groups, node "
                        + to.get()
                        + " "
                        + load.get(to.get()).leaders()));
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * True when the shard's replica on {@code from} may move to {@code to} (which holds neither a
   * replica nor its witness).
   */
  private static boolean movable(ShardPlacement s, long from, long to, Set<UUID> changing) {
    return s.replicas().contains(from)
        && !s.replicas().contains(to)
        && !s.witnesses().contains(to)
        && !changing.contains(s.groupId());
  }

  /**
   * A shard that could move; {@code cost} lower is better, then not led by the source node, then
   * the first found.
   */
  private record Candidate(
      CollectionDescriptor collection, ShardPlacement shard, long cost, boolean leads) {
    boolean betterThan(Candidate other) {
      return cost != other.cost ? cost < other.cost : !leads && other.leads;
    }
  }
}
