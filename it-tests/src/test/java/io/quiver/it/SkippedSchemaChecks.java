package io.quiver.it;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * Reports a test that ran without its response-schema checks as skipped, never as passed.
 *
 * <p>When Qdrant's OpenAPI spec is absent (a plain clone), {@link OpenApiContract#assertValid}
 * records the check it skipped here instead of checking. After each test (and after a class's
 * {@code @AfterAll}, for checks made in {@code @BeforeAll}) this extension aborts the test with a
 * message that lists the skipped checks: every other assertion of the test has run by then, so a
 * real failure still fails it, and a test that passed everything but the schema checks shows up as
 * SKIPPED with the reason. Registered for every test class of this module through {@code
 * META-INF/services} (JUnit's extension auto-detection, enabled in {@code
 * junit-platform.properties}).
 *
 * <p>Thread-safe: tests may validate responses from several threads. Assumes test classes run one
 * at a time in a JVM (this module does not enable JUnit's parallel execution).
 */
public final class SkippedSchemaChecks implements AfterEachCallback, AfterAllCallback {

  private static final ConcurrentLinkedQueue<String> SKIPPED = new ConcurrentLinkedQueue<>();
  private static final int LISTED_MAX = 12;

  /**
   * Records a check that was not made, as {@code "PUT /collections/{collection_name}/points ->
   * 200"}.
   */
  static void record(String check) {
    SKIPPED.add(check);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    abortIfSkipped(context.getDisplayName());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    abortIfSkipped(context.getDisplayName());
  }

  private static void abortIfSkipped(String test) {
    List<String> checks = new ArrayList<>();
    for (String check; (check = SKIPPED.poll()) != null; ) {
      checks.add(check);
    }
    if (checks.isEmpty()) {
      return;
    }
    TreeSet<String> distinct = new TreeSet<>(checks);
    String listed =
        String.join(", ", distinct.stream().limit(LISTED_MAX).toList())
            + (distinct.size() > LISTED_MAX
                ? ", ... (" + (distinct.size() - LISTED_MAX) + " more)"
                : "");
    throw new TestAbortedException(
        "SKIPPED "
            + checks.size()
            + " response-schema checks of "
            + test
            + " (its other assertions passed): "
            + OpenApiContract.load().absence()
            + ". Skipped: "
            + listed);
  }
}
