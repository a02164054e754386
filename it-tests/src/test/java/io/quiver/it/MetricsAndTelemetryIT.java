package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /metrics} and {@code /telemetry} on a real node: the Prometheus text is well formed and
 * its values follow what the node did (requests per route template and status, collections);
 * telemetry validates against Qdrant's schema and reports the node and its collections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class MetricsAndTelemetryIT {

  /**
   * A sample line of the text format: name, optional labels (quoted values may hold braces), value.
   */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*\\})? (\\S+)");

  /** The node of the single-node tests, for the whole class. */
  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  /** The nodes of one test (the cluster), stopped after it. */
  @RegisterExtension final QuiverNodes testNodes = new QuiverNodes();

  private NodeProcess node;
  private QdrantHttp http;

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    http = new QdrantHttp(node.baseUrl());
  }

  @Test
  void metricsFollowWhatTheNodeDid() throws Exception {
    Map<String, Double> before = scrape();
    String infoOk =
        "rest_responses_total{endpoint=\"/collections/{collection_name}\",method=\"GET\",status=\"200\"}";
    String infoMissing =
        "rest_responses_total{endpoint=\"/collections/{collection_name}\",method=\"GET\",status=\"404\"}";
    assertEquals(
        200,
        http.send("PUT", "/collections/m1", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}")
            .status());
    for (int i = 0; i < 3; i++) {
      assertEquals(200, http.get("/collections/m1").status());
    }
    assertEquals(404, http.get("/collections/absent").status());
    Map<String, Double> after = scrape();
    assertEquals(
        before.getOrDefault(infoOk, 0.0) + 3,
        after.get(infoOk),
        "three GETs of the collection, by route template");
    assertEquals(before.getOrDefault(infoMissing, 0.0) + 1, after.get(infoMissing));
    assertEquals(
        (double) after.keySet().stream().filter(k -> k.startsWith("collection_shards{")).count(),
        after.get("collections_total"));
    assertEquals(1.0, after.get("cluster_peers_total"));
    assertEquals(
        1.0, after.get("cluster_is_meta_leader"), "a single node leads its metadata group");
    assertTrue(
        after.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")),
        "JVM metrics are there");
    assertTrue(
        after.get("quiver_jvm_allocated_bytes_total")
            > before.getOrDefault("quiver_jvm_allocated_bytes_total", 0.0),
        "the node's allocation is counted between two scrapes: "
            + before.get("quiver_jvm_allocated_bytes_total")
            + " -> "
            + after.get("quiver_jvm_allocated_bytes_total"));
    assertTrue(
        after.keySet().stream().noneMatch(k -> k.contains("/collections/m1")),
        "labels hold templates, never raw paths");
  }

  /**
   * The replica, Raft, optimizer, transfer, disk and process series on one node: a collection of 2
   * shards with a tiny indexing threshold gets 2,000 points; every group (meta and both shards) is
   * led by this node with term >= 1 and commit >= applied (>= 1 once written), the points add up,
   * the optimizer's work shows (flushes, an indexed segment), and RSS, open files and free disk are
   * plausible.
   */
  @Test
  void replicaRaftAndProcessSeries() throws Exception {
    assertEquals(
        200,
        http.send(
                "PUT",
                "/collections/r1",
                "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"shard_number\":2,"
                    + "\"optimizers_config\":{\"indexing_threshold\":10,\"flush_interval_sec\":1}}")
            .status());
    for (int batch = 0; batch < 4; batch++) {
      StringBuilder points = new StringBuilder("{\"points\":[");
      for (int i = 0; i < 500; i++) {
        int id = batch * 500 + i;
        points
            .append(i == 0 ? "" : ",")
            .append("{\"id\":")
            .append(id)
            .append(",\"vector\":[")
            .append(id % 7)
            .append(",1,")
            .append(id % 3)
            .append(",2]}");
      }
      assertEquals(
          200,
          http.send("PUT", "/collections/r1/points?wait=true", points.append("]}").toString())
              .status());
    }
    long deadline = System.nanoTime() + 90_000_000_000L;
    Map<String, Double> m = scrape();
    while (System.nanoTime() < deadline
        && sumOf(m, "quiver_shard_segments", "collection=\"r1\"", "state=\"indexed\"") < 1) {
      Thread.sleep(500);
      m = scrape();
    }
    assertEquals(
        2000.0,
        sumOf(m, "quiver_shard_points", "collection=\"r1\""),
        "points of both shards add up");
    assertEquals(
        2000.0, sumOf(m, "quiver_shard_vectors", "collection=\"r1\""), "one dense vector a point");
    assertTrue(
        sumOf(m, "quiver_shard_segments", "collection=\"r1\"", "state=\"indexed\"") >= 1,
        "an indexed segment: " + m);
    assertTrue(
        sumOf(m, "quiver_shard_flushes_total", "collection=\"r1\"") >= 1,
        "the flusher wrote segments");
    assertTrue(
        sumOf(m, "quiver_shard_optimizations_total", "collection=\"r1\"") >= 1,
        "the optimizer built an index");
    assertEquals(0.0, sumOf(m, "quiver_shard_segment_work_failures_total", "collection=\"r1\""));
    assertEquals(
        2,
        count(m, "quiver_raft_role{", "collection=\"r1\"", "role=\"Leader\""),
        "this node leads both shard groups");
    assertEquals(1, count(m, "quiver_raft_role{", "group=\"meta\"", "role=\"Leader\""));
    for (String group : m.keySet()) {
      if (group.startsWith("quiver_raft_applied_index{")) {
        String labels = group.substring(group.indexOf('{'));
        double applied = m.get(group);
        double commit = m.get("quiver_raft_commit_index" + labels);
        // Ratis' log starts at index 0 (a new leader's configuration entry): a group never written
        // to is at 0.
        assertTrue(
            applied >= (labels.contains("\"r1\"") ? 1 : 0) && commit >= applied,
            group + " applied " + applied + " commit " + commit);
        assertTrue(m.get("quiver_raft_term" + labels) >= 1, "term of " + labels);
        assertEquals(1.0, m.get("quiver_raft_has_leader" + labels), "a leader for " + labels);
        assertTrue(
            m.get("quiver_raft_leader_changes_total" + labels) >= 1,
            "the first election counts: " + labels);
        assertTrue(m.get("quiver_raft_apply_lag" + labels) >= 0);
      }
    }
    assertEquals(
        0.0,
        sumOf(m, "quiver_raft_follower_lag", "collection=\"r1\""),
        "a single replica has no follower behind");
    assertEquals(0.0, m.get("quiver_shard_transfers_in_progress"));
    assertEquals(0.0, m.get("quiver_shard_transfers_started_total{kind=\"move_shard\"}"));
    assertTrue(m.get("process_resident_memory_bytes") > 50e6, "RSS of a JVM with RocksDB");
    assertTrue(
        m.get("process_open_fds") > 10 && m.get("process_open_fds") < m.get("process_max_fds"));
    assertTrue(
        m.get("quiver_data_dir_free_bytes") > 0
            && m.get("quiver_data_dir_free_bytes") <= m.get("quiver_data_dir_size_bytes"));
  }

  /** Every metric the alert rules and the Grafana dashboards name is exported by a real node. */
  @Test
  void alertsAndDashboardsNameExportedMetrics() throws Exception {
    http.send("PUT", "/collections/a1", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
    java.util.Set<String> exported = new java.util.TreeSet<>();
    for (String key : scrape().keySet()) {
      exported.add(key.contains("{") ? key.substring(0, key.indexOf('{')) : key);
    }
    java.util.List<String> queries =
        new java.util.ArrayList<>(PrometheusQueries.alertExpressions());
    queries.addAll(PrometheusQueries.dashboardExpressions());
    assertTrue(queries.size() >= 10, "the rules and dashboards were read: " + queries.size());
    java.util.Set<String> missing = new java.util.TreeSet<>();
    for (String q : queries) {
      for (String name : PrometheusQueries.metricNames(q)) {
        if (!exported.contains(name)
            && !(name.endsWith("_bucket")
                && exported.contains(name.replace("_bucket", "_count")))) {
          missing.add(name + " (in " + q + ")");
        }
      }
    }
    assertTrue(
        missing.isEmpty(), "metrics named by alerts or dashboards but not exported: " + missing);
  }

  /**
   * Three nodes started at once, a collection of 2 shards with 3 replicas: for every shard group
   * exactly one node reports itself leader and the other two followers, all agree on the term and
   * know a leader, the leader reports its followers' lag, and every replica holds the points.
   */
  @Test
  void threeNodeClusterReportsOneLeaderPerGroup() throws Exception {
    List<NodeProcess> nodes = testNodes.startCluster(3, n -> {});
    QdrantHttp first = new QdrantHttp(nodes.get(0).baseUrl());
    assertEquals(
        200,
        first
            .send(
                "PUT",
                "/collections/c3",
                "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,\"replication_factor\":3}")
            .status());
    assertEquals(
        200,
        first
            .send(
                "PUT",
                "/collections/c3/points?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[1,2]},{\"id\":2,\"vector\":[2,1]},{\"id\":3,\"vector\":[1,1]}]}")
            .status());
    long deadline = System.nanoTime() + 60_000_000_000L;
    String problem;
    do {
      problem = clusterProblem(nodes);
      if (problem != null) {
        Thread.sleep(500);
      }
    } while (problem != null && System.nanoTime() < deadline);
    assertEquals(null, problem);
  }

  /** What is not yet as expected across the three nodes' metrics, or null. */
  private String clusterProblem(List<NodeProcess> nodes) throws Exception {
    Map<String, List<String>> rolesByGroup = new HashMap<>();
    Map<String, java.util.Set<Double>> termsByGroup = new HashMap<>();
    Map<String, Double> pointsByShard = new HashMap<>();
    int leadersWithLag = 0;
    for (NodeProcess n : nodes) {
      Map<String, Double> m = scrape(new QdrantHttp(n.baseUrl()));
      for (var e : m.entrySet()) {
        String k = e.getKey();
        if (k.startsWith("quiver_raft_role{") && k.contains("collection=\"c3\"")) {
          String group = k.replaceAll(".*group=\"([^\"]*)\".*", "$1");
          rolesByGroup
              .computeIfAbsent(group, g -> new ArrayList<>())
              .add(k.replaceAll(".*role=\"([^\"]*)\".*", "$1"));
        } else if (k.startsWith("quiver_raft_term{") && k.contains("collection=\"c3\"")) {
          termsByGroup
              .computeIfAbsent(
                  k.replaceAll(".*group=\"([^\"]*)\".*", "$1"), g -> new java.util.HashSet<>())
              .add(e.getValue());
        } else if (k.startsWith("quiver_raft_has_leader{") && e.getValue() != 1.0) {
          return "no leader known: " + k;
        } else if (k.startsWith("quiver_raft_follower_lag{") && k.contains("collection=\"c3\"")) {
          leadersWithLag++;
        } else if (k.startsWith("quiver_shard_points{") && k.contains("collection=\"c3\"")) {
          pointsByShard.merge(
              k.replaceAll(".*shard=\"([^\"]*)\".*", "$1"), e.getValue(), Double::sum);
        }
      }
    }
    if (rolesByGroup.size() != 2) {
      return "expected 2 shard groups, got " + rolesByGroup;
    }
    for (var e : rolesByGroup.entrySet()) {
      List<String> roles = new ArrayList<>(e.getValue());
      java.util.Collections.sort(roles);
      if (!roles.equals(List.of("Follower", "Follower", "Leader"))) {
        return "group " + e.getKey() + " roles " + roles;
      }
      if (termsByGroup.get(e.getKey()).size() != 1) {
        return "group " + e.getKey() + " terms differ: " + termsByGroup.get(e.getKey());
      }
    }
    if (leadersWithLag != 2) {
      return "follower lag reported by " + leadersWithLag + " leaders";
    }
    double total = pointsByShard.values().stream().mapToDouble(Double::doubleValue).sum();
    return total == 9.0
        ? null
        : "points over all replicas " + pointsByShard + " (3 points x 3 replicas expected)";
  }

  private static double sumOf(Map<String, Double> samples, String name, String... labels) {
    double sum = 0;
    for (var e : samples.entrySet()) {
      if (matches(e.getKey(), name + "{", labels)) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  private static long count(Map<String, Double> samples, String prefix, String... labels) {
    return samples.keySet().stream().filter(k -> matches(k, prefix, labels)).count();
  }

  private static boolean matches(String key, String prefix, String... labels) {
    if (!key.startsWith(prefix)) {
      return false;
    }
    for (String label : labels) {
      if (!key.contains(label)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void telemetryIsSchemaValidAndTrue() throws Exception {
    http.send("PUT", "/collections/t1", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
    QdrantHttp.Reply r = http.get("/telemetry");
    assertEquals(200, r.status(), r.raw());
    OpenApiContract.load().assertValid("GET", "/telemetry", 200, r.body());
    assertTrue(r.result().get("collections").get("number_of_collections").asInt() >= 1, r.raw());
    assertEquals("quiver", r.result().get("app").get("name").asText());
    JsonNode features = r.result().get("app").get("features");
    assertTrue(features.get("rocksdb").asBoolean(), r.raw());
    assertFalse(features.get("gpu").asBoolean(), r.raw());
    assertFalse(features.get("recovery_mode").asBoolean(), r.raw());
    assertEquals(1, r.result().get("cluster").get("status").get("number_of_peers").asInt());
  }

  /**
   * Every sample of {@code /metrics}, keyed by name and labels as written; fails on a malformed
   * line.
   */
  private Map<String, Double> scrape() throws Exception {
    return scrape(http);
  }

  private static Map<String, Double> scrape(QdrantHttp http) throws Exception {
    QdrantHttp.Reply r = http.get("/metrics");
    assertEquals(200, r.status());
    Map<String, Double> samples = new HashMap<>();
    for (String line : r.raw().split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "a well-formed sample line: " + line);
      samples.put(
          m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return samples;
  }
}
