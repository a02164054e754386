package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The structure of {@code deploy/prometheus/}: the rule file is a Prometheus rule file (groups of
 * named rules, each alert with a PromQL expression whose brackets balance, a duration, a severity
 * and a summary), it has the alerts an operator needs (node down, no leader, replica lag, disk
 * nearly full), and the scrape config loads it and scrapes {@code /metrics}. That the metrics it
 * names exist is checked on a real node by {@code MetricsAndTelemetryIT}.
 */
class PrometheusRulesTest {

  @Test
  void ruleFileIsWellFormed() throws Exception {
    JsonNode groups = PrometheusQueries.alertRules().path("groups");
    assertTrue(groups.isArray() && !groups.isEmpty(), "a list of groups");
    Set<String> alerts = new HashSet<>();
    for (JsonNode group : groups) {
      assertTrue(group.path("name").isTextual(), "every group has a name: " + group);
      assertTrue(
          group.path("rules").isArray() && !group.path("rules").isEmpty(), "every group has rules");
      for (JsonNode rule : group.path("rules")) {
        String alert = rule.path("alert").asText("");
        assertTrue(alert.matches("[A-Z][A-Za-z0-9]+"), "an alert name in CamelCase: " + rule);
        assertTrue(alerts.add(alert), "alert names are unique: " + alert);
        String expr = rule.path("expr").asText("");
        assertFalse(expr.isBlank(), alert + " has an expression");
        assertTrue(balanced(expr), alert + ": brackets balance in " + expr);
        assertFalse(
            PrometheusQueries.metricNames(expr).isEmpty() && !expr.contains("up{"),
            alert + " names a metric");
        if (rule.has("for")) {
          assertTrue(
              rule.get("for").asText().matches("\\d+(ms|s|m|h|d|w|y)"),
              alert + ": a duration in `for`");
        }
        assertTrue(
            List.of("critical", "warning", "info")
                .contains(rule.path("labels").path("severity").asText()),
            alert + " has a severity");
        assertFalse(
            rule.path("annotations").path("summary").asText("").isBlank(),
            alert + " has a summary");
        for (var it = rule.fieldNames(); it.hasNext(); ) {
          String field = it.next();
          assertTrue(
              Set.of("alert", "expr", "for", "labels", "annotations", "keep_firing_for")
                  .contains(field),
              alert + ": unknown field " + field);
        }
      }
    }
    assertTrue(
        alerts.containsAll(
            Set.of(
                "QuiverNodeDown",
                "QuiverShardGroupWithoutLeader",
                "QuiverMetadataWithoutLeader",
                "QuiverReplicaLag",
                "QuiverDiskNearlyFull")),
        "the alerts operators rely on: " + alerts);
  }

  @Test
  void scrapeConfigLoadsTheRulesAndScrapesMetrics() throws Exception {
    JsonNode config = PrometheusQueries.scrapeConfig();
    JsonNode ruleFiles = config.path("rule_files");
    assertEquals(1, ruleFiles.size());
    assertTrue(
        Files.isRegularFile(
            PrometheusQueries.deployDir()
                .resolve("prometheus")
                .resolve(ruleFiles.get(0).asText())));
    JsonNode job = config.path("scrape_configs").get(0);
    assertEquals("/metrics", job.path("metrics_path").asText());
    for (JsonNode target : job.path("static_configs").get(0).path("targets")) {
      assertTrue(target.asText().endsWith(":6333"), "targets are REST ports: " + target);
    }
  }

  @Test
  void metricNamesAreReadFromPromQl() {
    assertEquals(
        Set.of("quiver_data_dir_free_bytes", "quiver_data_dir_size_bytes"),
        PrometheusQueries.metricNames(
            "quiver_data_dir_free_bytes / quiver_data_dir_size_bytes < 0.10"));
    assertEquals(
        Set.of("quiver_raft_leader_changes_total"),
        PrometheusQueries.metricNames(
            "sum by (instance, collection) (increase(quiver_raft_leader_changes_total{group!=\"meta\"}[15m])) > 5"));
    assertEquals(Set.of(), PrometheusQueries.metricNames("up{job=~\"quiver.*\"} == 0"));
  }

  private static boolean balanced(String expr) {
    StringBuilder stack = new StringBuilder();
    boolean quoted = false;
    for (char c : expr.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && "({[".indexOf(c) >= 0) {
        stack.append(c);
      } else if (!quoted && ")}]".indexOf(c) >= 0) {
        if (stack.isEmpty()
            || "({[".indexOf(stack.charAt(stack.length() - 1)) != ")}]".indexOf(c)) {
          return false;
        }
        stack.setLength(stack.length() - 1);
      }
    }
    return stack.isEmpty() && !quoted;
  }
}
