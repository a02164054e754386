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
 * <p>Per key: {@link LinearizationSearch} over {@link RegisterWindow#of the whole history}; when it
 * finds no linearization, two binary searches shrink the evidence to the smallest window: first the
 * earliest end (cut at an {@code ok} completion) that still fails from the start, then the latest
 * start (an invocation) that still fails with that end. The counterexample lists the operations of
 * that window.
 *
 * <p>Bounded: the whole check stops at {@code timeLimit} and each search at {@code cacheBytesMax} of
 * memo; undecided keys make the verdict {@link Verdict#UNKNOWN} (unless another key is invalid).
 * Stateless and thread-safe.
 */
public final class LinearizabilityChecker implements Checker {

    /** Default time limit of one {@link #check}. */
    public static final Duration TIME_LIMIT_DEFAULT = Duration.ofSeconds(60);
    /** Default estimated memory of the memo of one search. */
    public static final long CACHE_BYTES_MAX_DEFAULT = 256L << 20;
    /** At most this many counterexamples are listed; the counts give the total. */
    public static final int COUNTEREXAMPLES_MAX = 5;

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
            throw new IllegalArgumentException("limits must be positive: " + timeLimit + ", " + cacheBytesMax);
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
            Verdict verdict = budget.expired() ? Verdict.UNKNOWN : checkWhole(ops, budget);
            if (verdict == Verdict.UNKNOWN) {
                unknown++;
            } else if (verdict == Verdict.INVALID) {
                invalid++;
                if (counterexamples.size() < COUNTEREXAMPLES_MAX) {
                    counterexamples.add(smallestWindow(key.getKey(), ops, budget));
                }
            }
        }
        Verdict verdict = invalid > 0 ? Verdict.INVALID : unknown > 0 ? Verdict.UNKNOWN : Verdict.VALID;
        String summary = String.format(Locale.ROOT, "%d keys, %d ops: %s", byKey.size(), operations,
                switch (verdict) {
                    case VALID -> "all linearizable";
                    case INVALID -> invalid + " keys not linearizable";
                    case UNKNOWN -> unknown + " keys undecided within " + timeLimit + " / "
                            + (cacheBytesMax >> 20) + " MiB";
                });
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("keys", (long) byKey.size());
        counts.put("operations", operations);
        counts.put("invalid-keys", invalid);
        counts.put("unknown-keys", unknown);
        return new CheckResult(name(), verdict, summary, counts, counterexamples);
    }

    private static Verdict checkWhole(List<Op> ops, SearchBudget budget) {
        return search(ops, RegisterWindow.OPEN, Long.MAX_VALUE, budget).verdict();
    }

    private static LinearizationSearch.Outcome search(List<Op> ops, long start, long end, SearchBudget budget) {
        RegisterWindow window = RegisterWindow.of(ops, start, end);
        return LinearizationSearch.run(window.calls(), window.initialState(), budget);
    }

    /**
     * Shrinks the failing history of one key to the smallest window that still fails. Windows whose
     * search runs out of budget count as not failing, so the result is always a proven failure.
     */
    private static Counterexample smallestWindow(long key, List<Op> ops, SearchBudget budget) {
        List<Long> ends = new ArrayList<>(new TreeSet<>(ops.stream()
                .filter(op -> op.type() == OpType.OK).map(Op::completeNanos).toList()));
        // Smallest failing end; the whole history (end = MAX) is known to fail.
        int lo = 0;
        int hi = ends.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (search(ops, RegisterWindow.OPEN, ends.get(mid), budget).verdict() == Verdict.INVALID) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        long end = lo < ends.size() ? ends.get(lo) : Long.MAX_VALUE;
        List<Long> starts = new ArrayList<>(new TreeSet<>(ops.stream()
                .filter(op -> op.invokeNanos() <= end).map(Op::invokeNanos).toList()));
        // Largest failing start; index -1 stands for OPEN, known to fail.
        lo = -1;
        hi = starts.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >> 1;
            if (search(ops, starts.get(mid), end, budget).verdict() == Verdict.INVALID) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        long start = lo < 0 ? RegisterWindow.OPEN : starts.get(lo);
        RegisterWindow window = RegisterWindow.of(ops, start, end);
        LinearizationSearch.Outcome outcome =
                LinearizationSearch.run(window.calls(), window.initialState(), budget);
        String description = String.format(Locale.ROOT,
                "key %d: no linearization of these %d operations (window %s .. %s, register %s at its start,"
                        + " operations across its edges or info count as indeterminate writes;"
                        + " at most %d of them linearize)",
                key, window.ops().size(), start == RegisterWindow.OPEN ? "start" : millis(start),
                end == Long.MAX_VALUE ? "end" : millis(end),
                start == RegisterWindow.OPEN ? "absent" : "unknown", outcome.longestPrefix());
        return new Counterexample(description, window.ops());
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }
}
