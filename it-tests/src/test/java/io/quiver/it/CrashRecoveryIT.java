package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability of acknowledged writes: a node is killed with SIGKILL right after a {@code wait=true}
 * write is acknowledged, restarted on the same data directory, and must serve exactly what was
 * acknowledged — every upserted point with its last payload, no deleted point. The snapshot
 * threshold is low so that restarts go through snapshots plus log replay, not only replay.
 */
@Timeout(300)
class CrashRecoveryIT {

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @TempDir Path tmp; // the config file

  @Test
  void acknowledgedWritesSurviveKill9() throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    Path config = tmp.resolve("config.yaml");
    Files.writeString(config, "cluster:\n  consensus:\n    snapshot_threshold: 40\n");
    NodeProcess node = NODES.node("data"); // every start on its data and ports
    Map<Integer, Integer> model = new HashMap<>(); // id -> payload value, for acknowledged writes
    Set<Integer> deleted = new HashSet<>();

    for (int round = 0; round < 3; round++) {
      node.start("--config", config.toString());
      QdrantHttp http = new QdrantHttp(node.baseUrl());
      if (round == 0) {
        assertEquals(
            200,
            http.send(
                    "PUT",
                    "/collections/durable",
                    "{\"vectors\":{\"size\":8,\"distance\":\"Euclid\"},\"shard_number\":2}")
                .status());
      } else {
        assertState(http, model, deleted, "after kill -9 #" + round + " (seed " + seed + ")");
      }
      for (int batch = 0; batch < 60; batch++) {
        if (random.nextInt(5) == 0 && !model.isEmpty()) {
          List<Integer> ids = new ArrayList<>(model.keySet());
          int victim = ids.get(random.nextInt(ids.size()));
          assertEquals(
              200,
              http.send(
                      "POST",
                      "/collections/durable/points/delete?wait=true",
                      "{\"points\":[" + victim + "]}")
                  .status());
          model.remove(victim);
          deleted.add(victim);
          continue;
        }
        StringBuilder body = new StringBuilder("{\"points\":[");
        Map<Integer, Integer> written = new HashMap<>();
        for (int i = 0; i < 20; i++) {
          int id = random.nextInt(2000);
          int value = random.nextInt(1_000_000);
          written.put(id, value);
          body.append(i == 0 ? "" : ",")
              .append("{\"id\":")
              .append(id)
              .append(",\"vector\":")
              .append(vector(id))
              .append(",\"payload\":{\"v\":")
              .append(value)
              .append("}}");
        }
        body.append("]}");
        QdrantHttp.Reply r =
            http.send("PUT", "/collections/durable/points?wait=true", body.toString());
        assertEquals(200, r.status(), r.raw());
        // Within one request a repeated id keeps its last occurrence, as the map does.
        model.putAll(written);
        deleted.removeAll(written.keySet());
      }
      node.kill9();
    }
    node.start("--config", config.toString());
    assertState(
        new QdrantHttp(node.baseUrl()), model, deleted, "final restart (seed " + seed + ")");
  }

  private static String vector(int id) {
    StringBuilder v = new StringBuilder("[");
    for (int d = 0; d < 8; d++) {
      v.append(d == 0 ? "" : ",").append((id * 31 + d * 7) % 100 / 10.0);
    }
    return v.append("]").toString();
  }

  private static void assertState(
      QdrantHttp http, Map<Integer, Integer> model, Set<Integer> deleted, String when)
      throws Exception {
    QdrantHttp.Reply count = http.send("POST", "/collections/durable/points/count", "{}");
    assertEquals(model.size(), count.result().get("count").asInt(), "point count " + when);
    StringBuilder ids = new StringBuilder("{\"with_payload\":true,\"ids\":[");
    List<Integer> all = new ArrayList<>(model.keySet());
    all.addAll(deleted);
    for (int i = 0; i < all.size(); i++) {
      ids.append(i == 0 ? "" : ",").append(all.get(i));
    }
    JsonNode records =
        http.send("POST", "/collections/durable/points", ids.append("]}").toString()).result();
    Map<Integer, Integer> found = new HashMap<>();
    records.forEach(r -> found.put(r.get("id").asInt(), r.at("/payload/v").asInt()));
    assertEquals(
        model,
        found,
        "acknowledged upserts present with their last payload, deletes absent, " + when);
    assertTrue(records.size() == model.size(), when);
  }
}
