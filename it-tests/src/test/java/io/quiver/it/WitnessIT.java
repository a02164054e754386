package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replication_factor: 2} survives the loss of any one node: each shard's Raft group has its
 * 2 data replicas and a <b>witness</b> on a third node (a voter without data), so it keeps a
 * majority. Real node processes launched at once, a continuous writer, and reads through every
 * surviving node while each node in turn is killed with SIGKILL and restarted. After a short
 * failover (a new leader, or a witness leader handing over to a replica) every read and write
 * succeeds; after each restart every acknowledged write is present exactly once and all replicas
 * are identical ({@link ScalingCluster#checkReplicas}).
 */
@Timeout(420)
class WitnessIT {

  /**
   * Failures are allowed only this long after a kill: a leader election plus a witness's hand-over.
   */
  private static final long FAILOVER_GRACE_MS = 6_000;

  private static final long OUTAGE_MS = 8_000;

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path tmp;

  @Test
  void replicationFactorTwoServesReadsAndWritesWithAnyOneNodeDown() throws Exception {
    try (ScalingCluster cluster =
        ScalingCluster.start(
            java.nio.file.Files.createDirectories(tmp.resolve("three")), 3, Map.of())) {
      QdrantHttp http = cluster.http.get(0);
      QdrantHttp.Reply created =
          http.send(
              "PUT",
              "/collections/w",
              "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":3,\"replication_factor\":2}");
      assertEquals(200, created.status(), created.raw());
      Map<Integer, Set<Long>> placement =
          ScalingCluster.awaitPlacement(
              cluster.http,
              "w",
              60_000,
              p -> p.size() == 3 && p.values().stream().allMatch(s -> s.size() == 2));
      Map<Integer, Long> witnesses = witnesses(http, "w");
      assertEquals(Set.of(0, 1, 2), witnesses.keySet(), "every shard has a witness: " + witnesses);
      witnesses.forEach(
          (shard, peer) ->
              assertFalse(
                  placement.get(shard).contains(peer),
                  "shard "
                      + shard
                      + "'s witness "
                      + peer
                      + " is not on a node holding its replicas "
                      + placement.get(shard)));
      JsonNode info = cluster.http.get(1).get("/collections/w").result();
      assertTrue(
          info.path("warnings").isEmpty(), "with witnesses, no warning: " + info.path("warnings"));

      try (ScalingCluster.Writer writer = new ScalingCluster.Writer(cluster.http, "w")) {
        Thread.sleep(1000);
        ScalingCluster.checkReplicas(cluster.http, "w", writer);
        for (int victim = 0; victim < cluster.nodes.size(); victim++) {
          outage(cluster, victim, writer);
          ScalingCluster.checkReplicas(cluster.http, "w", writer);
        }
        assertTrue(
            writer.acknowledged.size() > 300,
            "the writer made progress: " + writer.acknowledged.size());
      }
    }
  }

  /**
   * A collection of replication_factor 2 on two nodes warns that it tolerates no failure; a third
   * node that joins takes each shard's witness (the meta leader adds it to the group, it receives a
   * snapshot and keeps only its term and index), the warning goes, and then the first node can die.
   */
  @Test
  void aThirdNodeThatJoinsTakesTheWitnessesOfATwoNodeCollection() throws Exception {
    try (ScalingCluster cluster =
        ScalingCluster.start(
            java.nio.file.Files.createDirectories(tmp.resolve("two")), 2, Map.of())) {
      QdrantHttp http = cluster.http.get(0);
      QdrantHttp.Reply created =
          http.send(
              "PUT",
              "/collections/v",
              "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,\"replication_factor\":2}");
      assertEquals(200, created.status(), created.raw());
      JsonNode warned = http.get("/collections/v").result().path("warnings");
      assertTrue(
          warned.toString().contains("replication_factor 2 tolerates no node failure"),
          warned.toString());
      assertTrue(witnesses(http, "v").isEmpty());

      try (ScalingCluster.Writer writer = new ScalingCluster.Writer(cluster.http, "v")) {
        Thread.sleep(1500);
        QdrantHttp third = cluster.add(Map.of());
        long thirdPeer = cluster.peerId(third);
        long deadline = System.currentTimeMillis() + 90_000;
        Map<Integer, Long> placed = Map.of();
        while (System.currentTimeMillis() < deadline) {
          placed = witnesses(http, "v");
          if (placed.size() == 2 && placed.values().stream().allMatch(p -> p == thirdPeer)) {
            break;
          }
          Thread.sleep(300);
        }
        assertEquals(
            Map.of(0, thirdPeer, 1, thirdPeer), placed, "the new node holds both witnesses");
        ScalingCluster.awaitPlacement(
            cluster.http,
            "v",
            60_000,
            p -> p.size() == 2 && p.values().stream().allMatch(s -> s.size() == 2));
        assertTrue(http.get("/collections/v").result().path("warnings").isEmpty());
        assertFalse(holdsShardData(cluster, 2), "the witness node keeps no shard data");
        ScalingCluster.checkReplicas(cluster.http.subList(0, 2), "v", writer);
        outage(cluster, 0, writer);
        ScalingCluster.checkReplicas(cluster.http.subList(0, 2), "v", writer);
      }
    }
  }

  /**
   * True when node {@code i}'s data directory holds any shard store (a {@code sm/shard} directory).
   */
  private static boolean holdsShardData(ScalingCluster cluster, int i) throws Exception {
    try (var walk = java.nio.file.Files.walk(cluster.nodes.get(i).dataDir())) {
      return walk.anyMatch(
          p ->
              p.getFileName().toString().equals("shard")
                  && p.getParent().getFileName().toString().equals("sm"));
    }
  }

  /**
   * Kills node {@code victim}, keeps writing and reading through the others for {@link #OUTAGE_MS},
   * checks that nothing failed after the failover grace, then restarts the node.
   */
  private static void outage(ScalingCluster cluster, int victim, ScalingCluster.Writer writer)
      throws Exception {
    QdrantHttp victimHttp = cluster.http.get(victim);
    List<QdrantHttp> survivors = new ArrayList<>(cluster.http);
    survivors.remove(victimHttp);
    writer.pause();
    writer.avoid(victimHttp, true);
    writer.resume();
    int acknowledgedBefore = writer.acknowledged.size();
    cluster.nodes.get(victim).kill9();
    long killedAt = System.nanoTime();
    long graceEnd = killedAt + TimeUnit.MILLISECONDS.toNanos(FAILOVER_GRACE_MS);
    List<String> lateReadFailures = new ArrayList<>();
    List<String> earlyReadFailures = new ArrayList<>();
    int reads = 0;
    while (System.nanoTime() - killedAt < TimeUnit.MILLISECONDS.toNanos(OUTAGE_MS)) {
      for (QdrantHttp h : survivors) {
        for (String[] call :
            new String[][] {
              {"GET", "/collections/w_", null},
              {"POST", "/collections/w_/points/count", "{\"exact\":true}"},
              {"POST", "/collections/w_/points/query", "{\"query\":[1,1],\"limit\":3}"},
              {"POST", "/collections/w_/points/scroll", "{\"limit\":5}"}
            }) {
          String path = call[1].replace("w_", writer.collection());
          long at = System.nanoTime();
          QdrantHttp.Reply r = call[2] == null ? h.get(path) : h.send(call[0], path, call[2]);
          reads++;
          if (r.status() != 200) {
            (at > graceEnd ? lateReadFailures : earlyReadFailures)
                .add(h + " " + call[0] + " " + path + ": " + r.status() + " " + r.raw());
          }
        }
      }
      Thread.sleep(50);
    }
    List<String> lateWriteFailures =
        writer.failures.stream()
            .filter(f -> f.getKey() > graceEnd)
            .map(Map.Entry::getValue)
            .toList();
    int acknowledgedDuring = writer.acknowledged.size() - acknowledgedBefore;
    System.out.printf(
        "node %d down for %d ms: %d reads (%d failed during the failover, e.g. %s), %d points written, "
            + "write failures during the failover %d%n",
        victim,
        OUTAGE_MS,
        reads,
        earlyReadFailures.size(),
        earlyReadFailures.isEmpty() ? "-" : earlyReadFailures.getFirst(),
        acknowledgedDuring,
        writer.failures.stream()
            .filter(f -> f.getKey() > killedAt && f.getKey() <= graceEnd)
            .count());
    assertEquals(List.of(), lateReadFailures, "reads through the survivors after the failover");
    assertEquals(List.of(), lateWriteFailures, "writes through the survivors after the failover");
    assertTrue(
        acknowledgedDuring > 50,
        "writes went on while node " + victim + " was down: " + acknowledgedDuring);
    writer.failures.clear();

    cluster.nodes.get(victim).start("--bootstrap", "http://127.0.0.1:" + cluster.seedRaftPort);
    writer.avoid(victimHttp, false);
  }

  /**
   * shard -> the peer holding its witness, from {@code GET /collections/{c}/cluster} (Quiver's
   * {@code quiver_witnesses}).
   */
  private static Map<Integer, Long> witnesses(QdrantHttp http, String collection) throws Exception {
    QdrantHttp.Reply r = http.get("/collections/" + collection + "/cluster");
    assertEquals(200, r.status(), r.raw());
    Map<Integer, Long> out = new TreeMap<>();
    for (JsonNode w : r.result().path("quiver_witnesses")) {
      out.put(w.get("shard_id").asInt(), w.get("peer_id").asLong());
    }
    return out;
  }
}
