package io.quiver.jepsen.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One Quiver node process in its own network namespace ({@code ip netns exec}, which execs, so the
 * process's PID is the JVM's), bound to its namespace address: REST on {@link #HTTP_PORT} and Raft
 * on {@link #RAFT_PORT} of {@link TestNetwork#address}. Its wall clock can be skewed at runtime
 * through a libfaketime file; its monotonic clock is never faked. Signalled and killed by PID only.
 */
public final class NodeHost {

  public static final int HTTP_PORT = 6333;
  public static final int RAFT_PORT = 6335;

  /** System property with extra JVM options for the node processes, space-separated. */
  public static final String EXTRA_JVM_OPTIONS = "quiver.jepsen.node.jvm";

  /** The libfaketime library the node is started with when clock skew is on. */
  public static final String FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

  private final int index;
  private final Path dir;
  private final Path nodeBuild;
  private final String bootstrapAddress;
  private final boolean fakeTime;
  private Process process;
  private boolean paused;

  /**
   * @param index 1-based node number (its namespace and address follow from it)
   * @param dir directory for the node's data, log and skew file
   * @param nodeBuild {@code node/target} of a build (holds {@code quiver-node.jar} and {@code
   *     lib/})
   * @param bootstrapAddress {@code host:port} of a member's Raft server to join through, or null
   *     for the first node
   * @param fakeTime start the JVM under libfaketime so that {@link #skew} works
   */
  public NodeHost(int index, Path dir, Path nodeBuild, String bootstrapAddress, boolean fakeTime) {
    this.index = index;
    this.dir = dir;
    this.nodeBuild = nodeBuild;
    this.bootstrapAddress = bootstrapAddress;
    this.fakeTime = fakeTime;
  }

  public int index() {
    return index;
  }

  public String name() {
    return "n" + index;
  }

  public String address() {
    return TestNetwork.address(index);
  }

  public String raftAddress() {
    return address() + ":" + RAFT_PORT;
  }

  public String baseUrl() {
    return "http://" + address() + ":" + HTTP_PORT;
  }

  public Path log() {
    return dir.resolve("node.log");
  }

  private Path skewFile() {
    return dir.resolve("faketime");
  }

  /** Starts the process (or restarts it on the same data); does not wait for it to be ready. */
  public synchronized void start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name() + " is running");
    }
    try {
      Files.createDirectories(dir);
      if (fakeTime && !Files.exists(skewFile())) {
        Files.writeString(skewFile(), "+0");
      }
      List<String> command =
          new ArrayList<>(List.of("ip", "netns", "exec", TestNetwork.namespace(index)));
      if (fakeTime) {
        command.addAll(
            List.of(
                "env",
                "LD_PRELOAD=" + FAKETIME_LIB,
                "FAKETIME_TIMESTAMP_FILE=" + skewFile().toAbsolutePath(),
                "FAKETIME_CACHE_DURATION=1",
                "FAKETIME_DONT_FAKE_MONOTONIC=1",
                // Without this, libfaketime's pthread_cond_timedwait wrapper makes the JVM's timed
                // waits on monotonic condition variables (parkNanos, Object.wait) return at once:
                // every idle thread spins, and a node takes 6x longer to start.
                "FAKETIME_FORCE_MONOTONIC_FIX=0"));
      }
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      command.addAll(
          List.of(
              java,
              "--add-modules",
              "jdk.incubator.vector",
              "--enable-native-access=ALL-UNNAMED",
              "--sun-misc-unsafe-memory-access=allow",
              "-Xmx384m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1"));
      // e.g. -Dlogback.configurationFile=... to see Ratis at INFO when chasing an anomaly
      for (String option : System.getProperty(EXTRA_JVM_OPTIONS, "").split("\\s+")) {
        if (!option.isBlank()) {
          command.add(option);
        }
      }
      // RocksDB's library unpacked at build time (node/pom.xml), not extracted at every start.
      command.add("-Djava.library.path=" + nodeBuild.resolve("native"));
      command.addAll(
          List.of(
              "-cp",
              nodeBuild.resolve("quiver-node.jar")
                  + File.pathSeparator
                  + nodeBuild.resolve("lib")
                  + File.separator
                  + "*",
              "io.quiver.node.QuiverNode",
              "--data-dir",
              dir.resolve("data").toAbsolutePath().toString(),
              "--host",
              address(),
              "--http-port",
              Integer.toString(HTTP_PORT),
              "--uri",
              "http://" + raftAddress()));
      if (bootstrapAddress != null) {
        command.addAll(List.of("--bootstrap", "http://" + bootstrapAddress));
      }
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
              .start();
      paused = false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name(), e);
    }
  }

  /**
   * @return true if the process is alive (paused counts as alive)
   */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public synchronized boolean isPaused() {
    return paused;
  }

  /** {@code kill -9} by PID and wait (bounded) for it to be gone. No-op if not running. */
  public synchronized void kill() {
    if (process == null || !process.isAlive()) {
      return;
    }
    if (paused) {
      signal("CONT");
    }
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    paused = false;
  }

  /** SIGSTOP. No-op if not running. */
  public synchronized void pause() {
    if (isRunning() && !paused) {
      signal("STOP");
      paused = true;
    }
  }

  /** SIGCONT. No-op if not paused. */
  public synchronized void resume() {
    if (isRunning() && paused) {
      signal("CONT");
    }
    paused = false;
  }

  /**
   * The threads of a running node that are in Quiver's code, and the Raft server's Netty workers
   * (which handle requests synchronously), from a thread dump the JVM writes to its log on SIGQUIT:
   * for a node that stopped answering. Each thread's first {@code frames} lines; empty when the
   * node is not running or wrote no dump within 3 s.
   */
  public String quiverThreads(int frames) {
    if (!isRunning()) {
      return "";
    }
    try {
      long before = Files.size(log());
      signal("QUIT");
      for (int i = 0; i < 30; i++) {
        Thread.sleep(100);
        byte[] all = Files.readAllBytes(log());
        String text =
            new String(
                all,
                (int) before,
                all.length - (int) before,
                java.nio.charset.StandardCharsets.UTF_8);
        int start = text.indexOf("Full thread dump");
        int end = start < 0 ? -1 : text.indexOf("JNI global refs", start);
        if (end > 0) {
          StringBuilder out = new StringBuilder();
          for (String thread : text.substring(start, end).split("\n\\s*\n")) {
            if (thread.contains("io.quiver") || thread.startsWith("\"NettyRpcService")) {
              thread.lines().limit(frames).forEach(l -> out.append(l).append('\n'));
              out.append('\n');
            }
          }
          return out.toString();
        }
      }
      return "(no thread dump in the log within 3 s)";
    } catch (IOException e) {
      return "(no thread dump: " + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  private void signal(String name) {
    Command.check(List.of("kill", "-" + name, Long.toString(process.pid())));
  }

  /**
   * Sets the node's wall clock to real time plus {@code seconds} (negative: behind), effective
   * within a second, without a restart.
   */
  public void skew(long seconds) {
    if (!fakeTime) {
      throw new IllegalStateException(name() + " was not started under libfaketime");
    }
    try {
      Path tmp = dir.resolve("faketime.tmp");
      Files.writeString(tmp, String.format(Locale.ROOT, "%+d", seconds));
      Files.move(
          tmp,
          skewFile(),
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot skew " + name(), e);
    }
  }

  /**
   * @return true if this node was started under libfaketime
   */
  public boolean fakesTime() {
    return fakeTime;
  }

  /**
   * @return the last {@code lines} lines of the node's log
   */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log());
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
