package io.quiver.storage.segment;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One background thread of a shard's segments ({@link SegmentFlusher}, {@link SegmentOptimizer}),
 * never the Raft apply thread: it does one unit of work at a time ({@link #workOnce}) and sleeps
 * until {@link #wake} when there is none. A failed unit is logged and retried a second later;
 * {@link #stop} waits a bounded time for the unit in progress, which asks {@link #cancelled}
 * between its steps.
 */
abstract class SegmentWorker {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentWorker.class);
  /**
   * How long closing the shard waits for a unit of work in progress at most. Work is cancelled
   * when the shard closes (a graph build asks before every node it inserts, copies every 4,096
   * vectors) and removes its files, so closing normally waits for one such step. Should a unit
   * still run after this (a very slow disk), it is abandoned: it fails on its unmapped sources or
   * finds the shard closed at its swap (checked under the files lock, which close takes too), so it
   * never writes the manifest after close; files it leaves are unlisted and removed at the next open.
   */
  private static final long STOP_WAIT_MS = 10_000;

  protected final ShardSegments segments;
  private final String name;
  private final ReentrantLock signalLock = new ReentrantLock();
  private final Condition signal = signalLock.newCondition();
  private boolean woken;
  private volatile boolean working;
  private volatile boolean stopped;
  private Thread thread;
  private final java.util.concurrent.atomic.AtomicLong completedUnits = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong failedUnits = new java.util.concurrent.atomic.AtomicLong();

  /** {@code name} names the thread and the log lines ("flusher", "optimizer"). */
  SegmentWorker(ShardSegments segments, String name) {
    this.segments = segments;
    this.name = name;
  }

  /**
   * Does one unit of work, or returns false at once when there is none. Calls {@link #working()}
   * before it starts one, so that {@link #isWorking} tells the truth while it runs.
   */
  protected abstract boolean workOnce() throws Exception;

  /**
   * Called on the worker's thread when there was nothing to do, after waiting for a wake-up at
   * most {@code idleWaitMs()}; {@code woken} says whether a wake-up ended the wait.
   */
  protected void idle(boolean woken) throws Exception {}

  /** How long the thread waits for a wake-up when there is nothing to do. */
  protected long idleWaitMs() {
    return 1_000;
  }

  void start() {
    thread = Thread.ofPlatform().daemon().name(name + "-" + segments.dir().getParent().getFileName()).start(this::run);
  }

  /** There may be work. Cheap; never blocks on the work. */
  void wake() {
    signalLock.lock();
    try {
      woken = true;
      signal.signal();
    } finally {
      signalLock.unlock();
    }
  }

  /** Units of work finished since the shard opened (for metrics). */
  final long completedUnits() {
    return completedUnits.get();
  }

  /** Units of work that failed since the shard opened (each is retried). */
  final long failedUnits() {
    return failedUnits.get();
  }

  /** True while a unit of work runs. */
  final boolean isWorking() {
    return working;
  }

  /** True once the worker stopped or the shard closed: work in progress should end. */
  final boolean cancelled() {
    return stopped || segments.isClosed();
  }

  /** Marks the start of a unit of work (see {@link #workOnce}). */
  protected final void working() {
    working = true;
  }

  /** Stops the thread, waiting at most {@value #STOP_WAIT_MS} ms for the work in progress to notice. */
  void stop() {
    stopped = true;
    wake();
    if (thread != null && thread != Thread.currentThread()) {
      try {
        thread.join(STOP_WAIT_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        LOG.warn("{}: {} still busy after {} ms; leaving it to abandon its work", segments, name, STOP_WAIT_MS);
      }
    }
  }

  private void run() {
    while (!stopped) {
      try {
        if (workOnce()) {
          completedUnits.incrementAndGet();
        } else {
          boolean wasWoken = awaitWake();
          if (!stopped) {
            idle(wasWoken);
          }
        }
      } catch (Throwable e) {
        if (cancelled()) {
          return;
        }
        failedUnits.incrementAndGet();
        LOG.error("{}: {} failed; retrying in a second", segments, name, e);
        sleepQuietly(1000);
      } finally {
        working = false;
      }
    }
  }

  /** Waits for a wake-up, at most {@link #idleWaitMs}; true when one came. */
  private boolean awaitWake() throws InterruptedException {
    signalLock.lock();
    try {
      if (!woken && !stopped) {
        signal.await(idleWaitMs(), TimeUnit.MILLISECONDS);
      }
      boolean was = woken;
      woken = false;
      return was;
    } finally {
      signalLock.unlock();
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
