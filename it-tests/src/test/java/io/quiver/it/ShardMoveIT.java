package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scaling out: a fourth node joins a three-node cluster and a shard moves onto it through Qdrant's
 * {@code move_shard} operation while a client keeps writing. Every acknowledged write is there
 * afterwards, the point count equals the number of acknowledged ids, and the new node serves the
 * shard from its own replica.
 */
@Timeout(240)
class ShardMoveIT {

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void moveAShardToANewNodeUnderWrites() throws Exception {
    List<NodeProcess> nodes = new ArrayList<>(NODES.startCluster(3, n -> {}));
    QdrantHttp http = new QdrantHttp(nodes.get(1).baseUrl());
    assertEquals(
        200,
        http.send(
                "PUT",
                "/collections/m",
                "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,\"replication_factor\":1}")
            .status());

    Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
    Set<Integer> attempted =
        ConcurrentHashMap.newKeySet(); // a failed write is indeterminate: it may have landed
    AtomicBoolean stop = new AtomicBoolean();
    QdrantHttp writerHttp = new QdrantHttp(nodes.get(2).baseUrl());
    Thread writer =
        new Thread(
            () -> {
              for (int id = 0; !stop.get() && id < 100_000; id++) {
                attempted.add(id);
                try {
                  QdrantHttp.Reply r =
                      writerHttp.send(
                          "PUT",
                          "/collections/m/points?wait=true",
                          "{\"points\":[{\"id\":" + id + ",\"vector\":[" + id + ",1]}]}");
                  if (r.status() == 200) {
                    acknowledged.add(id);
                  }
                } catch (Exception e) {
                  // not acknowledged
                }
              }
            });
    writer.start();
    Thread.sleep(1000);

    NodeProcess fourth =
        NODES.node("n3").start("--bootstrap", "http://127.0.0.1:" + nodes.get(0).raftPort());
    nodes.add(fourth);
    QdrantHttp newNode = new QdrantHttp(fourth.baseUrl());
    long newPeer = newNode.get("/cluster").result().get("peer_id").asLong();
    JsonNode info = http.get("/collections/m/cluster").result();
    long from = replicaOf(nodes, 0);
    QdrantHttp.Reply move =
        http.send(
            "POST",
            "/collections/m/cluster",
            "{\"move_shard\":{\"shard_id\":0,\"from_peer_id\":"
                + from
                + ",\"to_peer_id\":"
                + newPeer
                + "}}");
    assertEquals(200, move.status(), move.raw());
    OpenApiContract.load()
        .assertValid("POST", "/collections/{collection_name}/cluster", 200, move.body());
    // The node that ran the move counts it (quiver_shard_transfers metric), and nothing is in
    // progress.
    String metrics = http.get("/metrics").raw();
    assertTrue(
        metrics.contains("quiver_shard_transfers_started_total{kind=\"move_shard\"} 1.0"), metrics);
    assertTrue(
        metrics.contains("quiver_shard_transfers_completed_total{kind=\"move_shard\"} 1.0"),
        metrics);
    assertTrue(metrics.contains("quiver_shard_transfers_in_progress 0.0"), metrics);
    Thread.sleep(1000);
    stop.set(true);
    writer.join(60_000);
    assertTrue(
        acknowledged.size() > 20, "the writer made progress: " + acknowledged.size() + " " + info);

    JsonNode local = newNode.get("/collections/m/cluster").result().get("local_shards");
    assertEquals(1, local.size(), local.toString());
    assertEquals(0, local.get(0).get("shard_id").asInt());
    List<Integer> ids = new ArrayList<>(acknowledged);
    QdrantHttp.Reply all = newNode.send("POST", "/collections/m/points", "{\"ids\":" + ids + "}");
    assertEquals(acknowledged.size(), all.result().size(), "every acknowledged point is there");
    QdrantHttp.Reply count = newNode.send("POST", "/collections/m/points/count", "{}");
    int n = count.result().get("count").asInt();
    assertTrue(
        n >= acknowledged.size() && n <= attempted.size(),
        "count "
            + n
            + " is between the acknowledged ("
            + acknowledged.size()
            + ") and the attempted ("
            + attempted.size()
            + ") writes");
    JsonNode oldLocal =
        new QdrantHttp(nodeOf(nodes, from).baseUrl())
            .get("/collections/m/cluster")
            .result()
            .get("local_shards");
    for (JsonNode s : oldLocal) {
      assertTrue(s.get("shard_id").asInt() != 0, "the old replica is gone: " + oldLocal);
    }

    // A peer that holds a replica (here the only copy of shard m/1) cannot be removed; one that
    // holds none can, and leaves /cluster.
    long busy = replicaOf(nodes, 1);
    QdrantHttp.Reply refused = http.send("DELETE", "/cluster/peer/" + busy, null);
    assertEquals(409, refused.status(), refused.raw());
    assertTrue(refused.raw().contains("m/1") && refused.raw().contains("only copy"), refused.raw());
    if (oldLocal.isEmpty()) {
      assertEquals(200, http.send("DELETE", "/cluster/peer/" + from, null).status());
      assertTrue(
          !http.get("/cluster").result().get("peers").has(Long.toString(from)),
          "removed peer is gone");
    }
  }

  private static long replicaOf(List<NodeProcess> nodes, int shard) throws Exception {
    for (NodeProcess n : nodes) {
      JsonNode c = new QdrantHttp(n.baseUrl()).get("/collections/m/cluster").result();
      for (JsonNode s : c.get("local_shards")) {
        if (s.get("shard_id").asInt() == shard) {
          return c.get("peer_id").asLong();
        }
      }
    }
    throw new AssertionError("no replica of shard " + shard);
  }

  private static NodeProcess nodeOf(List<NodeProcess> nodes, long peer) throws Exception {
    for (NodeProcess n : nodes) {
      if (new QdrantHttp(n.baseUrl()).get("/cluster").result().get("peer_id").asLong() == peer) {
        return n;
      }
    }
    throw new AssertionError("no node " + peer);
  }
}
