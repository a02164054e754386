package io.quiver.jepsen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.jepsen.history.FaultWindow;
import io.quiver.jepsen.history.History;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.history.OpType;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LatencyPlotTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void writesReadablePngWithShadedFaults() throws Exception {
    List<FaultWindow> faults =
        List.of(
            new FaultWindow(10 * SECOND, 20 * SECOND, "partition n1,n2 | n3"),
            new FaultWindow(30 * SECOND, 35 * SECOND, "kill -9 n2"),
            new FaultWindow(45 * SECOND, 50 * SECOND, "pause n3"),
            new FaultWindow(52 * SECOND, 58 * SECOND, "skew n1 +10m"));
    History history = syntheticRun(new Random(7), faults);
    Path png = Path.of("target", "jepsen-test", "latency.png");
    Files.createDirectories(png.getParent());
    LatencyPlot plot =
        new LatencyPlot(
            LatencyPlot.WIDTH_DEFAULT,
            LatencyPlot.HEIGHT_DEFAULT,
            "register, partition + kill + pause + skew (synthetic)");
    plot.write(history, faults, png);

    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, "not a decodable image: " + png);
    assertEquals(LatencyPlot.WIDTH_DEFAULT, image.getWidth());
    assertEquals(LatencyPlot.HEIGHT_DEFAULT, image.getHeight());
    PlotArea area = plot.area(history, faults);
    // A column inside the partition is shaded from top to bottom; one in quiet time is mostly
    // white.
    assertTrue(nonWhiteFraction(image, area, area.x(15.5)) > 0.9, "partition window not shaded");
    assertTrue(nonWhiteFraction(image, area, area.x(5.3)) < 0.5, "quiet time shaded");
    assertTrue(countPixels(image, 0x2e9e3e, 60) > 100, "no ok (green) points");
    assertTrue(countPixels(image, 0xd61f1f, 60) > 20, "no fail (red) points");
    assertTrue(countPixels(image, 0xf08c00, 60) > 20, "no info (orange) points");
  }

  @Test
  void rendersEmptyHistory() {
    BufferedImage image =
        new LatencyPlot(400, 300, "empty").render(History.of(List.of()), List.of());
    assertEquals(400, image.getWidth());
    assertEquals(300, image.getHeight());
    assertThrows(IllegalArgumentException.class, () -> new LatencyPlot(10, 10, "tiny"));
  }

  /**
   * 60 s of a register workload at ~100 op/s: 1-5 ms latencies in quiet time; during faults some
   * operations time out after 1-5 s (info) and some fail fast.
   */
  private static History syntheticRun(Random random, List<FaultWindow> faults) {
    List<Op> ops = new ArrayList<>();
    for (long time = 0; time < 60 * SECOND; time += 10_000_000L) {
      long t = time;
      boolean faulty = faults.stream().anyMatch(f -> f.startNanos() <= t && t < f.endNanos());
      double latencyMs = Math.exp(random.nextGaussian() * 0.6) * 2;
      OpType type = OpType.OK;
      if (faulty && random.nextInt(10) == 0) {
        type = OpType.INFO;
        latencyMs = 1000 + random.nextInt(4000);
      } else if (faulty && random.nextInt(10) == 0) {
        type = OpType.FAIL;
        latencyMs = 0.2 + random.nextDouble() * 5;
      }
      Op op =
          Op.invoke(
              random.nextInt(10),
              random.nextBoolean() ? OpFunction.READ : OpFunction.WRITE,
              (long) random.nextInt(5),
              1L,
              t);
      ops.add(op.complete(type, t + Math.round(latencyMs * 1e6)));
    }
    return History.of(ops);
  }

  private static double nonWhiteFraction(BufferedImage image, PlotArea area, int x) {
    int nonWhite = 0;
    for (int y = area.top() + 1; y < area.bottom(); y++) {
      nonWhite += (image.getRGB(x, y) & 0xffffff) == 0xffffff ? 0 : 1;
    }
    return nonWhite / (double) (area.bottom() - area.top() - 1);
  }

  /**
   * @return pixels within {@code tolerance} per channel of the fully opaque colour {@code rgb}
   */
  private static int countPixels(BufferedImage image, int rgb, int tolerance) {
    int count = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int p = image.getRGB(x, y);
        if (Math.abs((p >> 16 & 0xff) - (rgb >> 16 & 0xff)) <= tolerance
            && Math.abs((p >> 8 & 0xff) - (rgb >> 8 & 0xff)) <= tolerance
            && Math.abs((p & 0xff) - (rgb & 0xff)) <= tolerance) {
          count++;
        }
      }
    }
    return count;
  }
}
