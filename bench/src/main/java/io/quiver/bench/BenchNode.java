package io.quiver.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real node process a benchmark starts on loopback through {@code bin/quiver node} (the
 * operator's launcher, with its AOT cache), with its own data directory and ports; its output goes
 * to a log file beside the data directory. Stopped by its pid, never by name.
 */
final class BenchNode {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Path home;
  private final Path dataDir;
  private final int httpPort;
  private final int raftPort;
  private final List<String> extraArgs;
  private Process process;
  private final java.util.Map<String, String> environment = new java.util.HashMap<>();

  /** {@code extraArgs}: more {@code bin/quiver node} flags (e.g. {@code --bootstrap URL}). */
  BenchNode(Path home, Path dataDir, int httpPort, int raftPort, List<String> extraArgs) {
    this.home = home;
    this.dataDir = dataDir;
    this.httpPort = httpPort;
    this.raftPort = raftPort;
    this.extraArgs = List.copyOf(extraArgs);
  }

  static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Sets an environment variable of the process for later starts (the config mechanism: {@code
   * QUIVER__...}).
   */
  BenchNode environment(String name, String value) {
    environment.put(name, value);
    return this;
  }

  /** The Raft address other nodes reach this one on ({@code --uri}, {@code --bootstrap}). */
  String raftUri() {
    return "http://127.0.0.1:" + raftPort;
  }

  int httpPort() {
    return httpPort;
  }

  /** Launches the process; {@code why} names its log file ({@code <data>-<why>.log}). */
  BenchNode start(String why) throws IOException {
    Path log = dataDir.resolveSibling(dataDir.getFileName() + "-" + why + ".log");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                home.resolve("bin/quiver").toString(),
                "node",
                "--data-dir",
                dataDir.toString(),
                "--host",
                "127.0.0.1",
                "--http-port",
                String.valueOf(httpPort),
                "--raft-port",
                String.valueOf(raftPort),
                "--uri",
                raftUri()));
    cmd.addAll(extraArgs);
    ProcessBuilder builder =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    process = builder.start();
    System.out.println(why + ": node pid " + process.pid() + ", log " + log);
    return this;
  }

  /**
   * The shard groups whose directories are in this node's data directory (the meta group's is not
   * counted): a group the node stopped hosting is gone from here once its removal finished.
   */
  long shardGroupDirectories() throws IOException {
    Path raft = dataDir.resolve("raft");
    if (!java.nio.file.Files.isDirectory(raft)) {
      return 0;
    }
    String meta = io.quiver.consensus.RaftNode.metaGroupUuid().toString();
    try (var dirs = java.nio.file.Files.list(raft)) {
      return dirs.map(d -> d.getFileName().toString())
          .filter(n -> n.length() == 36 && n.charAt(8) == '-' && !n.equals(meta))
          .count();
    }
  }

  long pid() {
    return process.pid();
  }

  Process process() {
    return process;
  }

  /**
   * Waits until {@code /readyz} answers 200 (5 minutes at most; fails at once if the process
   * exits).
   */
  void awaitReady() throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the node on port " + httpPort + " exited with " + process.exitValue());
      }
      try {
        if (send("GET", "/readyz", null) == 200) {
          if (!process.isAlive()) {
            throw new IllegalStateException("another process answers on port " + httpPort);
          }
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(
        "the node on port " + httpPort + " was not ready within 5 minutes");
  }

  /** Sends a request and returns its status; prints the body of an unexpected one. */
  int send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
            .timeout(Duration.ofSeconds(60));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 && !path.equals("/readyz") && !path.endsWith("/count")) {
      System.out.println(method + " " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return r.statusCode();
  }

  /** The body of a GET that answers 200, or null. */
  String get(String path) throws IOException, InterruptedException {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
            .timeout(Duration.ofSeconds(60))
            .GET()
            .build();
    HttpResponse<String> answer = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
    return answer.statusCode() == 200 ? answer.body() : null;
  }

  /** SIGTERM to the pid, waits for the exit (SIGKILL after 30 s); returns the exit code. */
  int stop() throws InterruptedException {
    if (process == null) {
      return 0;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
    return process.exitValue();
  }

  /** Stops the process if it still runs (for finally blocks). */
  void stopQuietly() {
    try {
      if (process != null && process.isAlive()) {
        stop();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
