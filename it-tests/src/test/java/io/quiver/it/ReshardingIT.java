package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resharding online, through Qdrant's {@code start_resharding} / {@code abort_resharding}: three
 * node processes launched at once, a collection of 2 shards (one replica each), a client writing
 * through every node all the time. The collection goes up to 3 shards, down to 2, and a third
 * resharding is aborted (or, when its copy was already done, finishes). After each: the shard count
 * is reported back, the added shard holds points, every acknowledged write is present exactly once
 * with its vector (scroll and exact count through every node, {@link
 * ScalingCluster#checkReplicas}), search agrees with the points, and no write failed (writes of
 * moving points wait for the copy) and no query or count of a reader running all along. Then a
 * resharding survives the SIGKILL of the node that drives it (the meta leader) and of the node that
 * receives the moving points, each in the middle of the copy.
 */
@Timeout(300)
class ReshardingIT {

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path tmp;

  @Test
  void shardsAreAddedAndRemovedOnlineUnderWrites() throws Exception {
    try (ScalingCluster cluster = ScalingCluster.start(tmp, 3, Map.of())) {
      QdrantHttp http = cluster.http.get(0);
      QdrantHttp.Reply created =
          http.send(
              "PUT",
              "/collections/r",
              "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,\"replication_factor\":1}");
      assertEquals(200, created.status(), created.raw());
      try (ScalingCluster.Writer writer = new ScalingCluster.Writer(cluster.http, "r");
          ScalingCluster.Reader reader = new ScalingCluster.Reader(cluster.http, "r")) {
        Thread.sleep(4000);
        ScalingCluster.checkReplicas(cluster.http, "r", writer);

        reshard(cluster, writer, "up", 3);
        JsonNode shards = http.get("/collections/r/cluster").result();
        assertTrue(pointsInShard(cluster, 2) > 0, "the added shard holds points: " + shards);
        reshard(cluster, writer, "down", 2);

        QdrantHttp.Reply again =
            http.send(
                "POST", "/collections/r/cluster", "{\"start_resharding\":{\"direction\":\"up\"}}");
        assertEquals(200, again.status(), again.raw());
        QdrantHttp.Reply twice =
            http.send(
                "POST", "/collections/r/cluster", "{\"start_resharding\":{\"direction\":\"up\"}}");
        QdrantHttp.Reply abort =
            cluster.http.get(1).send("POST", "/collections/r/cluster", "{\"abort_resharding\":{}}");
        System.out.println(
            "second start while one runs: "
                + twice.status()
                + " "
                + twice.raw()
                + "; abort: "
                + abort.status()
                + " "
                + abort.raw());
        // Two starts in a row: the second is refused while the first runs (or it starts another
        // when the first was already done); an abort succeeds unless the copy had finished.
        int expected = abort.status() == 200 ? 2 : 3;
        if (abort.status() != 200) {
          assertTrue(
              abort.raw().contains("cannot be aborted")
                  || abort.raw().contains("not being resharded"),
              abort.raw());
        }
        awaitShards(cluster, twice.status() == 200 && abort.status() != 200 ? 4 : expected);
        ScalingCluster.checkReplicas(cluster.http, "r", writer);

        QdrantHttp.Reply bad =
            http.send(
                "POST",
                "/collections/r/cluster",
                "{\"start_resharding\":{\"direction\":\"sideways\"}}");
        assertEquals(400, bad.status(), bad.raw());
        assertTrue(bad.raw().contains("start_resharding.direction"), bad.raw());

        assertTrue(
            writer.acknowledged.size() > 200,
            "the writer made progress: " + writer.acknowledged.size());
        assertTrue(
            writer.failures.isEmpty(), "writes failed during resharding: " + writer.failures);
        // Queries and exact counts went on through every node all along, none failed.
        ScalingCluster.assertNoFailures(writer, reader);
      }
    }
  }

  private static final int BIG_POINTS = 30_000;
  private static final int BIG_DIM = 128;

  /**
   * 30,000 points of 128 dimensions in 2 shards, and a writer and a reader on the collection
   * throughout. Resharding up is started, and while it copies ({@code quiver_phase: copying}) the
   * meta leader, which drives it, is killed with SIGKILL and restarted: the next leader copies
   * again from the start and finishes. Then up again, killing the node of the new shard. After
   * each: 3, then 4 shards, every point exactly once (count and a scroll of every id through each
   * node), the first 30,000 with their vectors, every write the writer had acknowledged, none it
   * never sent. Requests failed only while a node was down (each shard has one replica), only with
   * a status docs/api.md calls retryable, and none between the end of one resharding and the next
   * kill.
   */
  @Test
  void aReshardingSurvivesTheKillOfItsDriverAndOfItsTarget() throws Exception {
    try (ScalingCluster cluster = ScalingCluster.start(tmp, 3, Map.of())) {
      QdrantHttp http = cluster.http.get(0);
      QdrantHttp.Reply created =
          http.send(
              "PUT",
              "/collections/big",
              "{\"vectors\":{\"size\":"
                  + BIG_DIM
                  + ",\"distance\":\"Dot\"},\"shard_number\":2,\"replication_factor\":1}");
      assertEquals(200, created.status(), created.raw());
      for (int from = 0; from < BIG_POINTS; from += 1000) {
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int id = from; id < from + 1000; id++) {
          body.append(id == from ? "" : ",")
              .append("{\"id\":")
              .append(id)
              .append(",\"vector\":")
              .append(bigVector(id))
              .append("}");
        }
        QdrantHttp.Reply r =
            http.send("PUT", "/collections/big/points?wait=true", body.append("]}").toString());
        assertEquals(200, r.status(), r.raw());
      }
      int shards = 2;
      try (ScalingCluster.Writer writer =
              new ScalingCluster.Writer(cluster.http, "big", BIG_DIM, WRITER_FIRST_ID);
          ScalingCluster.Reader reader = new ScalingCluster.Reader(cluster.http, "big", BIG_DIM)) {
        long calm = System.nanoTime();
        while (reader.answered.get() <= 50 || writer.acknowledged.size() < 40) {
          Thread.sleep(50); // the load is under way before the first resharding starts
        }
        for (String victim : List.of("driver", "target")) {
          ScalingCluster.assertOnlyRetryableFailures(calm, writer, reader);
          QdrantHttp.Reply started =
              http.send(
                  "POST",
                  "/collections/big/cluster",
                  "{\"start_resharding\":{\"direction\":\"up\"}}");
          assertEquals(200, started.status(), started.raw());
          shards++;
          JsonNode op = awaitCopying(http);
          long peer =
              victim.equals("driver")
                  ? http.get("/cluster").result().at("/raft_info/leader").asLong()
                  : op.get("peer_id").asLong();
          int killed = -1;
          for (int i = 0; i < cluster.http.size(); i++) {
            if (cluster.peerId(cluster.http.get(i)) == peer) {
              killed = i;
            }
          }
          long t0 = System.nanoTime();
          QdrantHttp down = cluster.http.get(killed);
          cluster.killUnderLoad(killed, writer, reader);
          System.out.printf(
              "killed the %s of the resharding to %d shards (peer %d) while it copied%n",
              victim, shards, peer);
          Thread.sleep(1000);
          cluster
              .nodes
              .get(killed)
              .start("--bootstrap", "http://127.0.0.1:" + cluster.seedRaftPort);
          awaitShards(cluster, "big", shards, 180_000);
          writer.avoid(down, false);
          reader.avoid(down, false);
          calm = System.nanoTime();
          System.out.printf(
              "the resharding to %d shards finished %.1f s after the kill of its %s;"
                  + " %d points written, %d reads answered, %d failed requests so far%n",
              shards,
              (System.nanoTime() - t0) / 1e9,
              victim,
              writer.acknowledged.size(),
              reader.answered.get(),
              writer.failures.size() + reader.timedFailures.size());
          writer.pause();
          try {
            checkBig(cluster, writer);
          } finally {
            writer.resume();
          }
        }
        Thread.sleep(2000); // the load goes on a little after the last check
        ScalingCluster.assertOnlyRetryableFailures(calm, writer, reader);
        assertTrue(writer.acknowledged.size() > 100, "the writer made progress");
      }
    }
  }

  /** The writer's ids start here, above the 30,000 loaded first. */
  private static final int WRITER_FIRST_ID = 1_000_000;

  private static String bigVector(int id) {
    StringBuilder v = new StringBuilder("[");
    for (int d = 0; d < BIG_DIM; d++) {
      v.append(d == 0 ? "" : ",").append((id * 31 + d * 17) % 97 / 97.0f);
    }
    return v.append("]").toString();
  }

  /** Waits until the collection's resharding is copying; returns its operation. */
  private static JsonNode awaitCopying(QdrantHttp http) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      JsonNode ops = http.get("/collections/big/cluster").result().path("resharding_operations");
      if (ops.size() == 1 && ops.get(0).get("quiver_phase").asText().equals("copying")) {
        return ops.get(0);
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the resharding did not copy within 30 s");
  }

  /**
   * Through every node: every point exactly once (the scroll repeats none, and the exact count is
   * what it returned), the 30,000 loaded first, every point {@code writer} had acknowledged, none
   * it never sent, and sampled loaded points with their vectors. The writer is paused.
   */
  private static void checkBig(ScalingCluster cluster, ScalingCluster.Writer writer)
      throws Exception {
    for (QdrantHttp h : cluster.http) {
      TreeSet<Long> seen = new TreeSet<>();
      String offset = "null";
      while (!offset.equals("null") || seen.isEmpty()) {
        QdrantHttp.Reply page =
            h.send(
                "POST",
                "/collections/big/points/scroll",
                "{\"limit\":5000,\"offset\":"
                    + offset
                    + ",\"with_payload\":false,\"with_vector\":false}");
        assertEquals(200, page.status(), page.raw());
        for (JsonNode p : page.result().get("points")) {
          assertTrue(
              seen.add(p.get("id").asLong()), h + ": point " + p.get("id") + " returned twice");
        }
        offset = page.result().path("next_page_offset").toString();
        if (offset.isEmpty() || offset.equals("null")) {
          break;
        }
      }
      QdrantHttp.Reply count = h.send("POST", "/collections/big/points/count", "{\"exact\":true}");
      assertEquals(seen.size(), count.result().get("count").asInt(), h + " " + count.raw());
      assertEquals(BIG_POINTS, seen.headSet((long) BIG_POINTS).size(), h + ": the loaded points");
      for (int id : writer.acknowledged) {
        assertTrue(seen.contains((long) id), h + ": acknowledged point " + id + " is missing");
      }
      for (long id : seen.tailSet((long) BIG_POINTS)) {
        assertTrue(
            id >= WRITER_FIRST_ID && writer.attempted.contains((int) id),
            h + ": point " + id + " was never written");
      }
      QdrantHttp.Reply sample =
          h.send(
              "POST", "/collections/big/points", "{\"ids\":[0,7777,29999],\"with_vector\":true}");
      for (JsonNode p : sample.result()) {
        JsonNode v = p.get("vector");
        int id = p.get("id").asInt();
        for (int d = 0; d < BIG_DIM; d += 31) {
          assertEquals(
              (id * 31 + d * 17) % 97 / 97.0f,
              v.get(d).floatValue(),
              1e-6,
              "point " + id + " dimension " + d);
        }
      }
    }
  }

  private static void reshard(
      ScalingCluster cluster, ScalingCluster.Writer writer, String direction, int shards)
      throws Exception {
    long started = System.nanoTime();
    QdrantHttp.Reply r =
        cluster
            .http
            .get(1)
            .send(
                "POST",
                "/collections/r/cluster",
                "{\"start_resharding\":{\"direction\":\"" + direction + "\"}}");
    assertEquals(200, r.status(), r.raw());
    assertEquals(true, r.result().asBoolean(), r.raw());
    awaitShards(cluster, shards);
    System.out.printf(
        "resharding %s to %d shards took %.2f s (%d points acknowledged so far)%n",
        direction, shards, (System.nanoTime() - started) / 1e9, writer.acknowledged.size());
    for (QdrantHttp h : cluster.http) {
      assertEquals(
          shards,
          h.get("/collections/r").result().at("/config/params/shard_number").asInt(),
          h.toString());
    }
    ScalingCluster.checkReplicas(cluster.http, "r", writer);
  }

  private static void awaitShards(ScalingCluster cluster, int shards) throws Exception {
    awaitShards(cluster, "r", shards, 90_000);
  }

  /** Waits until every node reports {@code shards} shards and no resharding in progress. */
  private static void awaitShards(
      ScalingCluster cluster, String collection, int shards, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      boolean done = true;
      for (QdrantHttp h : cluster.http) {
        QdrantHttp.Reply reply;
        try {
          reply = h.send("GET", "/collections/" + collection + "/cluster", null);
        } catch (java.io.IOException restarting) {
          done = false;
          last = h + ": " + restarting;
          break;
        }
        if (reply.status() != 200) {
          done = false;
          last = h + ": " + reply.raw();
          break;
        }
        JsonNode info = reply.result();
        last = info.toString();
        if (info.get("shard_count").asInt() != shards
            || info.path("resharding_operations").size() != 0) {
          done = false;
          break;
        }
      }
      if (done) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not " + shards + " shards after " + timeoutMs / 1000 + " s: " + last);
  }

  /** Points of shard {@code shardId} as the node holding it counts them. */
  private static long pointsInShard(ScalingCluster cluster, int shardId) throws Exception {
    for (QdrantHttp h : cluster.http) {
      for (JsonNode local : h.get("/collections/r/cluster").result().get("local_shards")) {
        if (local.get("shard_id").asInt() == shardId) {
          return local.get("points_count").asLong();
        }
      }
    }
    return -1;
  }
}
