package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Shard-group leadership moving all the time under a continuous write and query load. Three node
 * processes launched at once; a collection of 2 shards with 3 replicas and one of 2 shards with 2
 * replicas (each shard also has a witness); a writer ({@link ScalingCluster.Writer}) and a reader
 * (queries and exact counts) per collection, through every node in turn; and, every ~300 ms,
 * leadership of a random shard passed to another of its data replicas ({@code transfer_leader}, a
 * Quiver extension of {@code POST /collections/{c}/cluster}), for 20 s ({@code
 * -Dquiver.it.leaderSoakSeconds=N} for a longer soak).
 *
 * <p>Afterwards: every transfer answered {@code true} and its target led the group right after; no
 * write and no query failed (a leadership transfer is graceful: requests in flight at the old
 * leader are retried at the new one, inside the shard client's budget); every acknowledged write is
 * present exactly once and every replica of every shard is identical ({@link
 * ScalingCluster#checkReplicas}). A transfer to a node without a data replica (the witness) is
 * refused with a 400 naming the replicas.
 */
@Timeout(600)
class LeaderTransferSoakIT {

  @RegisterExtension final QuiverNodes nodes = new QuiverNodes();

  @Test
  void shardLeadersMovingUnderLoadLoseNoWriteAndFailNoRequest() throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    int seconds = Integer.getInteger("quiver.it.leaderSoakSeconds", 20);
    List<NodeProcess> cluster = nodes.startCluster(3, n -> {});
    List<QdrantHttp> http = cluster.stream().map(n -> new QdrantHttp(n.baseUrl())).toList();
    Map<String, Integer> factors = Map.of("rf3", 3, "rf2", 2);
    for (var e : factors.entrySet()) {
      QdrantHttp.Reply created =
          http.get(0)
              .send(
                  "PUT",
                  "/collections/" + e.getKey(),
                  "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,"
                      + "\"replication_factor\":"
                      + e.getValue()
                      + "}");
      assertEquals(200, created.status(), created.raw());
    }
    List<Long> peers = new ArrayList<>();
    for (QdrantHttp h : http) {
      peers.add(h.get("/cluster").result().get("peer_id").asLong());
    }

    List<ScalingCluster.Writer> writers = new ArrayList<>();
    List<ScalingCluster.Reader> readers = new ArrayList<>();
    int transfers = 0;
    List<String> refusedTransfers = new ArrayList<>();
    try {
      for (String c : factors.keySet()) {
        writers.add(new ScalingCluster.Writer(http, c));
        readers.add(new ScalingCluster.Reader(http, c));
      }
      Thread.sleep(1000);
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        String c = random.nextBoolean() ? "rf3" : "rf2";
        int shard = random.nextInt(2);
        Placement p = placement(http, c, shard);
        List<Long> others = new ArrayList<>(p.replicas);
        others.remove(p.leader);
        if (p.leader == null || others.isEmpty()) {
          Thread.sleep(100); // an election in progress: ask again
          continue;
        }
        long to = others.get(random.nextInt(others.size()));
        QdrantHttp via = http.get(random.nextInt(http.size()));
        QdrantHttp.Reply moved =
            via.send(
                "POST",
                "/collections/" + c + "/cluster",
                "{\"transfer_leader\":{\"shard_id\":" + shard + ",\"to_peer_id\":" + to + "}}");
        if (moved.status() != 200) {
          refusedTransfers.add(c + "/" + shard + " -> " + to + ": " + moved.raw());
        } else {
          transfers++;
          Long now = placement(http, c, shard).leader;
          assertEquals(
              to,
              now,
              "shard " + shard + " of " + c + " is led by the transfer's target, seed " + seed);
        }
        Thread.sleep(200 + random.nextInt(200));
      }

      // The witness of an rf-2 shard never leads: a transfer to it is refused by name.
      Placement rf2 = placement(http, "rf2", 0);
      Set<Long> witnessNodes = new TreeSet<>(peers);
      witnessNodes.removeAll(rf2.replicas);
      assertEquals(1, witnessNodes.size(), "the rf-2 shard's witness node " + rf2.replicas);
      QdrantHttp.Reply toWitness =
          http.get(0)
              .send(
                  "POST",
                  "/collections/rf2/cluster",
                  "{\"transfer_leader\":{\"shard_id\":0,\"to_peer_id\":"
                      + witnessNodes.iterator().next()
                      + "}}");
      assertEquals(400, toWitness.status(), toWitness.raw());
      assertTrue(toWitness.raw().contains("holds no data replica"), toWitness.raw());

      for (ScalingCluster.Writer w : writers) {
        ScalingCluster.checkReplicas(http, w.collection(), w);
      }
    } finally {
      for (ScalingCluster.Writer w : writers) {
        w.close();
      }
      for (ScalingCluster.Reader r : readers) {
        r.close();
      }
    }
    int written = writers.stream().mapToInt(w -> w.acknowledged.size()).sum();
    int read = readers.stream().mapToInt(r -> r.answered.get()).sum();
    System.out.printf(
        "leader soak (%d s, seed %d): %d transfers, %d refused, %d points written, %d queries"
            + " answered%n",
        seconds, seed, transfers, refusedTransfers.size(), written, read);
    List<String> problems = new ArrayList<>();
    if (!refusedTransfers.isEmpty()) {
      problems.add("transfers refused: " + refusedTransfers);
    }
    if (transfers < seconds) {
      problems.add(transfers + " transfers in " + seconds + " s");
    }
    for (ScalingCluster.Writer w : writers) {
      if (!w.failures.isEmpty()) {
        problems.add(w.collection() + ": writes failed: " + List.copyOf(w.failures));
      }
      if (w.acknowledged.size() <= 100) {
        problems.add(w.collection() + " wrote only " + w.acknowledged.size());
      }
    }
    for (ScalingCluster.Reader r : readers) {
      if (!r.failures.isEmpty()) {
        problems.add(r.collection + ": queries failed: " + List.copyOf(r.failures));
      }
      if (r.answered.get() <= 100) {
        problems.add(r.collection + " answered only " + r.answered.get());
      }
    }
    assertTrue(problems.isEmpty(), "seed " + seed + ": " + problems);
  }

  /** A shard's data replicas and the node whose replica says it leads (null: none now). */
  private record Placement(Set<Long> replicas, Long leader) {}

  private static Placement placement(List<QdrantHttp> http, String collection, int shard)
      throws Exception {
    Set<Long> replicas = new TreeSet<>();
    Long leader = null;
    for (QdrantHttp h : http) {
      JsonNode info = h.get("/collections/" + collection + "/cluster").result();
      for (JsonNode s : info.get("local_shards")) {
        if (s.get("shard_id").asInt() == shard) {
          replicas.add(info.get("peer_id").asLong());
          if ("Leader".equals(s.path("role").asText())) {
            leader = info.get("peer_id").asLong();
          }
        }
      }
    }
    return new Placement(replicas, leader);
  }
}
