package io.quiver.it;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Quiver node process started from the built {@code node/target} (the same jar and libs
 * {@code bin/quiver node} runs), on free loopback ports, with its own data directory. Killed by its
 * PID, never by name; {@link #close()} always leaves no process behind.
 */
final class NodeProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final int httpPort;
  private final int raftPort;
  private final Path log;
  private final java.util.Map<String, String> environment = new java.util.HashMap<>();
  private Process process;
  private javax.net.ssl.SSLContext tls;
  private List<String> jvmOptions; // null: the node AOT cache's (NodeAotCache)

  NodeProcess(Path dataDir) throws IOException {
    this(dataDir, freePort(), freePort());
  }

  NodeProcess(Path dataDir, int httpPort, int raftPort) {
    this.dataDir = dataDir;
    this.httpPort = httpPort;
    this.raftPort = raftPort;
    this.log = dataDir.resolveSibling(dataDir.getFileName() + "-node.log");
  }

  /**
   * A loopback port that nothing listens on, below the kernel's ephemeral range (the consensus
   * tests' {@code TestNodes.freePort} does the same): a port the kernel handed out can be taken
   * again as the local port of an outgoing connection, between the choice and the node's bind or
   * while a node is down for a restart (a full run failed that way: "Failed to bind to address
   * /127.0.0.1:40145"). Each JVM starts at its own offset and walks up.
   */
  static int freePort() throws IOException {
    int low = 10_000;
    int span = Math.max(1_000, ephemeralRangeStart() - low);
    NEXT_PORT.compareAndSet(-1, (int) (ProcessHandle.current().pid() * 7_919 % span));
    for (int tried = 0; tried < span; tried++) {
      int port = low + Math.floorMod(NEXT_PORT.getAndIncrement(), span);
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException taken) {
        // next one
      }
    }
    throw new IOException("no free loopback port in " + low + ".." + (low + span));
  }

  private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
      new java.util.concurrent.atomic.AtomicInteger(-1);

  private static int ephemeralRangeStart() {
    try {
      return Integer.parseInt(
          Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
              .trim()
              .split("\\s+")[0]);
    } catch (IOException | RuntimeException notLinux) {
      return 32_768;
    }
  }

  /**
   * Sets an environment variable of the process (the node's config mechanism: {@code QUIVER__} +
   * the config key, e.g. {@code QUIVER__CLUSTER__CONSENSUS__SNAPSHOT_THRESHOLD}) for later starts.
   */
  NodeProcess environment(String name, String value) {
    environment.put(name, value);
    return this;
  }

  /** JVM options for later starts instead of the default ones (which use {@link NodeAotCache}). */
  NodeProcess jvmOptions(List<String> options) {
    this.jvmOptions = List.copyOf(options);
    return this;
  }

  /**
   * Talks to the node over TLS (the node must be configured for it): {@link #baseUrl()} becomes
   * {@code https://}, and {@link #awaitReady()} trusts what {@code client} trusts.
   */
  NodeProcess tls(javax.net.ssl.SSLContext client) {
    this.tls = client;
    return this;
  }

  /** The file the process's output is appended to (across restarts of the same data directory). */
  Path log() {
    return log;
  }

  /**
   * Starts the process and waits until {@code /readyz} answers 200. A process that does not become
   * ready is killed before the failure is thrown: a caller that keeps only started nodes (as {@code
   * nodes.add(node.start())} does) would otherwise leave it running after the test.
   */
  NodeProcess start(String... extraArgs) throws IOException, InterruptedException {
    launch(extraArgs);
    try {
      awaitReady();
    } catch (RuntimeException | InterruptedException e) {
      close();
      throw e;
    }
    return this;
  }

  /** Starts the process without waiting for it to be ready (see {@link #awaitReady()}). */
  NodeProcess launch(String... extraArgs) throws IOException {
    Path nodeDir =
        Path.of(System.getProperty("quiver.node.dir", "../node/target"))
            .toAbsolutePath()
            .normalize();
    Path jar = nodeDir.resolve("quiver-node.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException("no node build at " + jar + "; run the build first");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-Xmx512m",
                "-XX:+UseSerialGC"));
    command.addAll(jvmOptions != null ? jvmOptions : NodeAotCache.options(nodeDir));
    command.addAll(
        List.of(
            // RocksDB's library unpacked at build time (node/pom.xml), not extracted at every
            // start.
            "-Djava.library.path=" + nodeDir.resolve("native"),
            "-cp",
            jar + File.pathSeparator + nodeDir.resolve("lib") + File.separator + "*",
            "io.quiver.node.QuiverNode",
            "--data-dir",
            dataDir.toString(),
            "--host",
            "127.0.0.1",
            "--http-port",
            Integer.toString(httpPort),
            "--raft-port",
            Integer.toString(raftPort)));
    command.addAll(List.of(extraArgs));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    NodeLogsOnFailure.register(log);
    process =
        builder
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return this;
  }

  /** Waits until {@code /readyz} answers 200; fails if the process exits first. */
  void awaitReady() throws IOException, InterruptedException {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
    if (tls != null) {
      builder.sslContext(tls);
    }
    HttpClient client = builder.build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "node exited with " + process.exitValue() + "; log:\n" + logTail());
      }
      try {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + "/readyz"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "node not ready after " + START_TIMEOUT + "; log:\n" + logTail());
  }

  int httpPort() {
    return httpPort;
  }

  Path dataDir() {
    return dataDir;
  }

  int raftPort() {
    return raftPort;
  }

  String baseUrl() {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + httpPort;
  }

  /** True while the process runs. */
  boolean isAlive() {
    return process != null && process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** {@code kill -9}: no shutdown hook, no flush. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * Waits for the process to exit on its own and returns its exit code (fails after {@code
   * timeout}).
   */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          "node still running after " + timeout + "; log:\n" + logTail());
    }
    return process.exitValue();
  }

  /** SIGTERM and wait for a clean exit. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      kill9();
    }
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill9();
    }
  }
}
