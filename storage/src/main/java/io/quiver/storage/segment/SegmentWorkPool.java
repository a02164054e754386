package io.quiver.storage.segment;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A fixed pool of threads shared by one kind of {@link SegmentWorker} (the flushers, or the
 * optimizers) of every shard of a process, so that the threads do not grow with the shards.
 *
 * <p>Fairness: a worker with work is queued once, in arrival order; a thread runs one unit of its
 * work ({@link SegmentWorker#workOnce}: one flush, one index build, one merge) and queues it again
 * at the tail when it has more, so shards take turns unit by unit and a shard with a long backlog
 * never holds back the others by more than one unit per thread. The flushers have their own pool,
 * so a long graph build never delays a flush. Units of one worker never overlap, so one shard's
 * flushes stay in order and it runs one optimization at a time.
 *
 * <p>The timer only queues workers (an idle wait that ended, a retry after a failure); it runs no
 * work. Thread-safe.
 */
public final class SegmentWorkPool implements AutoCloseable {

  private final String name;
  private final int threads;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;

  /**
   * @param name names the threads ({@code name-1}, ...) and the log lines
   * @param threads how many units of work may run at once, at least 1
   * @param timer queues workers after their idle waits or retry pauses; shared, not closed by this
   *     pool
   */
  public SegmentWorkPool(String name, int threads, ScheduledExecutorService timer) {
    if (threads < 1) {
      throw new IllegalArgumentException(name + " threads must be at least 1, got " + threads);
    }
    this.name = name;
    this.threads = threads;
    this.timer = timer;
    this.executor =
        Executors.newFixedThreadPool(
            threads, Thread.ofPlatform().daemon().name(name + "-", 1).factory());
  }

  /** The number of threads. */
  public int threads() {
    return threads;
  }

  /**
   * Runs one unit of {@code worker}'s work on a pool thread, after the workers queued before it.
   */
  void submit(SegmentWorker worker) {
    try {
      executor.execute(worker::runUnit);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the process is done with its shards (close): the unit would be cancelled anyway
    }
  }

  /** Calls {@code task} (which must be quick and never block) after {@code delayMs}. */
  ScheduledFuture<?> schedule(Runnable task, long delayMs) {
    return timer.schedule(task, delayMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Stops the threads; units in progress are interrupted. Only for a process, or a test, that is
   * done with its shards.
   */
  @Override
  public void close() {
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return name + "[" + threads + " threads]";
  }
}
