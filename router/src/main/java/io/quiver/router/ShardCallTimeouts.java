package io.quiver.router;

import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The deadlines of shard calls, checked by one thread every {@code tick} instead of a timer per
 * call. {@link CompletableFuture#orTimeout} schedules each timeout on the JDK's delay scheduler
 * (JDK 25: the common pool's), whose thread a new earliest deadline wakes: at 0.77 wake-ups per
 * search on one node, and 9-25% of the QPS of 4 REST clients on 2 cores ({@code
 * bench/results/rest-search-timeouts.txt}). A call here is a lock-free queue insert; the thread
 * ticks while calls come (or came within {@code linger}) and sleeps without a timeout when none
 * did, so an idle node pays nothing. A deadline is honoured to within one tick (10 ms), which the
 * node's deadline and a request's {@code timeout} (seconds) do not notice.
 *
 * <p>A timed-out future is completed exceptionally with a {@link TimeoutException}, as {@code
 * orTimeout} does, on this class's thread. Thread-safe.
 */
final class ShardCallTimeouts {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ShardCallTimeouts.class);

  private static final ShardCallTimeouts PROCESS_WIDE =
      new ShardCallTimeouts(TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1));

  private record Pending(CompletableFuture<?> future, long deadlineNanos) {}

  private final long tickNanos;
  private final long lingerNanos;
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final Thread ticker;
  private volatile boolean sleeping;
  private volatile long lastCallNanos = System.nanoTime();

  ShardCallTimeouts(long tickNanos, long lingerNanos) {
    this.tickNanos = tickNanos;
    this.lingerNanos = lingerNanos;
    this.ticker = Thread.ofPlatform().daemon().name("shard-call-timeouts").unstarted(this::run);
    ticker.start();
  }

  static ShardCallTimeouts processWide() {
    return PROCESS_WIDE;
  }

  /**
   * {@code future}, completed with a {@link TimeoutException} unless done within {@code timeout}.
   */
  <T> CompletableFuture<T> within(CompletableFuture<T> future, long timeout, TimeUnit unit) {
    if (future.isDone()) {
      return future;
    }
    long now = System.nanoTime();
    pending.add(new Pending(future, now + unit.toNanos(timeout)));
    lastCallNanos = now;
    if (sleeping) {
      LockSupport.unpark(ticker);
    }
    return future;
  }

  /** Calls whose futures this thread has not seen done yet (for tests). */
  int pendingCount() {
    return pending.size();
  }

  /**
   * The checking thread (for tests: it waits without a timeout while no call came within the
   * linger).
   */
  Thread ticker() {
    return ticker;
  }

  private void run() {
    while (true) {
      try {
        tick();
      } catch (RuntimeException | Error e) {
        LOG.error(
            "checking shard call deadlines failed; checking on", e); // the thread must live on
        LockSupport.parkNanos(this, tickNanos);
      }
    }
  }

  private void tick() {
    long now = System.nanoTime();
    for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.future().isDone()) {
        it.remove();
      } else if (now - p.deadlineNanos() >= 0) {
        it.remove();
        p.future().completeExceptionally(new TimeoutException());
      }
    }
    if (pending.isEmpty() && now - lastCallNanos > lingerNanos) {
      // A caller adds, then reads `sleeping`; this thread sets it, then reads the queue: one of
      // the two sees the other, and an unpark before the park makes the park return at once.
      sleeping = true;
      if (pending.isEmpty()) {
        LockSupport.park(this);
      }
      sleeping = false;
    } else {
      LockSupport.parkNanos(this, tickNanos);
    }
  }
}
