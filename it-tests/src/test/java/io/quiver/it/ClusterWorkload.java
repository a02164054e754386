package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A collection written and queried through the REST API of several nodes, checked against a
 * brute-force reference: exact Euclidean top-10 over every acknowledged point, ties by id, and an
 * exact count. Writes are upserts of fixed ids and vectors, retried until acknowledged, so an
 * attempt that timed out but was applied later leaves the same state as one that never was: the
 * reference stays exact across a node's death. Not thread-safe.
 */
final class ClusterWorkload {

  private static final int DIM = 4;
  private static final int TOP = 10;

  private final String collection;
  private final Random random;
  private final long seed;
  private final Map<Integer, float[]> acknowledged = new TreeMap<>();

  ClusterWorkload(String collection, long seed) {
    this.collection = collection;
    this.seed = seed;
    this.random = new Random(seed);
  }

  /** Waits until every node's {@code GET /cluster} lists {@code peers} peers and a leader. */
  static void awaitCluster(List<QdrantHttp> nodes, int peers, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    for (QdrantHttp node : nodes) {
      while (true) {
        try {
          QdrantHttp.Reply r = node.get("/cluster");
          last = r.raw();
          if (r.status() == 200
              && r.result().get("peers").size() == peers
              && !r.result().path("raft_info").path("leader").isNull()) {
            break;
          }
        } catch (java.io.IOException e) {
          last = e.toString();
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "no cluster of "
                  + peers
                  + " peers seen by "
                  + node
                  + " within "
                  + timeout
                  + ": "
                  + last);
        }
        Thread.sleep(500);
      }
    }
  }

  /** The meta group's leader as {@code node} sees it (a peer id). */
  static long metaLeader(QdrantHttp node) throws Exception {
    return ok(node.get("/cluster")).result().get("raft_info").get("leader").asLong();
  }

  /** This node's peer id. */
  static long peerId(QdrantHttp node) throws Exception {
    return ok(node.get("/cluster")).result().get("peer_id").asLong();
  }

  /** Creates the collection through {@code via}: Euclid over 4 dimensions. */
  void create(QdrantHttp via, int shards, int replicationFactor) throws Exception {
    ok(
        via.send(
            "PUT",
            "/collections/" + collection,
            "{\"vectors\":{\"size\":"
                + DIM
                + ",\"distance\":\"Euclid\"},"
                + "\"shard_number\":"
                + shards
                + ",\"replication_factor\":"
                + replicationFactor
                + "}"));
  }

  /**
   * Upserts {@code count} new points through {@code via}, re-sending the same batch until it is
   * acknowledged or {@code deadline} passes.
   */
  void write(QdrantHttp via, int count, Duration deadline) throws Exception {
    Map<Integer, float[]> batch = new TreeMap<>();
    int first = acknowledged.size();
    for (int i = 0; i < count; i++) {
      batch.put(first + i, vector());
    }
    StringBuilder body = new StringBuilder("{\"points\":[");
    batch.forEach(
        (id, v) ->
            body.append(body.charAt(body.length() - 1) == '[' ? "" : ",")
                .append("{\"id\":")
                .append(id)
                .append(",\"vector\":")
                .append(json(v))
                .append('}'));
    body.append("]}");
    QdrantHttp.Reply r =
        retry(
            () ->
                via.send(
                    "PUT", "/collections/" + collection + "/points?wait=true", body.toString()),
            deadline);
    ok(r);
    acknowledged.putAll(batch);
  }

  /**
   * Asks {@code queries} random queries through every node; each answer must be the reference's,
   * and so the count.
   */
  void assertQueries(List<QdrantHttp> nodes, int queries, Duration deadline) throws Exception {
    for (QdrantHttp node : nodes) {
      QdrantHttp.Reply count =
          ok(
              retry(
                  () ->
                      node.send(
                          "POST",
                          "/collections/" + collection + "/points/count",
                          "{\"exact\":true}"),
                  deadline));
      assertEquals(
          acknowledged.size(),
          count.result().get("count").asInt(),
          "count via " + node + ", seed " + seed);
    }
    for (int q = 0; q < queries; q++) {
      float[] query = vector();
      List<Integer> expected = expectedTop(query);
      for (QdrantHttp node : nodes) {
        QdrantHttp.Reply r =
            ok(
                retry(
                    () ->
                        node.send(
                            "POST",
                            "/collections/" + collection + "/points/query",
                            "{\"query\":"
                                + json(query)
                                + ",\"limit\":"
                                + TOP
                                + ",\"params\":{\"exact\":true}}"),
                    deadline));
        List<Integer> ids = new ArrayList<>();
        r.result().get("points").forEach(p -> ids.add(p.get("id").asInt()));
        for (int id : ids) {
          assertTrue(
              acknowledged.containsKey(id),
              id + " was never acknowledged, via " + node + ", seed " + seed);
        }
        NearTies.assertTop(
            expected,
            ids,
            id -> distance(query, acknowledged.get(id)),
            "top " + TOP + " via " + node + ", seed " + seed);
      }
    }
  }

  int size() {
    return acknowledged.size();
  }

  private interface Call {
    QdrantHttp.Reply send() throws Exception;
  }

  /**
   * The first 200, else the last answer once {@code deadline} has passed (a node may be electing a
   * new leader).
   */
  private static QdrantHttp.Reply retry(Call call, Duration deadline) throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      QdrantHttp.Reply r;
      try {
        r = call.send();
      } catch (java.io.IOException e) {
        r = new QdrantHttp.Reply(-1, null, e.toString());
      }
      if (r.status() == 200 || System.nanoTime() > end) {
        return r;
      }
      Thread.sleep(500);
    }
  }

  static QdrantHttp.Reply ok(QdrantHttp.Reply r) {
    if (r.status() != 200) {
      throw new AssertionError("expected 200, got " + r.status() + ": " + r.raw());
    }
    return r;
  }

  private float[] vector() {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return v;
  }

  private static double distance(float[] q, float[] v) {
    double d = 0;
    for (int i = 0; i < DIM; i++) {
      d += (q[i] - v[i]) * (q[i] - v[i]);
    }
    return d;
  }

  private List<Integer> expectedTop(float[] q) {
    Map<Integer, Double> distance = new HashMap<>();
    acknowledged.forEach((id, v) -> distance.put(id, distance(q, v)));
    List<Integer> ids = new ArrayList<>(acknowledged.keySet());
    ids.sort(
        (a, b) -> {
          int c = Double.compare(distance.get(a), distance.get(b));
          return c != 0 ? c : Integer.compare(a, b);
        });
    return ids.subList(0, Math.min(TOP, ids.size()));
  }

  private static String json(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ",").append(v[i]);
    }
    return s.append(']').toString();
  }
}
