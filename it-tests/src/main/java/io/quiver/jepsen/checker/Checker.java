package io.quiver.jepsen.checker;

import io.quiver.jepsen.history.History;

/**
 * Judges one property of a recorded history.
 *
 * <p>Implementations are stateless and thread-safe; {@link #check} never modifies the history,
 * ignores operations whose function it does not judge, and is bounded in time and memory: when the
 * bound is hit it returns {@link Verdict#UNKNOWN} rather than running on.
 */
public interface Checker {

  /**
   * @return a short stable name for reports, e.g. {@code "set"}
   */
  String name();

  /**
   * @return the verdict on {@code history}, with counterexamples when it is invalid
   */
  CheckResult check(History history);
}
