package io.quiver.jepsen.checker;

import io.quiver.jepsen.history.History;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks that the reads and writes of every point, taken separately, are linearizable with respect
 * to a register (initially absent; write and insert set the value, delete makes it absent, read
 * returns it). Splitting by key is sound because linearizability is compositional.
 *
 * <p>Per key: {@link LinearizationSearch} over {@link RegisterWindow#of the whole history}; when
 * that fails or is too big to decide within the budget, over overlapping windows of a few hundred
 * operations that start in an unknown state (a failing window proves the whole history fails). When
 * a search finds no linearization, two binary searches shrink the evidence to the smallest window:
 * first the earliest end (cut at an {@code ok} completion) that still fails, then the latest start
 * (an invocation). The counterexample lists the operations of that window.
 *
 * <p>Bounded: the whole check stops at {@code timeLimit} and each search at {@code cacheBytesMax}
 * of memo; undecided keys make the verdict {@link Verdict#UNKNOWN} (unless another key is invalid).
 * Stateless and thread-safe.
 */
public final class LinearizabilityChecker implements Checker {

  /** Default time limit of one {@link #check}. */
  public static final Duration TIME_LIMIT_DEFAULT = Duration.ofSeconds(60);

  /** Default estimated memory of the memo of one search. */
  public static final long CACHE_BYTES_MAX_DEFAULT = 256L << 20;

  /** At most this many counterexamples are listed; the counts give the total. */
  public static final int COUNTEREXAMPLES_MAX = 5;

  /** Operations per local window, tried when the whole history of a key fails or is too big. */
  private static final int LOCAL_WINDOW_OPS = 256;

  /** A local window's search may use this fraction of the memo limit. */
  private static final int LOCAL_WINDOW_CACHE_DIVISOR = 16;

  private final Duration timeLimit;
  private final long cacheBytesMax;

  /** A checker with {@link #TIME_LIMIT_DEFAULT} and {@link #CACHE_BYTES_MAX_DEFAULT}. */
  public LinearizabilityChecker() {
    this(TIME_LIMIT_DEFAULT, CACHE_BYTES_MAX_DEFAULT);
  }

  /**
   * @param timeLimit time after which undecided keys are reported unknown; positive
   * @param cacheBytesMax memo size after which one key's search gives up; positive
   */
  public LinearizabilityChecker(Duration timeLimit, long cacheBytesMax) {
    if (timeLimit.isNegative() || timeLimit.isZero() || cacheBytesMax <= 0) {
      throw new IllegalArgumentException(
          "limits must be positive: " + timeLimit + ", " + cacheBytesMax);
    }
    this.timeLimit = timeLimit;
    this.cacheBytesMax = cacheBytesMax;
  }

  @Override
  public String name() {
    return "linearizable-register";
  }

  @Override
  public CheckResult check(History history) {
    SearchBudget budget = new SearchBudget(System.nanoTime() + timeLimit.toNanos(), cacheBytesMax);
    Map<Long, List<Op>> byKey = history.byKey(RegisterWindow::isRegisterOp);
    long operations = 0;
    long invalid = 0;
    long unknown = 0;
    List<Counterexample> counterexamples = new ArrayList<>();
    for (Map.Entry<Long, List<Op>> key : byKey.entrySet()) {
      List<Op> ops = key.getValue();
      operations += ops.size();
      KeyOutcome outcome =
          budget.expired()
              ? new KeyOutcome(Verdict.UNKNOWN, null)
              : checkKey(key.getKey(), ops, budget);
      if (outcome.verdict() == Verdict.UNKNOWN) {
        unknown++;
      } else if (outcome.verdict() == Verdict.INVALID) {
        invalid++;
        if (counterexamples.size() < COUNTEREXAMPLES_MAX) {
          counterexamples.add(outcome.counterexample());
        }
      }
    }
    Verdict verdict = invalid > 0 ? Verdict.INVALID : unknown > 0 ? Verdict.UNKNOWN : Verdict.VALID;
    String summary =
        String.format(
            Locale.ROOT,
            "%d keys, %d ops: %s",
            byKey.size(),
            operations,
            switch (verdict) {
              case VALID -> "all linearizable";
              case INVALID -> invalid + " keys not linearizable";
              case UNKNOWN ->
                  unknown
                      + " keys undecided within "
                      + timeLimit
                      + " / "
                      + (cacheBytesMax >> 20)
                      + " MiB";
            });
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("keys", (long) byKey.size());
    counts.put("operations", operations);
    counts.put("invalid-keys", invalid);
    counts.put("unknown-keys", unknown);
    return new CheckResult(name(), verdict, summary, counts, counterexamples);
  }

  /**
   * Checks one key: first the whole history. If that is not linearizable, or too big to decide
   * within the budget, overlapping windows of {@link #LOCAL_WINDOW_OPS} operations, each starting
   * in an unknown state: most violations (a stale or lost read) show within a few operations, and a
   * window is much cheaper to exhaust, and to shrink, than everything before it.
   *
   * @return the verdict, and the smallest failing window when it is invalid
   */
  private static KeyOutcome checkKey(long key, List<Op> ops, SearchBudget budget) {
    Verdict whole = fails(ops, RegisterWindow.OPEN, Long.MAX_VALUE, budget);
    if (whole == Verdict.VALID) {
      return new KeyOutcome(whole, null);
    }
    SearchBudget local =
        new SearchBudget(
            budget.deadlineNanos(), budget.cacheBytesMax() / LOCAL_WINDOW_CACHE_DIVISOR);
    for (int first = 0; first < ops.size() && !budget.expired(); first += LOCAL_WINDOW_OPS / 2) {
      int last = first + LOCAL_WINDOW_OPS - 1;
      long start = first == 0 ? RegisterWindow.OPEN : ops.get(first).invokeNanos();
      long end = last < ops.size() ? ops.get(last).invokeNanos() : Long.MAX_VALUE;
      if (fails(ops, start, end, local) == Verdict.INVALID) {
        return new KeyOutcome(Verdict.INVALID, smallestWindow(key, ops, start, end, local));
      }
      if (end == Long.MAX_VALUE) {
        break;
      }
    }
    if (whole == Verdict.INVALID) {
      return new KeyOutcome(
          whole, smallestWindow(key, ops, RegisterWindow.OPEN, Long.MAX_VALUE, budget));
    }
    return new KeyOutcome(Verdict.UNKNOWN, null);
  }

  private record KeyOutcome(Verdict verdict, Counterexample counterexample) {}

  private static Verdict fails(List<Op> ops, long start, long end, SearchBudget budget) {
    RegisterWindow window = RegisterWindow.of(ops, start, end);
    return LinearizationSearch.run(window.calls(), window.initialState(), budget).verdict();
  }

  /**
   * Shrinks a failing window [start, end] of one key to the smallest one that still fails: first
   * the earliest end (an {@code ok} completion), then the latest start (an invocation). Both
   * searches are binary because failing is monotone in the window (see {@link RegisterWindow}).
   * Windows whose search runs out of budget count as not failing, so the result is always a proven
   * failure.
   */
  private static Counterexample smallestWindow(
      long key, List<Op> ops, long start, long end, SearchBudget budget) {
    TreeSet<Long> endSet = new TreeSet<>();
    for (Op op : ops) {
      if (op.type() == OpType.OK && op.completeNanos() >= start && op.completeNanos() < end) {
        endSet.add(op.completeNanos());
      }
    }
    List<Long> ends = new ArrayList<>(endSet);
    ends.add(end); // known to fail
    int lo = 0;
    int hi = ends.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (fails(ops, start, ends.get(mid), budget) == Verdict.INVALID) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    long smallestEnd = ends.get(lo);
    TreeSet<Long> startSet = new TreeSet<>();
    for (Op op : ops) {
      if (op.invokeNanos() > start && op.invokeNanos() <= smallestEnd) {
        startSet.add(op.invokeNanos());
      }
    }
    List<Long> starts = new ArrayList<>();
    starts.add(start); // known to fail
    starts.addAll(startSet);
    lo = 0;
    hi = starts.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (fails(ops, starts.get(mid), smallestEnd, budget) == Verdict.INVALID) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return describe(
        key, RegisterWindow.of(ops, starts.get(lo), smallestEnd), starts.get(lo), smallestEnd);
  }

  private static Counterexample describe(long key, RegisterWindow window, long start, long end) {
    String description =
        String.format(
            Locale.ROOT,
            "key %d: no linearization of these %d operations (window %s .. %s, register %s at its start;"
                + " info operations and those across the window's edges count as indeterminate writes)",
            key,
            window.ops().size(),
            start == RegisterWindow.OPEN ? "start" : millis(start),
            end == Long.MAX_VALUE ? "end" : millis(end),
            start == RegisterWindow.OPEN ? "absent" : "unknown");
    return new Counterexample(description, window.ops());
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }
}
