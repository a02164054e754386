package io.quiver.jepsen.report;

import io.quiver.jepsen.history.FaultWindow;
import io.quiver.jepsen.history.History;
import io.quiver.jepsen.history.Op;
import io.quiver.jepsen.history.OpFunction;
import java.util.List;

/**
 * The axes of a {@link LatencyPlot}: maps seconds (linear) and milliseconds (log10) to pixels.
 * Immutable.
 *
 * @param left pixel column of x = 0
 * @param top pixel row of the top decade
 * @param widthPixels plot width
 * @param heightPixels plot height
 * @param secondsMax the largest x, seconds
 * @param decadeMin log10 of the smallest y, ms
 * @param decadeMax log10 of the largest y, ms ({@code > decadeMin})
 */
record PlotArea(
    int left,
    int top,
    int widthPixels,
    int heightPixels,
    double secondsMax,
    int decadeMin,
    int decadeMax) {

  /** Latencies are clamped to at least this many ms, so that a 0 ns latency has a place. */
  private static final double MILLIS_MIN = 0.01;

  /**
   * @return axes that fit every completed operation and every fault window of the run
   */
  static PlotArea fit(
      History history, List<FaultWindow> faults, int left, int top, int width, int height) {
    double secondsMax = 1;
    double msMin = Double.MAX_VALUE;
    double msMax = 0;
    for (Op op : history.ops()) {
      if (!op.hasCompletion() || op.f() == OpFunction.FAULT) {
        continue;
      }
      secondsMax = Math.max(secondsMax, op.completeNanos() / 1e9);
      double ms = Math.max(MILLIS_MIN, op.latencyNanos() / 1e6);
      msMin = Math.min(msMin, ms);
      msMax = Math.max(msMax, ms);
    }
    for (FaultWindow fault : faults) {
      secondsMax = Math.max(secondsMax, Math.max(fault.startNanos(), fault.endNanos()) / 1e9);
    }
    if (msMax == 0) {
      msMin = 1;
      msMax = 1000;
    }
    int decadeMin = (int) Math.floor(Math.log10(msMin));
    int decadeMax = Math.max(decadeMin + 1, (int) Math.ceil(Math.log10(msMax)));
    return new PlotArea(left, top, width, height, secondsMax, decadeMin, decadeMax);
  }

  int right() {
    return left + widthPixels;
  }

  int bottom() {
    return top + heightPixels;
  }

  double xExact(double seconds) {
    return left + seconds / secondsMax * widthPixels;
  }

  int x(double seconds) {
    return (int) Math.round(xExact(seconds));
  }

  double yExact(double ms) {
    double fraction = (Math.log10(Math.max(MILLIS_MIN, ms)) - decadeMin) / (decadeMax - decadeMin);
    return bottom() - fraction * heightPixels;
  }

  int y(double ms) {
    return (int) Math.round(yExact(ms));
  }

  /**
   * @return a step of 1, 2 or 5 × 10^k seconds that gives about ten x ticks
   */
  double secondsStep() {
    double raw = secondsMax / 10;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double factor : new double[] {1, 2, 5}) {
      if (factor * magnitude >= raw) {
        return factor * magnitude;
      }
    }
    return 10 * magnitude;
  }
}
