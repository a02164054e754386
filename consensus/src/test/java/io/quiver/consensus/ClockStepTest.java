package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.consensus.raft.MonotonicTimeouts;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a shard client's requests keep being retried, and time out, on time when the node's wall
 * clock steps (an NTP step, a virtual machine resumed, an operator): Ratis counts those delays with
 * {@link java.util.Timer}, which schedules by the wall clock, so a retry scheduled an hour before a
 * one-hour step back waited an hour, and every later request of that client (a linearizable read's
 * barrier) waited behind it in the client's ordered stream (the Jepsen search-clock run whose final
 * reads failed for 60 s after its +3600 s skew healed).
 *
 * <p>Oracle: {@link ClockStepProbe}, in a JVM under libfaketime (the wall clock alone is faked, as
 * in the Jepsen harness), completes a write retried across a one-hour step back, and a linearizable
 * read after it, within seconds. Skipped when libfaketime is not installed.
 */
@Timeout(180)
class ClockStepTest {

  private static final Path FAKETIME =
      Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1");

  @TempDir Path dir;

  @Test
  void aRetryScheduledBeforeTheWallClockStepsBackStillRuns() throws Exception {
    assumeTrue(
        Files.isReadable(FAKETIME),
        "SKIPPED: libfaketime is not installed here ("
            + FAKETIME
            + "; apt-get install libfaketime), so the wall clock cannot be stepped");
    Path skew = dir.resolve("faketime");
    Files.writeString(skew, "+0");
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    // the test JVM's own flags (-ea, the vector module, native access)
    command.addAll(
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent"))
            .toList());
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            ClockStepProbe.class.getName(),
            dir.resolve("data").toString(),
            skew.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("probe.log").toFile());
    builder
        .environment()
        .putAll(
            Map.of(
                "LD_PRELOAD", FAKETIME.toString(),
                "FAKETIME_TIMESTAMP_FILE", skew.toString(),
                "FAKETIME_NO_CACHE", "1",
                // nanoTime stays real, as on a machine whose wall clock is stepped
                "FAKETIME_DONT_FAKE_MONOTONIC", "1",
                // as in the Jepsen harness (NodeHost): else timed waits on monotonic condition
                // variables return at once
                "FAKETIME_FORCE_MONOTONIC_FIX", "0"));
    Process probe = builder.start();
    boolean exited = probe.waitFor(150, TimeUnit.SECONDS);
    if (!exited) {
      probe.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(dir.resolve("probe.log"));
    assertTrue(exited, () -> "the probe did not exit within 150 s:\n" + output);
    assertEquals(0, probe.exitValue(), () -> "the probe failed:\n" + lastLines(output, 60));
    System.out.println(
        output
            .lines()
            .filter(l -> l.startsWith("w") || l.startsWith("l"))
            .collect(java.util.stream.Collectors.joining("\n")));
  }

  /**
   * Where libfaketime is missing, at least this: once Quiver's consensus layer is loaded, a delay
   * Ratis schedules runs on {@link MonotonicTimeouts}' executor (and an upgrade of Ratis that
   * changed what it patches fails here, not in production).
   */
  @Test
  void ratisDelaysRunOnTheMonotonicExecutor() throws Exception {
    RaftNode.clientProperties(
        org.apache.ratis.util.TimeDuration.ONE_SECOND); // loads RaftNode, which installs it
    java.util.concurrent.CompletableFuture<String> ran =
        new java.util.concurrent.CompletableFuture<>();
    org.apache.ratis.util.TimeoutExecutor.getInstance()
        .onTimeout(
            org.apache.ratis.util.TimeDuration.valueOf(10, TimeUnit.MILLISECONDS),
            () -> ran.complete(Thread.currentThread().getName()),
            org.slf4j.LoggerFactory.getLogger(ClockStepTest.class),
            () -> "test task");
    String thread = ran.get(10, TimeUnit.SECONDS);
    assertTrue(thread.startsWith("ratis-timeout-"), () -> "ran on " + thread);
  }

  private static String lastLines(String text, int n) {
    String[] lines = text.split("\n");
    return String.join(
        "\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - n), lines.length));
  }
}
