package io.quiver.jepsen.checker;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether the operations on one register are linearizable: Wing &amp; Gong's depth-first
 * search over linearization orders, with Lowe's memo of configurations, as in Porcupine's {@code
 * checkSingle}.
 *
 * <p>The events (calls and returns) sit in a doubly linked list in time order. The search walks it
 * from the head: at a call whose operation the model accepts in the current state, it
 * <em>lifts</em> the operation (unlinks its call and return), pushes it, and restarts from the
 * head; at a return it has reached an operation that must have been linearized already, so it pops
 * the last lifted operation, <em>unlifts</em> it, and tries its next outcome (an optional write may
 * also be skipped), then the next call after it. A configuration (bitset of linearized operations,
 * model state) that was seen before is never explored twice, which is what makes the search fast in
 * practice. The list ends empty iff a linearization exists.
 *
 * <p>Not thread-safe: one instance per search. Memory is O(n) plus the memo, bounded by {@link
 * SearchBudget#cacheBytesMax()}.
 */
final class LinearizationSearch {

  private static final int NIL = -1;

  /** How many loop iterations pass between two looks at the clock. */
  private static final int BUDGET_CHECK_INTERVAL = 1 << 12;

  /**
   * @param verdict {@link Verdict#VALID}, {@link Verdict#INVALID}, or {@link Verdict#UNKNOWN} when
   *     the budget ran out
   * @param longestPrefix the most operations linearized at once during the search
   */
  record Outcome(Verdict verdict, int longestPrefix) {}

  private final List<RegisterCall> calls;
  private final int n;

  /**
   * Events 0..n-1 are the calls of operations 0..n-1, events n..2n-1 their returns, 2n the head.
   */
  private final int[] next;

  private final int[] prev;
  private final int head;

  private LinearizationSearch(List<RegisterCall> calls) {
    this.calls = calls;
    this.n = calls.size();
    this.head = 2 * n;
    this.next = new int[2 * n + 1];
    this.prev = new int[2 * n + 1];
    link(sortedEvents());
  }

  /**
   * Searches for a linearization of {@code calls} that starts in {@code initialState}.
   *
   * @param calls the operations of one register; order does not matter
   * @param initialState a {@link RegisterModel} state
   */
  static Outcome run(List<RegisterCall> calls, Object initialState, SearchBudget budget) {
    if (calls.isEmpty()) {
      return new Outcome(Verdict.VALID, 0);
    }
    return new LinearizationSearch(calls).search(initialState, budget);
  }

  /** Event ids in time order; at equal times calls come first, so touching operations overlap. */
  private Integer[] sortedEvents() {
    Integer[] events = new Integer[2 * n];
    for (int e = 0; e < 2 * n; e++) {
      events[e] = e;
    }
    Arrays.sort(
        events,
        (a, b) -> {
          int byTime = Long.compare(time(a), time(b));
          if (byTime != 0) {
            return byTime;
          }
          int byKind = Boolean.compare(a >= n, b >= n);
          return byKind != 0 ? byKind : Integer.compare(a, b);
        });
    return events;
  }

  private long time(int event) {
    return event < n ? calls.get(event).callNanos() : calls.get(event - n).returnNanos();
  }

  private void link(Integer[] events) {
    int previous = head;
    prev[head] = NIL;
    for (int event : events) {
      next[previous] = event;
      prev[event] = previous;
      previous = event;
    }
    next[previous] = NIL;
  }

  private Outcome search(Object initialState, SearchBudget budget) {
    long[] linearized = new long[(n + 63) >>> 6];
    Set<Configuration> cache = new HashSet<>();
    long cacheBytes = 0;
    int[] stackOp = new int[n];
    int[] stackOutcome = new int[n];
    Object[] stackState = new Object[n];
    int depth = 0;
    int longest = 0;
    Object state = initialState;
    int entry = next[head];
    int firstOutcome = 0; // > 0 only right after backtracking to an operation with outcomes left
    long iterations = 0;
    outer:
    while (next[head] != NIL) {
      if (++iterations % BUDGET_CHECK_INTERVAL == 0 && budget.expired()
          || cacheBytes > budget.cacheBytesMax()) {
        return new Outcome(Verdict.UNKNOWN, longest);
      }
      if (entry < n) {
        RegisterCall call = calls.get(entry);
        if (call.after() >= 0 && !isSet(linearized, call.after())) {
          entry = next[entry];
          firstOutcome = 0;
          continue;
        }
        set(linearized, entry);
        for (int outcome = firstOutcome; outcome < RegisterModel.outcomes(call); outcome++) {
          Object nextState = RegisterModel.step(state, call, outcome);
          Configuration configuration;
          if (nextState != null
              && cache.add(configuration = Configuration.of(linearized, nextState))) {
            cacheBytes += configuration.estimatedBytes();
            stackOp[depth] = entry;
            stackOutcome[depth] = outcome;
            stackState[depth] = state;
            depth++;
            longest = Math.max(longest, depth);
            state = nextState;
            lift(entry);
            entry = next[head];
            firstOutcome = 0;
            continue outer;
          }
        }
        clear(linearized, entry);
        entry = next[entry];
        firstOutcome = 0;
      } else {
        // A return whose call is still in the list: that operation had to come earlier.
        if (depth == 0) {
          return new Outcome(Verdict.INVALID, longest);
        }
        depth--;
        int op = stackOp[depth];
        state = stackState[depth];
        stackState[depth] = null;
        clear(linearized, op);
        unlift(op);
        entry = op;
        firstOutcome = stackOutcome[depth] + 1;
      }
    }
    return new Outcome(Verdict.VALID, n);
  }

  /** Unlinks call {@code op} and its return. A call is never last: its return follows it. */
  private void lift(int op) {
    int ret = op + n;
    next[prev[op]] = next[op];
    prev[next[op]] = prev[op];
    next[prev[ret]] = next[ret];
    if (next[ret] != NIL) {
      prev[next[ret]] = prev[ret];
    }
  }

  /** Undoes {@link #lift}, in reverse order. */
  private void unlift(int op) {
    int ret = op + n;
    next[prev[ret]] = ret;
    if (next[ret] != NIL) {
      prev[next[ret]] = ret;
    }
    next[prev[op]] = op;
    prev[next[op]] = op;
  }

  private static void set(long[] bits, int i) {
    bits[i >>> 6] |= 1L << i;
  }

  private static boolean isSet(long[] bits, int i) {
    return (bits[i >>> 6] & 1L << i) != 0;
  }

  private static void clear(long[] bits, int i) {
    bits[i >>> 6] &= ~(1L << i);
  }

  /**
   * A memoized configuration: which operations are linearized, and the state they lead to. The
   * linearized set is nearly always "every operation before some index, plus a few after it", so it
   * is stored compactly as the first index not linearized ({@code prefix}) and the bitset words
   * from that index's word to the last non-zero word. That form is unique per set.
   */
  private static final class Configuration {
    private final int prefix;
    private final long[] tail;
    private final Object state;
    private final int hash;

    private Configuration(int prefix, long[] tail, Object state) {
      this.prefix = prefix;
      this.tail = tail;
      this.state = state;
      this.hash = (31 * prefix + Arrays.hashCode(tail)) * 31 + state.hashCode();
    }

    static Configuration of(long[] linearized, Object state) {
      int word = 0;
      while (word < linearized.length && linearized[word] == -1L) {
        word++;
      }
      int prefix =
          word == linearized.length
              ? word << 6
              : (word << 6) + Long.numberOfTrailingZeros(~linearized[word]);
      int last = linearized.length - 1;
      while (last >= word && linearized[last] == 0) {
        last--;
      }
      return new Configuration(prefix, Arrays.copyOfRange(linearized, word, last + 1), state);
    }

    /**
     * @return the heap this entry of a hash set takes, roughly
     */
    long estimatedBytes() {
      return 112 + 8L * tail.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Configuration c
          && hash == c.hash
          && prefix == c.prefix
          && Objects.equals(state, c.state)
          && Arrays.equals(tail, c.tail);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
