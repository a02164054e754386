package io.quiver.jepsen.checker;

/**
 * One operation on a register, as the linearization search sees it.
 *
 * @param write true for a write (a delete writes null), false for a read
 * @param optional true for a write that may also never take effect (indeterminate); false for a
 *     write that certainly did, and for every read
 * @param value the value written or read; null = absent
 * @param callNanos the earliest time the operation may take effect
 * @param returnNanos the latest time it may take effect
 * @param after the index of the call that must be linearized before this one, or -1 (used to
 *     linearize interchangeable optional writes in a fixed order, see {@link RegisterWindow})
 */
record RegisterCall(
    boolean write, boolean optional, Long value, long callNanos, long returnNanos, int after) {

  RegisterCall {
    assert returnNanos >= callNanos : callNanos + " > " + returnNanos;
    assert write || !optional : "an indeterminate read constrains nothing";
  }
}
