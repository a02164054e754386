package io.quiver.jepsen;

import io.quiver.jepsen.checker.CheckResult;
import io.quiver.jepsen.checker.Checker;
import io.quiver.jepsen.checker.DeleteChecker;
import io.quiver.jepsen.checker.LinearizabilityChecker;
import io.quiver.jepsen.checker.SearchAfterWriteChecker;
import io.quiver.jepsen.checker.SetChecker;
import io.quiver.jepsen.checker.Verdict;
import io.quiver.jepsen.history.FaultWindow;
import io.quiver.jepsen.history.History;
import io.quiver.jepsen.history.HistoryReader;
import io.quiver.jepsen.report.LatencyPlot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Re-checks a recorded history offline: {@code java -cp ... io.quiver.jepsen.CheckHistory
 * history.jsonl [latency.png]} runs every checker, prints one result per checker, optionally draws
 * the latency plot (fault windows from the history's {@code fault} operations), and exits 0 if all
 * are valid, 1 if any is invalid, 2 if any is unknown, 64 on bad usage.
 */
public final class CheckHistory {

  /** The checkers every history goes through, in report order. */
  public static final List<Checker> CHECKERS =
      List.of(
          new LinearizabilityChecker(),
          new SetChecker(),
          new SearchAfterWriteChecker(),
          new DeleteChecker());

  private CheckHistory() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: CheckHistory HISTORY.jsonl [LATENCY.png]");
      System.exit(64);
    }
    System.exit(run(Path.of(args[0]), args.length == 2 ? Path.of(args[1]) : null, System.out));
  }

  /**
   * Checks the history in {@code historyFile}, printing to {@code out}.
   *
   * @param png where to write the latency plot, or null for none
   * @return 0 if every checker found the history valid, 1 if one found it invalid, else 2
   */
  public static int run(Path historyFile, Path png, PrintStream out) throws IOException {
    History history = HistoryReader.read(historyFile);
    Verdict worst = Verdict.VALID;
    for (Checker checker : CHECKERS) {
      CheckResult result = checker.check(history);
      out.println(result);
      worst = worst.and(result.verdict());
    }
    if (png != null) {
      new LatencyPlot(
              LatencyPlot.WIDTH_DEFAULT,
              LatencyPlot.HEIGHT_DEFAULT,
              historyFile.getFileName().toString())
          .write(history, FaultWindow.of(history), png);
    }
    return switch (worst) {
      case VALID -> 0;
      case INVALID -> 1;
      case UNKNOWN -> 2;
    };
  }
}
