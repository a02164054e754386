package io.quiver.consensus.raft;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an idempotent pass on its own daemon thread: triggers that arrive while a pass is pending
 * coalesce into it, and a pass that fails is retried after a delay. Used for work that must not run
 * on a Raft apply thread (reconciling hosted groups, the meta group's membership).
 */
public final class CoalescingTask implements AutoCloseable {

  /** One pass; an exception means "try again later". */
  @FunctionalInterface
  public interface Pass {
    void run() throws Exception;
  }

  private static final Logger LOG = LoggerFactory.getLogger(CoalescingTask.class);

  private final String name;
  private final Pass pass;
  private final long retryDelayMs;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean scheduled = new AtomicBoolean();

  public CoalescingTask(String name, long retryDelayMs, Pass pass) {
    this.name = name;
    this.pass = pass;
    this.retryDelayMs = retryDelayMs;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
  }

  /** Schedules a pass unless one is already pending. Returns at once; safe on any thread. */
  public void trigger() {
    if (scheduled.compareAndSet(false, true)) {
      executor.execute(this::runPass);
    }
  }

  /** Also triggers a pass every {@code periodMs}, whether or not anything asked for one. */
  public void triggerEvery(long periodMs) {
    executor.scheduleWithFixedDelay(this::trigger, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  /** Schedules a pass after the retry delay unless one is already pending. */
  public void retryLater() {
    if (scheduled.compareAndSet(false, true)) {
      executor.schedule(this::runPass, retryDelayMs, TimeUnit.MILLISECONDS);
    }
  }

  private void runPass() {
    scheduled.set(false);
    try {
      pass.run();
    } catch (Exception e) {
      LOG.warn("{}: pass failed, retrying in {} ms: {}", name, retryDelayMs, e.toString());
      retryLater();
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
