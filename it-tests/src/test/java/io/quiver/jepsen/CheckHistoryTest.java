package io.quiver.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.jepsen.history.HistoryBuilder;
import io.quiver.jepsen.history.HistoryWriter;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpType;
import io.quiver.jepsen.report.LatencyPlot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class CheckHistoryTest {

  @Test
  void validHistoryExitsZeroAndDrawsThePlot(@TempDir Path dir) throws Exception {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 1, 0, 1);
    b.read(1, 1, 1L, 2, 3);
    b.insert(2, 10, OpType.OK, 0, 5);
    b.add(Op.fault("partition n1 | n2,n3", HistoryBuilder.ms(1), HistoryBuilder.ms(4)));
    b.readAll(2, List.of(10L), 10, 11);
    Path history = dir.resolve("history.jsonl");
    HistoryWriter.write(history, b.build());
    Path png = dir.resolve("latency.png");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(
        0, CheckHistory.run(history, png, new PrintStream(out, true, StandardCharsets.UTF_8)));
    String printed = out.toString(StandardCharsets.UTF_8);
    for (String name :
        List.of("linearizable-register", "set", "search-after-write", "no-resurrection")) {
      assertTrue(printed.contains(name + ": VALID"), printed);
    }
    assertEquals(LatencyPlot.WIDTH_DEFAULT, ImageIO.read(png.toFile()).getWidth());
    assertTrue(Files.size(png) > 1000);
  }

  @Test
  void anomalyExitsOne(@TempDir Path dir) throws Exception {
    HistoryBuilder b = new HistoryBuilder();
    b.write(0, 1, 1, 0, 1);
    b.read(1, 1, null, 2, 3); // lost write
    Path history = dir.resolve("history.jsonl");
    HistoryWriter.write(history, b.build());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(
        1, CheckHistory.run(history, null, new PrintStream(out, true, StandardCharsets.UTF_8)));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("linearizable-register: INVALID"));
  }
}
