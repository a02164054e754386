package io.quiver.jepsen.checker;

import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The register operations of one key that fall in a time window [start, end], turned into
 * {@link RegisterCall}s for {@link LinearizationSearch}, relaxed so that the window is
 * non-linearizable only if the whole history is:
 *
 * <ol>
 *   <li>{@code fail} operations never took effect: left out. {@code info} reads constrain nothing:
 *       left out.
 *   <li>An {@code ok} operation that lies inside the window is kept as it is.
 *   <li>A write (write, insert, delete) that is {@code info}, or that straddles a window edge,
 *       becomes indeterminate: it may take effect at any time from max(invocation, start) on, or
 *       never. A read that straddles an edge is left out. Operations wholly outside are left out.
 *   <li>An indeterminate write whose value no kept read returned is left out: it can always be
 *       placed last, where nobody observes it, so it changes no verdict.
 *   <li>Without a start ({@link #OPEN}) the register starts absent; with one it starts
 *       {@link RegisterModel#UNKNOWN}, since operations before the window wrote it.
 * </ol>
 *
 * A linearization of the whole history, restricted to the kept operations, is a linearization of
 * the window, so shrinking the window can only turn INVALID into VALID. That monotonicity is what
 * lets {@link LinearizabilityChecker} binary-search the smallest failing window.
 *
 * @param calls the operations for the search, index-aligned with {@code ops}
 * @param ops the original operations kept, in history order
 * @param initialState the state at the start of the window
 */
record RegisterWindow(List<RegisterCall> calls, List<Op> ops, Object initialState) {

    /** No window start: the window begins with the history, where the register is absent. */
    static final long OPEN = Long.MIN_VALUE;

    /** @return true if {@code op} is a read or write of a single point that a register models */
    static boolean isRegisterOp(Op op) {
        return op.key() != null && (op.f() == OpFunction.READ || op.f().isPointMutation());
    }

    /**
     * @param keyOps the register operations of one key, in history order
     * @param start the window start, or {@link #OPEN}
     * @param end the window end ({@link Long#MAX_VALUE} for the whole history)
     */
    static RegisterWindow of(List<Op> keyOps, long start, long end) {
        List<RegisterCall> calls = new ArrayList<>();
        List<Op> ops = new ArrayList<>();
        Set<Object> observed = new HashSet<>();
        for (Op op : keyOps) {
            boolean write = op.f() != OpFunction.READ;
            if (op.type() == OpType.FAIL || !write && op.type() != OpType.OK
                    || op.invokeNanos() > end || op.effectDeadlineNanos() < start) {
                continue;
            }
            Long value = op.f() == OpFunction.DELETE ? null : op.value();
            boolean inside = op.type() == OpType.OK && op.invokeNanos() >= start && op.completeNanos() <= end;
            if (inside) {
                calls.add(new RegisterCall(write, value, op.invokeNanos(), op.completeNanos()));
                ops.add(op);
                if (!write) {
                    observed.add(RegisterModel.stateOf(value));
                }
            } else if (write) {
                calls.add(new RegisterCall(true, value, Math.max(op.invokeNanos(), start), Long.MAX_VALUE));
                ops.add(op);
            }
        }
        pruneUnobserved(calls, ops, observed);
        return new RegisterWindow(List.copyOf(calls), List.copyOf(ops),
                start == OPEN ? RegisterModel.ABSENT : RegisterModel.UNKNOWN);
    }

    private static void pruneUnobserved(List<RegisterCall> calls, List<Op> ops, Set<Object> observed) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            RegisterCall call = calls.get(i);
            if (call.returnNanos() == Long.MAX_VALUE && !observed.contains(RegisterModel.stateOf(call.value()))) {
                calls.remove(i);
                ops.remove(i);
            }
        }
    }
}
