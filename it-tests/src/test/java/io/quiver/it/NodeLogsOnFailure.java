package io.quiver.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Prints what the node processes of a failed test logged, so that a failure seen only in CI's
 * console (where the test's temporary directories are gone) can be diagnosed: for every node log
 * written during the test, its warnings and errors and its last lines.
 *
 * <p>Runs right after the test method, before {@code @AfterEach} and before JUnit deletes the
 * test's {@code @TempDir} (where {@link NodeProcess} keeps its logs). Registered for every test
 * class of this module through {@code META-INF/services}, like {@link SkippedSchemaChecks}.
 */
public final class NodeLogsOnFailure implements BeforeTestExecutionCallback, AfterTestExecutionCallback {

  private static final Set<Path> LOGS = ConcurrentHashMap.newKeySet();
  private static final int WARNINGS_MAX = 40;
  private static final int TAIL_LINES = 20;

  private long startedMillis;

  /** Called by {@link NodeProcess} for every process it launches. */
  static void register(Path log) {
    LOGS.add(log);
  }

  @Override
  public void beforeTestExecution(ExtensionContext context) {
    startedMillis = System.currentTimeMillis();
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    if (context.getExecutionException().isEmpty()) {
      return;
    }
    for (Path log : List.copyOf(LOGS)) {
      try {
        if (!Files.exists(log) || Files.getLastModifiedTime(log).toMillis() < startedMillis) {
          continue;
        }
        System.err.println(report(context.getDisplayName(), log, Files.readAllLines(log)));
      } catch (IOException e) {
        System.err.println("(could not read " + log + ": " + e.getMessage() + ")");
      }
    }
  }

  private static String report(String test, Path log, List<String> lines) {
    List<String> warnings = new ArrayList<>();
    for (String line : lines) {
      if (line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("LeaderElection")) {
        warnings.add(line);
      }
    }
    StringBuilder out = new StringBuilder("==== ").append(test).append(" failed; node log ").append(log)
        .append(" (").append(lines.size()).append(" lines): last ").append(Math.min(WARNINGS_MAX, warnings.size()))
        .append(" of ").append(warnings.size()).append(" warnings/errors/elections ====\n");
    warnings.subList(Math.max(0, warnings.size() - WARNINGS_MAX), warnings.size()).forEach(l -> out.append(l).append('\n'));
    out.append("---- last ").append(TAIL_LINES).append(" lines ----\n");
    lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()).forEach(l -> out.append(l).append('\n'));
    return out.toString();
  }
}
