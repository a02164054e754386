package io.quiver.jepsen.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one scenario produced, as its {@code result.json} records it.
 *
 * @param name the scenario
 * @param operations client operations in the history (completed ones, any outcome)
 * @param faults faults injected
 * @param anomalies checkers that found the history invalid
 * @param unknown checkers that could not decide
 * @param verdicts one line per checker
 * @param error why the run itself failed (no verdicts), or null
 * @param seconds wall time of the whole scenario, setup to teardown
 */
public record ScenarioResult(
    String name,
    long operations,
    long faults,
    int anomalies,
    int unknown,
    List<String> verdicts,
    String error,
    double seconds) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public ScenarioResult {
    verdicts = List.copyOf(verdicts);
  }

  /**
   * @return true if the run completed and every checker found it valid
   */
  public boolean passed() {
    return error == null && anomalies == 0 && unknown == 0;
  }

  static ScenarioResult failed(String name, String error, double seconds) {
    return new ScenarioResult(name, 0, 0, 0, 0, List.of(), error, seconds);
  }

  void write(Path file) throws IOException {
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), this);
  }

  static ScenarioResult read(Path file, double seconds) throws IOException {
    JsonNode n = JSON.readTree(file.toFile());
    List<String> verdicts = new ArrayList<>();
    n.path("verdicts").forEach(v -> verdicts.add(v.asText()));
    return new ScenarioResult(
        n.path("name").asText(),
        n.path("operations").asLong(),
        n.path("faults").asLong(),
        n.path("anomalies").asInt(),
        n.path("unknown").asInt(),
        verdicts,
        n.path("error").isTextual() ? n.path("error").asText() : null,
        seconds);
  }

  /**
   * @return the one-line report of the scenario
   */
  public String line() {
    String outcome =
        error != null
            ? "ERROR " + error
            : anomalies > 0 ? "INVALID" : unknown > 0 ? "UNKNOWN" : "valid";
    return String.format(
        Locale.ROOT,
        "%-22s %6d ops %3d faults %d anomalies %5.0fs  %s",
        name,
        operations,
        faults,
        anomalies,
        seconds,
        outcome);
  }
}
