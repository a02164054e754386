package io.quiver.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.jepsen.history.HistoryBuilder;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SearchAfterWriteCheckerTest {

  private final SearchAfterWriteChecker checker = new SearchAfterWriteChecker();

  @Test
  void searchAfterAcknowledgementFindsThePoint() {
    HistoryBuilder b = new HistoryBuilder();
    b.insert(0, 1, OpType.OK, 0, 10);
    b.insert(0, 2, OpType.OK, 11, 20);
    b.search(1, List.of(2L, 1L), List.of(1L, 2L), 21, 30);
    CheckResult result = checker.check(b.build());
    assertEquals(Verdict.VALID, result.verdict(), result.toString());
    assertEquals(2L, result.counts().get("checked"));
  }

  @Test
  void rejectsSearchThatMissesAnAcknowledgedPoint() {
    HistoryBuilder b = new HistoryBuilder();
    Op write = b.insert(0, 1, OpType.OK, 0, 10);
    Op search = b.search(1, List.of(), List.of(1L), 11, 20);
    CheckResult result = checker.check(b.build());
    assertEquals(Verdict.INVALID, result.verdict(), result.toString());
    assertEquals(List.of(write, search), result.counterexamples().getFirst().ops());
  }

  @Test
  void searchConcurrentWithTheWriteNeedNotFindIt() {
    HistoryBuilder b = new HistoryBuilder();
    b.insert(0, 1, OpType.OK, 0, 10);
    b.search(1, List.of(), List.of(1L), 5, 20); // began before the ack
    b.insert(0, 2, OpType.INFO, 0, 10);
    b.search(1, List.of(), List.of(2L), 30, 40); // never acknowledged
    b.insert(0, 3, OpType.FAIL, 0, 10);
    b.search(1, List.of(), List.of(3L), 30, 40);
    assertEquals(Verdict.VALID, checker.check(b.build()).verdict());
  }

  @Test
  void pointThatMayHaveBeenDeletedNeedNotBeFound() {
    HistoryBuilder b = new HistoryBuilder();
    b.insert(0, 1, OpType.OK, 0, 10);
    b.delete(2, 1, OpType.INFO, 12, 15); // may have taken effect
    b.search(1, List.of(), List.of(1L), 20, 30);
    b.insert(0, 2, OpType.OK, 0, 10);
    b.delete(2, 2, OpType.OK, 25, 26); // concurrent with the search
    b.search(1, List.of(), List.of(2L), 20, 30);
    assertEquals(Verdict.VALID, checker.check(b.build()).verdict());
  }

  @Test
  void reinsertAfterDeleteMustBeFound() {
    HistoryBuilder b = new HistoryBuilder();
    b.insert(0, 1, OpType.OK, 0, 10);
    b.delete(0, 1, OpType.OK, 11, 12);
    b.insert(0, 1, OpType.OK, 13, 14);
    b.search(1, List.of(), List.of(1L), 20, 30);
    assertEquals(Verdict.INVALID, checker.check(b.build()).verdict());
  }
}
