package io.quiver.jepsen.checker;

import io.quiver.jepsen.history.History;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An acknowledged point must be returned by every {@code ok} {@link OpFunction#SEARCH} that began
 * after the acknowledgement and whose query must match it.
 *
 * <p>The workload records in {@link Op#required()} the ids the query must match (e.g. an exact
 * search for a point's own vector, or a filter on a payload the point always has); it must list
 * only ids for which every write matches the query. For each such id of search {@code s}, let
 * {@code w} be the {@code ok} write or insert of the id with the latest invocation among those that
 * completed before {@code s} was invoked. The id must be in {@link Op#ids()} unless there is no
 * such {@code w}, or some {@code ok} or {@code info} delete of the id may have taken effect after
 * {@code w} and before {@code s} (invoked before {@code s} completed, and completed, if ever, after
 * {@code w} was invoked). Everything else is a miss.
 *
 * <p>O(searches × required × writes per id). Stateless and thread-safe.
 */
public final class SearchAfterWriteChecker implements Checker {

  /** At most this many misses are listed; the counts give the total. */
  public static final int COUNTEREXAMPLES_MAX = 10;

  @Override
  public String name() {
    return "search-after-write";
  }

  @Override
  public CheckResult check(History history) {
    Map<Long, List<Op>> writes =
        history.byKey(
            op ->
                (op.f() == OpFunction.WRITE || op.f() == OpFunction.INSERT)
                    && op.type() == OpType.OK);
    Map<Long, List<Op>> deletes =
        history.byKey(op -> op.f() == OpFunction.DELETE && op.type() != OpType.FAIL);
    long searches = 0;
    long checked = 0;
    long misses = 0;
    List<Counterexample> counterexamples = new ArrayList<>();
    for (Op search : history.select(op -> op.f() == OpFunction.SEARCH && op.type() == OpType.OK)) {
      searches++;
      if (search.required() == null) {
        continue;
      }
      Set<Long> returned = new HashSet<>(search.ids() == null ? List.of() : search.ids());
      for (long id : search.required()) {
        Op write =
            latestAcknowledgedBefore(writes.getOrDefault(id, List.of()), search.invokeNanos());
        if (write == null || mayBeDeleted(deletes.getOrDefault(id, List.of()), write, search)) {
          continue;
        }
        checked++;
        if (!returned.contains(id)) {
          misses++;
          if (counterexamples.size() < COUNTEREXAMPLES_MAX) {
            counterexamples.add(
                new Counterexample(
                    "id " + id + " acknowledged before the search began, not returned by it",
                    List.of(write, search)));
          }
        }
      }
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("searches", searches);
    counts.put("checked", checked);
    counts.put("misses", misses);
    Verdict verdict = misses == 0 ? Verdict.VALID : Verdict.INVALID;
    String summary =
        String.format(
            Locale.ROOT,
            "%d searches, %d required points checked, %d missed",
            searches,
            checked,
            misses);
    return new CheckResult(name(), verdict, summary, counts, counterexamples);
  }

  private static Op latestAcknowledgedBefore(List<Op> writes, long nanos) {
    Op latest = null;
    for (Op write : writes) {
      if (write.completeNanos() < nanos
          && (latest == null || write.invokeNanos() > latest.invokeNanos())) {
        latest = write;
      }
    }
    return latest;
  }

  private static boolean mayBeDeleted(List<Op> deletes, Op write, Op search) {
    for (Op delete : deletes) {
      if (delete.invokeNanos() < search.completeNanos()
          && delete.effectDeadlineNanos() > write.invokeNanos()) {
        return true;
      }
    }
    return false;
  }
}
