package io.quiver.jepsen.checker;

import io.quiver.jepsen.history.History;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Changes the value of one {@code ok} read of a history made by {@link RegisterSimulator} so that
 * the history is certainly not linearizable. Written values are unique, so each mutation below is
 * impossible in every linearization:
 *
 * <ul>
 *   <li>stale: the value of an ok write {@code w1} when another ok write or delete {@code w2}
 *       follows {@code w1} and precedes the read in real time;
 *   <li>future: the value of a write invoked after the read completed;
 *   <li>lost: absent, when an ok write precedes the read and no delete may come between them;
 *   <li>phantom: a value nobody wrote.
 * </ul>
 */
final class ReadMutation {

  /**
   * @param original the read that was changed
   * @param mutated the changed read
   * @param kind which mutation
   * @param history the mutated history
   */
  record Mutated(Op original, Op mutated, String kind, History history) {}

  private ReadMutation() {}

  /** A value to put in the read; {@code value} null means "absent". */
  private record Choice(String kind, Long value) {}

  /**
   * @return the mutated history, or null if it has no ok read
   */
  static Mutated apply(History history, Random random) {
    List<Op> reads = history.select(op -> op.f() == OpFunction.READ && op.type() == OpType.OK);
    for (int attempt = 0; attempt < 50 && !reads.isEmpty(); attempt++) {
      Op read = reads.get(random.nextInt(reads.size()));
      List<Op> keyOps =
          history.select(op -> read.key().equals(op.key()) && op.type() != OpType.FAIL);
      Choice choice =
          switch (random.nextInt(3)) {
            case 0 -> pick("stale", stale(keyOps, read), random);
            case 1 -> pick("future", future(keyOps, read), random);
            default -> lost(keyOps, read) ? new Choice("lost", null) : null;
          };
      if (choice != null) {
        return replace(history, read, choice);
      }
    }
    return reads.isEmpty()
        ? null
        : replace(history, reads.get(random.nextInt(reads.size())), new Choice("phantom", -42L));
  }

  private static Choice pick(String kind, List<Long> candidates, Random random) {
    return candidates.isEmpty()
        ? null
        : new Choice(kind, candidates.get(random.nextInt(candidates.size())));
  }

  private static List<Long> stale(List<Op> keyOps, Op read) {
    List<Long> candidates = new ArrayList<>();
    for (Op w1 : keyOps) {
      if (w1.f() != OpFunction.WRITE || w1.type() != OpType.OK) {
        continue;
      }
      for (Op w2 : keyOps) {
        if (w2.f() != OpFunction.READ
            && w2 != w1
            && w2.type() == OpType.OK
            && w1.completeNanos() < w2.invokeNanos()
            && w2.completeNanos() < read.invokeNanos()) {
          candidates.add(w1.value());
          break;
        }
      }
    }
    return candidates;
  }

  private static List<Long> future(List<Op> keyOps, Op read) {
    List<Long> candidates = new ArrayList<>();
    for (Op w : keyOps) {
      if (w.f() == OpFunction.WRITE && w.invokeNanos() > read.completeNanos()) {
        candidates.add(w.value());
      }
    }
    return candidates;
  }

  private static boolean lost(List<Op> keyOps, Op read) {
    if (read.value() == null) {
      return false;
    }
    Op latest = null;
    for (Op w : keyOps) {
      if (w.f() == OpFunction.WRITE
          && w.type() == OpType.OK
          && w.completeNanos() < read.invokeNanos()
          && (latest == null || w.invokeNanos() > latest.invokeNanos())) {
        latest = w;
      }
    }
    if (latest == null) {
      return false;
    }
    for (Op d : keyOps) {
      if (d.f() == OpFunction.DELETE
          && d.invokeNanos() < read.completeNanos()
          && d.effectDeadlineNanos() > latest.invokeNanos()) {
        return false;
      }
    }
    return true;
  }

  private static Mutated replace(History history, Op read, Choice choice) {
    Op mutated = read.withValue(choice.value());
    List<Op> ops = new ArrayList<>(history.ops());
    ops.set(ops.indexOf(read), mutated);
    return new Mutated(read, mutated, choice.kind(), History.of(ops));
  }
}
