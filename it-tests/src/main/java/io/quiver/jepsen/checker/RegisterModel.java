package io.quiver.jepsen.checker;

import java.util.Objects;

/**
 * The sequential specification of a register holding a {@code Long}, or nothing.
 *
 * <p>States are {@link #ABSENT}, {@link #UNKNOWN} or a {@code Long}; they are immutable and
 * compared with {@link Object#equals}, so they can be memoized. {@link #UNKNOWN} is the state at
 * the start of a window cut out of a longer history: any first read is consistent with it and fixes
 * the value.
 */
final class RegisterModel {

  /** The register holds nothing (never written, or deleted). */
  static final Object ABSENT =
      new Object() {
        @Override
        public String toString() {
          return "absent";
        }
      };

  /** The value is not known (start of a window). */
  static final Object UNKNOWN =
      new Object() {
        @Override
        public String toString() {
          return "unknown";
        }
      };

  private RegisterModel() {}

  /**
   * @return the state holding {@code value} (null = {@link #ABSENT})
   */
  static Object stateOf(Long value) {
    return value == null ? ABSENT : value;
  }

  /**
   * @return how many outcomes {@code call} has: 2 for an optional write (applied, skipped), else 1
   */
  static int outcomes(RegisterCall call) {
    return call.optional() ? 2 : 1;
  }

  /**
   * Applies outcome {@code outcome} of {@code call} to {@code state}: outcome 0 is the operation
   * taking effect; outcome 1, for an optional write only, is the write never taking effect.
   *
   * @return the next state, or null if the outcome cannot happen in {@code state} (a read that
   *     returned something else than the register holds)
   */
  static Object step(Object state, RegisterCall call, int outcome) {
    assert outcome < outcomes(call) : outcome;
    if (outcome == 1) {
      return state;
    }
    Object observed = stateOf(call.value());
    if (call.write()) {
      return observed;
    }
    if (state == UNKNOWN) {
      return observed;
    }
    return Objects.equals(state, observed) ? state : null;
  }
}
