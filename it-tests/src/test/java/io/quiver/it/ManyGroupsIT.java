package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few hundred shard groups in one node-wide storage engine keep their data through restarts and
 * snapshot installs (issue 17), on two real node processes launched at once.
 *
 * <p>300 shard groups: four collections of 70 shards and one of 20 ({@code moved}), one replica
 * each, spread over both nodes (about 150 column families per node's engine). Every collection gets
 * points whose vector and payload name the collection and the point. Both nodes are stopped and
 * started again at once; then {@code moved} is raised to {@code replication_factor: 2}. The nodes
 * take a snapshot of a group every 8 entries and keep 32 entries behind it, and {@code moved}'s
 * shards have far more, so each new replica can only catch up by installing its leader's checkpoint
 * into its node's engine (counted by {@code quiver_raft_snapshot_installs_total}). Both nodes are
 * restarted once more. Oracle, after each step, through each node's own replicas ({@code
 * consistency=any}: every shard a node holds is read from its copy, others from their leader):
 * every point of every collection, with its vector and payload, and nothing else; after the raise
 * each node holds a copy of every {@code moved} shard, so both installed copies are read. A second
 * case fills a node's direct memory, which holds each group's Raft log buffer.
 */
@Timeout(600)
class ManyGroupsIT {

  private static final int[] SHARDS = {70, 70, 70, 70, 20};
  private static final String MOVED = "c4";

  /** Points per collection: about 20 per shard of the big collections. */
  private static final int POINTS = 1_400;

  /**
   * Upserts into {@code moved}: each touches nearly every shard, so each shard's log outgrows what
   * is kept behind a snapshot.
   */
  private static final int MOVED_BATCHES = 60;

  private static final int MOVED_BATCH = 100;
  private static final Pattern INSTALLS =
      Pattern.compile(
          "^quiver_raft_snapshot_installs_total\\{[^}]*collection=\""
              + MOVED
              + "\"[^}]*\\} (\\S+)$",
          Pattern.MULTILINE);

  /** The cluster's directory (ScalingCluster), kept when a test fails. */
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path tmp;

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  /** collection name -> how many points it holds (ids 0..n-1) */
  private final Map<String, Integer> pointsPerCollection = new TreeMap<>();

  @Test
  void hundredsOfShardGroupsKeepTheirDataThroughRestartsAndSnapshotInstalls() throws Exception {
    // Each group's Raft log takes a 4 MB direct buffer (LogBufferMemory); a node's direct memory
    // defaults to its heap's maximum, 512 MB in these tests: room for 1 GB.
    try (ScalingCluster cluster =
        ScalingCluster.start(
            tmp,
            2,
            Map.of(
                "JDK_JAVA_OPTIONS", "-XX:MaxDirectMemorySize=1g",
                "QUIVER__CLUSTER__CONSENSUS__SNAPSHOT_THRESHOLD", "8",
                "QUIVER__CLUSTER__CONSENSUS__LOG_SEGMENT_KB", "8"))) {
      QdrantHttp http = cluster.http.get(0);
      long started = System.nanoTime();
      for (int c = 0; c < SHARDS.length; c++) {
        QdrantHttp.Reply created =
            cluster
                .http
                .get(c % 2)
                .send(
                    "PUT",
                    "/collections/c" + c,
                    "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":"
                        + SHARDS[c]
                        + ",\"replication_factor\":1}");
        assertEquals(200, created.status(), created.raw());
      }
      System.out.printf(
          "many-groups: 300 shard groups created in %.1f s%n", (System.nanoTime() - started) / 1e9);
      for (int c = 0; c < SHARDS.length - 1; c++) {
        for (int from = 0; from < POINTS; from += 200) {
          upsert(cluster.http.get(from / 200 % 2), c, from, 200);
        }
        pointsPerCollection.put("c" + c, POINTS);
      }
      for (int b = 0; b < MOVED_BATCHES; b++) {
        upsert(cluster.http.get(b % 2), 4, b * MOVED_BATCH, MOVED_BATCH);
      }
      pointsPerCollection.put(MOVED, MOVED_BATCHES * MOVED_BATCH);
      assertEveryPoint(cluster.http, "after the writes");

      restartAll(cluster);
      assertEveryPoint(cluster.http, "after both nodes restarted");

      long raised = System.nanoTime();
      QdrantHttp.Reply patched =
          http.send("PATCH", "/collections/" + MOVED, "{\"params\":{\"replication_factor\":2}}");
      assertEquals(200, patched.status(), patched.raw());
      ScalingCluster.awaitPlacement(
          cluster.http,
          MOVED,
          300_000,
          p -> p.size() == SHARDS[4] && p.values().stream().allMatch(s -> s.size() == 2));
      System.out.printf(
          "many-groups: %d replicas added in %.1f s%n",
          SHARDS[4], (System.nanoTime() - raised) / 1e9);
      // A replica counts its install once it is open again on what it installed, which can come
      // just after it became a voter (CI once read 19 of 20 at this point).
      double installs = installs(cluster);
      for (long deadline = System.currentTimeMillis() + 30_000;
          installs < SHARDS[4] && System.currentTimeMillis() < deadline; ) {
        Thread.sleep(200);
        installs = installs(cluster);
      }
      assertTrue(
          installs >= SHARDS[4],
          "each new replica of " + MOVED + " caught up by a snapshot install: " + installs);
      assertEveryPoint(cluster.http, "after the snapshot installs");

      restartAll(cluster);
      assertEveryPoint(cluster.http, "after a restart that followed the installs");
    }
  }

  /**
   * A node whose direct memory (which holds a 4 MB Raft log buffer per shard group) cannot take a
   * collection's groups starts those that fit, says in its log what the others need, and starts
   * them as soon as memory is freed. Without the check, Ratis ran out of direct memory inside the
   * add and kept the group's directory locked: the group never started until a restart. A 96 MB
   * limit holds about 19 groups; {@code filler} has 10, {@code big} 12.
   */
  @Test
  void groupsThatDoNotFitTheDirectMemoryWaitInsteadOfBreaking() throws Exception {
    NodeProcess node =
        NODES.start(
            n ->
                n.environment("JDK_JAVA_OPTIONS", "-XX:MaxDirectMemorySize=96m")
                    .environment("QUIVER__SERVICE__REQUEST_TIMEOUT_MS", "2000"));
    QdrantHttp http = new QdrantHttp(node.baseUrl());
    QdrantHttp.Reply filler =
        http.send(
            "PUT",
            "/collections/filler",
            "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":10}");
    assertEquals(200, filler.status(), filler.raw());
    QdrantHttp.Reply big =
        http.send(
            "PUT",
            "/collections/big",
            "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":12}");
    assertEquals(503, big.status(), big.raw());
    assertTrue(big.raw().contains("was created, but shard"), big.raw());
    String log = java.nio.file.Files.readString(node.log());
    assertTrue(
        log.contains("not started: each needs a 4.0 MB Raft log write buffer in direct memory"),
        node.logTail());

    assertEquals(200, http.send("DELETE", "/collections/filler", null).status());
    long deadline = System.nanoTime() + 60_000_000_000L;
    QdrantHttp.Reply written;
    do {
      Thread.sleep(500);
      written =
          http.send(
              "PUT",
              "/collections/big/points?wait=true",
              "{\"points\":["
                  + java.util.stream.IntStream.range(0, 60)
                      .mapToObj(i -> "{\"id\":" + i + ",\"vector\":[" + i + ",1]}")
                      .collect(java.util.stream.Collectors.joining(","))
                  + "]}");
    } while (written.status() != 200 && System.nanoTime() < deadline);
    assertEquals(
        200,
        written.status(),
        "every shard of big started once filler's memory was freed: " + written.raw());
    assertEquals(
        60,
        http.send("POST", "/collections/big/points/count", "{\"exact\":true}")
            .result()
            .get("count")
            .asInt());
  }

  /** Points {@code from..from+n-1} of collection {@code c}: vector [id, c], payload naming both. */
  private static void upsert(QdrantHttp via, int c, int from, int n) throws Exception {
    StringBuilder body = new StringBuilder("{\"points\":[");
    for (int i = from; i < from + n; i++) {
      body.append(i == from ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":[")
          .append(i)
          .append(',')
          .append(c)
          .append("],\"payload\":{\"c\":\"c")
          .append(c)
          .append("\",\"i\":")
          .append(i)
          .append("}}");
    }
    QdrantHttp.Reply r =
        via.send("PUT", "/collections/c" + c + "/points?wait=true", body.append("]}").toString());
    assertEquals(200, r.status(), r.raw());
  }

  /**
   * SIGTERM to both nodes at once, then both launched at once, as an operator restarts a cluster.
   */
  private static void restartAll(ScalingCluster cluster) throws Exception {
    List<Thread> stops = new ArrayList<>();
    for (NodeProcess p : cluster.nodes) {
      Thread t =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      p.stop();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
      stops.add(t);
    }
    for (Thread t : stops) {
      t.join();
    }
    long started = System.nanoTime();
    for (NodeProcess p : cluster.nodes) {
      p.launch("--bootstrap", "http://127.0.0.1:" + cluster.seedRaftPort);
    }
    for (NodeProcess p : cluster.nodes) {
      p.awaitReady();
    }
    System.out.printf(
        "many-groups: both nodes ready %.1f s after launch%n", (System.nanoTime() - started) / 1e9);
  }

  /**
   * Every point of every collection, read through each node's own replicas, is there once with its
   * vector and payload.
   */
  private void assertEveryPoint(List<QdrantHttp> nodes, String when) throws Exception {
    for (QdrantHttp h : nodes) {
      for (var e : pointsPerCollection.entrySet()) {
        String name = e.getKey();
        int c = Integer.parseInt(name.substring(1));
        QdrantHttp.Reply r =
            h.send(
                "POST",
                "/collections/" + name + "/points/scroll?consistency=any",
                "{\"limit\":100000,\"with_vector\":true,\"with_payload\":true}");
        assertEquals(200, r.status(), when + ", " + h + ": " + r.raw());
        JsonNode points = r.result().get("points");
        assertEquals(e.getValue(), points.size(), when + ", " + h + ": points of " + name);
        boolean[] seen = new boolean[e.getValue()];
        for (JsonNode p : points) {
          int id = p.get("id").asInt();
          assertTrue(
              id >= 0 && id < seen.length && !seen[id],
              when + ", " + h + ": " + name + " returned point " + id);
          seen[id] = true;
          assertEquals(
              List.of((double) id, (double) c),
              List.of(p.get("vector").get(0).asDouble(), p.get("vector").get(1).asDouble()),
              when + ", " + h + ": vector of " + name + "/" + id);
          assertEquals(
              name,
              p.at("/payload/c").asText(),
              when + ", " + h + ": payload of " + name + "/" + id);
          assertEquals(
              id, p.at("/payload/i").asInt(), when + ", " + h + ": payload of " + name + "/" + id);
        }
      }
    }
  }

  /**
   * Snapshot installs counted by every node's replicas ({@code
   * quiver_raft_snapshot_installs_total}).
   */
  private static double installs(ScalingCluster cluster) throws Exception {
    double installs = 0;
    for (QdrantHttp h : cluster.http) {
      Matcher m = INSTALLS.matcher(h.get("/metrics").raw());
      while (m.find()) {
        installs += Double.parseDouble(m.group(1));
      }
    }
    return installs;
  }
}
