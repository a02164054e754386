package io.quiver.it;

import io.quiver.jepsen.harness.Command;
import io.quiver.jepsen.harness.NetworkLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The Docker engine of the container tests ({@link ContainerClusterIT}, {@link ComposeClusterIT}),
 * made ready by the project's own scripts: {@code deploy/docker/prepare.sh} installs the engine,
 * docker-compose and debootstrap, starts {@code dockerd} without iptables rules (the Jepsen suite's
 * bridge keeps working) and builds the base image {@code quiver-base:bookworm} once; {@code
 * deploy/docker/build-runtime.sh} makes the image's Java runtime with jlink. No registry is
 * reachable, so only images built here run.
 *
 * <p>Where no engine can be had (not root and none running, no apt), the tests are skipped with the
 * reason, reported as SKIPPED by {@code bin/quiver test}; with {@code CI=true} they fail.
 *
 * <p>Everything a test makes is named {@code quiver-it-...} and addressed in {@value #SUBNET}: a
 * test removes what it finds with its prefix before it starts and after it ends, and holds {@link
 * #lock} meanwhile, since two runs on one machine would share the subnet.
 */
final class ContainerEngine {

  /**
   * The user-defined network of the container tests: a benchmarking range (RFC 2544), not a private
   * one.
   */
  static final String SUBNET = "198.18.79.0/24";

  /**
   * The base image tests build on: Debian from debootstrap, made by {@code
   * deploy/docker/build-base-image.sh}.
   */
  static final String BASE_IMAGE = "quiver-base:bookworm";

  /** The prefix of every container, network and volume the tests make. */
  static final String PREFIX = "quiver-it-";

  private static final Path LOCK_FILE = Path.of("/run/lock/quiver-containers.lock");
  private static final Duration PREPARE_TIMEOUT = Duration.ofMinutes(15);
  private static Optional<String> unavailable;

  private ContainerEngine() {}

  /** The repository root. */
  static Path home() {
    return Path.of(System.getProperty("quiver.home", "..")).toAbsolutePath().normalize();
  }

  /**
   * Makes the engine, the base image and the runtime ready (once per JVM), or skips the calling
   * test with the reason, or fails it under {@code CI=true}.
   */
  static synchronized void requireOrSkip(String test) {
    if (unavailable == null) {
      unavailable = prepare();
    }
    if (unavailable.isEmpty()) {
      return;
    }
    String message = test + " needs a Docker engine: " + unavailable.get();
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException("under CI=true the container tests must run; " + message);
    }
    System.err.println("WARNING: SKIPPED " + message);
    Assumptions.abort("SKIPPED " + message);
  }

  private static Optional<String> prepare() {
    if (!"true".equals(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
      return Optional.of(
          "TESTCONTAINERS_RYUK_DISABLED=true is not set (the reaper image cannot be pulled here;"
              + " failsafe sets it in it-tests/pom.xml)");
    }
    Path scripts = home().resolve("deploy/docker");
    boolean root = Command.run(List.of("id", "-u")).output().strip().equals("0");
    if (root) {
      Command.Result prepared =
          Command.run(
              List.of("bash", scripts.resolve("prepare.sh").toString()), null, PREPARE_TIMEOUT);
      if (!prepared.ok()) {
        return Optional.of("deploy/docker/prepare.sh failed: " + prepared.output().strip());
      }
    } else {
      if (!docker(Duration.ofSeconds(20), "info").ok()) {
        return Optional.of(
            "no Docker engine answers, and only root can install or start one (deploy/docker/prepare.sh)");
      }
      if (!docker(Duration.ofSeconds(20), "image", "inspect", BASE_IMAGE).ok()) {
        return Optional.of(
            "no image "
                + BASE_IMAGE
                + ", and only root can build it (deploy/docker/build-base-image.sh)");
      }
    }
    if (!Files.isRegularFile(home().resolve("node/target/quiver-node.jar"))) {
      return Optional.of("no node build at " + home().resolve("node/target"));
    }
    Command.Result runtime =
        Command.run(
            List.of("bash", scripts.resolve("build-runtime.sh").toString()),
            null,
            Duration.ofMinutes(5));
    if (!runtime.ok()) {
      return Optional.of("deploy/docker/build-runtime.sh failed: " + runtime.output().strip());
    }
    return Optional.empty();
  }

  /** Holds the machine-wide lock of the containers' subnet and names (at most 20 minutes' wait). */
  static NetworkLock lock() throws IOException, InterruptedException {
    NetworkLock lock =
        NetworkLock.acquire(
            LOCK_FILE, Duration.ofMinutes(20), "containers: another run is using " + SUBNET);
    if (lock == null) {
      throw new IllegalStateException("another run held " + LOCK_FILE + " for 20 minutes");
    }
    return lock;
  }

  /** Runs the docker client. */
  static Command.Result docker(Duration timeout, String... args) {
    List<String> argv = new ArrayList<>(List.of("docker"));
    argv.addAll(List.of(args));
    return Command.run(argv, null, timeout);
  }

  /**
   * Removes every container (with its anonymous volumes), network and volume whose name starts with
   * {@code prefix}: leftovers of a run that died, or what a test made.
   *
   * @return what was removed, for the log
   */
  static List<String> removeByPrefix(String prefix) {
    if (!prefix.startsWith(PREFIX)) {
      throw new IllegalArgumentException(
          "only the tests' own names (" + PREFIX + "...) may be removed, got " + prefix);
    }
    List<String> removed = new ArrayList<>();
    Duration t = Duration.ofSeconds(60);
    for (String name : names(docker(t, "ps", "-a", "--format", "{{.Names}}"), prefix)) {
      docker(t, "rm", "-f", "-v", name);
      removed.add("container " + name);
    }
    for (String name : names(docker(t, "network", "ls", "--format", "{{.Name}}"), prefix)) {
      docker(t, "network", "rm", name);
      removed.add("network " + name);
    }
    for (String name : names(docker(t, "volume", "ls", "--format", "{{.Name}}"), prefix)) {
      docker(t, "volume", "rm", "-f", name);
      removed.add("volume " + name);
    }
    return removed;
  }

  /**
   * Writes a container's output to {@code target/containers/NAME.log} (for a failed run's reader).
   */
  /**
   * Writes the container's log (with timestamps) to {@code target/containers/<name>.log}; returns
   * it, or null when it could not.
   */
  static Path saveLogs(String container) {
    Command.Result logs = docker(Duration.ofSeconds(30), "logs", "--timestamps", container);
    try {
      Path dir = Files.createDirectories(Path.of("target", "containers"));
      return Files.writeString(dir.resolve(container + ".log"), logs.output());
    } catch (IOException e) {
      System.err.println("containers: cannot save the logs of " + container + ": " + e);
      return null;
    }
  }

  private static List<String> names(Command.Result listing, String prefix) {
    List<String> names = new ArrayList<>();
    if (listing.ok()) {
      for (String line : listing.output().split("\n")) {
        if (line.strip().startsWith(prefix)) {
          names.add(line.strip());
        }
      }
    }
    return names;
  }
}
