package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} and {@code /telemetry} on a real node: the Prometheus text is well formed and
 * its values follow what the node did (requests per route template and status, collections);
 * telemetry validates against Qdrant's schema and reports the node and its collections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class MetricsAndTelemetryIT {

  /** A sample line of the text format: name, optional labels (quoted values may hold braces), value. */
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*\\})? (\\S+)");

  private NodeProcess node;
  private QdrantHttp http;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    node = new NodeProcess(tmp.resolve("data")).start();
    http = new QdrantHttp(node.baseUrl());
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void metricsFollowWhatTheNodeDid() throws Exception {
    Map<String, Double> before = scrape();
    String infoOk = "rest_responses_total{endpoint=\"/collections/{collection_name}\",method=\"GET\",status=\"200\"}";
    String infoMissing = "rest_responses_total{endpoint=\"/collections/{collection_name}\",method=\"GET\",status=\"404\"}";
    assertEquals(200, http.send("PUT", "/collections/m1", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}").status());
    for (int i = 0; i < 3; i++) {
      assertEquals(200, http.get("/collections/m1").status());
    }
    assertEquals(404, http.get("/collections/absent").status());
    Map<String, Double> after = scrape();
    assertEquals(before.getOrDefault(infoOk, 0.0) + 3, after.get(infoOk), "three GETs of the collection, by route template");
    assertEquals(before.getOrDefault(infoMissing, 0.0) + 1, after.get(infoMissing));
    assertEquals(1.0, after.get("collections_total"));
    assertEquals(1.0, after.get("cluster_peers_total"));
    assertEquals(1.0, after.get("cluster_is_meta_leader"), "a single node leads its metadata group");
    assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "JVM metrics are there");
    assertTrue(after.keySet().stream().noneMatch(k -> k.contains("/collections/m1")), "labels hold templates, never raw paths");
  }

  @Test
  void telemetryIsSchemaValidAndTrue() throws Exception {
    http.send("PUT", "/collections/t1", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
    QdrantHttp.Reply r = http.get("/telemetry");
    assertEquals(200, r.status(), r.raw());
    OpenApiContract.load().assertValid("GET", "/telemetry", 200, r.body());
    assertTrue(r.result().get("collections").get("number_of_collections").asInt() >= 1, r.raw());
    assertEquals("quiver", r.result().get("app").get("name").asText());
    assertEquals(1, r.result().get("cluster").get("status").get("number_of_peers").asInt());
  }

  /** Every sample of {@code /metrics}, keyed by name and labels as written; fails on a malformed line. */
  private Map<String, Double> scrape() throws Exception {
    QdrantHttp.Reply r = http.get("/metrics");
    assertEquals(200, r.status());
    Map<String, Double> samples = new HashMap<>();
    for (String line : r.raw().split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "a well-formed sample line: " + line);
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return samples;
  }
}
