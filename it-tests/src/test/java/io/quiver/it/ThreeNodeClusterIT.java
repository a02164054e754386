package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three real node processes on loopback: two join the first. Collections with three shards and
 * replication factor 3 (and 2) take writes through every node and answer queries through every node
 * exactly as a brute-force reference over the acknowledged data does. Then the leader of a shard is
 * killed with SIGKILL during a stream of writes, points are deleted and updated while it is down,
 * and after it returns every replica holds the same data: every acknowledged write, no deleted
 * point.
 */
@Timeout(300)
class ThreeNodeClusterIT {

  private static final int DIM = 4;

  /**
   * Far above the shard client's retry budget, so that failing fast and timing out differ clearly.
   */
  private static final String REQUEST_TIMEOUT_MS = "20000";

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void replicatedCollectionsSurviveALeaderKill() throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    List<NodeProcess> nodes =
        NODES.startCluster(
            3, n -> n.environment("QUIVER__SERVICE__REQUEST_TIMEOUT_MS", REQUEST_TIMEOUT_MS));
    {
      List<QdrantHttp> http = nodes.stream().map(n -> new QdrantHttp(n.baseUrl())).toList();
      JsonNode cluster = http.get(2).get("/cluster").result();
      assertEquals(3, cluster.get("peers").size(), cluster.toString());
      OpenApiContract.load()
          .assertValid("GET", "/cluster", 200, http.get(2).get("/cluster").body());

      ok(
          http.get(0)
              .send(
                  "PUT",
                  "/collections/c3",
                  "{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"},\"shard_number\":3,\"replication_factor\":3}"));
      ok(
          http.get(1)
              .send(
                  "PUT",
                  "/collections/c2",
                  "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"shard_number\":3,\"replication_factor\":2}"));

      Map<Integer, float[]> c3 = new ConcurrentHashMap<>();
      Map<Integer, float[]> c2 = new HashMap<>();
      for (int batch = 0; batch < 15; batch++) {
        Map<Integer, float[]> points = randomPoints(random, batch * 20, 20);
        ok(http.get(batch % 3).send("PUT", "/collections/c3/points?wait=true", body(points)));
        c3.putAll(points);
        ok(http.get((batch + 1) % 3).send("PUT", "/collections/c2/points?wait=true", body(points)));
        c2.putAll(points);
      }
      for (int q = 0; q < 5; q++) {
        float[] query = vector(random);
        for (QdrantHttp h : http) {
          assertTop(c3, query, false, ids(h, "c3", query), "c3 via " + h + " seed " + seed);
          assertTop(c2, query, true, ids(h, "c2", query), "c2 via " + h + " seed " + seed);
        }
      }
      JsonNode info = http.get(1).send("GET", "/collections/c2/cluster", null).body();
      OpenApiContract.load()
          .assertValid("GET", "/collections/{collection_name}/cluster", 200, info);

      // Kill -9 the node that leads shard 0 of c3, while two writers keep writing through the
      // others.
      int victim = leaderOf(http, "c3", 0);
      List<QdrantHttp> survivors = new ArrayList<>(http);
      survivors.remove(victim);
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> writers = new ArrayList<>();
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      for (int w = 0; w < 2; w++) {
        QdrantHttp via = survivors.get(w);
        int base = 10_000 * (w + 1);
        Random writerRandom = new Random(seed + w);
        Thread t =
            new Thread(
                () -> {
                  for (int i = 0; !stop.get() && i < 400; i++) {
                    Map<Integer, float[]> point = randomPoints(writerRandom, base + i, 1);
                    try {
                      QdrantHttp.Reply r =
                          via.send("PUT", "/collections/c3/points?wait=true", body(point));
                      if (r.status() == 200) {
                        c3.putAll(point); // acknowledged: must survive
                      }
                    } catch (Exception e) {
                      failures.add(e);
                    }
                  }
                });
        t.start();
        writers.add(t);
      }
      Thread.sleep(700);
      nodes.get(victim).kill9();
      Thread.sleep(2500);
      stop.set(true);
      for (Thread t : writers) {
        t.join(60_000);
      }
      assertTrue(
          failures.isEmpty(), "writers through live nodes never saw an exception: " + failures);

      // While the victim is down: delete some points and update others.
      List<Integer> ids = new ArrayList<>(c3.keySet());
      Collections.sort(ids);
      Set<Integer> deleted = new HashSet<>(ids.subList(0, 30));
      ok(
          survivors
              .get(0)
              .send(
                  "POST",
                  "/collections/c3/points/delete?wait=true",
                  "{\"points\":" + deleted + "}"));
      deleted.forEach(c3::remove);
      Map<Integer, float[]> updated = randomPoints(random, 30, 20); // ids 30..49 get new vectors
      QdrantHttp.Reply update =
          survivors.get(1).send("PUT", "/collections/c3/points?wait=true", body(updated));
      ok(update);
      long updateId = update.result().get("operation_id").asLong();
      c3.putAll(updated);
      float[] query = vector(random);
      for (QdrantHttp h : survivors) {
        assertTop(c3, query, false, ids(h, "c3", query), "queries keep answering, seed " + seed);
      }

      NodeProcess restarted = nodes.get(victim).start(); // its data, ports and settings
      QdrantHttp back = new QdrantHttp(restarted.baseUrl());
      // Read-your-writes at once through the returning node, whose replicas may still be catching
      // up: consistency=any with the write's operation_id never answers from a replica behind it.
      QdrantHttp.Reply mine =
          back.send(
              "POST",
              "/collections/c3/points?consistency=any&operation_id=" + updateId,
              "{\"ids\":" + updated.keySet() + ",\"with_vector\":true}");
      ok(mine);
      assertEquals(updated.size(), mine.result().size(), mine.raw());
      for (JsonNode p : mine.result()) {
        List<Double> v = new ArrayList<>();
        p.get("vector").forEach(x -> v.add(Math.round(x.asDouble() * 1e4) / 1e4));
        assertEquals(asList(updated.get(p.get("id").asInt())), v, "read-your-writes, seed " + seed);
      }
      List<QdrantHttp> all = new ArrayList<>(survivors);
      all.add(back);
      // Every node's own replicas (consistency=any reads the local replica) converge to the model.
      for (QdrantHttp h : all) {
        awaitReplicas(h, c3, deleted, seed);
      }

      // Two of three nodes down: no shard of c3 has a majority. A write fails fast with 503 naming
      // the shard; a read with consistency=any is still answered from the survivor's own replicas.
      int last = (victim + 1) % 3;
      for (int i = 0; i < 3; i++) {
        if (i != last) {
          nodes.get(i).kill9();
        }
      }
      QdrantHttp alone = new QdrantHttp(nodes.get(last).baseUrl());
      long started = System.nanoTime();
      QdrantHttp.Reply refused =
          alone.send(
              "PUT", "/collections/c3/points?wait=true", body(randomPoints(random, 90_000, 1)));
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      System.out.printf(
          "no-majority write refused with %d after %d ms%n", refused.status(), tookMs);
      assertEquals(503, refused.status(), refused.raw());
      assertTrue(refused.raw().contains("shard"), "the error names the shard: " + refused.raw());
      // The shard client gives up after about 5 s of failed attempts (room for a slow failover),
      // well before the 20 s request timeout these nodes run with.
      assertTrue(
          tookMs < 12_000,
          "fails fast, not after retrying for the whole request timeout: " + tookMs + " ms");
      QdrantHttp.Reply stale =
          alone.send(
              "POST",
              "/collections/c3/points/query?consistency=any",
              "{\"query\":" + json(query) + ",\"limit\":10}");
      ok(stale);
      List<Integer> staleIds = new ArrayList<>();
      stale.result().get("points").forEach(p -> staleIds.add(p.get("id").asInt()));
      assertTop(
          c3, query, false, staleIds, "consistency=any answers without a majority, seed " + seed);
    }
  }

  private static void awaitReplicas(
      QdrantHttp h, Map<Integer, float[]> model, Set<Integer> deleted, long seed) throws Exception {
    List<Integer> ids = new ArrayList<>(model.keySet());
    ids.addAll(deleted);
    String request = "{\"with_vector\":true,\"with_payload\":false,\"ids\":" + ids + "}";
    Map<Integer, List<Double>> expected = new TreeMap<>();
    model.forEach((id, v) -> expected.put(id, asList(v)));
    Map<Integer, List<Double>> actual = null;
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      QdrantHttp.Reply r = h.send("POST", "/collections/c3/points?consistency=any", request);
      if (r.status() == 200) {
        actual = new TreeMap<>();
        for (JsonNode p : r.result()) {
          List<Double> v = new ArrayList<>();
          p.get("vector").forEach(x -> v.add(Math.round(x.asDouble() * 1e4) / 1e4));
          actual.put(p.get("id").asInt(), v);
        }
        if (actual.equals(expected)) {
          return;
        }
      }
      Thread.sleep(200);
    }
    Set<Integer> missing = new HashSet<>(expected.keySet());
    if (actual != null) {
      missing.removeAll(actual.keySet());
    }
    Set<Integer> resurrected = new HashSet<>(deleted);
    if (actual != null) {
      resurrected.retainAll(actual.keySet());
    }
    throw new AssertionError(
        "replicas read through "
            + h
            + " did not converge (seed "
            + seed
            + "): missing "
            + missing
            + ", resurrected "
            + resurrected);
  }

  private static List<Double> asList(float[] v) {
    List<Double> out = new ArrayList<>();
    for (float x : v) {
      out.add(Math.round(x * 1e4) / 1e4);
    }
    return out;
  }

  private static int leaderOf(List<QdrantHttp> http, String collection, int shard)
      throws Exception {
    for (int i = 0; i < http.size(); i++) {
      JsonNode local =
          http.get(i).get("/collections/" + collection + "/cluster").result().get("local_shards");
      for (JsonNode s : local) {
        if (s.get("shard_id").asInt() == shard && "Leader".equals(s.path("role").asText())) {
          return i;
        }
      }
    }
    throw new AssertionError("no leader for shard " + shard);
  }

  private static List<Integer> ids(QdrantHttp h, String collection, float[] query)
      throws Exception {
    QdrantHttp.Reply r =
        h.send(
            "POST",
            "/collections/" + collection + "/points/query",
            "{\"query\":" + json(query) + ",\"limit\":10}");
    ok(r);
    List<Integer> out = new ArrayList<>();
    r.result().get("points").forEach(p -> out.add(p.get("id").asInt()));
    return out;
  }

  /** The top 10 {@code actual} is the reference's, up to near-ties ({@link NearTies}). */
  private static void assertTop(
      Map<Integer, float[]> points, float[] q, boolean dot, List<Integer> actual, String context) {
    for (int id : actual) {
      assertTrue(
          points.containsKey(id), context + ": " + id + " was never acknowledged: " + actual);
    }
    NearTies.assertTop(
        expectedTop(points, q, 10, dot), actual, id -> score(points.get(id), q, dot), context);
  }

  /** The reference: exact scores over the acknowledged points, best first, ties by id. */
  private static List<Integer> expectedTop(
      Map<Integer, float[]> points, float[] q, int k, boolean dot) {
    List<Integer> ids = new ArrayList<>(points.keySet());
    Map<Integer, Double> score = new HashMap<>();
    for (int id : ids) {
      score.put(id, score(points.get(id), q, dot));
    }
    ids.sort(
        (a, b) -> {
          int c = Double.compare(score.get(a), score.get(b));
          return c != 0 ? c : Integer.compare(a, b);
        });
    return ids.subList(0, Math.min(k, ids.size()));
  }

  /** Lower is better: the squared distance, or the negated dot product. */
  private static double score(float[] v, float[] q, boolean dot) {
    double s = 0;
    for (int i = 0; i < DIM; i++) {
      s += dot ? q[i] * v[i] : (q[i] - v[i]) * (q[i] - v[i]);
    }
    return dot ? -s : s;
  }

  private static Map<Integer, float[]> randomPoints(Random random, int firstId, int n) {
    Map<Integer, float[]> points = new HashMap<>();
    for (int i = 0; i < n; i++) {
      points.put(firstId + i, vector(random));
    }
    return points;
  }

  private static float[] vector(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] =
          Math.round(random.nextFloat() * 1000)
              / 100f; // two decimals: exact in JSON, distinct scores likely
    }
    return v;
  }

  private static String body(Map<Integer, float[]> points) {
    StringBuilder s = new StringBuilder("{\"points\":[");
    boolean first = true;
    for (var e : points.entrySet()) {
      s.append(first ? "" : ",")
          .append("{\"id\":")
          .append(e.getKey())
          .append(",\"vector\":")
          .append(json(e.getValue()))
          .append(",\"payload\":{\"id\":")
          .append(e.getKey())
          .append("}}");
      first = false;
    }
    return s.append("]}").toString();
  }

  private static String json(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ",").append(v[i]);
    }
    return s.append("]").toString();
  }

  private static void ok(QdrantHttp.Reply r) {
    assertEquals(200, r.status(), r.raw());
  }
}
