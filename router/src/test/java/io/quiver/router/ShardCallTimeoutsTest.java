package io.quiver.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: a shard call's deadline is kept without a timer per call: a call not answered in time fails
 * with a {@link TimeoutException} within a tick of its deadline, an answered one is left alone and
 * forgotten, and the checking thread waits without a timeout once no call came within the linger,
 * then wakes for the next call. Oracle: the futures' outcomes, the time taken, the pending count
 * and the thread's state.
 */
@Timeout(30)
class ShardCallTimeoutsTest {

  private static final long TICK_MS = 5;
  private static final long LINGER_MS = 100;

  private final ShardCallTimeouts timeouts =
      new ShardCallTimeouts(
          TimeUnit.MILLISECONDS.toNanos(TICK_MS), TimeUnit.MILLISECONDS.toNanos(LINGER_MS));

  @Test
  void anUnansweredCallTimesOutWithinATickOfItsDeadline() throws Exception {
    long start = System.nanoTime();
    CompletableFuture<String> call =
        timeouts.within(new CompletableFuture<>(), 50, TimeUnit.MILLISECONDS);
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, call::get);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertInstanceOf(TimeoutException.class, e.getCause());
    assertTrue(tookMs >= 50 && tookMs < 50 + 500, "timed out after " + tookMs + " ms");
  }

  @Test
  void answeredCallsAreLeftAloneAndForgotten() throws Exception {
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      calls.add(timeouts.within(new CompletableFuture<>(), 10, TimeUnit.SECONDS));
    }
    for (int i = 0; i < calls.size(); i++) {
      calls.get(i).complete(i);
    }
    awaitTrue(() -> timeouts.pendingCount() == 0, "every answered call dropped");
    for (int i = 0; i < calls.size(); i++) {
      assertEquals(i, calls.get(i).get());
    }
    CompletableFuture<Integer> done = CompletableFuture.completedFuture(7);
    assertEquals(done, timeouts.within(done, 1, TimeUnit.MILLISECONDS));
    assertEquals(0, timeouts.pendingCount(), "a call already answered is not kept");
  }

  @Test
  void anIdleCheckerWaitsWithoutTimeoutAndWakesForTheNextCall() throws Exception {
    timeouts.within(new CompletableFuture<>(), 1, TimeUnit.MILLISECONDS);
    awaitTrue(
        () -> timeouts.ticker().getState() == Thread.State.WAITING,
        "the checker waits without a timeout");
    Thread.sleep(3 * LINGER_MS);
    assertEquals(Thread.State.WAITING, timeouts.ticker().getState(), "no tick while idle");
    long start = System.nanoTime();
    CompletableFuture<String> call =
        timeouts.within(new CompletableFuture<>(), 20, TimeUnit.MILLISECONDS);
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, call::get);
    assertInstanceOf(TimeoutException.class, e.getCause());
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(
        tookMs < 20 + 500,
        "the sleeping checker woke for the call: timed out after " + tookMs + " ms");
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what);
      Thread.sleep(5);
    }
  }
}
