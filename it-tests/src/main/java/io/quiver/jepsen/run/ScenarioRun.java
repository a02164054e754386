package io.quiver.jepsen.run;

import io.quiver.jepsen.CheckHistory;
import io.quiver.jepsen.checker.CheckResult;
import io.quiver.jepsen.checker.Checker;
import io.quiver.jepsen.checker.Verdict;
import io.quiver.jepsen.harness.QuiverCluster;
import io.quiver.jepsen.history.FaultWindow;
import io.quiver.jepsen.history.History;
import io.quiver.jepsen.history.HistoryReader;
import io.quiver.jepsen.history.HistoryWriter;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.nemesis.FaultKind;
import io.quiver.jepsen.nemesis.NamespaceNemesis;
import io.quiver.jepsen.nemesis.NemesisRunner;
import io.quiver.jepsen.nemesis.NemesisSchedule;
import io.quiver.jepsen.report.LatencyPlot;
import io.quiver.jepsen.workload.PointCalls;
import io.quiver.jepsen.workload.QuiverClient;
import io.quiver.jepsen.workload.Workload;
import io.quiver.jepsen.workload.WorkloadRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One scenario, run by a JVM inside the client namespace (started by {@link JepsenLauncher}; the
 * node namespaces already exist): forms the cluster, creates the collection, runs the clients and
 * the nemesis for the scenario's time, heals everything, waits for a quiet cluster, does the final
 * reads, stops the nodes, and judges the history. Writes into {@code --out}: {@code history.jsonl},
 * {@code faults.txt}, {@code checks.txt} (every checker's verdict and counterexamples), {@code
 * latency.png}, {@code result.json}, and each node's data and log under {@code nI/}. Exit code 0 if
 * every checker found the history valid, 1 if one found an anomaly, 2 if one could not decide, 3 if
 * the run itself failed.
 */
public final class ScenarioRun {

  /** Shards of the test collection, so that shard leaders sit on different nodes. */
  public static final int SHARDS = 2;

  /** Client threads per node. */
  public static final int CLIENTS_PER_NODE = 2;

  /** The clients' request timeout: an operation that takes longer is indeterminate. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /** Quiet time after healing, before the final reads. */
  public static final Duration QUIET = Duration.ofSeconds(5);

  private ScenarioRun() {}

  public static void main(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      flags.put(args[i], args[i + 1]);
    }
    Path out = Path.of(flags.getOrDefault("--out", "jepsen-run"));
    int code;
    try {
      Files.createDirectories(out);
      Scenario scenario =
          new Scenario(
              flags.getOrDefault("--name", "scenario"),
              flags.get("--workload"),
              flags.get("--nemesis"),
              Integer.parseInt(flags.get("--time")),
              Integer.parseInt(flags.get("--nodes")),
              Long.parseLong(flags.get("--seed")),
              Integer.parseInt(
                  flags.getOrDefault(
                      "--replication",
                      Integer.toString(Math.min(3, Integer.parseInt(flags.get("--nodes")))))));
      Path nodeBuild =
          Path.of(System.getProperty("quiver.node.dir", "node/target")).toAbsolutePath();
      code = run(scenario, out, nodeBuild, System.out);
    } catch (Exception e) {
      e.printStackTrace();
      try {
        ScenarioResult.failed(flags.getOrDefault("--name", "scenario"), e.toString(), 0)
            .write(out.resolve("result.json"));
      } catch (IOException ignored) {
        // the launcher reports the missing result
      }
      code = 3;
    }
    System.exit(code);
  }

  static int run(Scenario scenario, Path out, Path nodeBuild, PrintStream console)
      throws Exception {
    long started = System.nanoTime();
    Set<FaultKind> kinds = FaultKind.parse(scenario.nemesis());
    Workload workload = Workload.named(scenario.workload());
    Path historyFile = out.resolve("history.jsonl");
    boolean finalReadsDone;
    long runStart;
    try (QuiverCluster cluster =
            QuiverCluster.form(
                scenario.nodes(),
                out,
                nodeBuild,
                kinds.stream().anyMatch(k -> k.family().equals("clock")));
        HistoryWriter history = new HistoryWriter(historyFile)) {
      console.printf(
          "%s: %d nodes ready after %.1fs%n",
          scenario.name(), scenario.nodes(), (System.nanoTime() - started) / 1e9);
      QuiverClient client = new QuiverClient(REQUEST_TIMEOUT);
      runStart = System.nanoTime();
      PointCalls calls = new PointCalls(client, () -> System.nanoTime() - runStart);
      calls.createCollection(cluster.node(1).baseUrl(), SHARDS, scenario.replication());
      if (!cluster.awaitShardLeaders(PointCalls.COLLECTION, SHARDS, Duration.ofSeconds(60))) {
        throw new IllegalStateException("the collection's shards have no leaders after 60 s");
      }
      long workStart = System.nanoTime() - runStart;
      NamespaceNemesis nemesis = new NamespaceNemesis(cluster);
      NemesisSchedule schedule =
          NemesisSchedule.plan(scenario.seed(), kinds, Duration.ofSeconds(scenario.seconds()));
      WorkloadRunner clients =
          new WorkloadRunner(
              workload,
              cluster.nodes(),
              calls,
              history,
              () -> System.nanoTime() - runStart,
              CLIENTS_PER_NODE * scenario.nodes(),
              scenario.seed(),
              20);
      try (NemesisRunner faults =
          new NemesisRunner(
              shifted(schedule, workStart),
              nemesis,
              cluster,
              PointCalls.COLLECTION,
              SHARDS,
              history,
              () -> System.nanoTime() - runStart,
              out.resolve("faults.txt"))) {
        faults.start();
        clients.run(workStart + scenario.seconds() * 1_000_000_000L, 30_000);
        faults.stop();
        faults.note("end of workload: heal everything");
        nemesis.healAll();
        boolean quiet =
            cluster.awaitShardLeaders(PointCalls.COLLECTION, SHARDS, Duration.ofSeconds(90));
        faults.note(
            quiet
                ? "healed; every shard has a leader"
                : "healed, but some shard has no leader after 90 s");
        if (!quiet) {
          Files.writeString(
              out.resolve("diagnosis.txt"),
              cluster.describe(PointCalls.COLLECTION),
              StandardCharsets.UTF_8);
        }
        Thread.sleep(QUIET.toMillis());
        long now = System.nanoTime() - runStart;
        finalReadsDone =
            clients.finalReads(
                cluster.anyRunning(1).orElseThrow(),
                1_000_000,
                now + 60_000_000_000L,
                faults::note);
        faults.note(
            finalReadsDone ? "final reads done" : "final reads did not all succeed within 60 s");
        if (!finalReadsDone) {
          Files.writeString(
              out.resolve("diagnosis.txt"),
              cluster.describe(PointCalls.COLLECTION),
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
        }
      }
    }
    History history = HistoryReader.read(historyFile);
    List<String> verdicts = new ArrayList<>();
    int anomalies = 0;
    int unknown = 0;
    StringBuilder checks = new StringBuilder();
    for (Checker checker : CheckHistory.CHECKERS) {
      CheckResult result = checker.check(history);
      checks.append(result).append("\n\n");
      verdicts.add(result.checker() + ": " + result.verdict() + " - " + result.summary());
      if (result.verdict() == Verdict.INVALID) {
        anomalies++;
      } else if (result.verdict() == Verdict.UNKNOWN) {
        unknown++;
      }
    }
    Files.writeString(out.resolve("checks.txt"), checks, StandardCharsets.UTF_8);
    new LatencyPlot(
            LatencyPlot.WIDTH_DEFAULT,
            LatencyPlot.HEIGHT_DEFAULT,
            scenario.name()
                + " ("
                + scenario.workload()
                + ", nemesis "
                + scenario.nemesis()
                + ", seed "
                + scenario.seed()
                + ")")
        .write(history, FaultWindow.of(history), out.resolve("latency.png"));
    long operations = history.select(op -> op.f() != OpFunction.FAULT).size();
    long faults = history.select(op -> op.f() == OpFunction.FAULT).size();
    ScenarioResult result =
        new ScenarioResult(
            scenario.name(),
            operations,
            faults,
            anomalies,
            unknown,
            verdicts,
            null,
            (System.nanoTime() - started) / 1e9);
    result.write(out.resolve("result.json"));
    console.print(checks);
    return anomalies > 0 ? 1 : unknown > 0 ? 2 : 0;
  }

  /** The plan's times are relative to the workload's start, the runner's to the run's. */
  private static NemesisSchedule shifted(NemesisSchedule schedule, long offsetNanos) {
    long offsetMillis = offsetNanos / 1_000_000;
    return new NemesisSchedule(
        schedule.faults().stream()
            .map(
                p ->
                    new NemesisSchedule.Planned(
                        p.kind(), p.startMillis() + offsetMillis, p.holdMillis(), p.seed()))
            .toList());
  }
}
