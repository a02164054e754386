package io.quiver.consensus.raft;

/**
 * A node-wide limit on the bytes per second of incoming shard snapshots (replica transfers): each
 * chunk waits for its turn on a virtual clock that advances by the chunk's size divided by the
 * rate, so all transfers into this node together stay at the rate on average, whatever their
 * number. Zero means no limit. Thread-safe.
 */
public final class TransferRate {

  private final long bytesPerSecond;
  private long nextFreeNanos; // guarded by this

  public TransferRate(long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "transfer rate must be >= 0 bytes/s, got " + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  /** Blocks until {@code bytes} may pass; returns at once without a limit. */
  public void acquire(long bytes) throws InterruptedException {
    if (bytesPerSecond == 0) {
      return;
    }
    long waitNanos;
    synchronized (this) {
      long now = System.nanoTime();
      long start = Math.max(nextFreeNanos, now);
      nextFreeNanos = start + (long) (bytes * 1e9 / bytesPerSecond);
      waitNanos = start - now;
    }
    if (waitNanos > 0) {
      java.util.concurrent.TimeUnit.NANOSECONDS.sleep(waitNanos);
    }
  }
}
