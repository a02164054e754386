package io.quiver.jepsen.nemesis;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The kinds of fault a schedule mixes, grouped into the families the command line names. */
public enum FaultKind {
  /** Two halves that cannot reach each other (the smaller half first). */
  PARTITION_HALVES("partition"),
  /** The meta group's leader cut off from every other node. */
  ISOLATE_META_LEADER("partition"),
  /** A shard's leader cut off from every other node. */
  ISOLATE_SHARD_LEADER("partition"),
  /** A shard's leader drops every packet from the other nodes, while its own still go out. */
  ONE_WAY("partition"),
  /** {@code kill -9} of a node (a leader half of the time), restarted when the fault ends. */
  KILL("kill"),
  /** SIGSTOP of a node (a leader half of the time), SIGCONT when the fault ends. */
  PAUSE("pause"),
  /** Wall clocks of some nodes moved by up to an hour either way, reset when the fault ends. */
  CLOCK_SKEW("clock"),
  /**
   * The wall clock of n1 (through which the final reads go) one hour ahead while the other nodes
   * are killed, so that its requests fail at once and are retried every 100 ms; at the heal its
   * clock steps back first, then the others restart. A retry scheduled by the wall clock (as Ratis'
   * Timers did) is then due an hour later, and its client's ordered stream waits behind it: plain
   * skews catch that only when a request happens to be retried at the instant a skew heals (CI's
   * search-clock run, once).
   */
  CLOCK_STEP_WHILE_RETRYING("clock"),
  /** Random loss of 10 to 40 percent of the packets between some nodes and the rest. */
  PACKET_LOSS("loss"),
  /**
   * {@code move_shard} of a shard's replica (its leader's half of the time) to a node without one;
   * needs a node that holds no replica of the shard (more nodes than the replication factor).
   */
  MOVE_REPLICA("membership"),
  /**
   * {@code PATCH} of the collection's {@code replication_factor} one up (the cluster adds a replica
   * of every shard) and, at the heal, back (it drops one); when every node holds a replica, one
   * down first and back up at the heal.
   */
  REPLICATE_AND_DROP("membership"),
  /**
   * {@code start_resharding} up (the cluster adds a shard and moves a share of the points to it)
   * and, at the heal, once it has ended, down again (the points move back).
   */
  RESHARD("resharding"),
  /**
   * {@code POST /cluster/peer/{id}/drain} of a node (the cluster moves its replicas to the others)
   * and, at the heal, the drain cancelled and {@code POST /cluster/rebalance} (replicas move back
   * until the nodes hold about as many each); needs more nodes than the replication factor.
   */
  DRAIN_AND_REBALANCE("rebalance");

  private final String family;

  FaultKind(String family) {
    this.family = family;
  }

  public String family() {
    return family;
  }

  /** The family names the command line accepts, plus {@code all} and {@code none}. */
  public static final List<String> FAMILIES =
      List.of(
          "partition",
          "kill",
          "pause",
          "clock",
          "loss",
          "membership",
          "resharding",
          "rebalance",
          "all",
          "none");

  /**
   * @param spec comma-separated families, e.g. {@code "partition,kill"}, or {@code all}, or {@code
   *     none}
   * @return the kinds they contain
   */
  public static Set<FaultKind> parse(String spec) {
    Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
    for (String part : spec.toLowerCase(Locale.ROOT).split(",")) {
      String family = part.strip();
      if (!FAMILIES.contains(family)) {
        throw new IllegalArgumentException("unknown nemesis '" + family + "'; one of " + FAMILIES);
      }
      for (FaultKind k : values()) {
        if (family.equals("all") || k.family.equals(family)) {
          kinds.add(k);
        }
      }
    }
    return kinds;
  }

  /**
   * @return the families of {@code kinds}, comma-separated
   */
  public static String families(Set<FaultKind> kinds) {
    List<String> names = new ArrayList<>();
    for (FaultKind k : kinds) {
      if (!names.contains(k.family)) {
        names.add(k.family);
      }
    }
    return names.isEmpty() ? "none" : String.join(",", names);
  }
}
