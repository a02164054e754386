package io.quiver.storage.segment;

import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background work of one shard's segments ({@link SegmentFlusher}, {@link SegmentOptimizer}),
 * run on a {@link SegmentWorkPool} shared by every shard of the process, never on the Raft apply
 * thread: one unit of work at a time ({@link #workOnce}), queued on the pool by {@link #wake} (or
 * when an idle wait of {@link #idleWaitMs} passes) and queued again while it has more. A failed
 * unit is logged and retried a second later; {@link #stop} waits a bounded time for this worker's
 * unit in progress (never for other shards' work), which asks {@link #cancelled} between its steps.
 */
abstract class SegmentWorker {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentWorker.class);

  /**
   * How long closing the shard waits for a unit of work in progress at most. Work is cancelled when
   * the shard closes (a graph build asks before every node it inserts, copies every 4,096 vectors)
   * and removes its files, so closing normally waits for one such step. Should a unit still run
   * after this (a very slow disk), it is abandoned: it fails on its unmapped sources or finds the
   * shard closed at its swap (checked under the files lock, which close takes too), so it never
   * writes the manifest after close; files it leaves are unlisted and removed at the next open.
   */
  private static final long STOP_WAIT_MS = 10_000;

  protected final ShardSegments segments;
  private final String name;
  private final SegmentWorkPool pool;

  /** Guards the scheduling state below; never held while a unit runs. */
  private final Object state = new Object();

  /** Queued on the pool and not yet started. */
  private boolean queued;

  /** A unit runs on {@link #runner}. */
  private Thread runner;

  /** A wake-up came while a unit ran: run again after it. */
  private boolean rerun;

  /** The next unit follows an idle wait that passed without a wake-up ({@link #idleWaitPassed}). */
  private boolean idleWaitPassed;

  private ScheduledFuture<?> timer;
  private volatile boolean working;
  private volatile boolean stopped;
  private final java.util.concurrent.atomic.AtomicLong completedUnits =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong failedUnits =
      new java.util.concurrent.atomic.AtomicLong();

  /** {@code name} names the log lines ("flusher", "optimizer"); {@code pool} runs the units. */
  SegmentWorker(ShardSegments segments, String name, SegmentWorkPool pool) {
    this.segments = segments;
    this.name = name;
    this.pool = pool;
  }

  /**
   * Does one unit of work, or returns false at once when there is none. Calls {@link #working()}
   * before it starts one, so that {@link #isWorking} tells the truth while it runs.
   */
  protected abstract boolean workOnce() throws Exception;

  /**
   * Called on a pool thread before a unit, when {@link #idleWaitMs} passed after the last unit
   * found nothing to do, with no wake-up meanwhile.
   */
  protected void idleWaitPassed() throws Exception {}

  /**
   * How long to wait, when there is nothing to do, before {@link #idleWaitPassed} and a new look
   * for work without a wake-up; negative: wait for a wake-up however long (an idle shard then costs
   * no thread and no timer). Asked after every unit that found nothing to do.
   */
  protected long idleWaitMs() {
    return -1;
  }

  /** Looks for work once (work left over from before a restart, say). */
  void start() {
    wake();
  }

  /**
   * There may be work: queues a unit on the pool unless one is queued; cheap, never blocks on the
   * work.
   */
  void wake() {
    synchronized (state) {
      if (stopped) {
        return;
      }
      if (runner != null) {
        rerun = true;
        return;
      }
      cancelTimer();
      idleWaitPassed = false;
      queueLocked();
    }
  }

  private void queueLocked() {
    if (!queued) {
      queued = true;
      pool.submit(this);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** The timer's end of an idle wait (or of a retry pause after a failure). */
  private void timerFired(boolean idleWait) {
    synchronized (state) {
      timer = null;
      if (stopped || runner != null || queued) {
        return;
      }
      idleWaitPassed = idleWait;
      queueLocked();
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

  /**
   * Stops the worker, waiting at most {@value #STOP_WAIT_MS} ms for its unit in progress to notice.
   */
  void stop() {
    synchronized (state) {
      stopped = true;
      cancelTimer();
      long deadline = System.nanoTime() + STOP_WAIT_MS * 1_000_000;
      while (runner != null && runner != Thread.currentThread()) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          LOG.warn(
              "{}: {} still busy after {} ms; leaving it to abandon its work",
              segments,
              name,
              STOP_WAIT_MS);
          return;
        }
        try {
          state.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** One unit of work, on a pool thread; then queues the next one, or waits idle. */
  final void runUnit() {
    boolean afterIdleWait;
    synchronized (state) {
      queued = false;
      if (stopped) {
        return;
      }
      runner = Thread.currentThread();
      rerun = false;
      afterIdleWait = idleWaitPassed;
      idleWaitPassed = false;
    }
    boolean didWork = false;
    boolean failed = false;
    try {
      if (afterIdleWait) {
        idleWaitPassed();
      }
      didWork = workOnce();
      if (didWork) {
        completedUnits.incrementAndGet();
      }
    } catch (Throwable e) {
      if (!cancelled()) {
        failed = true;
        failedUnits.incrementAndGet();
        LOG.error("{}: {} failed; retrying in a second", segments, name, e);
      }
    } finally {
      working = false;
    }
    synchronized (state) {
      runner = null;
      state.notifyAll();
      if (stopped) {
        return;
      }
      if (failed) {
        timer = pool.schedule(() -> timerFired(false), 1000);
      } else if (didWork || rerun) {
        queueLocked(); // at the tail: other shards' queued units go first
      } else {
        long waitMs = idleWaitMs();
        if (waitMs >= 0) {
          timer = pool.schedule(() -> timerFired(true), waitMs);
        }
      }
    }
  }
}
