package io.quiver.jepsen.harness;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A machine-wide lock on the {@link TestNetwork} (or, through {@link #acquire(Path, Duration,
 * String)}, on another fixed test resource, such as the container tests' subnet): its namespaces,
 * bridge and addresses are fixed, so two runs at once (two checkouts running the suite) would tear
 * each other's network down and reach each other's nodes. A run holds this lock from building the
 * network to tearing it down; an advisory lock on a file, released by the kernel when the process
 * dies.
 */
public final class NetworkLock implements AutoCloseable {

  /** The lock file. */
  public static final Path FILE = Path.of("/run/lock/quiver-jepsen.lock");

  private final FileChannel channel;
  private final FileLock lock;

  private NetworkLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Waits (bounded) for the lock.
   *
   * @return the lock, or null if another process held it for all of {@code wait}
   */
  public static NetworkLock acquire(Duration wait) throws IOException, InterruptedException {
    return acquire(FILE, wait, "jepsen: another run is using the test network");
  }

  /**
   * Waits (bounded) for a machine-wide lock on {@code file} (in {@code /tmp} when its directory is
   * missing), printing {@code waitingMessage} once if another process holds it.
   *
   * @return the lock, or null if another process held it for all of {@code wait}
   */
  public static NetworkLock acquire(Path file, Duration wait, String waitingMessage)
      throws IOException, InterruptedException {
    FileChannel channel =
        FileChannel.open(
            file.getParent().toFile().isDirectory()
                ? file
                : Path.of("/tmp", file.getFileName().toString()),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
    long deadline = System.nanoTime() + wait.toNanos();
    boolean told = false;
    try {
      while (true) {
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
          lock = null;
        }
        if (lock != null) {
          return new NetworkLock(channel, lock);
        }
        if (System.nanoTime() > deadline) {
          channel.close();
          return null;
        }
        if (!told) {
          System.err.println(waitingMessage + "; waiting for it (at most " + wait + ")");
          told = true;
        }
        Thread.sleep(1_000);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
