package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Walks every operation of Qdrant's OpenAPI files against a real node, each with its path filled in
 * and a bare body: whatever the node answers (a result, or a 4xx naming what is wrong) must be a
 * response the spec allows for that status, and never a 500. Operations the node does not serve at
 * all are listed in {@code target/api-surface.txt}, the record of what is still missing.
 */
@Timeout(300)
class ApiSurfaceIT {

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  private static final Map<String, String> PATH_VALUES =
      Map.of(
          "collection_name",
          "walk",
          "id",
          "1",
          "snapshot_name",
          "missing.snapshot",
          "field_name",
          "f",
          "peer_id",
          "987654321",
          "shard_id",
          "0",
          "key",
          "k",
          "alias_name",
          "a");

  /** Operations README.md and docs/api.md document as working: losing one is a regression. */
  private static final List<String> REQUIRED =
      List.of(
          "GET /",
          "GET /healthz",
          "GET /livez",
          "GET /readyz",
          "GET /metrics",
          "GET /telemetry",
          "GET /collections",
          "PUT /collections/{collection_name}",
          "PATCH /collections/{collection_name}",
          "GET /collections/{collection_name}",
          "DELETE /collections/{collection_name}",
          "GET /collections/{collection_name}/exists",
          "POST /collections/aliases",
          "GET /aliases",
          "GET /collections/{collection_name}/aliases",
          "PUT /collections/{collection_name}/points",
          "POST /collections/{collection_name}/points",
          "GET /collections/{collection_name}/points/{id}",
          "POST /collections/{collection_name}/points/delete",
          "POST /collections/{collection_name}/points/payload",
          "PUT /collections/{collection_name}/points/payload",
          "POST /collections/{collection_name}/points/payload/delete",
          "POST /collections/{collection_name}/points/payload/clear",
          "PUT /collections/{collection_name}/points/vectors",
          "POST /collections/{collection_name}/points/batch",
          "POST /collections/{collection_name}/points/scroll",
          "POST /collections/{collection_name}/points/count",
          "POST /collections/{collection_name}/points/query",
          "POST /collections/{collection_name}/points/search",
          "POST /collections/{collection_name}/points/query/batch",
          "POST /collections/{collection_name}/points/query/groups",
          "POST /collections/{collection_name}/points/search/batch",
          "POST /collections/{collection_name}/points/search/groups",
          "POST /collections/{collection_name}/points/recommend",
          "POST /collections/{collection_name}/points/recommend/batch",
          "POST /collections/{collection_name}/points/recommend/groups",
          "POST /collections/{collection_name}/points/discover",
          "POST /collections/{collection_name}/points/discover/batch",
          "POST /collections/{collection_name}/facet",
          "POST /collections/{collection_name}/points/search/matrix/pairs",
          "POST /collections/{collection_name}/points/search/matrix/offsets",
          "POST /collections/{collection_name}/snapshots",
          "GET /collections/{collection_name}/snapshots",
          "GET /collections/{collection_name}/snapshots/{snapshot_name}",
          "DELETE /collections/{collection_name}/snapshots/{snapshot_name}",
          "PUT /collections/{collection_name}/snapshots/recover",
          "POST /collections/{collection_name}/snapshots/upload",
          "POST /snapshots",
          "GET /snapshots",
          "GET /snapshots/{snapshot_name}",
          "DELETE /snapshots/{snapshot_name}",
          "GET /cluster",
          "GET /collections/{collection_name}/cluster",
          "POST /collections/{collection_name}/cluster",
          "DELETE /cluster/peer/{peer_id}");

  @Test
  void everyServedOperationAnswersWithinTheSpec() throws Exception {
    OpenApiContract spec =
        OpenApiContract.require("ApiSurfaceIT (walks every operation of Qdrant's spec)");
    List<String> missing = new ArrayList<>();
    List<String> served = new ArrayList<>();
    List<String> violations = new ArrayList<>();
    NodeProcess node = NODES.start();
    QdrantHttp http = new QdrantHttp(node.baseUrl());
    for (String operation : new TreeSet<>(spec.operations())) {
      String method = operation.substring(0, operation.indexOf(' '));
      String template = operation.substring(operation.indexOf(' ') + 1);
      http.send("PUT", "/collections/walk", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
      http.send(
          "PUT",
          "/collections/walk/points?wait=true",
          "{\"points\":[{\"id\":1,\"vector\":[1,2],\"payload\":{\"k\":\"v\"}}]}");
      String path = fill(template);
      String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
      QdrantHttp.Reply r = http.send(method, path, body);
      String error = r.body() == null ? "" : r.body().at("/status/error").asText("");
      if ((r.status() == 404 && error.startsWith("Not found: no API at")) || r.status() == 405) {
        missing.add(operation);
        continue;
      }
      served.add(operation + " -> " + r.status());
      assertNotEquals(500, r.status(), operation + " crashed: " + r.raw());
      if (r.body() != null) {
        try {
          spec.assertValid(method, template, r.status(), r.body());
        } catch (AssertionError e) {
          violations.add(operation + " -> " + r.status() + ": " + e.getMessage());
        }
      }
    }
    Path report = Path.of("target", "api-surface.txt");
    Files.writeString(
        report,
        "served ("
            + served.size()
            + "):\n  "
            + String.join("\n  ", served)
            + "\n\nnot served ("
            + missing.size()
            + "):\n  "
            + String.join("\n  ", missing)
            + "\n");
    System.out.println(
        "API surface: "
            + served.size()
            + " operations served, "
            + missing.size()
            + " not; see "
            + report.toAbsolutePath());
    assertTrue(
        violations.isEmpty(), "responses outside the spec:\n" + String.join("\n\n", violations));
    List<String> servedOperations =
        served.stream().map(x -> x.substring(0, x.indexOf(" -> "))).toList();
    List<String> unserved = REQUIRED.stream().filter(op -> !servedOperations.contains(op)).toList();
    assertTrue(unserved.isEmpty(), "documented operations the node does not serve: " + unserved);
  }

  private static String fill(String template) {
    String path = template;
    for (Map.Entry<String, String> e : PATH_VALUES.entrySet()) {
      path = path.replace("{" + e.getKey() + "}", e.getValue());
    }
    return path.replaceAll("\\{[^}]+}", "x");
  }
}
