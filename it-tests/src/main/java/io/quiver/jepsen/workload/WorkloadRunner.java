package io.quiver.jepsen.workload;

import io.quiver.jepsen.harness.NodeHost;
import io.quiver.jepsen.history.HistoryWriter;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Runs a {@link Workload} with concurrent client threads until a deadline. Thread {@code t} talks
 * to node {@code t mod N} and starts as process {@code t}; after an indeterminate ({@code info})
 * operation it continues as a new process ({@code + threads}), because the old one may still have
 * that operation in flight (Jepsen's rule). Every invocation and completion goes to the history as
 * it happens. Bounded: no operation starts after the deadline, and each is bounded by the client's
 * request timeout.
 */
public final class WorkloadRunner {

  private final Workload workload;
  private final List<NodeHost> nodes;
  private final PointCalls calls;
  private final HistoryWriter history;
  private final LongSupplier clock;
  private final int threads;
  private final long seed;
  private final long pauseMaxMillis;
  private volatile boolean stopped;

  /**
   * A client waits this long after an operation that did not succeed, so a dead node is not
   * hammered.
   */
  private static final long FAILURE_BACKOFF_MILLIS = 100;

  /**
   * @param clock nanoseconds since the start of the run
   * @param pauseMaxMillis each client waits a random 0..this between its operations
   */
  public WorkloadRunner(
      Workload workload,
      List<NodeHost> nodes,
      PointCalls calls,
      HistoryWriter history,
      LongSupplier clock,
      int threads,
      long seed,
      long pauseMaxMillis) {
    this.workload = workload;
    this.nodes = nodes;
    this.calls = calls;
    this.history = history;
    this.clock = clock;
    this.threads = threads;
    this.seed = seed;
    this.pauseMaxMillis = pauseMaxMillis;
  }

  /**
   * Runs the clients until {@code deadlineNanos} (the run's clock) and waits for them, at most
   * {@code joinTimeoutMillis} past the deadline; a client still running then is interrupted and may
   * not record anything more.
   */
  public void run(long deadlineNanos, long joinTimeoutMillis) throws InterruptedException {
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread client = new Thread(() -> client(thread, deadlineNanos), "jepsen-client-" + t);
      client.setDaemon(true);
      clients.add(client);
      client.start();
    }
    long joinDeadline =
        System.nanoTime()
            + Math.max(0, deadlineNanos - clock.getAsLong())
            + joinTimeoutMillis * 1_000_000;
    for (Thread client : clients) {
      client.join(Math.max(1, (joinDeadline - System.nanoTime()) / 1_000_000));
    }
    stopped = true;
    for (Thread client : clients) {
      client.interrupt();
    }
  }

  private void client(int thread, long deadlineNanos) {
    try {
      clientLoop(thread, deadlineNanos);
    } catch (java.io.UncheckedIOException e) {
      if (!stopped) {
        throw e;
      }
      // the history was closed after the join deadline
    }
  }

  private void clientLoop(int thread, long deadlineNanos) {
    Random random = new Random(seed * 31 + thread);
    NodeHost node = nodes.get(thread % nodes.size());
    int process = thread;
    while (clock.getAsLong() < deadlineNanos && !stopped) {
      Op invocation = workload.next(process, clock.getAsLong(), random);
      history.append(invocation);
      Op completion = workload.perform(invocation, node.baseUrl(), calls);
      if (stopped) {
        return; // past the join deadline: the history may be closed; the invocation stays
        // indeterminate
      }
      history.append(completion);
      if (completion.type() == OpType.INFO) {
        process += threads;
      }
      long pause =
          completion.type() == OpType.OK
              ? random.nextLong(pauseMaxMillis + 1)
              : FAILURE_BACKOFF_MILLIS;
      if (pause > 0) {
        try {
          Thread.sleep(pause);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /**
   * Performs the workload's final reads one after another through {@code node}, repeating one that
   * fails until it succeeds or {@code deadlineNanos} (run clock) passes.
   *
   * @param failures told of a failed attempt (the first three of each read, then every tenth), so
   *     that a run whose final reads never succeed says why in its fault log
   * @return false if some final read never succeeded
   */
  public boolean finalReads(
      NodeHost node,
      int process,
      long deadlineNanos,
      java.util.function.Consumer<String> failures) {
    boolean all = true;
    for (Op planned : workload.finalReads(process, clock.getAsLong())) {
      boolean done = false;
      int failed = 0;
      while (!done && clock.getAsLong() < deadlineNanos) {
        Op invocation =
            new Op(
                process,
                OpType.INVOKE,
                planned.f(),
                planned.key(),
                planned.value(),
                null,
                planned.required(),
                clock.getAsLong(),
                Op.NEVER,
                null,
                null);
        history.append(invocation);
        Op completion = workload.perform(invocation, node.baseUrl(), calls);
        history.append(completion);
        done = completion.type() == OpType.OK;
        if (!done && (++failed <= 3 || failed % 10 == 0)) {
          failures.accept(
              "final "
                  + planned.f().name().toLowerCase(java.util.Locale.ROOT)
                  + " through "
                  + node.name()
                  + " failed (attempt "
                  + failed
                  + ", "
                  + completion.type().name().toLowerCase(java.util.Locale.ROOT)
                  + ", "
                  + (completion.completeNanos() - invocation.invokeNanos()) / 1_000_000
                  + " ms): "
                  + completion.error());
        }
        if (completion.type() == OpType.INFO && planned.f() != OpFunction.READ_ALL) {
          process++;
        }
        if (!done) {
          try {
            Thread.sleep(500);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
      }
      all &= done;
    }
    return all;
  }
}
