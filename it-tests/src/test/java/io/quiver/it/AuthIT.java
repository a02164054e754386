package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API keys and JWTs against a real node started with {@code QUIVER__SERVICE__API_KEY}, {@code
 * QUIVER__SERVICE__READ_ONLY_API_KEY} and {@code QUIVER__SERVICE__JWT_RBAC}. Every operation of
 * Qdrant's OpenAPI files is tried without a key and with wrong ones (401), with the read-only key
 * (403 exactly for the writes listed here, independently of the node's own table), and with the
 * read-write key; then JWT claims: {@code exp}, {@code access} global and per collection (listings
 * filtered), {@code value_exists} (revoked by deleting the point).
 */
@Timeout(300)
class AuthIT {

  private static final String RW = "rw-" + UUID.randomUUID();
  private static final String RO = "ro-" + UUID.randomUUID();
  private static final Set<String> OPEN = Set.of("GET /healthz", "GET /livez", "GET /readyz");
  private static final String C = "/collections/{collection_name}";
  private static final String P = C + "/points";

  /** The writes, as an operator reads the API: the oracle for the read-only key. */
  private static final Set<String> WRITES =
      Set.of(
          "PUT " + C,
          "PATCH " + C,
          "DELETE " + C,
          "POST /collections/aliases",
          "PUT " + P,
          "POST " + P + "/delete",
          "POST " + P + "/payload",
          "PUT " + P + "/payload",
          "POST " + P + "/payload/delete",
          "POST " + P + "/payload/clear",
          "PUT " + P + "/vectors",
          "POST " + P + "/vectors/delete",
          "POST " + P + "/batch",
          "PUT " + C + "/index",
          "DELETE " + C + "/index/{field_name}",
          "POST " + C + "/snapshots",
          "DELETE " + C + "/snapshots/{snapshot_name}",
          "PUT " + C + "/snapshots/recover",
          "POST " + C + "/snapshots/upload",
          "POST /snapshots",
          "DELETE /snapshots/{snapshot_name}",
          "POST " + C + "/cluster",
          "DELETE /cluster/peer/{peer_id}",
          "PUT " + C + "/vectors/{vector_name}",
          "DELETE " + C + "/vectors/{vector_name}");

  private static final Map<String, String> PATH_VALUES =
      Map.of(
          "collection_name",
          "walk",
          "id",
          "1",
          "snapshot_name",
          "missing.snapshot",
          "field_name",
          "f",
          "peer_id",
          "987654321",
          "shard_id",
          "0",
          "key",
          "k",
          "alias_name",
          "a",
          "vector_name",
          "v");

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();
  private static NodeProcess node;
  private static QdrantHttp anonymous;
  private static QdrantHttp admin;

  @BeforeAll
  static void start() throws Exception {
    node =
        NODES.start(
            n ->
                n.environment("QUIVER__SERVICE__API_KEY", RW)
                    .environment("QUIVER__SERVICE__READ_ONLY_API_KEY", RO)
                    .environment("QUIVER__SERVICE__JWT_RBAC", "true"));
    anonymous = new QdrantHttp(node.baseUrl());
    admin = anonymous.withHeaders(Map.of("api-key", RW));
  }

  @Test
  void everyOperationAnswers401WithoutAValidKey() throws Exception {
    List<String> wrong = new ArrayList<>();
    Set<String> operations = new TreeSet<>(OpenApiContract.load().operations());
    operations.addAll(OPEN);
    List<QdrantHttp> callers =
        List.of(
            anonymous,
            anonymous.withHeaders(Map.of("api-key", "nope")),
            anonymous.withHeaders(Map.of("Authorization", "Bearer nope")),
            anonymous.withHeaders(Map.of("api-key", RW + "x")),
            anonymous.withHeaders(Map.of("Authorization", RW)), // no "Bearer " scheme
            anonymous.withHeaders(Map.of("api-key", "a.b.c"))); // shaped like a JWT, not one
    for (String operation : operations) {
      for (QdrantHttp caller : callers) {
        QdrantHttp.Reply r = send(caller, operation);
        int expected = OPEN.contains(operation) ? 200 : 401;
        if (r.status() != expected) {
          wrong.add(operation + " -> " + r.status() + " " + r.raw());
        } else if (expected == 401
            && (r.body() == null || !r.body().at("/status/error").isTextual())) {
          wrong.add(operation + " -> 401 without Qdrant's error envelope: " + r.raw());
        }
      }
    }
    assertTrue(wrong.isEmpty(), "not 401 without a valid key:\n" + String.join("\n", wrong));
    assertEquals(
        "Must provide an API key or an Authorization bearer token",
        anonymous.get("/collections").body().at("/status/error").asText());
    assertEquals(
        "Invalid API key or JWT",
        anonymous
            .withHeaders(Map.of("api-key", "nope"))
            .get("/collections")
            .body()
            .at("/status/error")
            .asText());
    assertEquals(
        200,
        anonymous
            .withHeaders(Map.of("Authorization", "Bearer " + RW))
            .get("/collections")
            .status());
    System.out.println(
        "AuthIT: "
            + operations.size()
            + " operations x "
            + callers.size()
            + " callers answered 401 (health checks 200)");
  }

  @Test
  void readOnlyKeyReadsAndCannotWriteReadWriteKeyDoesAll() throws Exception {
    QdrantHttp reader = anonymous.withHeaders(Map.of("api-key", RO));
    List<String> wrong = new ArrayList<>();
    int writes = 0;
    int reads = 0;
    for (String operation : new TreeSet<>(OpenApiContract.load().operations())) {
      prepareWalk();
      QdrantHttp.Reply r = send(reader, operation);
      if (unserved(r)) {
        continue;
      }
      if (WRITES.contains(operation)) {
        writes++;
        if (r.status() != 403) {
          wrong.add("read-only " + operation + " -> " + r.status() + " (want 403) " + r.raw());
        }
      } else {
        reads++;
        if (r.status() == 401 || r.status() == 403) {
          wrong.add("read-only " + operation + " -> " + r.status() + " (a read) " + r.raw());
        }
      }
      prepareWalk();
      QdrantHttp.Reply full = send(admin, operation);
      if (full.status() == 401 || full.status() == 403) {
        wrong.add("read-write " + operation + " -> " + full.status() + " " + full.raw());
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    assertTrue(
        writes >= WRITES.size() - 2 && reads > 20, "served writes " + writes + ", reads " + reads);
    assertEquals(
        "Forbidden: Global manage access is required",
        reader
            .send("PUT", "/collections/walk/points?wait=true", "{\"points\":[]}")
            .body()
            .at("/status/error")
            .asText());
    System.out.println(
        "AuthIT: read-only key: " + writes + " writes answered 403, " + reads + " reads served");
  }

  @Test
  void jwtClaimsGrantWhatTheySay() throws Exception {
    for (String c : List.of("alpha", "beta", "users")) {
      admin.send("DELETE", "/collections/" + c, null);
      assertEquals(
          200,
          admin
              .send("PUT", "/collections/" + c, "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}")
              .status());
      assertEquals(
          200,
          admin
              .send(
                  "PUT",
                  "/collections/" + c + "/points?wait=true",
                  "{\"points\":[{\"id\":1,\"vector\":[1,2],\"payload\":{\"user\":\"ann\",\"level\":3}}]}")
              .status());
    }
    assertEquals(
        200,
        admin
            .send(
                "POST",
                "/collections/aliases",
                "{\"actions\":[{\"create_alias\":{\"collection_name\":\"users\",\"alias_name\":\"people\"}}]}")
            .status());
    Instant later = Instant.now().plusSeconds(600);
    String upsert = "{\"points\":[{\"id\":2,\"vector\":[3,4]}]}";
    String query = "{\"query\":[1,1],\"limit\":1}";

    // Global read: reads yes, writes 403.
    QdrantHttp reader = bearer(token(Map.of("exp", later.getEpochSecond(), "access", "r"), RW));
    assertEquals(200, reader.send("POST", "/collections/alpha/points/query", query).status());
    assertEquals(403, reader.send("PUT", "/collections/alpha/points?wait=true", upsert).status());
    assertEquals(403, reader.send("DELETE", "/collections/alpha", null).status());

    // Manage, and a token without access (full access, as Qdrant).
    assertEquals(
        200,
        bearer(token(Map.of("exp", later.getEpochSecond(), "access", "m"), RW))
            .send("PUT", "/collections/alpha/points?wait=true", upsert)
            .status());
    assertEquals(
        200,
        bearer(token(Map.of("exp", later.getEpochSecond()), RW))
            .send("PUT", "/collections/alpha/points?wait=true", upsert)
            .status());

    // exp: required, and an expired token (past the 30 s leeway) is refused.
    assertEquals(401, bearer(token(Map.of("access", "m"), RW)).get("/collections").status());
    QdrantHttp.Reply expired =
        bearer(token(Map.of("exp", Instant.now().minusSeconds(120).getEpochSecond()), RW))
            .get("/collections");
    assertEquals(403, expired.status(), expired.raw());
    // Signed with another secret (here the read-only key): 403; not HS256 ("none"): 401.
    assertEquals(
        403, bearer(token(Map.of("exp", later.getEpochSecond()), RO)).get("/collections").status());
    assertEquals(
        401,
        bearer(
                JWT.create()
                    .withPayload(Map.of("exp", later.getEpochSecond()))
                    .sign(Algorithm.none()))
            .get("/collections")
            .status());
    // Malformed claims: 401 naming the claim.
    QdrantHttp.Reply badAccess =
        bearer(token(Map.of("exp", later.getEpochSecond(), "access", "rw"), RW))
            .get("/collections");
    assertEquals(401, badAccess.status());
    assertTrue(badAccess.body().at("/status/error").asText().contains("access"), badAccess.raw());

    // Per-collection access: alpha read-write, beta read, nothing else.
    QdrantHttp limited =
        bearer(
            token(
                Map.of(
                    "exp",
                    later.getEpochSecond(),
                    "access",
                    List.of(
                        Map.of("collection", "alpha", "access", "rw"),
                        Map.of("collection", "beta", "access", "r"))),
                RW));
    QdrantHttp.Reply listed = limited.get("/collections");
    assertEquals(200, listed.status());
    Set<String> names = new TreeSet<>();
    listed.result().get("collections").forEach(c -> names.add(c.get("name").asText()));
    assertEquals(Set.of("alpha", "beta"), names, "listing shows only the allowed collections");
    assertEquals(
        0, limited.get("/aliases").result().get("aliases").size(), "alias of users hidden");
    assertEquals(200, limited.send("PUT", "/collections/alpha/points?wait=true", upsert).status());
    assertEquals(200, limited.send("POST", "/collections/alpha/points/query", query).status());
    assertEquals(200, limited.send("POST", "/collections/beta/points/scroll", "{}").status());
    assertEquals(200, limited.get("/collections/beta").status());
    QdrantHttp.Reply betaWrite = limited.send("PUT", "/collections/beta/points?wait=true", upsert);
    assertEquals(403, betaWrite.status());
    assertEquals(
        "Forbidden: Write access to collection beta is required",
        betaWrite.body().at("/status/error").asText());
    assertEquals(403, limited.send("POST", "/collections/users/points/query", query).status());
    assertEquals(403, limited.get("/collections/users").status());
    assertEquals(
        403,
        limited.send("POST", "/collections/people/points/scroll", "{}").status(),
        "alias of a collection not granted");
    assertEquals(
        403,
        limited.send("DELETE", "/collections/alpha", null).status(),
        "managing a collection needs \"m\"");
    assertEquals(
        403,
        limited
            .send("PUT", "/collections/gamma", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}")
            .status());
    assertEquals(403, limited.get("/cluster").status());
    assertEquals(403, limited.get("/telemetry").status());
    QdrantHttp.Reply lookup =
        limited.send(
            "POST",
            "/collections/alpha/points/query",
            "{\"query\":1,\"lookup_from\":{\"collection\":\"users\"},\"limit\":1}");
    assertEquals(
        403, lookup.status(), "lookup_from another collection needs access to it: " + lookup.raw());
    assertEquals(
        404,
        limited.get("/collections/alpha/points/12345").status(),
        "a missing point is still a 404");

    // value_exists: valid while a point of users has user = ann; revoked when it is gone.
    QdrantHttp checked =
        bearer(
            token(
                Map.of(
                    "exp",
                    later.getEpochSecond(),
                    "access",
                    "r",
                    "value_exists",
                    Map.of(
                        "collection",
                        "users",
                        "matches",
                        List.of(
                            Map.of("key", "user", "value", "ann"),
                            Map.of("key", "level", "value", 3)))),
                RW));
    assertEquals(200, checked.get("/collections/alpha").status());
    QdrantHttp other =
        bearer(
            token(
                Map.of(
                    "exp",
                    later.getEpochSecond(),
                    "access",
                    "r",
                    "value_exists",
                    Map.of(
                        "collection",
                        "users",
                        "matches",
                        List.of(Map.of("key", "user", "value", "bob")))),
                RW));
    assertEquals(401, other.get("/collections/alpha").status());
    QdrantHttp missing =
        bearer(
            token(
                Map.of(
                    "exp",
                    later.getEpochSecond(),
                    "access",
                    "r",
                    "value_exists",
                    Map.of(
                        "collection",
                        "nobody",
                        "matches",
                        List.of(Map.of("key", "user", "value", "ann")))),
                RW));
    assertEquals(403, missing.get("/collections/alpha").status());
    assertEquals(
        200,
        admin
            .send("POST", "/collections/users/points/delete?wait=true", "{\"points\":[1]}")
            .status());
    assertEquals(
        401, checked.get("/collections/alpha").status(), "token revoked by deleting its point");
  }

  @Test
  void keysNeverReachTheLog() throws Exception {
    admin.get("/collections");
    anonymous.withHeaders(Map.of("api-key", RO + "-wrong")).get("/collections");
    String log = Files.readString(node.log());
    assertTrue(
        log.contains("REST API authentication: read-write key set, read-only key set, JWT on"),
        "startup line");
    assertFalse(log.contains(RW), "the read-write key is in the log");
    assertFalse(log.contains(RO), "the read-only key is in the log");
  }

  private static QdrantHttp bearer(String token) {
    return anonymous.withHeaders(Map.of("Authorization", "Bearer " + token));
  }

  private static String token(Map<String, ?> claims, String secret) {
    return JWT.create().withPayload(claims).sign(Algorithm.HMAC256(secret));
  }

  private static void prepareWalk() throws Exception {
    admin.send("PUT", "/collections/walk", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
    admin.send(
        "PUT",
        "/collections/walk/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":[1,2],\"payload\":{\"k\":\"v\"}}]}");
  }

  private static boolean unserved(QdrantHttp.Reply r) {
    String error = r.body() == null ? "" : r.body().at("/status/error").asText("");
    return (r.status() == 404 && error.startsWith("Not found: no API at")) || r.status() == 405;
  }

  private static QdrantHttp.Reply send(QdrantHttp caller, String operation) throws Exception {
    String method = operation.substring(0, operation.indexOf(' '));
    String path = operation.substring(operation.indexOf(' ') + 1);
    for (Map.Entry<String, String> e : PATH_VALUES.entrySet()) {
      path = path.replace("{" + e.getKey() + "}", e.getValue());
    }
    path = path.replaceAll("\\{[^}]+}", "x");
    return caller.send(method, path, method.equals("GET") || method.equals("DELETE") ? null : "{}");
  }
}
