package io.quiver.jepsen.checker;

/**
 * Bounds of one linearization search.
 *
 * @param deadlineNanos the {@link System#nanoTime()} after which the search gives up
 * @param cacheBytesMax the estimated memory the memo of configurations may take before the search
 *     gives up
 */
record SearchBudget(long deadlineNanos, long cacheBytesMax) {

  /**
   * @return true if the deadline has passed
   */
  boolean expired() {
    return System.nanoTime() - deadlineNanos > 0;
  }
}
