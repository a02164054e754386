package io.quiver.jepsen.history;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The completed operations of a run (types {@code ok}, {@code fail}, {@code info}), ordered by
 * invocation time, then process. Immutable and thread-safe.
 *
 * <p>An operation whose completion was never recorded is in the history as {@code info} with {@link
 * Op#completeNanos()} = {@link Op#NEVER} (see {@link HistoryReader}).
 */
public final class History {

  private static final Comparator<Op> ORDER =
      Comparator.comparingLong(Op::invokeNanos).thenComparingInt(Op::process);

  private final List<Op> ops;

  private History(List<Op> ops) {
    this.ops = ops;
  }

  /**
   * @param ops completed operations, in any order
   * @return the history of {@code ops}
   * @throws IllegalArgumentException if an operation has type {@code invoke}
   */
  public static History of(Collection<Op> ops) {
    List<Op> sorted = new ArrayList<>(ops.size());
    for (Op op : ops) {
      if (!op.type().isCompletion()) {
        throw new IllegalArgumentException("not completed: " + op);
      }
      sorted.add(op);
    }
    sorted.sort(ORDER);
    return new History(List.copyOf(sorted));
  }

  /**
   * @return the operations, ordered by invocation time then process; unmodifiable
   */
  public List<Op> ops() {
    return ops;
  }

  /**
   * @return the number of operations
   */
  public int size() {
    return ops.size();
  }

  /**
   * @return the operations that satisfy {@code filter}, in history order; O(n)
   */
  public List<Op> select(Predicate<Op> filter) {
    List<Op> selected = new ArrayList<>();
    for (Op op : ops) {
      if (filter.test(op)) {
        selected.add(op);
      }
    }
    return selected;
  }

  /**
   * @return the keyed operations that satisfy {@code filter}, grouped by key (ascending), each
   *     group in history order; O(n log n)
   */
  public Map<Long, List<Op>> byKey(Predicate<Op> filter) {
    Map<Long, List<Op>> groups = new TreeMap<>();
    for (Op op : ops) {
      if (op.key() != null && filter.test(op)) {
        groups.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
    }
    return groups;
  }
}
