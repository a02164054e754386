package io.quiver.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.jepsen.history.HistoryBuilder;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeleteCheckerTest {

  private final DeleteChecker checker = new DeleteChecker();

  @Test
  void deletedPointStaysDeleted() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 5, 0, 1);
    b.read(1, 1, 5L, 2, 3);
    b.delete(0, 1, OpType.OK, 4, 5);
    b.read(1, 1, 5L, 4.5, 6); // concurrent with the delete: may see the point
    b.read(1, 1, null, 7, 8);
    b.readAll(1, List.of(), 9, 10);
    b.search(1, List.of(2L), List.of(), 11, 12);
    CheckResult result = checker.check(b.build());
    assertEquals(Verdict.VALID, result.verdict(), result.toString());
    // The concurrent read began before the delete was acknowledged, a read of null observes
    // nothing, and the read-all and the search did not return id 1: nothing to judge.
    assertEquals(0L, result.counts().get("observations-checked"));
  }

  @Test
  void rejectsResurrectionSeenByARead() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 5, 0, 1);
    Op delete = b.delete(0, 1, OpType.OK, 2, 3);
    b.read(1, 1, null, 4, 5);
    Op resurrected = b.read(1, 1, 5L, 1000, 1001); // e.g. after a restart replayed an old log
    CheckResult result = checker.check(b.build());
    assertEquals(Verdict.INVALID, result.verdict(), result.toString());
    assertEquals(List.of(delete, resurrected), result.counterexamples().getFirst().ops());
  }

  @Test
  void rejectsResurrectionSeenByFinalReadOrSearch() {
    HistoryBuilder b = new HistoryBuilder();
    b.insert(0, 1, OpType.OK, 0, 1);
    b.delete(0, 1, OpType.OK, 2, 3);
    b.readAll(1, List.of(1L), 100, 101);
    b.search(1, List.of(1L), List.of(), 102, 103);
    CheckResult result = checker.check(b.build());
    assertEquals(Verdict.INVALID, result.verdict(), result.toString());
    assertEquals(2L, result.counts().get("resurrections"));
  }

  @Test
  void laterOrIndeterminateWriteExplainsTheReturn() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 5, 0, 1);
    b.delete(0, 1, OpType.OK, 2, 3);
    b.write(2, 1, 6, 4, 5); // acknowledged re-insert
    b.read(1, 1, 6L, 6, 7);
    b.write(0, 2, 5, 0, 1);
    b.writeInfo(2, 2, 7, 1.5, 2.5); // concurrent with the delete, indeterminate: may land after it
    b.delete(0, 2, OpType.OK, 2, 3);
    b.read(1, 2, 7L, 1000, 1001);
    b.write(0, 3, 5, 0, 1);
    b.delete(0, 3, OpType.OK, 2, 3);
    b.writeFail(2, 3, 8, 4, 5); // failed: explains nothing
    b.read(1, 3, 8L, 6, 7);
    CheckResult result = checker.check(b.build());
    assertEquals(Verdict.INVALID, result.verdict(), result.toString());
    assertEquals(1L, result.counts().get("resurrections"), result.toString());
  }
}
