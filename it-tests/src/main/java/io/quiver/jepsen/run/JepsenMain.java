package io.quiver.jepsen.run;

import io.quiver.jepsen.workload.Workload;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code bin/quiver jepsen}: runs scenarios against the local build and prints a line per scenario,
 * then {@code jepsen: S scenarios, O operations, F faults, A anomalies}. Without {@code --workload}
 * and {@code --nemesis} it runs the short suite (the one CI runs); {@code --long} runs the long
 * one; with either flag it runs that workload (or all four) under that nemesis. Exit code 0 if
 * every scenario ran and was valid, 1 otherwise, 64 on bad usage, 77 if this machine cannot run it.
 */
public final class JepsenMain {

  private static final String USAGE =
      """
            usage: bin/quiver jepsen [--long] [--workload register|set|search|delete|all]
                                     [--nemesis partition|kill|pause|clock|loss|membership|resharding|rebalance|all|none (comma-separated)]
                                     [--time SECONDS] [--seed N] [--nodes 3|5] [--out DIR]
              no --workload/--nemesis: the short suite (4 scenarios, 3 nodes, 60 s each)
              --long: every workload under all faults mixed, 5 nodes, 30 minutes in all
            """;

  private JepsenMain() {}

  public static void main(String[] args) throws Exception {
    boolean longSuite = false;
    String workload = null;
    String nemesis = null;
    Integer time = null;
    Integer nodes = null;
    long seed = System.nanoTime() & 0xffffff;
    Path out =
        Path.of(
            "jepsen-out",
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--long" -> longSuite = true;
          case "--workload" -> workload = args[++i];
          case "--nemesis" -> nemesis = args[++i];
          case "--time" -> time = Integer.parseInt(args[++i]);
          case "--seed" -> seed = Long.parseLong(args[++i]);
          case "--nodes" -> nodes = Integer.parseInt(args[++i]);
          case "--out" -> out = Path.of(args[++i]);
          case "-h", "--help" -> {
            System.out.print(USAGE);
            return;
          }
          default -> throw new IllegalArgumentException("unknown flag " + args[i]);
        }
      }
    } catch (RuntimeException e) {
      System.err.print("jepsen: " + e.getMessage() + "\n" + USAGE);
      System.exit(64);
    }
    List<Scenario> scenarios;
    try {
      scenarios = scenarios(longSuite, workload, nemesis, time, nodes, seed);
    } catch (IllegalArgumentException e) {
      System.err.print("jepsen: " + e.getMessage() + "\n" + USAGE);
      System.exit(64);
      return;
    }
    JepsenLauncher launcher =
        new JepsenLauncher(
            Path.of(System.getProperty("quiver.node.dir", "node/target")),
            Path.of(System.getProperty("quiver.home", ".")));
    Optional<String> unavailable = launcher.unavailableReason();
    if (unavailable.isPresent()) {
      System.err.println("jepsen: cannot run here: " + unavailable.get());
      System.exit(77);
    }
    System.out.println("jepsen: seed " + seed + ", output in " + out.toAbsolutePath());
    long operations = 0;
    long faults = 0;
    long anomalies = 0;
    boolean allPassed = true;
    for (Scenario s : scenarios) {
      ScenarioResult r = launcher.run(s, out.resolve(s.name()));
      System.out.println(r.line());
      for (String v : r.verdicts()) {
        System.out.println("    " + v);
      }
      operations += r.operations();
      faults += r.faults();
      anomalies += r.anomalies();
      allPassed &= r.passed();
    }
    System.out.printf(
        "jepsen: %d scenarios, %d operations, %d faults, %d anomalies%n",
        scenarios.size(), operations, faults, anomalies);
    System.exit(allPassed ? 0 : 1);
  }

  static List<Scenario> scenarios(
      boolean longSuite, String workload, String nemesis, Integer time, Integer nodes, long seed) {
    if (workload == null && nemesis == null) {
      List<Scenario> suite =
          longSuite
              ? Scenario.longSuite(seed, time == null ? 1800 : time)
              : Scenario.shortSuite(seed, time == null ? 60 : time);
      if (nodes == null) {
        return suite;
      }
      return suite.stream()
          .map(
              s ->
                  new Scenario(
                      s.name(),
                      s.workload(),
                      s.nemesis(),
                      s.seconds(),
                      nodes,
                      s.seed(),
                      Math.min(s.replication(), nodes)))
          .toList();
    }
    List<String> workloads =
        workload == null || workload.equals("all") ? Workload.NAMES : List.of(workload);
    String faults = nemesis == null ? "all" : nemesis;
    List<Scenario> scenarios = new ArrayList<>();
    for (int i = 0; i < workloads.size(); i++) {
      String w = workloads.get(i);
      scenarios.add(
          new Scenario(
              w + "-" + faults.replace(',', '+'),
              w,
              faults,
              time == null ? (longSuite ? 450 : 60) : time,
              nodes == null ? (longSuite ? 5 : 3) : nodes,
              seed + i));
    }
    return scenarios;
  }
}
