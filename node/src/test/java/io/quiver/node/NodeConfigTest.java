package io.quiver.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.node.config.ConfigKey;
import io.quiver.node.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Precedence default < YAML < environment < flag, and errors for what is wrong. */
@Timeout(30)
class NodeConfigTest {

  @TempDir Path dir;

  @Test
  void defaultsAreTheEmbeddedSingleNode() throws Exception {
    NodeConfig config = NodeConfig.resolve(null, Map.of(), Map.of());
    assertEquals(6333, config.port(ConfigKey.HTTP_PORT));
    assertEquals(6335, config.port(ConfigKey.RAFT_PORT));
    assertEquals(Path.of("./data"), config.dataDir());
  }

  @Test
  void yamlThenEnvironmentThenFlags() throws Exception {
    Path yaml = dir.resolve("c.yaml");
    Files.writeString(
        yaml,
        "service:\n  http_port: 7000\n  max_request_size_mb: 4\nstorage:\n  storage_path: /yaml\n");
    NodeConfig fromYaml = NodeConfig.resolve(yaml, Map.of(), Map.of());
    assertEquals(7000, fromYaml.port(ConfigKey.HTTP_PORT));
    assertEquals(4, fromYaml.positiveLong(ConfigKey.MAX_REQUEST_SIZE_MB));

    Map<String, String> env =
        Map.of("QUIVER__SERVICE__HTTP_PORT", "7100", "QUIVER__STORAGE__STORAGE_PATH", "/env");
    NodeConfig fromEnv = NodeConfig.resolve(yaml, env, Map.of());
    assertEquals(7100, fromEnv.port(ConfigKey.HTTP_PORT));
    assertEquals(Path.of("/env"), fromEnv.dataDir());

    CommandLine cli =
        CommandLine.parse(
            new String[] {"--http-port", "7200", "--data-dir=/flag", "--config", yaml.toString()});
    NodeConfig fromFlags = NodeConfig.resolve(cli.configFile(), env, cli.flags());
    assertEquals(7200, fromFlags.port(ConfigKey.HTTP_PORT));
    assertEquals(Path.of("/flag"), fromFlags.dataDir());
    assertEquals(
        4,
        fromFlags.positiveLong(ConfigKey.MAX_REQUEST_SIZE_MB),
        "keys without a flag still come from YAML");
  }

  @Test
  void whatShardsShareIsSetByTheEnvironmentOrAutomaticAndMistakesAreNamed() throws Exception {
    var automatic = NodeConfig.resolve(null, Map.of(), Map.of()).shardResources();
    assertEquals(
        io.quiver.storage.ShardResources.Settings.defaultFlushThreads(), automatic.flushThreads());
    assertEquals(
        Math.max(1, Runtime.getRuntime().availableProcessors() / 2), automatic.optimizerThreads());
    assertEquals(256L << 20, automatic.blockCacheBytes());
    assertEquals(128L << 20, automatic.writeBufferBytes());
    var set =
        NodeConfig.resolve(
                null,
                Map.of(
                    "QUIVER__STORAGE__PERFORMANCE__OPTIMIZER_THREADS",
                    "3",
                    "QUIVER__STORAGE__PERFORMANCE__FLUSH_THREADS",
                    "1",
                    "QUIVER__STORAGE__ROCKSDB__BLOCK_CACHE_MB",
                    "64",
                    "QUIVER__STORAGE__ROCKSDB__WRITE_BUFFER_MB",
                    "32"),
                Map.of())
            .shardResources();
    assertEquals(
        new io.quiver.storage.ShardResources.Settings(
            1,
            3,
            64L << 20,
            32L << 20,
            io.quiver.storage.ShardResources.Settings.indexingThreads(0)),
        set);
    IllegalArgumentException threads =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NodeConfig.resolve(
                    null,
                    Map.of("QUIVER__STORAGE__PERFORMANCE__OPTIMIZER_THREADS", "-1"),
                    Map.of()));
    assertTrue(
        threads.getMessage().contains("storage.performance.optimizer_threads"),
        threads.getMessage());
    IllegalArgumentException buffers =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NodeConfig.resolve(
                    null, Map.of("QUIVER__STORAGE__ROCKSDB__WRITE_BUFFER_MB", "512"), Map.of()));
    assertTrue(
        buffers.getMessage().contains("storage.rocksdb.write_buffer_mb"), buffers.getMessage());
  }

  @Test
  void theOptimizerCpuBudgetSetsTheThreadsOfAGraphBuildAsQdrantsDoes() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(
        Math.max(1, cores - 1),
        NodeConfig.resolve(null, Map.of(), Map.of()).shardResources().indexingThreads(),
        "automatic: one core kept free");
    assertEquals(
        3,
        NodeConfig.resolve(
                null, Map.of("QUIVER__STORAGE__PERFORMANCE__OPTIMIZER_CPU_BUDGET", "3"), Map.of())
            .shardResources()
            .indexingThreads());
    assertEquals(
        Math.max(1, cores - 2),
        NodeConfig.resolve(
                null, Map.of("QUIVER__STORAGE__PERFORMANCE__OPTIMIZER_CPU_BUDGET", "-2"), Map.of())
            .shardResources()
            .indexingThreads());
    assertEquals(
        1,
        NodeConfig.resolve(
                null,
                Map.of("QUIVER__STORAGE__PERFORMANCE__OPTIMIZER_CPU_BUDGET", "-256"),
                Map.of())
            .shardResources()
            .indexingThreads());
    for (String wrong : new String[] {"lots", "1000", "1.5"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  NodeConfig.resolve(
                      null,
                      Map.of("QUIVER__STORAGE__PERFORMANCE__OPTIMIZER_CPU_BUDGET", wrong),
                      Map.of()));
      assertTrue(
          e.getMessage().contains("storage.performance.optimizer_cpu_budget"), e.getMessage());
    }
  }

  @Test
  void theTransferRateIsInMebibytesPerSecondAndZeroMeansNoLimit() throws Exception {
    assertEquals(0, NodeConfig.resolve(null, Map.of(), Map.of()).transferBytesPerSecond());
    assertEquals(
        40L << 20,
        NodeConfig.resolve(
                null, Map.of("QUIVER__CLUSTER__TRANSFER_RATE_MB_PER_SEC", "40"), Map.of())
            .transferBytesPerSecond());
    for (String wrong : new String[] {"-1", "fast", "1.5"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  NodeConfig.resolve(
                      null, Map.of("QUIVER__CLUSTER__TRANSFER_RATE_MB_PER_SEC", wrong), Map.of()));
      assertTrue(e.getMessage().contains("cluster.transfer_rate_mb_per_sec"), e.getMessage());
    }
  }

  @Test
  void mistakesAreNamed() throws Exception {
    Path yaml = dir.resolve("typo.yaml");
    Files.writeString(yaml, "service:\n  http_prot: 7000\n");
    IllegalArgumentException typo =
        assertThrows(
            IllegalArgumentException.class, () -> NodeConfig.resolve(yaml, Map.of(), Map.of()));
    assertTrue(typo.getMessage().contains("service.http_prot"), typo.getMessage());
    IllegalArgumentException port =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NodeConfig.resolve(null, Map.of("QUIVER__CLUSTER__P2P__PORT", "70000"), Map.of()));
    assertTrue(port.getMessage().contains("cluster.p2p.port"), port.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> CommandLine.parse(new String[] {"--no-such-flag", "1"}));
    assertThrows(
        IllegalArgumentException.class, () -> CommandLine.parse(new String[] {"--http-port"}));
    assertTrue(CommandLine.parse(new String[] {"--help"}).help());
    for (ConfigKey k : ConfigKey.values()) {
      assertTrue(CommandLine.usage().contains(k.environmentVariable()), "usage lists " + k);
    }
  }

  /**
   * {@code bin/quiver node --help} answers without a build from usage.txt and ConfigKey.java: its
   * text must be exactly what the built node prints.
   */
  @Test
  void helpWithoutABuildIsTheNodesOwnUsage() throws Exception {
    Path script = Path.of("..", "bin", "quiver").toAbsolutePath().normalize();
    ProcessBuilder builder =
        new ProcessBuilder("bash", script.toString(), "node", "--help")
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("QUIVER_HELP_FROM_SOURCES", "true");
    Process process = builder.start();
    String printed =
        new String(
            process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), "exit code of " + script + " node --help");
    assertEquals(CommandLine.usage(), printed);
  }

  @Test
  void apiKeysComeFromTheEnvironmentAndAreNeverPrinted() throws Exception {
    NodeConfig config =
        NodeConfig.resolve(
            null,
            Map.of(
                "QUIVER__SERVICE__API_KEY",
                "s3cret-rw",
                "QUIVER__SERVICE__READ_ONLY_API_KEY",
                "s3cret-ro"),
            Map.of());
    assertEquals("s3cret-rw", config.get(ConfigKey.API_KEY));
    assertEquals("s3cret-ro", config.get(ConfigKey.READ_ONLY_API_KEY));
    String shown = config.toString();
    assertTrue(!shown.contains("s3cret") && shown.contains("<set>"), shown);
  }

  @Test
  void securitySettingsThatCannotWorkAreRefusedByName() {
    IllegalArgumentException jwt =
        assertThrows(
            IllegalArgumentException.class,
            () -> NodeConfig.resolve(null, Map.of("QUIVER__SERVICE__JWT_RBAC", "true"), Map.of()));
    assertTrue(jwt.getMessage().contains("service.api_key"), jwt.getMessage());
    IllegalArgumentException tls =
        assertThrows(
            IllegalArgumentException.class,
            () -> NodeConfig.resolve(null, Map.of("QUIVER__SERVICE__ENABLE_TLS", "yes"), Map.of()));
    assertTrue(tls.getMessage().contains("service.enable_tls"), tls.getMessage());
    IllegalArgumentException ttl =
        assertThrows(
            IllegalArgumentException.class,
            () -> NodeConfig.resolve(null, Map.of("QUIVER__TLS__CERT_TTL", "0"), Map.of()));
    assertTrue(ttl.getMessage().contains("tls.cert_ttl"), ttl.getMessage());
  }
}
