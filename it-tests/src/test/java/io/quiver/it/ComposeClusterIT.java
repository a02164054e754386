package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.jepsen.harness.Command;
import io.quiver.jepsen.harness.NetworkLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code deploy/docker-compose.yml} as an operator runs it: {@code docker-compose up -d} brings up
 * its 3 nodes at once (the image built from {@code deploy/Dockerfile}, an API key from the
 * environment, the REST ports published on 127.0.0.1); they form one cluster, and a collection with
 * replication factor 3 takes writes and answers queries through every node's published port exactly
 * as a brute-force reference does.
 *
 * <p>The compose project is {@code quiver-it-compose} (so its containers, network and volumes are
 * named {@code quiver-it-compose_...}), each node limited to {@value #MEMORY} by the file's {@code
 * QUIVER_MEMORY}; {@code down -v} and a sweep of the prefix run at setup and in {@code @AfterAll}.
 * Skipped, saying why, where no Docker engine can be had; fails then under {@code CI=true}.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class ComposeClusterIT {

  private static final String PROJECT = ContainerEngine.PREFIX + "compose";
  private static final String MEMORY = "768m";
  private static final int NODES = 3;
  private static final String API_KEY =
      "compose-test-key-" + Long.toHexString(new Random().nextLong());

  private static NetworkLock lock;
  private static final List<Integer> PORTS = new ArrayList<>();
  private static final List<java.util.function.Supplier<java.nio.file.Path>> DUMPERS =
      new ArrayList<>();

  @BeforeAll
  static void composeUp() throws Exception {
    ContainerEngine.requireOrSkip("ComposeClusterIT");
    lock = ContainerEngine.lock();
    compose(Duration.ofSeconds(120), "down", "-v", "--timeout", "5");
    ContainerEngine.removeByPrefix(PROJECT);
    NodeImage.tag();
    for (int i = 0; i < NODES; i++) {
      PORTS.add(NodeProcess.freePort());
    }
    for (int i = 1; i <= NODES; i++) {
      String container = PROJECT + "_quiver-" + i + "_1";
      java.util.function.Supplier<java.nio.file.Path> dumper =
          () -> ContainerEngine.saveLogs(container);
      DUMPERS.add(dumper);
      NodeLogsOnFailure.registerDumper(dumper); // a failed test prints what the containers logged
    }
    long started = System.nanoTime();
    Command.Result up = compose(Duration.ofSeconds(180), "up", "-d");
    assertEquals(0, up.exitCode(), () -> "docker-compose up failed: " + up.output());
    System.out.printf(
        "containers: docker-compose up -d returned after %.1f s%n",
        (System.nanoTime() - started) / 1e9);
  }

  @AfterAll
  static void composeDown() throws Exception {
    DUMPERS.forEach(NodeLogsOnFailure::forget);
    DUMPERS.clear();
    try {
      if (lock != null) {
        for (int i = 1; i <= NODES; i++) {
          ContainerEngine.saveLogs(PROJECT + "_quiver-" + i + "_1");
        }
        Command.Result down = compose(Duration.ofSeconds(120), "down", "-v", "--timeout", "5");
        if (!down.ok()) {
          System.err.println("containers: docker-compose down: " + down.output());
        }
      }
    } finally {
      ContainerEngine.removeByPrefix(PROJECT);
      if (lock != null) {
        lock.close();
      }
    }
  }

  @Test
  void composeFileBringsUpOneClusterServingThroughEveryNode() throws Exception {
    List<QdrantHttp> http = new ArrayList<>();
    for (int port : PORTS) {
      http.add(new QdrantHttp("http://127.0.0.1:" + port, Map.of("api-key", API_KEY), null));
    }
    long started = System.nanoTime();
    ClusterWorkload.awaitCluster(http, NODES, Duration.ofSeconds(150));
    System.out.printf(
        "containers: the compose nodes formed a cluster of %d %.1f s after up%n",
        NODES, (System.nanoTime() - started) / 1e9);
    assertEquals(
        401,
        http.get(0).withHeaders(Map.of()).get("/collections").status(),
        "QUIVER_API_KEY reached the nodes: no key, no access");

    ClusterWorkload workload = new ClusterWorkload("composed", new Random().nextLong());
    workload.create(http.get(2), 2, 3);
    for (int batch = 0; batch < 6; batch++) {
      workload.write(http.get(batch % NODES), 25, Duration.ofSeconds(30));
    }
    workload.assertQueries(http, 5, Duration.ofSeconds(30));
  }

  /**
   * Runs docker-compose on deploy/docker-compose.yml with the test's project name and variables.
   */
  private static Command.Result compose(Duration timeout, String... args) {
    Path file = ContainerEngine.home().resolve("deploy/docker-compose.yml");
    List<String> argv =
        new ArrayList<>(
            List.of(
                "env",
                "QUIVER_IMAGE=" + NodeImage.TAG,
                "QUIVER_API_KEY=" + API_KEY,
                "QUIVER_MEMORY=" + MEMORY,
                "QUIVER_SUBNET=" + ContainerEngine.SUBNET));
    for (int i = 0; i < NODES; i++) {
      // Before setup has chosen ports (down at setup), any free value does: down ignores ports.
      argv.add("QUIVER_HTTP_PORT_" + (i + 1) + "=" + (PORTS.size() > i ? PORTS.get(i) : 0));
    }
    argv.addAll(List.of("docker-compose", "--ansi", "never", "-f", file.toString(), "-p", PROJECT));
    argv.addAll(List.of(args));
    return Command.run(argv, null, timeout);
  }
}
