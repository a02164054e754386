package io.quiver.node.http;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bound on the REST requests in progress at once ({@code service.max_concurrent_requests}): past
 * it a request is answered 429 with {@code Retry-After} at once, instead of queueing work the node
 * cannot finish in time. Lock-free and thread-safe; every successful {@link #tryAcquire()} must be
 * followed by exactly one {@link #release()}.
 */
public final class ConcurrencyLimit {

  /** Seconds a refused client is asked to wait ({@code Retry-After}). */
  static final int RETRY_AFTER_SECONDS = 1;

  private final int max;
  private final AtomicInteger inProgress = new AtomicInteger();

  /**
   * @param max requests in progress at once; at least 1
   */
  public ConcurrencyLimit(int max) {
    if (max < 1) {
      throw new IllegalArgumentException(
          "service.max_concurrent_requests must be positive, got " + max);
    }
    this.max = max;
  }

  /** No bound (tests, tools). */
  public static ConcurrencyLimit unbounded() {
    return new ConcurrencyLimit(Integer.MAX_VALUE);
  }

  /** Takes a place; false (taking nothing) when {@link #max()} requests are in progress. */
  boolean tryAcquire() {
    while (true) {
      int now = inProgress.get();
      if (now >= max) {
        return false;
      }
      if (inProgress.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  void release() {
    inProgress.decrementAndGet();
  }

  public int max() {
    return max;
  }

  /** Requests in progress now. */
  public int inProgress() {
    return inProgress.get();
  }
}
