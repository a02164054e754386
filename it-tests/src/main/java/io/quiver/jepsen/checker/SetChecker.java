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
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Jepsen's set checker: clients insert unique ids; after healing and a quiet period a final {@link
 * OpFunction#READ_ALL} reads every id. With {@code acknowledged} = ids of {@code ok} inserts that
 * completed before the final read began and {@code indeterminate} = ids whose inserts were all
 * {@code info} or {@code ok} only after it began:
 *
 * <ul>
 *   <li>{@code lost} = acknowledged ids missing from the final read (a lost acknowledged write; the
 *       set workload's final read leaves out a point that no longer holds its inserted value, so an
 *       insert-only upsert that overwrote an acknowledged point shows here, its ops listed);
 *   <li>{@code unexpected} = ids in the final read never inserted, or only by {@code fail} inserts
 *       (which must not take effect); an id only ever sent an update-only upsert, which must not
 *       create it, shows here;
 *   <li>{@code recovered} = indeterminate ids present in the final read (allowed);
 *   <li>{@code ok} = acknowledged ids present.
 * </ul>
 *
 * Valid iff nothing is lost or unexpected. Ids with any delete are left out of the check (the
 * {@link DeleteChecker} judges them). The last {@code ok} read-all is the final read; without one
 * the verdict is {@link Verdict#UNKNOWN}, or {@link Verdict#VALID} if there were no inserts either.
 * O(n log n), stateless, thread-safe.
 */
public final class SetChecker implements Checker {

  /** At most this many ops are listed per counterexample. */
  public static final int OPS_PER_COUNTEREXAMPLE_MAX = 20;

  @Override
  public String name() {
    return "set";
  }

  @Override
  public CheckResult check(History history) {
    Op finalRead = null;
    for (Op op : history.select(op -> op.f() == OpFunction.READ_ALL && op.type() == OpType.OK)) {
      if (finalRead == null || op.completeNanos() > finalRead.completeNanos()) {
        finalRead = op;
      }
    }
    Set<Long> deleted = new HashSet<>();
    for (Op op : history.select(op -> op.f() == OpFunction.DELETE && op.key() != null)) {
      deleted.add(op.key());
    }
    Map<Long, List<Op>> inserts =
        history.byKey(op -> op.f() == OpFunction.INSERT && !deleted.contains(op.key()));
    if (finalRead == null) {
      Verdict verdict = inserts.isEmpty() ? Verdict.VALID : Verdict.UNKNOWN;
      return new CheckResult(
          name(),
          verdict,
          inserts.isEmpty() ? "no inserts" : "no final read-all completed",
          Map.of("attempted", (long) inserts.size()),
          List.of());
    }
    Map<Long, Op> acknowledged = new TreeMap<>();
    Set<Long> indeterminate = new TreeSet<>();
    for (Map.Entry<Long, List<Op>> id : inserts.entrySet()) {
      for (Op op : id.getValue()) {
        if (op.type() == OpType.OK && op.completeNanos() < finalRead.invokeNanos()) {
          acknowledged.putIfAbsent(id.getKey(), op);
        } else if (op.type() != OpType.FAIL) {
          indeterminate.add(id.getKey());
        }
      }
    }
    indeterminate.removeAll(acknowledged.keySet());
    Set<Long> read = new TreeSet<>(finalRead.ids() == null ? List.of() : finalRead.ids());
    List<Op> lost = new ArrayList<>();
    long ok = 0;
    for (Map.Entry<Long, Op> id : acknowledged.entrySet()) {
      if (read.contains(id.getKey())) {
        ok++;
      } else {
        lost.add(id.getValue());
      }
    }
    List<Long> unexpected = new ArrayList<>();
    long recovered = 0;
    for (long id : read) {
      if (indeterminate.contains(id)) {
        recovered++;
      } else if (!acknowledged.containsKey(id) && !deleted.contains(id)) {
        unexpected.add(id);
      }
    }
    Map<Long, List<Op>> conditional =
        history.byKey(op -> op.f() == OpFunction.INSERT_ONLY || op.f() == OpFunction.UPDATE_ONLY);
    return result(
        inserts,
        conditional,
        finalRead,
        acknowledged.size(),
        indeterminate.size(),
        ok,
        lost,
        unexpected,
        recovered);
  }

  private CheckResult result(
      Map<Long, List<Op>> inserts,
      Map<Long, List<Op>> conditional,
      Op finalRead,
      long acknowledged,
      long indeterminate,
      long ok,
      List<Op> lost,
      List<Long> unexpected,
      long recovered) {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("attempted", (long) inserts.size());
    counts.put("acknowledged", acknowledged);
    counts.put("indeterminate", indeterminate);
    counts.put("ok", ok);
    counts.put("lost", (long) lost.size());
    counts.put("unexpected", (long) unexpected.size());
    counts.put("recovered", recovered);
    List<Counterexample> counterexamples = new ArrayList<>();
    if (!lost.isEmpty()) {
      List<Op> ops =
          new ArrayList<>(lost.subList(0, Math.min(lost.size(), OPS_PER_COUNTEREXAMPLE_MAX)));
      for (Op insert : List.copyOf(ops)) {
        ops.addAll(conditional.getOrDefault(insert.key(), List.of()));
      }
      ops.add(finalRead);
      counterexamples.add(
          new Counterexample(
              lost.size()
                  + " acknowledged inserts missing from the final read: "
                  + abbreviate(lost.stream().map(Op::key).toList()),
              ops));
    }
    if (!unexpected.isEmpty()) {
      List<Op> ops = new ArrayList<>();
      for (long id : unexpected) {
        if (ops.size() < OPS_PER_COUNTEREXAMPLE_MAX) {
          ops.addAll(inserts.getOrDefault(id, List.of()));
          ops.addAll(conditional.getOrDefault(id, List.of()));
        }
      }
      ops.add(finalRead);
      counterexamples.add(
          new Counterexample(
              unexpected.size()
                  + " ids in the final read that were never inserted, or only by failed inserts: "
                  + abbreviate(unexpected),
              ops));
    }
    Verdict verdict = counterexamples.isEmpty() ? Verdict.VALID : Verdict.INVALID;
    String summary =
        String.format(
            Locale.ROOT,
            "%d attempted, %d ok, %d lost, %d unexpected, %d recovered",
            inserts.size(),
            ok,
            lost.size(),
            unexpected.size(),
            recovered);
    return new CheckResult(name(), verdict, summary, counts, counterexamples);
  }

  private static String abbreviate(List<Long> ids) {
    return ids.size() <= OPS_PER_COUNTEREXAMPLE_MAX
        ? ids.toString()
        : ids.subList(0, OPS_PER_COUNTEREXAMPLE_MAX)
            + " and "
            + (ids.size() - OPS_PER_COUNTEREXAMPLE_MAX)
            + " more";
  }
}
