package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replication_factor} means replicas: three node processes launched at once, a collection of
 * 3 shards with one replica each, a client writing all the time; {@code PATCH} raises the factor to
 * 2, then 3, then lowers it to 1, while a reader queries and counts through every node. After each
 * change the meta leader adds or drops replicas one membership change at a time until every shard
 * has exactly that many, all Active; then every acknowledged write is present exactly once and
 * every replica of every shard holds the same points ({@link ScalingCluster#checkReplicas}); no
 * write, query or count failed. A factor above the node count is refused by name.
 */
@Timeout(240)
class ReplicationFactorIT {

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path tmp;

  @Test
  void raisingAndLoweringTheReplicationFactorAddsAndDropsReplicasUnderWrites() throws Exception {
    try (ScalingCluster cluster = ScalingCluster.start(tmp, 3, Map.of())) {
      QdrantHttp http = cluster.http.get(0);
      QdrantHttp.Reply created =
          http.send(
              "PUT",
              "/collections/r",
              "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":3,\"replication_factor\":1}");
      assertEquals(200, created.status(), created.raw());
      try (ScalingCluster.Writer writer = new ScalingCluster.Writer(cluster.http, "r");
          ScalingCluster.Reader reader = new ScalingCluster.Reader(cluster.http, "r")) {
        Thread.sleep(1000);
        ScalingCluster.checkReplicas(cluster.http, "r", writer);

        for (int rf : new int[] {2, 3, 1}) {
          long started = System.nanoTime();
          QdrantHttp.Reply patched =
              http.send(
                  "PATCH", "/collections/r", "{\"params\":{\"replication_factor\":" + rf + "}}");
          assertEquals(200, patched.status(), patched.raw());
          JsonNode reported = cluster.http.get(2).get("/collections/r").result();
          assertEquals(
              rf,
              reported.at("/config/params/replication_factor").asInt(),
              "the factor is reported back");
          int expected = rf;
          Map<Integer, Set<Long>> placed =
              ScalingCluster.awaitPlacement(
                  cluster.http,
                  "r",
                  90_000,
                  p -> p.size() == 3 && p.values().stream().allMatch(s -> s.size() == expected));
          // rf 2 with a third node: each shard also has a witness (a voter without data) on the
          // node without its replicas, so no warning; other factors have none.
          JsonNode witnesses = http.get("/collections/r/cluster").result().path("quiver_witnesses");
          assertEquals(rf == 2 ? 3 : 0, witnesses.size(), witnesses.toString());
          for (JsonNode w : witnesses) {
            assertTrue(
                !placed.get(w.get("shard_id").asInt()).contains(w.get("peer_id").asLong()),
                witnesses + " " + placed);
          }
          JsonNode warnings = cluster.http.get(2).get("/collections/r").result().path("warnings");
          assertTrue(warnings.isEmpty(), warnings.toString());
          System.out.printf(
              "replication_factor -> %d: placement %s after %.1f s (%d points acknowledged so far)%n",
              rf, placed, (System.nanoTime() - started) / 1e9, writer.acknowledged.size());
          // The metadata agrees with the replicas that say they are Active.
          JsonNode info = http.get("/collections/r/cluster").result();
          int listed = info.get("local_shards").size() + info.get("remote_shards").size();
          assertEquals(3 * rf, listed, info.toString());
          ScalingCluster.checkReplicas(cluster.http, "r", writer);
        }
        assertTrue(
            writer.acknowledged.size() > 100,
            "the writer made progress: "
                + writer.acknowledged.size()
                + ", last failure "
                + writer.lastFailure());
        // Adding and dropping replicas is graceful: nothing a client sent failed meanwhile.
        ScalingCluster.assertNoFailures(writer, reader);
      }

      QdrantHttp.Reply tooMany =
          http.send("PATCH", "/collections/r", "{\"params\":{\"replication_factor\":4}}");
      assertEquals(400, tooMany.status(), tooMany.raw());
      assertTrue(tooMany.raw().contains("replication_factor"), tooMany.raw());
    }
  }
}
