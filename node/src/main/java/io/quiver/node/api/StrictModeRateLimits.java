package io.quiver.node.api;

import io.quiver.node.http.ApiException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Strict mode's {@code read_rate_limit} and {@code write_rate_limit} (operations per minute), as
 * token buckets kept by each node for the requests it receives: a collection's limit therefore
 * applies per receiving node (Qdrant applies it per replica), so a cluster of N nodes admits up to
 * N times the limit in total. A bucket holds at most one minute's tokens and refills continuously;
 * a read costs one token per search (a batch costs its size), a write one token per point it names
 * (one for a filter). A bucket is replaced when its limit changes. Thread-safe.
 */
final class StrictModeRateLimits {

  private static final long NANOS_PER_MINUTE = 60_000_000_000L;

  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  /**
   * Takes {@code cost} tokens from the collection's read or write bucket, or refuses with Qdrant's
   * 429.
   */
  void acquire(String collection, boolean write, long perMinute, long cost) {
    String key = (write ? "w:" : "r:") + collection;
    Bucket bucket =
        buckets.compute(
            key, (k, b) -> b == null || b.perMinute != perMinute ? new Bucket(perMinute) : b);
    bucket.take(write ? "Write" : "Read", cost);
  }

  /**
   * Tokens of one collection and kind: at most {@code perMinute}, refilled at {@code perMinute} a
   * minute.
   */
  private static final class Bucket {
    private final long perMinute;
    private double tokens;
    private long refilledNanos = System.nanoTime();

    Bucket(long perMinute) {
      this.perMinute = perMinute;
      this.tokens = perMinute;
    }

    synchronized void take(String kind, long cost) {
      long now = System.nanoTime();
      tokens =
          Math.min(
              perMinute, tokens + (double) (now - refilledNanos) * perMinute / NANOS_PER_MINUTE);
      refilledNanos = now;
      if (cost > perMinute) {
        throw new ApiException(
            429,
            "Rate limiting exceeded: "
                + kind
                + " rate limit exceeded, operation requires "
                + cost
                + " tokens, more than the limit of "
                + perMinute
                + " per minute");
      }
      if (tokens < cost) {
        long retrySeconds = (long) Math.ceil((cost - tokens) * 60.0 / perMinute);
        throw new ApiException(
            429,
            String.format(
                java.util.Locale.ROOT,
                "Rate limiting exceeded: %s rate limit exceeded: "
                    + "Operation requires %d tokens but only %.1f were available. Retry after %ds",
                kind,
                cost,
                tokens,
                retrySeconds));
      }
      tokens -= cost;
    }
  }
}
