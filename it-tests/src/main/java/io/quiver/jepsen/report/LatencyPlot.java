package io.quiver.jepsen.report;

import io.quiver.jepsen.history.FaultWindow;
import io.quiver.jepsen.history.History;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import io.quiver.jepsen.history.OpType;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Draws the latency of every completed client operation over time, as Jepsen's latency plots do: x
 * = completion time (s since the start of the run), y = latency (ms, log scale); {@code ok} green,
 * {@code info} orange, {@code fail} red (drawn last, so failures stay visible); fault windows
 * shaded and labelled. Operations without a recorded completion, and faults, are not points.
 *
 * <p>Runs headless ({@code java.awt.headless} is set to true on first use). Stateless and
 * thread-safe. Cost O(operations).
 */
public final class LatencyPlot {

  /** Default image width, pixels. */
  public static final int WIDTH_DEFAULT = 1200;

  /** Default image height, pixels. */
  public static final int HEIGHT_DEFAULT = 600;

  private static final Color OK_COLOR = new Color(0x2e, 0x9e, 0x3e, 150);
  private static final Color INFO_COLOR = new Color(0xf0, 0x8c, 0x00, 200);
  private static final Color FAIL_COLOR = new Color(0xd6, 0x1f, 0x1f, 220);
  private static final Color FAULT_FILL = new Color(0x70, 0x70, 0xd0, 40);
  private static final Color FAULT_EDGE = new Color(0x50, 0x50, 0xb0, 120);
  private static final Color GRID = new Color(0xe4, 0xe4, 0xe4);
  private static final int MARGIN_LEFT = 70;
  private static final int MARGIN_RIGHT = 20;
  private static final int MARGIN_TOP = 40;
  private static final int MARGIN_BOTTOM = 50;
  private static final double POINT_DIAMETER = 4;

  private final int width;
  private final int height;
  private final String title;

  /**
   * @param width image width in pixels, at least 300
   * @param height image height in pixels, at least 200
   * @param title drawn above the plot
   */
  public LatencyPlot(int width, int height, String title) {
    if (width < 300 || height < 200) {
      throw new IllegalArgumentException("plot too small: " + width + "x" + height);
    }
    this.width = width;
    this.height = height;
    this.title = Objects.requireNonNull(title, "title");
  }

  /** Renders the plot and writes it to {@code png} as a PNG. */
  public void write(History history, List<FaultWindow> faults, Path png) throws IOException {
    if (!ImageIO.write(render(history, faults), "png", png.toFile())) {
      throw new IOException("no PNG writer");
    }
  }

  /**
   * @return the plot as an image of {@code width x height} pixels
   */
  public BufferedImage render(History history, List<FaultWindow> faults) {
    System.setProperty("java.awt.headless", "true");
    PlotArea area = area(history, faults);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      drawGrid(g, area);
      drawFaults(g, area, faults);
      Map<OpType, Integer> counts = drawPoints(g, area, history);
      drawFrame(g, area);
      drawLegend(g, area, counts);
    } finally {
      g.dispose();
    }
    return image;
  }

  /**
   * @return the axes {@link #render} uses for this run
   */
  PlotArea area(History history, List<FaultWindow> faults) {
    return PlotArea.fit(
        history,
        faults,
        MARGIN_LEFT,
        MARGIN_TOP,
        width - MARGIN_LEFT - MARGIN_RIGHT,
        height - MARGIN_TOP - MARGIN_BOTTOM);
  }

  private void drawGrid(Graphics2D g, PlotArea area) {
    FontMetrics metrics = g.getFontMetrics();
    for (int decade = area.decadeMin(); decade <= area.decadeMax(); decade++) {
      for (int mantissa = 1; mantissa < 10; mantissa++) {
        double ms = mantissa * Math.pow(10, decade);
        if (decade == area.decadeMax() && mantissa > 1) {
          break;
        }
        int y = area.y(ms);
        g.setColor(mantissa == 1 ? GRID.darker() : GRID);
        g.drawLine(area.left(), y, area.right(), y);
        if (mantissa == 1) {
          String label = formatMillis(ms);
          g.setColor(Color.DARK_GRAY);
          g.drawString(
              label, area.left() - 6 - metrics.stringWidth(label), y + metrics.getAscent() / 2);
        }
      }
    }
    double step = area.secondsStep();
    for (double s = 0; s <= area.secondsMax() + 1e-9; s += step) {
      int x = area.x(s);
      g.setColor(GRID);
      g.drawLine(x, area.top(), x, area.bottom());
      String label =
          step >= 1 ? String.format(Locale.ROOT, "%.0f", s) : String.format(Locale.ROOT, "%.1f", s);
      g.setColor(Color.DARK_GRAY);
      g.drawString(
          label, x - metrics.stringWidth(label) / 2, area.bottom() + metrics.getAscent() + 4);
    }
  }

  private static void drawFaults(Graphics2D g, PlotArea area, List<FaultWindow> faults) {
    FontMetrics metrics = g.getFontMetrics();
    int row = 0;
    for (FaultWindow fault : faults) {
      int x0 = area.x(fault.startNanos() / 1e9);
      int x1 =
          area.x((fault.endNanos() == Op.NEVER ? area.secondsMax() * 1e9 : fault.endNanos()) / 1e9);
      g.setColor(FAULT_FILL);
      g.fillRect(x0, area.top(), Math.max(1, x1 - x0), area.bottom() - area.top());
      g.setColor(FAULT_EDGE);
      g.drawLine(x0, area.top(), x0, area.bottom());
      g.drawLine(x1, area.top(), x1, area.bottom());
      // Labels alternate between three rows so that neighbouring windows stay readable.
      int y = area.top() + 2 + metrics.getAscent() + (row++ % 3) * (metrics.getHeight() + 1);
      g.setColor(FAULT_EDGE.darker());
      g.drawString(fault.label(), x0 + 3, y);
    }
  }

  private static Map<OpType, Integer> drawPoints(Graphics2D g, PlotArea area, History history) {
    Map<OpType, Integer> counts = new EnumMap<>(OpType.class);
    for (OpType type : List.of(OpType.OK, OpType.INFO, OpType.FAIL)) {
      g.setColor(type == OpType.OK ? OK_COLOR : type == OpType.INFO ? INFO_COLOR : FAIL_COLOR);
      int count = 0;
      for (Op op : history.ops()) {
        if (op.type() != type || !op.hasCompletion() || op.f() == OpFunction.FAULT) {
          continue;
        }
        count++;
        double x = area.xExact(op.completeNanos() / 1e9);
        double y = area.yExact(op.latencyNanos() / 1e6);
        g.fill(
            new Ellipse2D.Double(
                x - POINT_DIAMETER / 2, y - POINT_DIAMETER / 2, POINT_DIAMETER, POINT_DIAMETER));
      }
      counts.put(type, count);
    }
    return counts;
  }

  private void drawFrame(Graphics2D g, PlotArea area) {
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1));
    g.drawRect(area.left(), area.top(), area.right() - area.left(), area.bottom() - area.top());
    FontMetrics metrics = g.getFontMetrics();
    String xLabel = "completion time (s)";
    g.drawString(
        xLabel, (area.left() + area.right() - metrics.stringWidth(xLabel)) / 2, height - 10);
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    String yLabel = "latency (ms, log)";
    rotated.drawString(yLabel, -(area.top() + area.bottom() + metrics.stringWidth(yLabel)) / 2, 16);
    rotated.dispose();
    g.setFont(g.getFont().deriveFont(Font.BOLD, 14f));
    g.drawString(title, area.left(), area.top() - 14);
  }

  /** One row of entries above the plot, right-aligned: a marker, then a label with its count. */
  private static void drawLegend(Graphics2D g, PlotArea area, Map<OpType, Integer> counts) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics metrics = g.getFontMetrics();
    String[] labels = {
      "ok " + counts.get(OpType.OK),
      "info " + counts.get(OpType.INFO),
      "fail " + counts.get(OpType.FAIL),
      "fault"
    };
    Color[] colors = {OK_COLOR, INFO_COLOR, FAIL_COLOR, FAULT_FILL.darker()};
    int entryWidth = 0;
    for (String label : labels) {
      entryWidth = Math.max(entryWidth, metrics.stringWidth(label) + 30);
    }
    int x = Math.max(area.left(), area.right() - labels.length * entryWidth);
    int baseline = area.top() - 14;
    for (int i = 0; i < labels.length; i++) {
      int ex = x + i * entryWidth;
      g.setColor(colors[i]);
      if (i == labels.length - 1) {
        g.fillRect(ex + 4, baseline - 9, 12, 10);
      } else {
        g.fill(new Ellipse2D.Double(ex + 6, baseline - 8, 8, 8));
      }
      g.setColor(Color.BLACK);
      g.drawString(labels[i], ex + 22, baseline);
    }
  }

  private static String formatMillis(double ms) {
    if (ms >= 1000) {
      return String.format(Locale.ROOT, "%.0f s", ms / 1000);
    }
    return ms >= 1
        ? String.format(Locale.ROOT, "%.0f ms", ms)
        : String.format(Locale.ROOT, "%s ms", ms);
  }
}
