package io.quiver.jepsen.checker;

/**
 * One operation on a register, as the linearization search sees it.
 *
 * @param write true for a write (a delete writes null), false for a read
 * @param value the value written or read; null = absent
 * @param callNanos the earliest time the operation may take effect
 * @param returnNanos the latest time it may take effect; {@link Long#MAX_VALUE} for an
 *     indeterminate write, which may take effect at any time after its call, or never
 */
record RegisterCall(boolean write, Long value, long callNanos, long returnNanos) {

    RegisterCall {
        assert returnNanos >= callNanos : callNanos + " > " + returnNanos;
        assert write || returnNanos != Long.MAX_VALUE : "an indeterminate read constrains nothing";
    }
}
