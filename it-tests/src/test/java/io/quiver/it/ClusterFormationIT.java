package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Forming a cluster the way a compose file or a StatefulSet does it, with real node processes.
 *
 * <ul>
 *   <li>Five nodes launched at the same moment, each pointed at another one (the seed at itself,
 *       two at the seed, two at joiners that are not members yet), form one cluster without a
 *       manual step: every node sees the same five peers, the metadata group has exactly {@code
 *       meta_voters} voters (3 here, so that listeners exist) and the rest are listeners, and a
 *       collection created through one node is written and read through every node.
 *   <li>A node restarted while the other nodes (and so the meta group's majority) are down stays up
 *       for longer than the 10 s after which it used to exit, answers {@code /readyz} 503 saying
 *       why and collection requests 503, and becomes ready, with its data, once the others return.
 * </ul>
 */
@Timeout(300)
class ClusterFormationIT {

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void fiveNodesStartedAtOnceFormOneCluster() throws Exception {
    int n = 5;
    List<NodeProcess> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(NODES.node("n" + i).environment("QUIVER__CLUSTER__CONSENSUS__META_VOTERS", "3"));
    }
    // The seed is pointed at itself (so every node may get the same flag); n1, n2 at the seed;
    // n3, n4 at n1 and n2, which are not members yet when they start.
    int[] bootstrapOf = {0, 0, 0, 1, 2};
    for (int i = 0; i < n; i++) {
      nodes
          .get(i)
          .launch("--bootstrap", "http://127.0.0.1:" + nodes.get(bootstrapOf[i]).raftPort());
    }
    long launched = System.nanoTime();
    for (NodeProcess node : nodes) {
      node.awaitReady();
    }
    System.out.printf(
        "five nodes launched at once were all ready after %.1f s%n",
        (System.nanoTime() - launched) / 1e9);
    List<QdrantHttp> http = nodes.stream().map(node -> new QdrantHttp(node.baseUrl())).toList();

    awaitOneClusterWithVoters(http, n, 3);

    assertEquals(
        200,
        http.get(4)
            .send(
                "PUT",
                "/collections/formed",
                "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":5,\"replication_factor\":2}")
            .status());
    for (int i = 0; i < n; i++) {
      StringBuilder points = new StringBuilder();
      for (int j = 0; j < 10; j++) {
        int id = i * 10 + j;
        points
            .append(j == 0 ? "" : ",")
            .append("{\"id\":")
            .append(id)
            .append(",\"vector\":[")
            .append(id)
            .append(",1]}");
      }
      QdrantHttp.Reply r =
          http.get(i)
              .send("PUT", "/collections/formed/points?wait=true", "{\"points\":[" + points + "]}");
      assertEquals(200, r.status(), "upsert through node " + i + ": " + r.raw());
    }
    for (int i = 0; i < n; i++) {
      QdrantHttp.Reply count =
          http.get(i).send("POST", "/collections/formed/points/count", "{\"exact\":true}");
      assertEquals(200, count.status(), count.raw());
      assertEquals(10 * n, count.result().get("count").asInt(), "count through node " + i);
      QdrantHttp.Reply query =
          http.get(i)
              .send("POST", "/collections/formed/points/query", "{\"query\":[1,0],\"limit\":3}");
      assertEquals(200, query.status(), query.raw());
      assertEquals(
          10 * n - 1,
          query.result().get("points").get(0).get("id").asInt(),
          "top hit through node " + i);
    }
    // A second collection created through another node is usable at once everywhere.
    assertEquals(
        200,
        http.get(2)
            .send("PUT", "/collections/second", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}")
            .status());
    for (int i = 0; i < n; i++) {
      assertEquals(
          200,
          http.get(i)
              .send(
                  "PUT",
                  "/collections/second/points?wait=true",
                  "{\"points\":[{\"id\":" + i + ",\"vector\":[1,1]}]}")
              .status(),
          "write to `second` through node " + i);
    }
  }

  /** Waits until every node reports the same peers and the meta group has {@code voters} voters. */
  private static void awaitOneClusterWithVoters(List<QdrantHttp> http, int peers, int voters)
      throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    String last = "";
    while (true) {
      Set<Set<String>> peerSets = new java.util.HashSet<>();
      int voterCount = 0;
      for (QdrantHttp h : http) {
        JsonNode cluster = h.get("/cluster").result();
        Set<String> ids = new TreeSet<>();
        cluster.get("peers").fieldNames().forEachRemaining(ids::add);
        peerSets.add(ids);
        voterCount += cluster.get("raft_info").get("is_voter").asBoolean() ? 1 : 0;
        last = last.isEmpty() ? cluster.toString() : last;
      }
      if (peerSets.size() == 1
          && peerSets.iterator().next().size() == peers
          && voterCount == voters) {
        return;
      }
      assertTrue(
          System.nanoTime() < deadline,
          "one cluster of "
              + peers
              + " with "
              + voters
              + " voters; peer sets "
              + peerSets
              + ", voters "
              + voterCount);
      Thread.sleep(200);
    }
  }

  /**
   * A node may join through any member, a listener too: with one meta voter, the second node is a
   * listener, and a third node pointed at it registers through the voters it names (a listener
   * neither leads a client to the leader nor, in Ratis 3.2.1, answers client requests: the joiner
   * waited forever, "is not in [RUNNING]: current state is STARTING").
   */
  @Test
  void aNodeJoinsThroughAListener() throws Exception {
    List<NodeProcess> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(NODES.node("l" + i).environment("QUIVER__CLUSTER__CONSENSUS__META_VOTERS", "1"));
    }
    String seed = "http://127.0.0.1:" + nodes.get(0).raftPort();
    nodes.get(0).launch("--bootstrap", seed);
    nodes.get(1).launch("--bootstrap", seed);
    nodes.get(0).awaitReady();
    nodes.get(1).awaitReady();
    QdrantHttp second = new QdrantHttp(nodes.get(1).baseUrl());
    assertFalse(
        second.get("/cluster").result().at("/raft_info/is_voter").asBoolean(),
        "the second node is a listener");
    nodes.get(2).start("--bootstrap", "http://127.0.0.1:" + nodes.get(1).raftPort());
    awaitOneClusterWithVoters(
        nodes.stream().map(node -> new QdrantHttp(node.baseUrl())).toList(), 3, 1);
  }

  @Test
  void aRestartedNodeWaitsForTheMetaLeaderInsteadOfExiting() throws Exception {
    List<NodeProcess> nodes = NODES.startCluster(3, n -> {});
    QdrantHttp first = new QdrantHttp(nodes.get(0).baseUrl());
    awaitOneClusterWithVoters(
        nodes.stream().map(node -> new QdrantHttp(node.baseUrl())).toList(), 3, 3);
    assertEquals(
        200,
        first
            .send(
                "PUT",
                "/collections/kept",
                "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,\"replication_factor\":3}")
            .status());
    assertEquals(
        200,
        first
            .send(
                "PUT",
                "/collections/kept/points?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[1,0]},{\"id\":2,\"vector\":[0,1]},{\"id\":3,\"vector\":[1,1]}]}")
            .status());
    for (NodeProcess node : nodes) {
      node.stop();
    }

    // Alone, the restarted node cannot reach a majority of the meta group's voters.
    nodes.get(0).launch();
    long alone = System.nanoTime();
    boolean sawNotReady = false;
    while (System.nanoTime() - alone < 15_000_000_000L) {
      assertTrue(
          nodes.get(0).isAlive(),
          "the node stays up while the meta leader is unreachable; log:\n"
              + nodes.get(0).logTail());
      try {
        QdrantHttp.Reply ready = first.get("/readyz");
        assertEquals(503, ready.status(), ready.raw());
        assertTrue(ready.raw().contains("cluster metadata"), ready.raw());
        QdrantHttp.Reply collection = first.get("/collections/kept");
        assertEquals(
            503,
            collection.status(),
            "a collection request while not caught up: " + collection.raw());
        sawNotReady = true;
      } catch (java.io.IOException notListeningYet) {
        // the REST port opens a moment after the process starts
      }
      Thread.sleep(500);
    }
    assertTrue(sawNotReady, "the REST API answered while the node was waiting");
    String log = java.nio.file.Files.readString(nodes.get(0).log());
    assertTrue(log.contains("not ready"), "the log says why the node is not ready");

    nodes.get(1).launch();
    nodes.get(2).launch();
    nodes.get(0).awaitReady();
    QdrantHttp.Reply count =
        first.send("POST", "/collections/kept/points/count", "{\"exact\":true}");
    assertEquals(200, count.status(), count.raw());
    assertEquals(3, count.result().get("count").asInt());
  }
}
