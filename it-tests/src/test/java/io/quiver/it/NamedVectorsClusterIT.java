package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Named vectors changed on a three-node cluster (2 shards, replication factor 3, the nodes launched
 * at once): while one node is killed with SIGKILL, a dense vector is dropped, another created,
 * points written with it, and vectors deleted from points by ids and by filter. The returning node
 * replays those entries (meta log and shard logs); then every node, reading its OWN replicas
 * ({@code consistency=any}), shows every point with exactly the vectors of the model, and the
 * collection's vectors are the same through every node. After all three are stopped and launched
 * again at once, the same holds.
 *
 * <p>Oracle: the names of each point's vectors, kept by the test.
 */
@Timeout(300)
class NamedVectorsClusterIT {

  private static final String C = "/collections/nvc";

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  private final TreeMap<Integer, Set<String>> names = new TreeMap<>();

  @Test
  void vectorChangesAreIdenticalOnEveryReplicaAfterRestarts() throws Exception {
    List<NodeProcess> nodes = NODES.startCluster(3, n -> {});
    List<QdrantHttp> http = nodes.stream().map(n -> new QdrantHttp(n.baseUrl())).toList();
    awaitPeers(http.get(0), 3);
    ok(
        http.get(1)
            .send(
                "PUT",
                C,
                "{\"vectors\":{\"a\":{\"size\":3,\"distance\":\"Dot\"},"
                    + "\"b\":{\"size\":2,\"distance\":\"Dot\"}},\"sparse_vectors\":{\"s\":{}},\"shard_number\":2,\"replication_factor\":3}"));
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 40; i++) {
      Set<String> has = new TreeSet<>();
      List<String> parts = new ArrayList<>();
      if (i % 2 == 0) {
        parts.add("\"a\":[" + (i % 5) + ",1,0]");
        has.add("a");
      }
      if (i % 3 != 1) {
        parts.add("\"b\":[1," + (i % 4) + "]");
        has.add("b");
      }
      if (i % 4 == 0) {
        parts.add("\"s\":{\"indices\":[" + (i % 7) + "],\"values\":[1]}");
        has.add("s");
      }
      names.put(i, has);
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":{")
          .append(String.join(",", parts))
          .append("},\"payload\":{\"g\":\"")
          .append(i % 2 == 0 ? "even" : "odd")
          .append("\"}}");
    }
    ok(http.get(0).send("PUT", C + "/points?wait=true", points.append("]}").toString()));
    assertEveryNodeShowsTheModel(http, List.of("a", "b"), "before the kill");

    nodes.get(2).kill9();
    ok(
        http.get(0)
            .send(
                "POST",
                C + "/points/vectors/delete?wait=true",
                "{\"points\":[0,1,2,3,4,5,6,7,8,9],\"vector\":[\"a\"]}"));
    for (int id = 0; id < 10; id++) {
      names.get(id).remove("a");
    }
    ok(http.get(1).send("DELETE", C + "/vectors/b?wait=true", null));
    names.values().forEach(has -> has.remove("b"));
    ok(
        http.get(0)
            .send(
                "PUT",
                C + "/vectors/c?wait=true",
                "{\"dense\":{\"size\":2,\"distance\":\"Dot\"}}"));
    ok(
        http.get(1)
            .send(
                "PUT",
                C + "/points?wait=true",
                "{\"points\":[{\"id\":40,\"vector\":{\"c\":[1,2]},"
                    + "\"payload\":{\"g\":\"even\"}},{\"id\":41,\"vector\":{\"c\":[2,1],\"s\":{\"indices\":[1],\"values\":[3]}},"
                    + "\"payload\":{\"g\":\"odd\"}}]}"));
    names.put(40, new TreeSet<>(Set.of("c")));
    names.put(41, new TreeSet<>(Set.of("c", "s")));
    ok(
        http.get(0)
            .send(
                "POST",
                C + "/points/vectors/delete?wait=true",
                "{\"filter\":{\"must\":[{\"key\":\"g\",\"match\":{\"value\":\"even\"}}]},\"vector\":[\"s\"]}"));
    names.forEach(
        (id, has) -> {
          if (id % 2 == 0) {
            has.remove("s");
          }
        });
    ok(
        http.get(1)
            .send(
                "PUT",
                C + "/points/vectors?wait=true",
                "{\"points\":[{\"id\":3,\"vector\":{\"c\":[5,5],\"s\":{\"indices\":[2],\"values\":[1]}}}]}"));
    names.get(3).addAll(List.of("c", "s"));

    nodes.get(2).start();
    awaitEveryNodeShowsTheModel(http, List.of("a", "c"), "after node 2 returned");

    for (NodeProcess n : nodes) {
      n.stop();
    }
    for (NodeProcess n : nodes) {
      n.launch(); // a restart: the data directory knows its cluster
    }
    for (NodeProcess n : nodes) {
      n.awaitReady();
    }
    awaitEveryNodeShowsTheModel(http, List.of("a", "c"), "after all three restarted at once");
  }

  private void awaitEveryNodeShowsTheModel(List<QdrantHttp> http, List<String> dense, String when)
      throws Exception {
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (true) {
      try {
        assertEveryNodeShowsTheModel(http, dense, when);
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(500); // a returning replica is still replaying its log
      }
    }
  }

  /**
   * Through every node, from its own replicas: each point's vectors, has_vector counts, the
   * collection's vectors.
   */
  private void assertEveryNodeShowsTheModel(List<QdrantHttp> http, List<String> dense, String when)
      throws Exception {
    for (int n = 0; n < http.size(); n++) {
      String at = when + ", node " + n;
      QdrantHttp.Reply r =
          http.get(n)
              .send(
                  "POST",
                  C + "/points/scroll?consistency=any",
                  "{\"limit\":100,\"with_vector\":true}");
      assertEquals(200, r.status(), at + ": " + r.raw());
      Map<Integer, Set<String>> seen = new TreeMap<>();
      for (JsonNode p : r.result().get("points")) {
        Set<String> has = new TreeSet<>();
        p.get("vector").fieldNames().forEachRemaining(has::add);
        seen.put(p.get("id").asInt(), has);
      }
      assertEquals(names, seen, at);
      for (String v : List.of("a", "c", "s")) {
        QdrantHttp.Reply count =
            http.get(n)
                .send(
                    "POST",
                    C + "/points/count?consistency=any",
                    "{\"exact\":true,\"filter\":{\"must\":[{\"has_vector\":\"" + v + "\"}]}}");
        assertEquals(200, count.status(), at + ": " + count.raw());
        assertEquals(
            names.values().stream().filter(h -> h.contains(v)).count(),
            count.result().get("count").asLong(),
            at + ": has_vector " + v);
      }
      QdrantHttp.Reply info = http.get(n).send("GET", C, null);
      assertEquals(200, info.status(), at + ": " + info.raw());
      Set<String> vectors = new TreeSet<>();
      info.result().at("/config/params/vectors").fieldNames().forEachRemaining(vectors::add);
      assertEquals(new TreeSet<>(dense), vectors, at + ": the collection's dense vectors");
    }
  }

  private static void awaitPeers(QdrantHttp http, int peers) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      QdrantHttp.Reply r = http.send("GET", "/cluster", null);
      if (r.status() == 200 && r.result().get("peers").size() == peers) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the cluster did not reach " + peers + " peers: " + r.raw());
      }
      Thread.sleep(200);
    }
  }

  private static void ok(QdrantHttp.Reply r) {
    assertEquals(200, r.status(), r.raw());
  }
}
