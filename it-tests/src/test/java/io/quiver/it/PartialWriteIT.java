package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Partial writes and their errors: 2 nodes, a collection of 2 shards with replication factor 1, so
 * each node holds the only replica of one shard. The node that holds one of them is killed with
 * SIGKILL (by PID); a batch upsert of 20 points through the other node spans both shards and
 * answers 503, its message naming the shard and the cause in words, and listing which shard and
 * points were applied and which were not. The applied points are readable; no error body names a
 * Java class.
 */
@Timeout(120)
class PartialWriteIT {

  private static final Pattern CLASS_NAME =
      Pattern.compile("\\w+(Exception|Error)\\b|\\w+\\$\\w+|org\\.apache|java\\.|io\\.netty");
  private static final Pattern PART =
      Pattern.compile("(not )?applied: shard (\\d+) \\(points ([0-9, ]+)\\)");

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void aBatchOverALostShardSaysWhatWasApplied() throws Exception {
    List<NodeProcess> nodes = NODES.startCluster(2, n -> {});
    QdrantHttp survivor = new QdrantHttp(nodes.get(1).baseUrl());
    QdrantHttp.Reply created =
        survivor.send(
            "PUT",
            "/collections/c",
            "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,\"replication_factor\":1}");
    assertEquals(200, created.status(), created.raw());
    JsonNode local = survivor.get("/collections/c/cluster").result().get("local_shards");
    assertEquals(1, local.size(), "each node holds one shard: " + local);
    int kept = local.get(0).get("shard_id").asInt();
    int lost = 1 - kept;

    nodes.get(0).kill9();
    long started = System.nanoTime();
    StringBuilder points = new StringBuilder();
    for (int id = 1; id <= 20; id++) {
      points
          .append(id == 1 ? "" : ",")
          .append("{\"id\":")
          .append(id)
          .append(",\"vector\":[1,")
          .append(id)
          .append("]}");
    }
    QdrantHttp.Reply write =
        survivor.send("PUT", "/collections/c/points?wait=true", "{\"points\":[" + points + "]}");
    double seconds = (System.nanoTime() - started) / 1e9;
    assertEquals(503, write.status(), write.raw());
    String message = write.body().get("status").get("error").asText();
    assertTrue(write.body().has("time"), write.raw());
    assertTrue(
        message.startsWith("shard " + lost + " of collection `c` is unavailable: "), message);
    assertNoClassName(write.raw());

    TreeSet<Integer> applied = new TreeSet<>();
    TreeSet<Integer> notApplied = new TreeSet<>();
    Matcher m = PART.matcher(message);
    while (m.find()) {
      int shard = Integer.parseInt(m.group(2));
      TreeSet<Integer> side = m.group(1) == null ? applied : notApplied;
      assertEquals(m.group(1) == null ? kept : lost, shard, message);
      for (String id : m.group(3).split(", ")) {
        side.add(Integer.parseInt(id.strip()));
      }
    }
    assertFalse(applied.isEmpty(), message);
    assertFalse(notApplied.isEmpty(), message);
    TreeSet<Integer> all = new TreeSet<>(applied);
    all.addAll(notApplied);
    assertEquals(20, all.size(), "every point is listed once: " + message);
    assertEquals(20, applied.size() + notApplied.size(), message);

    QdrantHttp.Reply read =
        survivor.send("POST", "/collections/c/points", "{\"ids\":" + applied + "}");
    assertEquals(200, read.status(), read.raw());
    assertEquals(
        applied.size(), read.result().size(), "the applied points are readable: " + read.raw());

    for (QdrantHttp.Reply failed :
        List.of(
            survivor.send("POST", "/collections/c/points/count", "{\"exact\":true}"),
            survivor.send("POST", "/collections/c/points/query", "{\"query\":[1,1],\"limit\":3}"),
            survivor.send(
                "POST",
                "/collections/c/points/delete?wait=true",
                "{\"points\":" + notApplied + "}"))) {
      assertEquals(503, failed.status(), failed.raw());
      assertTrue(
          failed.body().get("status").get("error").asText().contains("shard " + lost),
          failed.raw());
      assertNoClassName(failed.raw());
    }
    System.out.printf("PartialWriteIT: 503 after %.1f s: %s%n", seconds, message);
  }

  private static void assertNoClassName(String body) {
    assertFalse(CLASS_NAME.matcher(body).find(), "a Java class name reaches the user: " + body);
  }
}
