package io.quiver.jepsen.checker;

import java.util.Objects;

/**
 * The sequential specification of a register holding a {@code Long}, or nothing.
 *
 * <p>States are {@link #ABSENT}, {@link #UNKNOWN} or a {@code Long}; they are immutable and compared
 * with {@link Object#equals}, so they can be memoized. {@link #UNKNOWN} is the state at the start of
 * a window cut out of a longer history: any first read is consistent with it and fixes the value.
 */
final class RegisterModel {

    /** The register holds nothing (never written, or deleted). */
    static final Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "absent";
        }
    };

    /** The value is not known (start of a window). */
    static final Object UNKNOWN = new Object() {
        @Override
        public String toString() {
            return "unknown";
        }
    };

    private RegisterModel() {}

    /** @return the state holding {@code value} (null = {@link #ABSENT}) */
    static Object stateOf(Long value) {
        return value == null ? ABSENT : value;
    }

    /**
     * Applies {@code call} to {@code state}.
     *
     * @return the next state, or null if {@code call} cannot happen in {@code state} (a read that
     *     returned something else than the register holds)
     */
    static Object step(Object state, RegisterCall call) {
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
