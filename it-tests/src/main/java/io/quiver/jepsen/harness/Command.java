package io.quiver.jepsen.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one short system command ({@code ip}, {@code nft}, {@code kill}) to completion, bounded in
 * time: a command still running at its deadline is killed (by its PID) and reported as failed.
 */
public final class Command {

  /** Deadline of a command unless the caller gives one. */
  public static final Duration TIMEOUT_DEFAULT = Duration.ofSeconds(20);

  /**
   * What a command did.
   *
   * @param exitCode the exit code, or -1 if it was killed at its deadline
   * @param output stdout and stderr together
   */
  public record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private Command() {}

  /** Runs {@code argv} with {@link #TIMEOUT_DEFAULT}. */
  public static Result run(List<String> argv) {
    return run(argv, null, TIMEOUT_DEFAULT);
  }

  /** Runs {@code argv}, feeding {@code stdin} (or nothing), killed after {@code timeout}. */
  public static Result run(List<String> argv, String stdin, Duration timeout) {
    Process p;
    try {
      p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(-1, "cannot start " + argv + ": " + e.getMessage());
    }
    try {
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
    } catch (IOException e) {
      // the command may have exited already; its exit code says what happened
    }
    StringBuilder out = new StringBuilder();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (InputStream in = p.getInputStream()) {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    synchronized (out) {
                      out.append(text);
                    }
                  } catch (IOException e) {
                    // killed at its deadline
                  }
                });
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(-1, argv + " still running after " + timeout + ", killed");
      }
      reader.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Result(-1, argv + " interrupted");
    }
    synchronized (out) {
      return new Result(p.exitValue(), out.toString());
    }
  }

  /** Runs {@code argv} and throws unless it exits 0. */
  public static String check(List<String> argv) {
    return check(argv, null);
  }

  /** Runs {@code argv} with {@code stdin} and throws unless it exits 0. */
  public static String check(List<String> argv, String stdin) {
    Result r = run(argv, stdin, TIMEOUT_DEFAULT);
    if (!r.ok()) {
      throw new UncheckedIOException(
          new IOException(
              String.join(" ", argv) + " failed (" + r.exitCode() + "): " + r.output().strip()));
    }
    return r.output();
  }
}
