package io.quiver.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.jepsen.history.HistoryBuilder;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SetCheckerTest {

  private final SetChecker checker = new SetChecker();

  @Test
  void everyAcknowledgedInsertPresentIsValid() {
    HistoryBuilder b = new HistoryBuilder();
    b.insert(0, 1, OpType.OK, 0, 1);
    b.insert(1, 2, OpType.OK, 0, 2);
    b.insert(2, 3, OpType.INFO, 0, 50); // indeterminate, shows up: recovered
    b.insert(3, 4, OpType.INFO, 0, 50); // indeterminate, absent: fine
    b.insert(4, 5, OpType.FAIL, 3, 4); // failed, absent: fine
    b.readAll(0, List.of(1L, 2L, 3L), 100, 101);
    CheckResult result = checker.check(b.build());
    assertEquals(Verdict.VALID, result.verdict(), result.toString());
    assertEquals(
        Map.of(
            "attempted",
            5L,
            "acknowledged",
            2L,
            "indeterminate",
            2L,
            "ok",
            2L,
            "lost",
            0L,
            "unexpected",
            0L,
            "recovered",
            1L),
        result.counts());
  }

  @Test
  void rejectsLostAcknowledgedInsert() {
    HistoryBuilder b = new HistoryBuilder();
    b.insert(0, 1, OpType.OK, 0, 1);
    Op lost = b.insert(1, 2, OpType.OK, 0, 2);
    Op read = b.readAll(0, List.of(1L), 100, 101);
    CheckResult result = checker.check(b.build());
    assertEquals(Verdict.INVALID, result.verdict(), result.toString());
    assertEquals(1L, result.counts().get("lost"));
    assertEquals(List.of(lost, read), result.counterexamples().getFirst().ops());
  }

  /**
   * The set workload's conditional mix: an insert-only upsert that overwrote an acknowledged point
   * (the final read leaves it out) is lost, listed with the upsert; an id only ever sent an
   * update-only upsert that exists is unexpected. Both kinds that changed nothing are valid.
   */
  @Test
  void conditionalUpsertsThatChangedSomethingAreCaught() {
    HistoryBuilder b = new HistoryBuilder();
    b.insert(0, 1, OpType.OK, 0, 1);
    b.insert(0, 2, OpType.OK, 0, 1);
    Op overwrite =
        b.conditional(1, io.quiver.jepsen.history.OpFunction.INSERT_ONLY, 2, -3, OpType.OK, 2, 3);
    b.conditional(1, io.quiver.jepsen.history.OpFunction.UPDATE_ONLY, 3, 3, OpType.OK, 4, 5);
    b.readAll(0, List.of(1L, 2L), 100, 101);
    assertEquals(Verdict.VALID, checker.check(b.build()).verdict(), "nothing changed");

    HistoryBuilder bad = new HistoryBuilder();
    bad.insert(0, 1, OpType.OK, 0, 1);
    Op two = bad.insert(0, 2, OpType.OK, 0, 1);
    bad.add(overwrite);
    Op created =
        bad.conditional(
            1, io.quiver.jepsen.history.OpFunction.UPDATE_ONLY, 3, 3, OpType.INFO, 4, 5);
    Op read = bad.readAll(0, List.of(1L, 3L), 100, 101); // 2 held another value; 3 was created
    CheckResult result = checker.check(bad.build());
    assertEquals(Verdict.INVALID, result.verdict(), result.toString());
    assertEquals(1L, result.counts().get("lost"));
    assertEquals(1L, result.counts().get("unexpected"));
    assertEquals(List.of(two, overwrite, read), result.counterexamples().get(0).ops());
    assertEquals(List.of(created, read), result.counterexamples().get(1).ops());
  }

  @Test
  void rejectsUnexpectedIds() {
    HistoryBuilder b = new HistoryBuilder();
    Op failed = b.insert(0, 1, OpType.FAIL, 0, 1); // must not take effect
    b.readAll(0, List.of(1L, 77L), 100, 101); // 77 was never inserted
    CheckResult result = checker.check(b.build());
    assertEquals(Verdict.INVALID, result.verdict(), result.toString());
    assertEquals(2L, result.counts().get("unexpected"));
    assertTrue(result.counterexamples().getFirst().ops().contains(failed), result.toString());
  }

  @Test
  void insertAcknowledgedAfterTheFinalReadBeganIsNotRequired() {
    HistoryBuilder b = new HistoryBuilder();
    b.insert(0, 1, OpType.OK, 0, 150);
    b.readAll(1, List.of(), 100, 101);
    assertEquals(Verdict.VALID, checker.check(b.build()).verdict());
  }

  @Test
  void usesTheLastFinalReadAndIgnoresDeletedIds() {
    HistoryBuilder b = new HistoryBuilder();
    b.insert(0, 1, OpType.OK, 0, 1);
    b.insert(0, 2, OpType.OK, 2, 3);
    b.delete(0, 2, OpType.OK, 4, 5);
    b.readAll(1, List.of(), 6, 7); // an early read, superseded
    b.readAll(1, List.of(1L), 100, 101);
    CheckResult result = checker.check(b.build());
    assertEquals(Verdict.VALID, result.verdict(), result.toString());
    assertEquals(1L, result.counts().get("attempted"));
  }

  @Test
  void withoutFinalReadTheVerdictIsUnknown() {
    HistoryBuilder b = new HistoryBuilder();
    b.insert(0, 1, OpType.OK, 0, 1);
    assertEquals(Verdict.UNKNOWN, checker.check(b.build()).verdict());
    // A history without any set operation has nothing to judge.
    assertEquals(Verdict.VALID, checker.check(new HistoryBuilder().build()).verdict());
  }
}
