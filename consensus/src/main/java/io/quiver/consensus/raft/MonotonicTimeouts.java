package io.quiver.consensus.raft;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.util.MemoizedSupplier;
import org.apache.ratis.util.TimeoutExecutor;
import org.apache.ratis.util.TimeoutTimer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes Ratis count its timeouts and retry delays on the monotonic clock ({@link System#nanoTime})
 * instead of the wall clock.
 *
 * <p>Why: every delay Ratis 3.2.1 schedules goes through {@link TimeoutExecutor#getInstance()}: a
 * client request's timeout, the pause before a client retries a request, a leader's appendEntries
 * timeout, watch, read-index and step-down timeouts. That executor ({@link TimeoutTimer}) runs them
 * on eight {@link Timer}s, and a {@code Timer} schedules by {@link System#currentTimeMillis}. When
 * the wall clock steps back (an NTP step, a virtual machine resumed, an operator), a task scheduled
 * before the step runs that much later; when it steps forward, pending timeouts fire at once. After
 * a one-hour step back, a shard client's retry waited an hour, and with it every later request of
 * that client, queued behind it in the client's ordered stream: a node's linearizable reads (whose
 * barrier goes through that stream) and writes to that shard failed until then (the Jepsen
 * search-clock run: final reads failed for 60 s after a +3600 s skew healed; {@code
 * ClockStepTest}). Ratis has no setting for this and upstream still uses the {@code Timer}s.
 *
 * <p>How: {@link #install()} gives each of {@link TimeoutTimer}'s lazily created {@code Timer}s a
 * {@link MonotonicTimer} before Ratis creates them, which runs each task on a {@link
 * ScheduledThreadPoolExecutor} (it counts delays with {@code nanoTime}). It reaches into Ratis'
 * private fields, so it fails loudly if an upgrade of Ratis changed them.
 */
public final class MonotonicTimeouts {

  private static final Logger LOG = LoggerFactory.getLogger(MonotonicTimeouts.class);

  /** Set once installed; guarded by the class. */
  private static boolean installed;

  private MonotonicTimeouts() {}

  /**
   * Installs the monotonic timers in Ratis' shared {@link TimeoutTimer} (once per process; later
   * calls do nothing). Call before any Ratis server or client exists: a {@code Timer} Ratis already
   * created keeps its wall-clock thread for the tasks it holds.
   *
   * @throws IllegalStateException if Ratis' {@code TimeoutTimer} is not shaped as in 3.2.1
   */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    try {
      Field timersField = TimeoutTimer.class.getDeclaredField("timers");
      timersField.setAccessible(true);
      List<?> timers = (List<?>) timersField.get(TimeoutTimer.getInstance());
      Field value = MemoizedSupplier.class.getDeclaredField("value");
      value.setAccessible(true);
      ScheduledExecutorService executor = newExecutor(timers.size());
      for (int i = 0; i < timers.size(); i++) {
        MemoizedSupplier<?> timer = (MemoizedSupplier<?>) timers.get(i);
        synchronized (timer) { // MemoizedSupplier initializes under its own lock
          if (timer.isInitialized()) {
            LOG.warn(
                "Ratis' timer {} already exists: the tasks it holds keep counting on the wall clock",
                i);
          }
          value.set(timer, new MonotonicTimer("ratis-timer" + i, executor));
        }
      }
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException(
          "cannot make Ratis' timeouts count on the monotonic clock: Ratis' TimeoutTimer"
              + " is not as in Ratis 3.2.1 (check MonotonicTimeouts against the new version)",
          e);
    }
    installed = true;
  }

  /**
   * As many threads as Ratis had {@code Timer}s (its tasks only complete futures and send
   * requests), all of them core threads, started as needed and kept: a pool with no core threads
   * spins (JDK-8129861, met by Ratis' earlier executor-based scheduler: RATIS-814).
   */
  private static ScheduledExecutorService newExecutor(int threads) {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            threads, Thread.ofPlatform().daemon().name("ratis-timeout-", 0).factory());
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /**
   * A {@link Timer} whose {@link #schedule(TimerTask, long)} runs the task on an executor that
   * counts on the monotonic clock. It serves {@link TimeoutTimer}, which calls nothing else: the
   * other ways to schedule refuse.
   */
  static final class MonotonicTimer extends Timer {

    private final ScheduledExecutorService executor;

    MonotonicTimer(String name, ScheduledExecutorService executor) {
      super(name, true);
      // Timer starts a thread of its own in its constructor; this one never queues a task on it.
      super.cancel();
      this.executor = executor;
    }

    @Override
    public void schedule(TimerTask task, long delayMs) {
      if (delayMs < 0) {
        throw new IllegalArgumentException("negative delay " + delayMs);
      }
      executor.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void schedule(TimerTask task, java.util.Date time) {
      throw refused();
    }

    @Override
    public void schedule(TimerTask task, long delayMs, long periodMs) {
      throw refused();
    }

    @Override
    public void schedule(TimerTask task, java.util.Date firstTime, long periodMs) {
      throw refused();
    }

    @Override
    public void scheduleAtFixedRate(TimerTask task, long delayMs, long periodMs) {
      throw refused();
    }

    @Override
    public void scheduleAtFixedRate(TimerTask task, java.util.Date firstTime, long periodMs) {
      throw refused();
    }

    private static UnsupportedOperationException refused() {
      return new UnsupportedOperationException(
          "Ratis' TimeoutTimer schedules one delay at a time; nothing else is served");
    }
  }
}
