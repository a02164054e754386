package io.quiver.jepsen.checker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a checker found.
 *
 * @param checker the checker's {@link Checker#name()}
 * @param verdict the verdict
 * @param summary one line for humans, e.g. {@code "40 keys, 5210 ops: all linearizable"}
 * @param counts named figures in insertion order (e.g. Jepsen's {@code ok}, {@code lost}, {@code
 *     unexpected}, {@code recovered}); unmodifiable
 * @param counterexamples evidence when the verdict is {@link Verdict#INVALID} (at most a few; the
 *     counts give the totals), else empty
 */
public record CheckResult(
    String checker,
    Verdict verdict,
    String summary,
    Map<String, Long> counts,
    List<Counterexample> counterexamples) {

  public CheckResult {
    Objects.requireNonNull(checker, "checker");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(summary, "summary");
    counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    counterexamples = List.copyOf(counterexamples);
    if (verdict == Verdict.INVALID && counterexamples.isEmpty()) {
      throw new IllegalArgumentException("an invalid verdict needs a counterexample");
    }
  }

  /**
   * @return true if the verdict is {@link Verdict#VALID}
   */
  public boolean isValid() {
    return verdict == Verdict.VALID;
  }

  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder()
            .append(checker)
            .append(": ")
            .append(verdict)
            .append(" - ")
            .append(summary)
            .append(' ')
            .append(counts);
    for (Counterexample c : counterexamples) {
      s.append("\n  ").append(c);
    }
    return s.toString();
  }
}
