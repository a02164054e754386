package io.quiver.consensus.raft;

import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.AwaitForSignal;
import org.apache.ratis.util.MemoizedSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signal a division's state machine updater thread waits on for new commits, replaced so that
 * an idle group's updater sleeps {@link #IDLE_WAIT_MS} instead of waking every 100 ms.
 *
 * <p>Why: Ratis 3.2.1's {@code StateMachineUpdater} waits for a commit with {@code
 * awaitForSignal.await(100, MILLISECONDS)} in a loop, a constant with no setting. Each division has
 * one such thread, so a node with 500 idle shard groups woke 5,000 times a second for nothing
 * (issue 17: its largest share of idle CPU). The short wait hides a lost wakeup: {@link
 * AwaitForSignal} forgets a signal that arrives between the updater's check of the commit index and
 * its wait (its {@code signal()} marks the current waiters and starts a new generation), so without
 * the 100 ms poll a commit could sit unapplied.
 *
 * <p>How: {@link Pending} keeps a signal until a wait takes it, so no commit waits for the timeout;
 * the wait is then only a safety net and lasts {@link #IDLE_WAIT_MS}. Every event the updater waits
 * for signals it in 3.2.1 (a commit index advancing, a snapshot request, a reload, a stop). {@link
 * #install} reaches into Ratis' private fields ({@code RaftServerImpl.state}, {@code
 * ServerState.stateMachineUpdater}, {@code StateMachineUpdater.awaitForSignal}); if an upgrade of
 * Ratis changed them it logs that once and leaves the 100 ms poll in place: slower when idle, never
 * wrong.
 */
public final class StateMachineUpdaterSignal {

  private static final Logger LOG = LoggerFactory.getLogger(StateMachineUpdaterSignal.class);

  /** The longest an updater sleeps without a signal (Ratis: 100 ms). */
  static final long IDLE_WAIT_MS = 1_000;

  private static volatile boolean unsupported;

  private StateMachineUpdaterSignal() {}

  /**
   * Gives the started division {@code division}'s updater a {@link Pending} signal; does nothing
   * when it already has one or its updater is not created yet. The updater may be waiting on the
   * old signal meanwhile: a signal sent to the new one then reaches it at the old wait's end (100
   * ms).
   *
   * @return true when the division's updater now waits on a {@link Pending} signal
   */
  public static boolean install(RaftServer.Division division) {
    if (unsupported) {
      return false;
    }
    try {
      Object state = field(division.getClass(), "state").get(division);
      MemoizedSupplier<?> updaterSupplier =
          (MemoizedSupplier<?>) field(state.getClass(), "stateMachineUpdater").get(state);
      if (!updaterSupplier.isInitialized()) {
        return false;
      }
      Object updater = updaterSupplier.get();
      Field signal = field(updater.getClass(), "awaitForSignal");
      if (!(signal.get(updater) instanceof Pending)) {
        signal.set(updater, new Pending(updater));
      }
      return true;
    } catch (ReflectiveOperationException
        | ClassCastException
        | java.lang.reflect.InaccessibleObjectException e) {
      unsupported = true;
      LOG.warn(
          "Ratis' StateMachineUpdater is not as in Ratis 3.2.1 (check StateMachineUpdaterSignal against the new"
              + " version): idle shard groups keep waking every 100 ms",
          e);
      return false;
    }
  }

  /**
   * As {@link #install(RaftServer.Division)} for group {@code id} of {@code server}; false when it
   * hosts no such division.
   */
  public static boolean install(RaftServer server, org.apache.ratis.protocol.RaftGroupId id) {
    try {
      return install(server.getDivision(id));
    } catch (java.io.IOException gone) {
      return false; // closed or removed meanwhile: nothing waits
    }
  }

  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }

  /**
   * An {@link AwaitForSignal} whose signal waits to be taken: {@link #signal} sets a flag, and a
   * wait returns at once (true) if the flag is set, clearing it; otherwise it sleeps until a signal
   * or {@link #IDLE_WAIT_MS}, whatever the caller asked. A signal is never lost; an extra wakeup
   * only makes the updater check its loop condition once more.
   */
  static final class Pending extends AwaitForSignal {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signaled = lock.newCondition();
    private boolean pending;

    Pending(Object name) {
      super(name);
    }

    @Override
    public void await() throws InterruptedException {
      lock.lock();
      try {
        while (!pending) {
          signaled.await();
        }
        pending = false;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
      if (time <= 0) {
        return false;
      }
      lock.lock();
      try {
        long nanos = TimeUnit.MILLISECONDS.toNanos(IDLE_WAIT_MS);
        while (!pending && nanos > 0) {
          nanos = signaled.awaitNanos(nanos);
        }
        boolean taken = pending;
        pending = false;
        return taken;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void signal() {
      lock.lock();
      try {
        pending = true;
        signaled.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
