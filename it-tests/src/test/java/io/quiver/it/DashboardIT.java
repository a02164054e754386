package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI at {@code /dashboard}, end to end in a real browser: three keyed nodes launched at
 * once form a cluster; a collection (3 shards, 2 replicas each) gets 37 points; then {@code
 * it-tests/dashboard-e2e/dashboard.mjs} drives Debian's headless Chromium (through playwright-core,
 * no browser download) over every page of the UI served by a joining node, as a person would, and
 * reports what each page showed. This test checks the report against the cluster's real state, read
 * over REST: the nodes and the meta leader; the collection and its point count; every replica where
 * it lives with the role its node reports; a filtered search equal to a brute-force ranking
 * computed here; every page of the points browser, forward and back. Without the key the UI says
 * one is needed; with it, every API call carries it. A screenshot of each page is saved under
 * {@code it-tests/target/dashboard-screenshots/}.
 *
 * <p>Chromium is installed by {@code dashboard-e2e/install-chromium.sh} (apt, as root) when
 * missing. Without Chromium, npm or a dashboard in the node's jar (built with {@code
 * -Dquiver.ui.skip}) the test is skipped, saying so; with {@code CI=true} it fails instead.
 */
@Timeout(900) // a first run may install Chromium; the test itself takes well under 2 minutes
class DashboardIT {

  private static final String KEY = "dash-" + UUID.randomUUID();
  private static final String COLLECTION = "dashboard_demo";
  private static final int POINTS = 37;
  private static final int PAGE_SIZE = 10;
  private static final String[] CITIES = {"Berlin", "Paris", "Rome"};

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @TempDir Path tmp; // the browser script's spec

  @Test
  void everyPageShowsTheClustersRealState() throws Exception {
    Path work = prepareBrowserScript();
    List<NodeProcess> nodes =
        NODES.startCluster(3, n -> n.environment("QUIVER__SERVICE__API_KEY", KEY));
    List<QdrantHttp> http =
        nodes.stream().map(n -> new QdrantHttp(n.baseUrl(), Map.of("api-key", KEY), null)).toList();
    awaitPeers(http.get(0), 3);
    Map<Integer, float[]> vectors = createCollection(http.get(1));
    Map<String, String> roles = awaitReplicaRoles(http);
    checkStaticFiles(nodes);

    NodeProcess served = nodes.get(2); // a joiner: every node serves the UI
    float[] query = {0.2f, 0.1f, 0.9f, 0.7f};
    List<String> expectedHits = bruteForce(vectors, query, "Berlin", 5);
    Path screenshots = Path.of("target", "dashboard-screenshots").toAbsolutePath();
    ObjectNode spec = QdrantHttp.JSON.createObjectNode();
    spec.put("baseUrl", served.baseUrl())
        .put("apiKey", KEY)
        .put("screenshots", screenshots.toString())
        .put("collection", COLLECTION)
        .put("limit", 5)
        .put("pageSize", PAGE_SIZE);
    ArrayNode q = spec.putArray("query");
    for (float f : query) {
      q.add(f);
    }
    spec.set(
        "filter",
        QdrantHttp.JSON.readTree(
            "{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"Berlin\"}}]}"));
    Path specFile = tmp.resolve("spec.json");
    Files.writeString(specFile, spec.toString());
    long started = System.nanoTime();
    JsonNode report = report(run(work, 180, "node", "dashboard.mjs", specFile.toString()));
    System.out.printf(
        "the browser went through every page in %.1f s%n", (System.nanoTime() - started) / 1e9);

    checkAuth(report);
    checkCluster(report.get("pages").get("cluster"), http.get(2).get("/cluster").result());
    checkCollections(report.get("pages").get("collections"));
    checkShards(report.get("pages").get("shards"), roles);
    checkSearch(report.get("pages").get("search"), expectedHits);
    checkPoints(report.get("pages").get("points"));
    for (JsonNode shot : report.get("screenshots")) {
      Path file = Path.of(shot.asText());
      assertTrue(Files.size(file) > 10_000, "screenshot too small to show a page: " + file);
      System.out.println("screenshot: " + file);
    }
  }

  // --- setup -------------------------------------------------------------------------------

  /**
   * Chromium (installed when missing), npm and the dashboard in the node's jar, or a skip (a
   * failure under CI).
   */
  private static Path prepareBrowserScript() throws Exception {
    Path jar = Path.of(System.getProperty("quiver.node.dir", "../node/target"), "quiver-node.jar");
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      requireOrSkip(
          zip.getEntry("dashboard/index.html") != null,
          "the node was built without its dashboard (-Dquiver.ui.skip): "
              + jar
              + " has no dashboard/index.html");
    }
    Path install = Path.of("dashboard-e2e", "install-chromium.sh").toAbsolutePath();
    Process p = new ProcessBuilder("bash", install.toString()).inheritIO().start();
    boolean chromium = p.waitFor(800, TimeUnit.SECONDS) && p.exitValue() == 0;
    p.destroyForcibly();
    requireOrSkip(
        chromium, "Debian's chromium is not installed and " + install + " could not install it");

    Path work = Path.of("target", "dashboard-e2e").toAbsolutePath();
    Files.createDirectories(work);
    for (String f : List.of("package.json", "package-lock.json", "dashboard.mjs")) {
      Files.copy(Path.of("dashboard-e2e", f), work.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    // playwright-core is installed once per package-lock.json (a marker file remembers which).
    Path installed = work.resolve("node_modules").resolve(".quiver-installed-lock.json");
    byte[] lock = Files.readAllBytes(work.resolve("package-lock.json"));
    if (!Files.exists(installed) || !java.util.Arrays.equals(lock, Files.readAllBytes(installed))) {
      boolean npm;
      try {
        run(
            work,
            300,
            "npm",
            "ci",
            "--prefer-offline",
            "--no-audit",
            "--no-fund",
            "--loglevel=error");
        npm = true;
      } catch (IOException noNpm) {
        npm = false;
      }
      requireOrSkip(npm, "npm is not installed (Debian: apt-get install nodejs npm)");
      Files.write(installed, lock);
    }
    return work;
  }

  private static void requireOrSkip(boolean condition, String why) {
    if (!condition && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(
          "DashboardIT cannot run: " + why + "; CI=true: a failure, never a skip");
    }
    Assumptions.assumeTrue(condition, "SKIPPED DashboardIT (the web UI in a browser): " + why);
  }

  private static void awaitPeers(QdrantHttp node, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (node.get("/cluster").result().get("peers").size() < count) {
      assertTrue(System.nanoTime() < deadline, "the cluster never had " + count + " peers");
      Thread.sleep(200);
    }
  }

  /**
   * 3 shards x 2 replicas, {@link #POINTS} points with seeded vectors and a city; returns the
   * vectors by id.
   */
  private static Map<Integer, float[]> createCollection(QdrantHttp node) throws Exception {
    assertEquals(
        200,
        node.send(
                "PUT",
                "/collections/" + COLLECTION,
                "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"},\"shard_number\":3,\"replication_factor\":2}")
            .status());
    Random random = new Random(16);
    Map<Integer, float[]> vectors = new TreeMap<>();
    ArrayNode points = QdrantHttp.JSON.createArrayNode();
    for (int id = 1; id <= POINTS; id++) {
      float[] v = new float[4];
      ObjectNode point = points.addObject().put("id", id);
      ArrayNode vector = point.putArray("vector");
      for (int d = 0; d < 4; d++) {
        v[d] = random.nextFloat();
        vector.add(v[d]);
      }
      point.putObject("payload").put("city", CITIES[id % CITIES.length]).put("n", id);
      vectors.put(id, v);
    }
    QdrantHttp.Reply upsert =
        node.send(
            "PUT",
            "/collections/" + COLLECTION + "/points?wait=true",
            "{\"points\":" + points + "}");
    assertEquals(200, upsert.status(), upsert.raw());
    return vectors;
  }

  /**
   * Each replica's role as its own node reports it in Qdrant's {@code GET /collections/{c}/cluster}
   * ({@code local_shards}), keyed {@code "shard/peer"}; waits until every shard has one leader.
   */
  private static Map<String, String> awaitReplicaRoles(List<QdrantHttp> nodes) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      Map<String, String> roles = new HashMap<>();
      for (QdrantHttp node : nodes) {
        JsonNode info = node.get("/collections/" + COLLECTION + "/cluster").result();
        for (JsonNode local : info.get("local_shards")) {
          roles.put(
              local.get("shard_id").asInt() + "/" + info.get("peer_id").asText(),
              local.path("role").asText(""));
        }
      }
      long leaders = roles.values().stream().filter("Leader"::equals).count();
      if (roles.size() == 6 && leaders == 3) {
        return roles;
      }
      assertTrue(System.nanoTime() < deadline, "replicas never settled: " + roles);
      Thread.sleep(200);
    }
  }

  /** Every node serves the UI without a key, with its content types and caching. */
  private static void checkStaticFiles(List<NodeProcess> nodes) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    for (NodeProcess node : nodes) {
      HttpResponse<String> index =
          client.send(
              HttpRequest.newBuilder(URI.create(node.baseUrl() + "/dashboard/")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, index.statusCode(), node.baseUrl());
      assertEquals(
          "text/html; charset=utf-8", index.headers().firstValue("content-type").orElse(""));
      assertEquals("no-cache", index.headers().firstValue("cache-control").orElse(""));
      var script =
          java.util.regex.Pattern.compile("/dashboard/assets/[A-Za-z0-9._-]+\\.js")
              .matcher(index.body());
      assertTrue(script.find(), index.body());
      HttpResponse<String> js =
          client.send(
              HttpRequest.newBuilder(URI.create(node.baseUrl() + script.group())).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, js.statusCode());
      assertEquals(
          "text/javascript; charset=utf-8", js.headers().firstValue("content-type").orElse(""));
      assertTrue(js.headers().firstValue("cache-control").orElse("").contains("immutable"));
      assertEquals(
          401,
          client
              .send(
                  HttpRequest.newBuilder(URI.create(node.baseUrl() + "/collections")).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode(),
          "the API itself still needs the key");
      assertEquals(
          404,
          client
              .send(
                  HttpRequest.newBuilder(
                          URI.create(node.baseUrl() + "/dashboard/assets/nothing.js"))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode());
    }
  }

  // --- checks of what the browser saw --------------------------------------------------------

  private static void checkAuth(JsonNode report) {
    assertTrue(
        report.get("withoutKey").asText().startsWith("401"),
        "without a key: " + report.get("withoutKey"));
    assertTrue(
        report.get("keyKeptAfterReload").asBoolean(), "the key was not kept across a reload");
    assertEquals(
        0,
        report.get("unauthorizedApiCalls").size(),
        "API calls without the key: " + report.get("unauthorizedApiCalls"));
    assertEquals(
        0, report.get("failedCalls").size(), "API calls that failed: " + report.get("failedCalls"));
    assertEquals(
        0,
        report.get("consoleErrors").size(),
        "errors in the browser: " + report.get("consoleErrors"));
  }

  private static void checkCluster(JsonNode page, JsonNode cluster) {
    assertEquals("3", page.get("nodeCount").asText());
    Set<String> peers = new HashSet<>();
    cluster.get("peers").fieldNames().forEachRemaining(peers::add);
    Set<String> shown = new HashSet<>();
    for (JsonNode row : page.get("nodes")) {
      shown.add(row.get("id").asText());
      assertEquals("ok", row.get("cells").get(6).asText(), "health of node " + row);
    }
    assertEquals(peers, shown);
    assertEquals(
        "node " + cluster.get("raft_info").get("leader").asText(), page.get("metaLeader").asText());
    assertEquals("yes", page.get("ready").asText());
  }

  private static void checkCollections(JsonNode rows) {
    JsonNode row = null;
    for (JsonNode r : rows) {
      if (r.get("name").asText().equals(COLLECTION)) {
        row = r;
      }
    }
    assertTrue(row != null, "collection not listed: " + rows);
    assertEquals(Integer.toString(POINTS), row.get("points").asText());
    assertEquals("3 × rf 2", row.get("cells").get(6).asText());
    assertEquals("4 · Cosine", row.get("cells").get(5).asText());
  }

  private static void checkShards(JsonNode page, Map<String, String> roles) {
    assertEquals(COLLECTION, page.get("selected").asText());
    assertEquals("3", page.get("shardCount").asText());
    Map<String, String> shown = new HashMap<>();
    for (JsonNode r : page.get("replicas")) {
      shown.put(r.get("shard").asInt() + "/" + r.get("peer").asText(), r.get("role").asText());
      assertEquals("Active", r.get("cells").get(3).asText(), "replica " + r);
      assertEquals("0", r.get("cells").get(6).asText(), "lag of " + r);
    }
    assertEquals(roles, shown, "replicas and roles shown vs. as each node reports its own");
    assertEquals(0, page.get("transfers").asInt());
  }

  private static void checkSearch(JsonNode page, List<String> expected) {
    assertTrue(page.get("error").isNull(), "search failed: " + page.get("error"));
    List<String> ids = new ArrayList<>();
    page.get("ids").forEach(id -> ids.add(id.asText()));
    assertEquals(expected, ids, "search hits vs. brute force");
    page.get("payloads")
        .forEach(p -> assertTrue(p.asText().contains("\"city\":\"Berlin\""), p.asText()));
    assertTrue(
        page.get("badFilterError").asText().contains("not valid JSON"),
        page.get("badFilterError").asText());
  }

  private static void checkPoints(JsonNode page) {
    List<List<String>> pages = new ArrayList<>();
    page.get("pages")
        .forEach(
            p -> {
              List<String> ids = new ArrayList<>();
              p.forEach(id -> ids.add(id.asText()));
              pages.add(ids);
            });
    assertEquals(List.of(10, 10, 10, 7), pages.stream().map(List::size).toList());
    assertEquals(
        IntStream.rangeClosed(1, POINTS).mapToObj(Integer::toString).toList(),
        pages.stream().flatMap(List::stream).toList(),
        "every point once, in id order");
    List<String> back = new ArrayList<>();
    page.get("afterPrevious").forEach(id -> back.add(id.asText()));
    assertEquals(pages.get(2), back, "Previous shows the page before the last again");
    assertEquals("Page 3", page.get("pageLabelAfterPrevious").asText());
  }

  /**
   * The {@code limit} ids of points with {@code city} nearest to {@code query} by cosine
   * similarity.
   */
  private static List<String> bruteForce(
      Map<Integer, float[]> vectors, float[] query, String city, int limit) {
    return vectors.entrySet().stream()
        .filter(e -> CITIES[e.getKey() % CITIES.length].equals(city))
        .sorted(
            Comparator.comparingDouble(
                    (Map.Entry<Integer, float[]> e) -> -cosine(e.getValue(), query))
                .thenComparing(Map.Entry::getKey))
        .limit(limit)
        .map(e -> e.getKey().toString())
        .toList();
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  // --- processes -----------------------------------------------------------------------------

  private static JsonNode report(String output) throws IOException {
    for (String line : output.split("\n")) {
      if (line.startsWith("REPORT ")) {
        return QdrantHttp.JSON.readTree(line.substring("REPORT ".length()));
      }
    }
    throw new AssertionError("the browser script printed no report:\n" + output);
  }

  /**
   * Runs a command in {@code dir}; fails with its output when it fails or outlives {@code seconds}.
   */
  private static String run(Path dir, int seconds, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("dashboard", ".log");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
      String out = Files.readString(log);
      assertTrue(done, String.join(" ", command) + " did not finish in " + seconds + " s:\n" + out);
      assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
      return out;
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }
}
