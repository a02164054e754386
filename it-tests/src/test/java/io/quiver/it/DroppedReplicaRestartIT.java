package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node comes back with the data of a replica that was dropped while it was down: three node
 * processes launched at once, one shard with {@code replication_factor} 3 and a continuous writer;
 * one node is killed with SIGKILL, its replica dropped ({@code drop_replica}), points deleted and
 * more written without it, and then it is restarted on its old data directory, which still holds
 * the dropped group's log and shard. Whether it then deletes that directory (the metadata no longer
 * places the replica there) or reopens it (the meta leader is adding it back to reach 3 replicas),
 * it must never serve the old data: the shard ends with 3 identical replicas holding every
 * acknowledged point, and no node's own replica (consistency=any) returns a deleted point.
 */
@Timeout(300)
class DroppedReplicaRestartIT {

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path tmp;

  @Test
  void aReplicaDroppedWhileItsNodeWasDownNeverServesItsOldData() throws Exception {
    try (ScalingCluster cluster = ScalingCluster.start(tmp, 3, Map.of())) {
      QdrantHttp http = cluster.http.get(0);
      QdrantHttp.Reply created =
          http.send(
              "PUT",
              "/collections/d",
              "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":1,\"replication_factor\":3}");
      assertEquals(200, created.status(), created.raw());
      ScalingCluster.awaitPlacement(
          cluster.http, "d", 60_000, p -> p.size() == 1 && p.get(0).size() == 3);

      try (ScalingCluster.Writer writer = new ScalingCluster.Writer(cluster.http, "d")) {
        while (writer.acknowledged.size() < 200) {
          Thread.sleep(50);
        }
        QdrantHttp victim = cluster.http.get(2);
        long victimPeer = cluster.peerId(victim);
        writer.avoid(victim, true);
        writer.pause();
        cluster.nodes.get(2).kill9();
        writer.resume();

        QdrantHttp.Reply dropped =
            http.send(
                "POST",
                "/collections/d/cluster",
                "{\"drop_replica\":{\"shard_id\":0,\"peer_id\":" + victimPeer + "}}");
        assertEquals(200, dropped.status(), dropped.raw());
        Set<Integer> deleted = IntStream.range(0, 100).boxed().collect(Collectors.toSet());
        writer.pause();
        try {
          QdrantHttp.Reply removed =
              http.send(
                  "POST", "/collections/d/points/delete?wait=true", "{\"points\":" + deleted + "}");
          assertEquals(200, removed.status(), removed.raw());
          writer.acknowledged.removeAll(deleted);
        } finally {
          writer.resume();
        }
        int before = writer.acknowledged.size();
        while (writer.acknowledged.size() < before + 100) {
          Thread.sleep(50);
        }

        cluster.nodes.get(2).start("--bootstrap", "http://127.0.0.1:" + cluster.seedRaftPort);
        writer.avoid(victim, false);
        Map<Integer, Set<Long>> placed =
            ScalingCluster.awaitPlacement(
                cluster.http, "d", 120_000, p -> p.size() == 1 && p.get(0).size() == 3);
        assertTrue(placed.get(0).contains(victimPeer), "the node is a replica again: " + placed);
        // Which way the restarted node went: it deleted the dropped group, or reopened it.
        try (var lines = java.nio.file.Files.lines(cluster.nodes.get(2).log())) {
          lines
              .filter(l -> l.contains("removing shard group") || l.contains("adding shard group"))
              .forEach(l -> System.out.println("restarted node: " + l));
        }
        ScalingCluster.checkReplicas(cluster.http, "d", writer);
        for (QdrantHttp h : cluster.http) {
          QdrantHttp.Reply got =
              h.send(
                  "POST",
                  "/collections/d/points?consistency=any",
                  "{\"ids\":" + deleted + ",\"with_payload\":false}");
          assertEquals(200, got.status(), got.raw());
          JsonNode points = got.result();
          assertEquals(0, points.size(), h + " returned deleted points: " + got.raw());
        }
      }
    }
  }
}
