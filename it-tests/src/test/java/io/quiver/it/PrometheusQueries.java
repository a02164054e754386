package io.quiver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of {@code deploy/prometheus/alerts.yml} and {@code deploy/grafana/*.json}, and the
 * metric names it uses, so tests can check them against what a node exports.
 */
final class PrometheusQueries {

  /** The deploy directory of the checkout (tests run in {@code it-tests/}). */
  static Path deployDir() {
    String home = System.getProperty("quiver.home");
    return (home != null ? Path.of(home) : Path.of(".."))
        .resolve("deploy")
        .toAbsolutePath()
        .normalize();
  }

  static JsonNode alertRules() throws IOException {
    return new ObjectMapper(new YAMLFactory())
        .readTree(deployDir().resolve("prometheus/alerts.yml").toFile());
  }

  static JsonNode scrapeConfig() throws IOException {
    return new ObjectMapper(new YAMLFactory())
        .readTree(deployDir().resolve("prometheus/prometheus.yml").toFile());
  }

  /** Every {@code expr} of the alert rules. */
  static List<String> alertExpressions() throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonNode group : alertRules().path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        out.add(rule.path("expr").asText());
      }
    }
    return out;
  }

  /** Every {@code expr} of the panels' targets of each dashboard in {@code deploy/grafana/}. */
  static List<String> dashboardExpressions() throws IOException {
    List<String> out = new ArrayList<>();
    Path dir = deployDir().resolve("grafana");
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        collectExpressions(new ObjectMapper().readTree(file.toFile()), out);
      }
    }
    return out;
  }

  private static void collectExpressions(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.properties()
          .forEach(
              e -> {
                if (e.getKey().equals("expr") && e.getValue().isTextual()) {
                  out.add(e.getValue().asText());
                } else {
                  collectExpressions(e.getValue(), out);
                }
              });
    } else if (node.isArray()) {
      node.forEach(child -> collectExpressions(child, out));
    }
  }

  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> NOT_METRICS =
      Set.of(
          "sum",
          "max",
          "min",
          "avg",
          "count",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "and",
          "or",
          "unless",
          "bool",
          "rate",
          "irate",
          "increase",
          "delta",
          "absent",
          "histogram_quantile",
          "topk",
          "bottomk",
          "time",
          "offset",
          "le",
          "clamp_min",
          "clamp_max",
          "label_replace",
          "vector",
          "scalar",
          "changes",
          "resets",
          "deriv",
          "abs",
          "max_over_time",
          "min_over_time",
          "avg_over_time");

  /**
   * The metric names a PromQL expression selects: identifiers outside label matchers ({@code
   * {...}}), ranges ({@code [...]}), strings and grouping lists ({@code by (...)}), that are not
   * functions or keywords. Prometheus' own {@code up} is left out (the node does not export it).
   */
  static Set<String> metricNames(String expr) {
    String text =
        expr.replaceAll("\"[^\"]*\"", "\"\"")
            .replaceAll("\\{[^}]*\\}", "{}")
            .replaceAll("\\[[^\\]]*\\]", "[]")
            .replaceAll("(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
            .replaceAll("\\$\\w+", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(text);
    while (m.find()) {
      String name = m.group();
      boolean function = text.substring(m.end()).stripLeading().startsWith("(");
      if (!function
          && !NOT_METRICS.contains(name)
          && !name.equals("up")
          && !Character.isDigit(name.charAt(0))
          && !(m.start() > 0 && Character.isDigit(text.charAt(m.start() - 1)))) {
        names.add(name);
      }
    }
    return names;
  }
}
