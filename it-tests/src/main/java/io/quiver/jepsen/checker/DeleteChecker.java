package io.quiver.jepsen.checker;

import io.quiver.jepsen.history.History;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * No resurrection: once a delete of a point is acknowledged, no operation that began after the
 * acknowledgement may observe the point, unless a write or insert of it may have taken effect
 * between the delete and the observation.
 *
 * <p>Observations are {@code ok} operations that show a point present: a {@link OpFunction#READ} of
 * its key that returned a value, and a {@link OpFunction#READ_ALL} or {@link OpFunction#SEARCH}
 * whose {@link Op#ids()} contain it. For an {@code ok} delete {@code d} and an observation {@code
 * o} invoked after {@code d} completed, the observation is explained iff some {@code ok} or {@code
 * info} write or insert {@code w} of the same id may fall between them: {@code w} completed (if
 * ever) after {@code d} was invoked, and was invoked before {@code o} completed. Otherwise it is a
 * resurrection. Judged over the whole run, so it covers restarts and partitions.
 *
 * <p>O(n + deletes × (observations + writes) per id). Stateless and thread-safe.
 */
public final class DeleteChecker implements Checker {

  /** At most this many resurrections are listed; the counts give the total. */
  public static final int COUNTEREXAMPLES_MAX = 10;

  @Override
  public String name() {
    return "no-resurrection";
  }

  @Override
  public CheckResult check(History history) {
    Map<Long, List<Op>> deletes =
        history.byKey(op -> op.f() == OpFunction.DELETE && op.type() == OpType.OK);
    Map<Long, List<Op>> writes =
        history.byKey(
            op ->
                (op.f() == OpFunction.WRITE || op.f() == OpFunction.INSERT)
                    && op.type() != OpType.FAIL);
    Map<Long, List<Op>> observations = observations(history, deletes);
    long checked = 0;
    long resurrections = 0;
    List<Counterexample> counterexamples = new ArrayList<>();
    for (Map.Entry<Long, List<Op>> id : deletes.entrySet()) {
      List<Op> idWrites = writes.getOrDefault(id.getKey(), List.of());
      for (Op delete : id.getValue()) {
        for (Op seen : observations.getOrDefault(id.getKey(), List.of())) {
          if (seen.invokeNanos() <= delete.completeNanos()) {
            continue;
          }
          checked++;
          if (!rewritten(idWrites, delete, seen)) {
            resurrections++;
            if (counterexamples.size() < COUNTEREXAMPLES_MAX) {
              counterexamples.add(
                  new Counterexample(
                      "id "
                          + id.getKey()
                          + " observed after its delete was acknowledged, with no write in between",
                      List.of(delete, seen)));
            }
          }
        }
      }
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("deletes", (long) deletes.values().stream().mapToInt(List::size).sum());
    counts.put("observations-checked", checked);
    counts.put("resurrections", resurrections);
    Verdict verdict = resurrections == 0 ? Verdict.VALID : Verdict.INVALID;
    String summary =
        String.format(
            Locale.ROOT,
            "%d acknowledged deletes, %d later observations, %d resurrections",
            counts.get("deletes"),
            checked,
            resurrections);
    return new CheckResult(name(), verdict, summary, counts, counterexamples);
  }

  /**
   * @return the ok operations that observed each deleted id present, by id
   */
  private static Map<Long, List<Op>> observations(History history, Map<Long, List<Op>> deletes) {
    Map<Long, List<Op>> seen = new HashMap<>();
    for (Op op : history.ops()) {
      if (op.type() != OpType.OK) {
        continue;
      }
      if (op.f() == OpFunction.READ
          && op.key() != null
          && op.value() != null
          && deletes.containsKey(op.key())) {
        seen.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      } else if ((op.f() == OpFunction.READ_ALL || op.f() == OpFunction.SEARCH)
          && op.ids() != null) {
        for (long id : op.ids()) {
          if (deletes.containsKey(id)) {
            seen.computeIfAbsent(id, k -> new ArrayList<>()).add(op);
          }
        }
      }
    }
    return seen;
  }

  private static boolean rewritten(List<Op> writes, Op delete, Op seen) {
    for (Op write : writes) {
      if (write.effectDeadlineNanos() > delete.invokeNanos()
          && write.invokeNanos() < seen.completeNanos()) {
        return true;
      }
    }
    return false;
  }
}
