package io.quiver.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Prints what the node processes of a failed test logged, so that a failure seen only in CI's
 * console (where the test's temporary directories are gone) can be diagnosed: for every node log
 * written during the test, its distinct warnings and errors (each once, with how often it came) and
 * its last lines. The whole logs are copied to {@code target/node-logs/<test>/}, with the report in
 * {@code REPORT.txt} there, which {@code bin/quiver test} prints when the run fails (CI's console
 * does not show a test's own output, which goes to {@code target/failsafe-reports}).
 *
 * <p>Runs right after the test method, before {@code @AfterEach} and before JUnit deletes the
 * test's {@code @TempDir} (where {@link NodeProcess} keeps its logs). Registered for every test
 * class of this module through {@code META-INF/services}, like {@link SkippedSchemaChecks}.
 */
public final class NodeLogsOnFailure
    implements BeforeTestExecutionCallback, AfterTestExecutionCallback {

  private static final Set<Path> LOGS = ConcurrentHashMap.newKeySet();
  private static final int WARNINGS_MAX = 40;
  private static final int TAIL_LINES = 20;
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");

  private long startedMillis;

  private static final Set<java.util.function.Supplier<Path>> DUMPERS =
      ConcurrentHashMap.newKeySet();

  /** Called by {@link NodeProcess} for every process it launches. */
  static void register(Path log) {
    LOGS.add(log);
  }

  /**
   * Registers a log that exists only once asked for (a container's: {@code docker logs}); on a
   * failure, {@code dumper} writes it and returns its path. Unregister with {@link #forget}.
   */
  static void registerDumper(java.util.function.Supplier<Path> dumper) {
    DUMPERS.add(dumper);
  }

  static void forget(java.util.function.Supplier<Path> dumper) {
    DUMPERS.remove(dumper);
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
    for (java.util.function.Supplier<Path> dumper : List.copyOf(DUMPERS)) {
      Path dumped = dumper.get();
      if (dumped != null) {
        LOGS.add(dumped);
      }
    }
    for (Path log : List.copyOf(LOGS)) {
      try {
        if (!Files.exists(log) || Files.getLastModifiedTime(log).toMillis() < startedMillis) {
          continue;
        }
        Path kept =
            Path.of(
                "target",
                "node-logs",
                context.getRequiredTestClass().getSimpleName()
                    + "."
                    + context.getRequiredTestMethod().getName());
        Files.createDirectories(kept);
        Files.copy(
            log,
            kept.resolve(log.getFileName()),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String report = report(context.getDisplayName(), log, kept, Files.readAllLines(log));
        System.err.println(report);
        Files.writeString(
            kept.resolve("REPORT.txt"),
            report + "\n",
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      } catch (IOException e) {
        System.err.println("(could not read " + log + ": " + e.getMessage() + ")");
      }
    }
  }

  private static String report(String test, Path log, Path kept, List<String> lines) {
    // Distinct messages: the same warning repeated (a retry loop) is shown once, with its count.
    Map<String, String> firstLine = new LinkedHashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (String line : lines) {
      if (line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("LeaderElection")) {
        String key = DIGITS.matcher(line.length() > 30 ? line.substring(30) : line).replaceAll("#");
        key = key.substring(0, Math.min(160, key.length()));
        firstLine.putIfAbsent(key, line);
        counts.merge(key, 1, Integer::sum);
      }
    }
    List<String> keys = new ArrayList<>(firstLine.keySet());
    StringBuilder out =
        new StringBuilder("==== ")
            .append(test)
            .append(" failed; node log ")
            .append(log)
            .append(" (")
            .append(lines.size())
            .append(" lines, kept in ")
            .append(kept)
            .append("): last ")
            .append(Math.min(WARNINGS_MAX, keys.size()))
            .append(" of ")
            .append(keys.size())
            .append(" distinct warnings/errors/elections ====\n");
    for (String key : keys.subList(Math.max(0, keys.size() - WARNINGS_MAX), keys.size())) {
      String line = firstLine.get(key);
      out.append(counts.get(key))
          .append("x ")
          .append(line, 0, Math.min(600, line.length()))
          .append('\n');
    }
    out.append("---- last ").append(TAIL_LINES).append(" lines ----\n");
    lines
        .subList(Math.max(0, lines.size() - TAIL_LINES), lines.size())
        .forEach(l -> out.append(l, 0, Math.min(600, l.length())).append('\n'));
    return out.toString();
  }
}
