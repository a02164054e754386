package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operating a cluster with a dead peer, as an operator sees it: a node killed with kill -9 becomes
 * {@code Dead} in {@code GET /cluster}, its replicas {@code Dead} in the collection's cluster info
 * and {@code quiver_peer_up} 0 on the others, and alive again after a restart; meanwhile the meta
 * leader's log grows by a bounded amount (it was ~30 KB/s of repeated {@code Connection refused}
 * stack traces). The nodes log JSON lines, which must all parse and name collection, shard and
 * group where a line is about a shard's group. Also: a port in use is refused by name, leaving no
 * data directory behind.
 */
@Timeout(300)
class PeerLivenessIT {

  /**
   * How long the meta leader's log is watched with one peer down, after its death was noticed, and
   * how many bytes it may grow by meanwhile (about 2 KB/s; it grew by ~30 KB/s of repeated stack
   * traces before, and by 78 B/s since).
   */
  static final int LOG_WINDOW_SECONDS = 15;

  static final long LOG_BOUND = 32 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The cluster's directory (ScalingCluster). */
  @TempDir Path tmp;

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void aKilledPeerIsDeadEverywhereAndAliveAfterRestart() throws Exception {
    Map<String, String> env =
        Map.of("QUIVER__CLUSTER__PEER_DEAD_TIMEOUT_MS", "3000", "QUIVER__LOG__FORMAT", "json");
    try (ScalingCluster c = ScalingCluster.start(tmp, 3, env)) {
      QdrantHttp first = c.http.get(0);
      QdrantHttp.Reply created =
          first.send(
              "PUT",
              "/collections/live",
              "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"shard_number\":3,\"replication_factor\":3}");
      assertEquals(200, created.status(), created.raw());
      long victimId = c.peerId(c.http.get(2));
      // Everyone alive first.
      awaitCluster(first, victimId, "Alive", Duration.ofSeconds(20));
      // The meta leader is the one whose log is measured: a survivor (move leadership off the
      // victim by killing it).
      c.nodes.get(2).kill9();
      JsonNode dead = awaitCluster(first, victimId, "Dead", Duration.ofSeconds(20));
      assertTrue(
          dead.get("peers")
              .get(Long.toString(victimId))
              .get("quiver_liveness")
              .hasNonNull("last_contact"),
          dead.toString());
      for (QdrantHttp h : c.http.subList(0, 2)) {
        awaitCluster(h, victimId, "Dead", Duration.ofSeconds(20));
        JsonNode info = h.get("/collections/live/cluster").result();
        int deadReplicas = 0;
        for (JsonNode r : info.get("remote_shards")) {
          if (r.get("peer_id").asLong() == victimId) {
            assertEquals("Dead", r.get("state").asText(), info.toString());
            deadReplicas++;
          } else {
            assertEquals("Active", r.get("state").asText(), info.toString());
          }
        }
        assertEquals(3, deadReplicas, info.toString());
        String metrics = h.get("/metrics").raw();
        assertTrue(metrics.contains("quiver_peer_up{peer=\"" + victimId + "\"} 0"), metrics);
      }

      // The meta leader's log with the peer down (measured after the death was noticed).
      long leader = awaitLeader(first, victimId);
      int leaderIndex = -1;
      for (int i = 0; i < 2; i++) {
        if (c.peerId(c.http.get(i)) == leader) {
          leaderIndex = i;
        }
      }
      Path leaderLog = c.nodes.get(leaderIndex).log();
      long before = Files.size(leaderLog);
      Thread.sleep(LOG_WINDOW_SECONDS * 1000L);
      long grown = Files.size(leaderLog) - before;
      System.out.println(
          "PeerLivenessIT: the meta leader logged "
              + grown
              + " bytes in "
              + LOG_WINDOW_SECONDS
              + " s with a peer down ("
              + (grown / LOG_WINDOW_SECONDS)
              + " B/s)");
      assertTrue(
          grown < LOG_BOUND,
          "the meta leader logged "
              + grown
              + " bytes in "
              + LOG_WINDOW_SECONDS
              + " s with a peer down:\n"
              + c.nodes.get(leaderIndex).logTail());

      // Restarted on the same data directory and ports: alive again, replicas active, peer_up 1.
      c.nodes.get(2).start();
      for (QdrantHttp h : c.http.subList(0, 2)) {
        awaitCluster(h, victimId, "Alive", Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode info;
        do {
          info = h.get("/collections/live/cluster").result();
        } while (info.toString().contains("\"Dead\"") && System.nanoTime() < deadline && sleep());
        assertFalse(info.toString().contains("\"Dead\""), info.toString());
        assertTrue(h.get("/metrics").raw().contains("quiver_peer_up{peer=\"" + victimId + "\"} 1"));
      }

      // Every line a node logged after its JVM started is a JSON object; shard groups are named.
      boolean namedShardLine = false;
      for (NodeProcess p :
          c.nodes.subList(0, 2)) { // not the killed one: its last line may be cut short
        for (String line : Files.readAllLines(p.log())) {
          if (line.isBlank() || line.startsWith("WARNING:")) {
            continue; // the JVM's own warnings (incubator module), before logging starts
          }
          JsonNode parsed = JSON.readTree(line);
          assertTrue(
              parsed.isObject() && parsed.hasNonNull("message") && parsed.hasNonNull("level"),
              line);
          if (parsed.has("collection")) {
            assertEquals("live", parsed.get("collection").asText(), line);
            assertTrue(
                parsed.get("shard").isInt() && parsed.get("group").asText().startsWith("group-"),
                line);
            List<String> names = iterator(parsed);
            assertEquals(List.of("collection", "shard", "group"), names.subList(0, 3), line);
            namedShardLine = true;
          }
        }
      }
      assertTrue(namedShardLine, "no log line named the collection of a shard group");
    }
  }

  @Test
  void aPortInUseIsNamedAndLeavesNoDataDirectory() throws Exception {
    for (String which : List.of("REST API", "Raft server")) {
      try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
        int port = held.getLocalPort();
        String name = "data-" + which.replace(' ', '-');
        NodeProcess node =
            which.equals("REST API")
                ? NODES.node(name, port, NodeProcess.freePort())
                : NODES.node(name, NodeProcess.freePort(), port);
        node.launch();
        int exit = node.awaitExit(Duration.ofSeconds(60));
        assertNotEquals(0, exit, node.logTail());
        String log = Files.readString(node.log());
        assertTrue(
            log.contains("port " + port) && log.contains(which) && log.contains("already in use"),
            log);
        assertFalse(log.contains("at io.quiver"), "a stack trace instead of a message:\n" + log);
        assertFalse(
            Files.exists(node.dataDir()), "a data directory was left behind: " + node.dataDir());
      }
    }
  }

  private static List<String> iterator(JsonNode object) {
    List<String> names = new java.util.ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static boolean sleep() throws InterruptedException {
    Thread.sleep(200);
    return true;
  }

  private static JsonNode awaitCluster(QdrantHttp h, long peer, String state, Duration timeout)
      throws Exception {
    return await(
        h,
        timeout,
        r ->
            state.equals(
                r.path("peers")
                    .path(Long.toString(peer))
                    .path("quiver_liveness")
                    .path("state")
                    .asText()),
        "peer " + peer + " " + state);
  }

  private static long awaitLeader(QdrantHttp h, long notThis) throws Exception {
    return await(
            h,
            Duration.ofSeconds(30),
            r ->
                r.path("raft_info").path("leader").isIntegralNumber()
                    && r.path("raft_info").path("leader").asLong() != notThis,
            "a meta leader")
        .get("raft_info")
        .get("leader")
        .asLong();
  }

  private static JsonNode await(
      QdrantHttp h, Duration timeout, Predicate<JsonNode> done, String what) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = h.get("/cluster").result();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no " + what + " within " + timeout + ": " + last);
  }
}
