package io.quiver.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.jepsen.history.History;
import io.quiver.jepsen.history.HistoryBuilder;
import io.quiver.jepsen.history.Op;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LinearizabilityCheckerTest {

  private final LinearizabilityChecker checker = new LinearizabilityChecker();

  @Test
  void sequentialHistoryIsLinearizable() {
    HistoryBuilder b = new HistoryBuilder();
    b.read(0, 1, null, 0, 1);
    b.write(0, 1, 1, 2, 3);
    b.read(1, 1, 1L, 4, 5);
    b.write(1, 1, 2, 6, 7);
    b.read(0, 1, 2L, 8, 9);
    b.delete(0, 1, io.quiver.jepsen.history.OpType.OK, 10, 11);
    b.read(1, 1, null, 12, 13);
    assertValid(b.build());
  }

  @Test
  void concurrentReadMaySeeEitherValue() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 1, 0, 1);
    b.write(1, 1, 2, 2, 10);
    b.read(2, 1, 1L, 3, 4); // before the write of 2 took effect
    b.read(3, 1, 2L, 5, 6); // after
    b.read(4, 1, 2L, 11, 12);
    assertValid(b.build());
  }

  @Test
  void rejectsStaleRead() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 1, 0, 1);
    b.write(0, 1, 2, 2, 3);
    Op stale = b.read(1, 1, 1L, 4, 5);
    CheckResult result = assertInvalid(b.build());
    assertTrue(result.counterexamples().getFirst().ops().contains(stale), result.toString());
  }

  @Test
  void rejectsLostWrite() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 7, 1, 0, 1);
    b.read(1, 7, null, 2, 3);
    assertInvalid(b.build());
  }

  @Test
  void rejectsReadOfValueNeverWritten() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 1, 0, 10);
    b.read(1, 1, 3L, 2, 8);
    assertInvalid(b.build());
  }

  @Test
  void rejectsReadOfFailedWrite() {
    HistoryBuilder b = new HistoryBuilder();
    b.writeFail(0, 1, 5, 0, 1);
    b.read(1, 1, 5L, 2, 3);
    assertInvalid(b.build());
  }

  @Test
  void rejectsReadOfDeletedValue() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 5, 0, 1);
    b.delete(0, 1, io.quiver.jepsen.history.OpType.OK, 2, 3);
    b.read(1, 1, 5L, 4, 5);
    assertInvalid(b.build());
  }

  @Test
  void rejectsConcurrentWritesSeenInImpossibleOrder() {
    // Writes of 1 and 2 overlap, so either order is fine, but one reader sees 1 then 2 and a
    // later reader sees 1 again: the register would have to go back.
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 1, 0, 10);
    b.write(1, 1, 2, 0, 10);
    b.read(2, 1, 1L, 11, 12);
    b.read(2, 1, 2L, 13, 14);
    b.read(3, 1, 1L, 15, 16);
    assertInvalid(b.build());
  }

  @Test
  void rejectsTwoReadersDisagreeingOnTheOrderOfConcurrentWrites() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 1, 0, 100);
    b.write(1, 1, 2, 0, 100);
    b.read(2, 1, 1L, 10, 20);
    b.read(3, 1, 2L, 10, 20);
    b.read(2, 1, 2L, 30, 40);
    b.read(3, 1, 1L, 30, 40);
    assertInvalid(b.build());
  }

  @Test
  void acceptsIndeterminateWriteThatLandsLate() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 1, 0, 1);
    b.writeInfo(1, 1, 2, 2, 5); // timed out at 5 ms...
    b.read(2, 1, 1L, 10, 11); // ...not applied yet at 10 ms...
    b.read(2, 1, 1L, 1000, 1001);
    b.read(3, 1, 2L, 5000, 5001); // ...but applied later.
    b.read(2, 1, 2L, 6000, 6001);
    assertValid(b.build());
  }

  @Test
  void acceptsIndeterminateWriteThatNeverLands() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 1, 0, 1);
    b.writeInfo(1, 1, 2, 2, 5);
    b.read(2, 1, 1L, 10, 11);
    b.read(2, 1, 1L, 5000, 5001);
    assertValid(b.build());
  }

  @Test
  void indeterminateWriteCannotLandTwice() {
    HistoryBuilder b = new HistoryBuilder();
    b.writeInfo(1, 1, 2, 0, 5);
    b.read(2, 1, 2L, 10, 11);
    b.write(0, 1, 3, 12, 13);
    b.read(2, 1, 2L, 14, 15);
    assertInvalid(b.build());
  }

  @Test
  void indeterminateWriteCannotLandBeforeItsInvocation() {
    HistoryBuilder b = new HistoryBuilder();
    b.read(2, 1, 2L, 0, 1);
    b.writeInfo(1, 1, 2, 5, 10);
    assertInvalid(b.build());
  }

  @Test
  void keysAreCheckedSeparately() {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 1, 0, 1);
    b.write(0, 2, 2, 2, 3);
    b.read(1, 1, 1L, 4, 5);
    b.read(1, 2, 2L, 4, 5);
    Op bad = b.read(1, 3, 9L, 6, 7);
    CheckResult result = assertInvalid(b.build());
    assertEquals(3, result.counts().get("keys"));
    assertEquals(1, result.counts().get("invalid-keys"));
    assertEquals(
        java.util.List.of(bad), result.counterexamples().getFirst().ops(), result.toString());
  }

  @Test
  void counterexampleIsTheSmallestFailingWindow() {
    // 200 valid sequential writes and reads, then one stale read: the window must be just the
    // stale read and the writes around it, not the whole history.
    HistoryBuilder b = new HistoryBuilder();
    double t = 0;
    for (int i = 1; i <= 200; i++) {
      b.write(0, 1, i, t, t + 1);
      b.read(1, 1, (long) i, t + 2, t + 3);
      t += 4;
    }
    Op stale = b.read(1, 1, 150L, t, t + 1);
    CheckResult result = assertInvalid(b.build());
    Counterexample counterexample = result.counterexamples().getFirst();
    assertTrue(counterexample.ops().contains(stale), result.toString());
    assertTrue(counterexample.ops().size() <= 3, result.toString());
  }

  @Test
  void givesUpAsUnknownInsteadOfHanging() {
    // 26 overlapping writes then a read of a value nobody wrote: before concluding, the search
    // must try every subset of the writes (2^26 configurations). The budget stops it.
    HistoryBuilder b = new HistoryBuilder();
    for (int p = 0; p < 26; p++) {
      b.write(p, 1, p, 0, 100);
    }
    b.read(99, 1, 999L, 200, 201);
    long started = System.nanoTime();
    CheckResult bySize =
        new LinearizabilityChecker(Duration.ofSeconds(20), 1 << 20).check(b.build());
    assertEquals(Verdict.UNKNOWN, bySize.verdict(), bySize.toString());
    CheckResult byTime =
        new LinearizabilityChecker(Duration.ofMillis(200), 1L << 40).check(b.build());
    assertEquals(Verdict.UNKNOWN, byTime.verdict(), byTime.toString());
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(15).toNanos());
  }

  private void assertValid(History history) {
    CheckResult result = checker.check(history);
    assertEquals(Verdict.VALID, result.verdict(), result.toString());
  }

  private CheckResult assertInvalid(History history) {
    CheckResult result = checker.check(history);
    assertEquals(Verdict.INVALID, result.verdict(), result.toString());
    assertTrue(!result.counterexamples().isEmpty());
    return result;
  }
}
