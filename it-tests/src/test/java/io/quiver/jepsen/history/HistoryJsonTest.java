package io.quiver.jepsen.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class HistoryJsonTest {

  @Test
  void roundTripsEveryKindOfOperation(@TempDir Path dir) throws Exception {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 10, 0, 5);
    b.writeInfo(1, 1, 11, 1, 100);
    b.writeFail(2, 2, 12, 2, 3);
    b.read(3, 1, null, 4, 6);
    b.read(3, 1, 10L, 7, 8);
    b.insert(4, 99, OpType.OK, 9, 10);
    b.delete(4, 99, OpType.INFO, 11, 12);
    b.search(5, List.of(1L, 2L), List.of(1L), 13, 14);
    b.readAll(5, List.of(), 15, 16);
    b.add(Op.fault("partition n1 | n2,n3", HistoryBuilder.ms(2), HistoryBuilder.ms(50)));
    History history = b.build();
    Path file = dir.resolve("history.jsonl");
    HistoryWriter.write(file, history);
    assertEquals(history.ops(), HistoryReader.read(file).ops());
    String firstLine = Files.readAllLines(file).getFirst();
    assertTrue(
        firstLine.contains("\"type\":\"ok\"") && firstLine.contains("\"f\":\"write\""), firstLine);
    assertTrue(!firstLine.contains("null"), "null fields are left out: " + firstLine);
  }

  @Test
  void pairsInvocationsWithCompletionsAndTurnsOpenOnesIntoInfo() throws Exception {
    StringWriter out = new StringWriter();
    try (HistoryWriter writer = new HistoryWriter(out)) {
      Op a = Op.invoke(0, OpFunction.WRITE, 1L, 5L, 100);
      Op b = Op.invoke(1, OpFunction.READ, 1L, null, 150);
      writer.append(a);
      writer.append(b);
      writer.append(a.complete(OpType.OK, 200));
      // b never completes: the client crashed.
    }
    History history = HistoryReader.read(new BufferedReader(new StringReader(out.toString())));
    assertEquals(2, history.size());
    Op write = history.ops().get(0);
    Op read = history.ops().get(1);
    assertEquals(OpType.OK, write.type());
    assertEquals(200, write.completeNanos());
    assertEquals(OpType.INFO, read.type());
    assertEquals(Op.NEVER, read.completeNanos());
    assertEquals(Long.MAX_VALUE, read.effectDeadlineNanos());
  }

  @Test
  void rejectsMalformedHistories() {
    String twice =
        line(Op.invoke(0, OpFunction.READ, 1L, null, 1))
            + line(Op.invoke(0, OpFunction.READ, 1L, null, 2));
    assertThrows(IllegalArgumentException.class, () -> read(twice));
    Op a = Op.invoke(0, OpFunction.READ, 1L, null, 1);
    String mismatched =
        line(a) + line(Op.invoke(0, OpFunction.READ, 1L, null, 2).complete(OpType.OK, 3));
    assertThrows(IllegalArgumentException.class, () -> read(mismatched));
    assertThrows(IllegalArgumentException.class, () -> read("{\"process\":0}\n"));
    assertThrows(IllegalArgumentException.class, () -> read("not json\n"));
  }

  @Test
  void validatesOperations() {
    Op a = Op.invoke(0, OpFunction.WRITE, 1L, 1L, 10);
    assertThrows(IllegalArgumentException.class, () -> a.complete(OpType.OK, 9));
    assertThrows(IllegalArgumentException.class, () -> a.complete(OpType.INVOKE, 11));
    assertThrows(IllegalArgumentException.class, () -> Op.invoke(0, OpFunction.WRITE, 1L, 1L, -1));
    assertThrows(IllegalArgumentException.class, () -> History.of(List.of(a)));
    assertEquals(1, a.complete(OpType.OK, 11).latencyNanos());
  }

  private static String line(Op op) {
    return HistoryJson.toLine(op) + "\n";
  }

  private static History read(String text) throws Exception {
    return HistoryReader.read(new BufferedReader(new StringReader(text)));
  }
}
