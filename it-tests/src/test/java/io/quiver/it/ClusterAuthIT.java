package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three nodes sharing one API key (and read-only key, JWTs on) form a cluster as before — they talk
 * Raft, not REST — and each enforces the keys: a replicated collection is written through one node
 * and read through the others with the keys, refused without; a JWT signed with the key works at
 * every node; and a node recovers a collection from another node's snapshot URL with Qdrant's
 * {@code api_key} field (the one REST call between nodes, made on the operator's behalf).
 */
@Timeout(240)
class ClusterAuthIT {

  private static final String RW = "rw-" + UUID.randomUUID();
  private static final String RO = "ro-" + UUID.randomUUID();

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void keyedClusterServesThroughEveryNode() throws Exception {
    List<NodeProcess> nodes =
        NODES.startCluster(
            3,
            n ->
                n.environment("QUIVER__SERVICE__API_KEY", RW)
                    .environment("QUIVER__SERVICE__READ_ONLY_API_KEY", RO)
                    .environment("QUIVER__SERVICE__JWT_RBAC", "true"));
    List<QdrantHttp> admin =
        nodes.stream().map(n -> new QdrantHttp(n.baseUrl(), Map.of("api-key", RW), null)).toList();
    List<QdrantHttp> reader =
        nodes.stream()
            .map(n -> new QdrantHttp(n.baseUrl(), Map.of("Authorization", "Bearer " + RO), null))
            .toList();
    assertEquals(3, admin.get(2).get("/cluster").result().get("peers").size());

    assertEquals(
        200,
        admin
            .get(0)
            .send(
                "PUT",
                "/collections/shared",
                "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,\"replication_factor\":3}")
            .status());
    assertEquals(
        200,
        admin
            .get(1)
            .send(
                "PUT",
                "/collections/shared/points?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[1,0]},{\"id\":2,\"vector\":[0,1]},{\"id\":3,\"vector\":[1,1]}]}")
            .status());
    String token =
        JWT.create()
            .withPayload(
                Map.of(
                    "exp",
                    Instant.now().plusSeconds(600).getEpochSecond(),
                    "access",
                    List.of(Map.of("collection", "shared", "access", "r"))))
            .sign(Algorithm.HMAC256(RW));
    for (int i = 0; i < 3; i++) {
      NodeProcess node = nodes.get(i);
      assertEquals(
          401,
          new QdrantHttp(node.baseUrl())
              .send("POST", "/collections/shared/points/count", "{}")
              .status(),
          "node " + i);
      assertEquals(
          3,
          reader
              .get(i)
              .send("POST", "/collections/shared/points/count", "{}")
              .result()
              .get("count")
              .asInt(),
          "node " + i);
      assertEquals(
          403,
          reader
              .get(i)
              .send(
                  "PUT",
                  "/collections/shared/points?wait=true",
                  "{\"points\":[{\"id\":9,\"vector\":[1,0]}]}")
              .status(),
          "node " + i);
      QdrantHttp jwt =
          new QdrantHttp(node.baseUrl(), Map.of("Authorization", "Bearer " + token), null);
      assertEquals(
          3,
          jwt.send("POST", "/collections/shared/points/count", "{}").result().get("count").asInt(),
          "node " + i);
    }

    // Node 2 recovers a copy from node 0's snapshot URL, which needs the key.
    String snapshot =
        admin
            .get(0)
            .send("POST", "/collections/shared/snapshots", null)
            .result()
            .get("name")
            .asText();
    String location = nodes.get(0).baseUrl() + "/collections/shared/snapshots/" + snapshot;
    QdrantHttp.Reply withoutKey =
        admin
            .get(2)
            .send(
                "PUT",
                "/collections/copy/snapshots/recover",
                "{\"location\":\"" + location + "\"}");
    assertEquals(
        400, withoutKey.status(), "the download itself is refused 401: " + withoutKey.raw());
    assertEquals(
        200,
        admin
            .get(2)
            .send(
                "PUT",
                "/collections/copy/snapshots/recover",
                "{\"location\":\"" + location + "\",\"api_key\":\"" + RW + "\"}")
            .status());
    assertEquals(
        3,
        reader
            .get(1)
            .send("POST", "/collections/copy/points/count", "{}")
            .result()
            .get("count")
            .asInt());
  }
}
