package io.quiver.jepsen.checker;

import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Linearizability of one register by exhaustive search, straight from the definition: for every
 * subset of the indeterminate writes that took effect, try every total order of the operations that
 * respects real time ({@code a} precedes {@code b} iff {@code a} completed strictly before {@code
 * b} was invoked; {@code info} never completes). Exponential: for histories of at most ~8
 * operations.
 */
final class BruteForceRegisterOracle {

  private BruteForceRegisterOracle() {}

  static boolean linearizable(List<Op> ops) {
    List<Op> certain = new ArrayList<>();
    List<Op> indeterminate = new ArrayList<>();
    for (Op op : ops) {
      if (op.type() == OpType.OK) {
        certain.add(op);
      } else if (op.type() == OpType.INFO && op.f() != OpFunction.READ) {
        indeterminate.add(op);
      }
    }
    for (int mask = 0; mask < 1 << indeterminate.size(); mask++) {
      List<Op> chosen = new ArrayList<>(certain);
      for (int i = 0; i < indeterminate.size(); i++) {
        if ((mask & 1 << i) != 0) {
          chosen.add(indeterminate.get(i));
        }
      }
      if (order(chosen, new boolean[chosen.size()], 0, null)) {
        return true;
      }
    }
    return false;
  }

  private static boolean order(List<Op> ops, boolean[] done, int count, Long state) {
    if (count == ops.size()) {
      return true;
    }
    for (int i = 0; i < ops.size(); i++) {
      if (done[i] || !minimal(ops, done, i)) {
        continue;
      }
      Op op = ops.get(i);
      Long next;
      if (op.f() == OpFunction.READ) {
        if (!Objects.equals(state, op.value())) {
          continue;
        }
        next = state;
      } else {
        next = op.f() == OpFunction.DELETE ? null : op.value();
      }
      done[i] = true;
      boolean found = order(ops, done, count + 1, next);
      done[i] = false;
      if (found) {
        return true;
      }
    }
    return false;
  }

  /**
   * @return true if no pending operation must precede operation {@code i}
   */
  private static boolean minimal(List<Op> ops, boolean[] done, int i) {
    for (int j = 0; j < ops.size(); j++) {
      if (!done[j] && j != i && ops.get(j).effectDeadlineNanos() < ops.get(i).invokeNanos()) {
        return false;
      }
    }
    return true;
  }
}
