package io.quiver.jepsen.run;

import io.quiver.jepsen.harness.Command;
import io.quiver.jepsen.harness.NetworkLock;
import io.quiver.jepsen.harness.NodeHost;
import io.quiver.jepsen.harness.TestNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs scenarios from the root namespace: per scenario it builds the {@link TestNetwork}, starts
 * {@link ScenarioRun} in a JVM inside the client namespace ({@code ip netns exec qjc java ...},
 * same class path), waits for it with a hard deadline, and tears the network down in a {@code
 * finally} and in a shutdown hook, so every exit path leaves nothing behind.
 */
public final class JepsenLauncher {

  /**
   * Time a scenario may take beyond its workload phase: forming, healing, final reads, checking.
   */
  public static final Duration SLACK = Duration.ofSeconds(420);

  /**
   * How long a scenario waits for another run on this machine (same namespaces and addresses) to
   * finish.
   */
  public static final Duration LOCK_WAIT = Duration.ofMinutes(40);

  private static boolean hookInstalled;

  /**
   * True while this JVM holds the {@link NetworkLock} and may have a network up: only then may its
   * hook tear down.
   */
  private static volatile boolean networkOwned;

  private final Path nodeBuild;
  private final Path quiverHome;

  /**
   * @param nodeBuild {@code node/target} of the build under test
   * @param quiverHome the repository root (for {@code deploy/jepsen/install-packages.sh})
   */
  public JepsenLauncher(Path nodeBuild, Path quiverHome) {
    this.nodeBuild = nodeBuild.toAbsolutePath().normalize();
    this.quiverHome = quiverHome.toAbsolutePath().normalize();
  }

  /**
   * @return why scenarios cannot run here (not root, no namespaces, packages missing and not
   *     installable), or empty if they can; installs missing packages as a side effect
   */
  public Optional<String> unavailableReason() {
    Optional<String> network = TestNetwork.unavailableReason();
    if (network.isPresent()) {
      return network;
    }
    Path script = quiverHome.resolve("deploy/jepsen/install-packages.sh");
    Command.Result r =
        Command.run(List.of("bash", script.toString()), null, Duration.ofSeconds(700));
    if (!r.ok()) {
      return Optional.of(
          "the harness's packages are missing and "
              + script
              + " could not install them: "
              + r.output().strip());
    }
    if (!Files.exists(nodeBuild.resolve("quiver-node.jar"))) {
      return Optional.of("no node build at " + nodeBuild);
    }
    return Optional.empty();
  }

  /**
   * Runs one scenario into {@code out} (created); never throws for a failed run, the result says
   * so.
   */
  public ScenarioResult run(Scenario scenario, Path out) throws IOException, InterruptedException {
    installTeardownHook();
    removePreviousRun(out);
    Files.createDirectories(out);
    long started = System.nanoTime();
    try (NetworkLock lock = NetworkLock.acquire(LOCK_WAIT)) {
      if (lock == null) {
        return ScenarioResult.failed(
            scenario.name(),
            "another run held " + NetworkLock.FILE + " for " + LOCK_WAIT,
            seconds(started));
      }
      return runLocked(scenario, out, started);
    }
  }

  /**
   * A run repeated with the same seed writes to the same directory: the nodes of the last one left
   * their data there, and a cluster formed over it is not a fresh one (its collection already
   * exists). The old history, logs and data go.
   */
  private static void removePreviousRun(Path out) throws IOException {
    if (!Files.isDirectory(out)) {
      return;
    }
    try (var paths = Files.walk(out)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private ScenarioResult runLocked(Scenario scenario, Path out, long started)
      throws IOException, InterruptedException {
    networkOwned = true;
    try {
      TestNetwork.up(scenario.nodes());
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command =
          new ArrayList<>(
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  TestNetwork.CLIENT_NAMESPACE,
                  java,
                  "-Xmx1g",
                  "-XX:+UseSerialGC",
                  "-Djava.awt.headless=true",
                  "-Dquiver.node.dir=" + nodeBuild,
                  "-D"
                      + NodeHost.EXTRA_JVM_OPTIONS
                      + "="
                      + System.getProperty(NodeHost.EXTRA_JVM_OPTIONS, ""),
                  "-cp",
                  System.getProperty("java.class.path"),
                  ScenarioRun.class.getName(),
                  "--out",
                  out.toAbsolutePath().toString()));
      command.addAll(scenario.arguments());
      Process client =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.resolve("client.log").toFile())
              .start();
      Duration deadline = Duration.ofSeconds(scenario.seconds()).plus(SLACK);
      if (!client.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        client.destroyForcibly();
        client.waitFor(10, TimeUnit.SECONDS);
        return ScenarioResult.failed(
            scenario.name(),
            "did not finish within " + deadline + "; see " + out.resolve("client.log"),
            seconds(started));
      }
      Path result = out.resolve("result.json");
      if (!Files.exists(result)) {
        return ScenarioResult.failed(
            scenario.name(),
            "exited " + client.exitValue() + " without a result; see " + out.resolve("client.log"),
            seconds(started));
      }
      ScenarioResult r = ScenarioResult.read(result, seconds(started));
      return r;
    } catch (RuntimeException e) {
      return ScenarioResult.failed(scenario.name(), e.toString(), seconds(started));
    } finally {
      if (!TestNetwork.down()) {
        System.err.println(
            "jepsen: teardown left something behind; check `ip netns list` and `ip link`");
      }
      networkOwned = false;
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static synchronized void installTeardownHook() {
    if (!hookInstalled) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    if (networkOwned) {
                      TestNetwork.down();
                    }
                  },
                  "jepsen-network-down"));
      hookInstalled = true;
    }
  }
}
