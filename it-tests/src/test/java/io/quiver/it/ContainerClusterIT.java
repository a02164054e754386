package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Network.Ipam;
import io.quiver.jepsen.harness.NetworkLock;
import io.quiver.node.config.ConfigKey;
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
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * Three nodes in containers of the image built from {@code deploy/Dockerfile} (Testcontainers, on
 * the local base image), started together on a user-defined network in {@value
 * ContainerEngine#SUBNET}, each knowing only the first node's address as its bootstrap peer, with
 * an API key from the environment as a Kubernetes Secret would give it. They form one cluster; a
 * collection of 3 shards with replication factor 3 takes writes and answers queries through every
 * node exactly as a brute-force reference does. Then the container of the metadata leader is killed
 * (SIGKILL): writes and queries go on through the two others, still exact.
 *
 * <p>Containers are named {@code quiver-it-tc-...}, limited to {@value #MEMORY_MB} MiB each,
 * reached at their network addresses (no port is published), and removed in {@code @AfterAll}
 * whatever happened, and at setup when a run died before. Skipped, saying why, where no Docker
 * engine can be had; fails then under {@code CI=true} (see {@link ContainerEngine}).
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ContainerClusterIT {

  private static final String PREFIX = ContainerEngine.PREFIX + "tc-";
  private static final int NODES = 3;
  private static final long MEMORY_MB = 768;
  private static final String API_KEY =
      "container-test-key-" + Long.toHexString(new Random().nextLong());
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

  /**
   * Long enough for the shard groups of a killed leader to elect another (Ratis: about a second)
   * and requests to it to time out.
   */
  private static final Duration FAILOVER_DEADLINE = Duration.ofSeconds(90);

  private static NetworkLock lock;
  private static Network network;
  private static final List<GenericContainer<?>> CONTAINERS = new ArrayList<>();
  private static final List<java.util.function.Supplier<java.nio.file.Path>> DUMPERS =
      new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    ContainerEngine.requireOrSkip("ContainerClusterIT");
    lock = ContainerEngine.lock();
    List<String> leftovers = ContainerEngine.removeByPrefix(PREFIX);
    if (!leftovers.isEmpty()) {
      System.out.println("containers: removed leftovers of an earlier run: " + leftovers);
    }
    String image = NodeImage.tag();
    network =
        Network.builder()
            .createNetworkCmdModifier(
                cmd ->
                    cmd.withName(PREFIX + "net")
                        .withIpam(
                            new Ipam()
                                .withConfig(new Ipam.Config().withSubnet(ContainerEngine.SUBNET))))
            .build();
    for (int i = 1; i <= NODES; i++) {
      String name = PREFIX + "n" + i;
      GenericContainer<?> node =
          new GenericContainer<>(DockerImageName.parse(image))
              .withNetwork(network)
              .withNetworkAliases("n" + i)
              .withEnv(
                  ConfigKey.RAFT_URI.environmentVariable(),
                  "http://n" + i + ":" + ConfigKey.RAFT_PORT.defaultValue())
              .withEnv(
                  ConfigKey.BOOTSTRAP.environmentVariable(),
                  "http://n1:" + ConfigKey.RAFT_PORT.defaultValue())
              .withEnv(ConfigKey.API_KEY.environmentVariable(), API_KEY)
              .withCreateContainerCmdModifier(
                  cmd -> {
                    cmd.withName(name);
                    cmd.getHostConfig().withMemory(MEMORY_MB << 20).withMemorySwap(MEMORY_MB << 20);
                  })
              // The image's HEALTHCHECK: GET /readyz answers 200.
              .waitingFor(Wait.forHealthcheck().withStartupTimeout(START_TIMEOUT));
      CONTAINERS.add(node);
      java.util.function.Supplier<java.nio.file.Path> dumper = () -> ContainerEngine.saveLogs(name);
      DUMPERS.add(dumper);
      NodeLogsOnFailure.registerDumper(dumper); // a failed test prints what the containers logged
    }
    long started = System.nanoTime();
    Startables.deepStart(CONTAINERS)
        .get(START_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS); // all at once
    System.out.printf(
        "containers: %d nodes healthy %.1f s after a concurrent start%n",
        NODES, (System.nanoTime() - started) / 1e9);
  }

  @AfterAll
  static void removeCluster() throws Exception {
    DUMPERS.forEach(NodeLogsOnFailure::forget);
    DUMPERS.clear();
    try {
      for (GenericContainer<?> c : CONTAINERS) {
        try {
          ContainerEngine.saveLogs(c.getContainerName().replaceFirst("^/", ""));
          c.stop();
        } catch (RuntimeException e) {
          System.err.println("containers: stopping " + c.getContainerName() + ": " + e);
        }
      }
      CONTAINERS.clear();
      if (network != null) {
        network.close();
      }
    } finally {
      ContainerEngine.removeByPrefix(PREFIX); // whatever stop() left
      if (lock != null) {
        lock.close();
      }
    }
  }

  @Test
  void clusterGoesOnThroughTheOthersWhenAContainerIsKilled() throws Exception {
    long seed = new Random().nextLong();
    List<QdrantHttp> http = new ArrayList<>();
    for (GenericContainer<?> c : CONTAINERS) {
      http.add(
          new QdrantHttp(
              "http://" + address(c) + ":" + ConfigKey.HTTP_PORT.defaultValue(),
              Map.of("api-key", API_KEY),
              null));
    }
    assertEquals(
        401, http.get(0).withHeaders(Map.of()).get("/collections").status(), "no key, no access");
    ClusterWorkload.awaitCluster(http, NODES, Duration.ofSeconds(60));

    ClusterWorkload workload = new ClusterWorkload("deployed", seed);
    workload.create(http.get(1), 3, 3);
    for (int batch = 0; batch < 9; batch++) {
      workload.write(http.get(batch % NODES), 25, Duration.ofSeconds(30));
    }
    workload.assertQueries(http, 5, Duration.ofSeconds(30));

    // Kill the metadata leader's container: it leads the meta group, and likely some shard groups.
    long leader = ClusterWorkload.metaLeader(http.get(0));
    int victim = -1;
    for (int i = 0; i < NODES; i++) {
      if (ClusterWorkload.peerId(http.get(i)) == leader) {
        victim = i;
      }
    }
    assertNotEquals(-1, victim, "the meta leader " + leader + " is one of the nodes");
    GenericContainer<?> killed = CONTAINERS.get(victim);
    DockerClientFactory.instance()
        .client()
        .killContainerCmd(killed.getContainerId())
        .withSignal("KILL")
        .exec();
    System.out.println(
        "containers: killed "
            + killed.getContainerName()
            + " (meta leader "
            + leader
            + "), seed "
            + seed);

    List<QdrantHttp> survivors = new ArrayList<>(http);
    survivors.remove(victim);
    int before = workload.size();
    for (int batch = 0; batch < 6; batch++) {
      workload.write(survivors.get(batch % survivors.size()), 25, FAILOVER_DEADLINE);
    }
    assertEquals(before + 150, workload.size());
    workload.assertQueries(survivors, 5, FAILOVER_DEADLINE);
  }

  /** The container's address on the test network (the host reaches it over the bridge). */
  private static String address(GenericContainer<?> c) {
    Map<String, ContainerNetwork> networks =
        c.getContainerInfo().getNetworkSettings().getNetworks();
    return networks.get(PREFIX + "net").getIpAddress();
  }
}
