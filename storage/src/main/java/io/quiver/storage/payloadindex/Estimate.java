package io.quiver.storage.payloadindex;

import java.util.List;

/**
 * How many points a filter matches, as Qdrant's {@code CardinalityEstimation}: a certain lower
 * bound, an expected value and a certain upper bound ({@code min <= expected <= max}). Exact when
 * the payload indexes answer the whole filter ({@code min == max}).
 */
public record Estimate(long min, long expected, long max) {

  public Estimate {
    if (min < 0 || min > expected || expected > max) {
      throw new IllegalArgumentException(
          "estimate out of order: " + min + " <= " + expected + " <= " + max);
    }
  }

  public static Estimate exact(long n) {
    return new Estimate(n, n, n);
  }

  /** Nothing known about a condition over {@code total} points (Qdrant's {@code unknown}). */
  public static Estimate unknown(long total) {
    return new Estimate(0, total / 2, total);
  }

  public boolean isExact() {
    return min == max;
  }

  /** This and {@code other} over disjoint sets of points (two segments' counts). */
  Estimate plus(Estimate other) {
    return new Estimate(min + other.min, expected + other.expected, max + other.max);
  }

  /** The points NOT matching, when this estimates those that match. */
  Estimate invert(long total) {
    return new Estimate(total - max, total - expected, total - min);
  }

  /**
   * All of {@code parts} (Qdrant's {@code combine_must_estimations}): the lower bound assumes the
   * misses are disjoint, the expectation assumes independence, the upper bound is the smallest
   * part.
   */
  static Estimate all(List<Estimate> parts, long total) {
    if (parts.isEmpty()) {
      return exact(total);
    }
    long min = total;
    long max = total;
    double fraction = 1.0;
    for (Estimate e : parts) {
      min = Math.max(0, min - (total - e.min));
      max = Math.min(max, e.max);
      fraction *= total == 0 ? 0 : (double) e.expected / total;
    }
    long expected = Math.clamp(Math.round(fraction * total), min, max);
    return new Estimate(min, expected, max);
  }

  /** Any of {@code parts} (Qdrant's {@code combine_should_estimations}). */
  static Estimate any(List<Estimate> parts, long total) {
    long min = 0;
    long max = 0;
    double missFraction = 1.0;
    for (Estimate e : parts) {
      min = Math.max(min, e.min);
      max = Math.min(total, max + e.max);
      missFraction *= total == 0 ? 1 : 1.0 - (double) e.expected / total;
    }
    long expected = Math.clamp(Math.round((1.0 - missFraction) * total), min, max);
    return new Estimate(min, expected, max);
  }
}
