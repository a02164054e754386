package io.quiver.jepsen.checker;

import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The register operations of one key that fall in a time window [start, end], turned into {@link
 * RegisterCall}s for {@link LinearizationSearch}, relaxed so that the window is non-linearizable
 * only if the whole history is:
 *
 * <ol>
 *   <li>{@code fail} operations never took effect: left out. {@code info} reads constrain nothing:
 *       left out.
 *   <li>An {@code ok} operation that lies inside the window is kept as it is.
 *   <li>A write (write, insert, delete) that is {@code info}, or that straddles a window edge,
 *       becomes optional: it may take effect at any time from max(invocation, start) on, or never.
 *       A read that straddles an edge is left out. Operations wholly outside are left out.
 *   <li>An optional write may take effect no later than the completion of the last kept read of its
 *       value: after that nobody can observe it, which is the same as never. One whose value no
 *       kept read returned is left out altogether.
 *   <li>Optional writes of the same value are interchangeable, so they are linearized in call order
 *       only ({@link RegisterCall#after()}): if a linearization applies some of them, one that
 *       applies the earliest-called ones, in order, exists too (give each application point the
 *       earliest-called write not yet used; its call precedes the point). Without this, k
 *       indeterminate deletes would cost 2^k configurations instead of k.
 *   <li>Without a start ({@link #OPEN}) the register starts absent; with one it starts {@link
 *       RegisterModel#UNKNOWN}, since operations before the window wrote it.
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

  /**
   * @return true if {@code op} is a read or write of a single point that a register models
   */
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
    Map<Object, Long> lastObserved = new HashMap<>();
    for (Op op : keyOps) {
      boolean write = op.f() != OpFunction.READ;
      if (op.type() == OpType.FAIL
          || !write && op.type() != OpType.OK
          || op.invokeNanos() > end
          || op.effectDeadlineNanos() < start) {
        continue;
      }
      Long value = op.f() == OpFunction.DELETE ? null : op.value();
      boolean inside =
          op.type() == OpType.OK && op.invokeNanos() >= start && op.completeNanos() <= end;
      if (inside) {
        calls.add(new RegisterCall(write, false, value, op.invokeNanos(), op.completeNanos(), -1));
        ops.add(op);
        if (!write) {
          lastObserved.merge(RegisterModel.stateOf(value), op.completeNanos(), Math::max);
        }
      } else if (write) {
        calls.add(
            new RegisterCall(
                true, true, value, Math.max(op.invokeNanos(), start), Long.MAX_VALUE, -1));
        ops.add(op);
      }
    }
    boundOptionalWrites(calls, ops, lastObserved);
    return new RegisterWindow(
        List.copyOf(calls),
        List.copyOf(ops),
        start == OPEN ? RegisterModel.ABSENT : RegisterModel.UNKNOWN);
  }

  /**
   * Gives each optional write the completion of the last kept read of its value as its latest time,
   * and removes it when there is none: taking effect after every read of its value has happened is
   * indistinguishable from never taking effect, which stays possible. Then chains the optional
   * writes of equal value (they now share that latest time) in call order. One pass.
   */
  private static void boundOptionalWrites(
      List<RegisterCall> calls, List<Op> ops, Map<Object, Long> lastObserved) {
    Map<Object, Integer> lastOfValue = new HashMap<>();
    int kept = 0;
    for (int i = 0; i < calls.size(); i++) {
      RegisterCall call = calls.get(i);
      if (call.optional()) {
        Object value = RegisterModel.stateOf(call.value());
        Long last = lastObserved.get(value);
        if (last == null || last < call.callNanos()) {
          continue;
        }
        Integer previous = lastOfValue.put(value, kept);
        call =
            new RegisterCall(
                true, true, call.value(), call.callNanos(), last, previous == null ? -1 : previous);
      }
      calls.set(kept, call);
      ops.set(kept, ops.get(i));
      kept++;
    }
    calls.subList(kept, calls.size()).clear();
    ops.subList(kept, ops.size()).clear();
  }
}
