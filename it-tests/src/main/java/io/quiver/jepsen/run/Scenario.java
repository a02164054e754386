package io.quiver.jepsen.run;

import io.quiver.jepsen.nemesis.FaultKind;
import io.quiver.jepsen.workload.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * One run: a workload against a fresh cluster under a nemesis for a while.
 *
 * @param name a short name for reports and the output directory
 * @param workload one of {@link Workload#NAMES}
 * @param nemesis comma-separated fault families ({@link FaultKind#FAMILIES})
 * @param seconds length of the workload phase
 * @param nodes cluster size (3 or 5)
 * @param seed seeds the fault schedule and the clients
 * @param replication the collection's {@code replication_factor} (2: two replicas and a witness per
 *     shard, see docs/design/witnesses.md)
 */
public record Scenario(
    String name,
    String workload,
    String nemesis,
    int seconds,
    int nodes,
    long seed,
    int replication) {

  /** A scenario whose collection has 3 replicas per shard. */
  public Scenario(String name, String workload, String nemesis, int seconds, int nodes, long seed) {
    this(name, workload, nemesis, seconds, nodes, seed, 3);
  }

  public Scenario {
    Workload.named(workload);
    FaultKind.parse(nemesis);
    if (seconds < 10 || seconds > 24 * 3600) {
      throw new IllegalArgumentException("--time 10..86400 seconds, got " + seconds);
    }
    if (nodes != 3 && nodes != 5) {
      throw new IllegalArgumentException("--nodes 3 or 5, got " + nodes);
    }
    if (replication < 1 || replication > nodes) {
      throw new IllegalArgumentException("--replication 1.." + nodes + ", got " + replication);
    }
  }

  /**
   * The CI suite: the four fault families (partition, kill, pause, clock skew with packet loss),
   * each under a different workload, on 3 nodes.
   */
  public static List<Scenario> shortSuite(long seed, int seconds) {
    return List.of(
        new Scenario("register-partition", "register", "partition", seconds, 3, seed),
        // replication_factor 2: each shard's third voter is a witness, so kills test its hand-overs
        new Scenario("set-kill", "set", "kill", seconds, 3, seed + 1, 2),
        new Scenario("delete-pause", "delete", "pause", seconds, 3, seed + 2),
        new Scenario("search-clock", "search", "clock,loss", seconds, 3, seed + 3));
  }

  /**
   * The long suite: every workload under every fault mixed, 5 nodes, {@code totalSeconds} in all.
   */
  public static List<Scenario> longSuite(long seed, int totalSeconds) {
    List<Scenario> all = new ArrayList<>();
    int each = Math.max(10, totalSeconds / Workload.NAMES.size());
    for (int i = 0; i < Workload.NAMES.size(); i++) {
      String w = Workload.NAMES.get(i);
      // the set workload's collection has 2 replicas and a witness per shard (as in the short
      // suite)
      all.add(new Scenario(w + "-all", w, "all", each, 5, seed + i, w.equals("set") ? 2 : 3));
    }
    return all;
  }

  /**
   * @return the arguments {@link ScenarioRun} takes for this scenario
   */
  public List<String> arguments() {
    return List.of(
        "--name",
        name,
        "--workload",
        workload,
        "--nemesis",
        nemesis,
        "--time",
        Integer.toString(seconds),
        "--nodes",
        Integer.toString(nodes),
        "--seed",
        Long.toString(seed),
        "--replication",
        Integer.toString(replication));
  }
}
