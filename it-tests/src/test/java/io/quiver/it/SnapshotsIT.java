package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Collection snapshots through REST on a real node: create, list, download, delete, and three ways
 * back — recover from a file:// location after the collection was deleted, upload (multipart) into
 * a new collection, and recover from an http:// URL. Each restored collection must hold exactly the
 * points, payloads and vectors of the original (compared through scroll), and every JSON body
 * validates against Qdrant's spec.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class SnapshotsIT {

  @RegisterExtension static final QuiverNodes NODES = new QuiverNodes();

  private NodeProcess node;
  private SpecClient api;

  @BeforeAll
  void start() throws Exception {
    node = NODES.start();
    api = new SpecClient(node.baseUrl());
  }

  @Test
  void snapshotRoundTripsRestoreTheCollectionExactly() throws Exception {
    api.call(
        "PUT",
        "/collections/{collection_name}",
        "/collections/src",
        "{\"vectors\":{\"a\":{\"size\":3,\"distance\":\"Euclid\"},\"b\":{\"size\":2,\"distance\":\"Dot\"}},\"shard_number\":3,"
            + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\",\"quantile\":0.99,\"always_ram\":true}},"
            + "\"strict_mode_config\":{\"enabled\":true,\"max_query_limit\":1000}}",
        200);
    JsonNode sourceConfig =
        api.call("GET", "/collections/{collection_name}", "/collections/src", null, 200)
            .result()
            .get("config");
    Random random = new Random(7);
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 2500; i++) {
      String id = i % 10 == 0 ? "\"" + new java.util.UUID(1, i) + "\"" : Integer.toString(i);
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(id)
          .append(",\"vector\":{\"a\":[")
          .append(random.nextFloat())
          .append(',')
          .append(random.nextFloat())
          .append(',')
          .append(random.nextFloat())
          .append("],\"b\":[")
          .append(random.nextFloat())
          .append(',')
          .append(random.nextFloat())
          .append("]},")
          .append("\"payload\":{\"i\":")
          .append(i)
          .append(",\"tags\":[\"x")
          .append(i % 7)
          .append("\"],\"nested\":{\"f\":")
          .append(i / 3.0)
          .append("}}}");
    }
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/src/points?wait=true",
        points.append("]}").toString(),
        200);
    String original = everything("src");

    JsonNode created =
        api.call(
                "POST",
                "/collections/{collection_name}/snapshots",
                "/collections/src/snapshots",
                null,
                200)
            .result();
    String name = created.get("name").asText();
    JsonNode listed =
        api.call(
                "GET",
                "/collections/{collection_name}/snapshots",
                "/collections/src/snapshots",
                null,
                200)
            .result();
    assertEquals(name, listed.get(0).get("name").asText());

    HttpResponse<byte[]> download =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(node.baseUrl() + "/collections/src/snapshots/" + name))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, download.statusCode());
    assertEquals(created.get("size").asLong(), download.body().length);
    assertEquals(
        created.get("checksum").asText(),
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(download.body())));

    // 1. Upload (multipart) into a new collection.
    String boundary = "quiver-test-boundary";
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\""
                + name
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
    byte[] multipart = new byte[head.length + download.body().length + tail.length];
    System.arraycopy(head, 0, multipart, 0, head.length);
    System.arraycopy(download.body(), 0, multipart, head.length, download.body().length);
    System.arraycopy(tail, 0, multipart, head.length + download.body().length, tail.length);
    HttpResponse<String> uploaded =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(node.baseUrl() + "/collections/copy/snapshots/upload?wait=true"))
                    .header("content-type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(multipart))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, uploaded.statusCode(), uploaded.body());
    assertEquals(original, everything("copy"), "upload restores every point, payload and vector");

    // 2. Recover from an http:// location (this node's own download URL).
    api.call(
        "PUT",
        "/collections/{collection_name}/snapshots/recover",
        "/collections/copy2/snapshots/recover",
        "{\"location\":\"" + node.baseUrl() + "/collections/src/snapshots/" + name + "\"}",
        200);
    assertEquals(original, everything("copy2"));

    // 3. Delete the source collection, then recover it from the snapshot file on disk.
    Path file =
        Files.walk(node.dataDir().resolve("snapshots"))
            .filter(p -> p.getFileName().toString().equals(name))
            .findFirst()
            .orElseThrow();
    api.call("DELETE", "/collections/{collection_name}", "/collections/src", null, 200);
    api.call(
        "PUT",
        "/collections/{collection_name}/snapshots/recover",
        "/collections/src/snapshots/recover",
        "{\"location\":\""
            + file.toUri()
            + "\",\"checksum\":\""
            + created.get("checksum").asText()
            + "\"}",
        200);
    assertEquals(original, everything("src"));
    JsonNode config =
        api.call("GET", "/collections/{collection_name}", "/collections/src", null, 200)
            .result()
            .get("config")
            .get("params");
    assertEquals(3, config.get("shard_number").asInt(), "the config comes back too");
    JsonNode restored =
        api.call("GET", "/collections/{collection_name}", "/collections/src", null, 200)
            .result()
            .get("config");
    for (String setting :
        List.of("quantization_config", "strict_mode_config", "hnsw_config", "optimizer_config")) {
      assertEquals(
          sourceConfig.get(setting), restored.get(setting), setting + " comes back as it was");
    }
    assertTrue(restored.get("quantization_config").has("scalar"), restored.toString());

    // Bad input: wrong checksum, a file that is not a snapshot, a missing snapshot; nothing
    // changes.
    QdrantHttp.Reply wrongSum =
        api.http()
            .send(
                "PUT",
                "/collections/src/snapshots/recover",
                "{\"location\":\"" + file.toUri() + "\",\"checksum\":\"00\"}");
    assertEquals(400, wrongSum.status(), wrongSum.raw());
    assertTrue(wrongSum.raw().contains("checksum"), wrongSum.raw());
    Path junk = Files.writeString(file.resolveSibling("junk.bin"), "not a snapshot");
    assertEquals(
        400,
        api.http()
            .send(
                "PUT",
                "/collections/src/snapshots/recover",
                "{\"location\":\"" + junk.toUri() + "\"}")
            .status());
    assertEquals(
        404, api.http().send("GET", "/collections/src/snapshots/nope.snapshot", null).status());
    assertEquals(original, everything("src"), "failed recoveries left the collection as it was");

    api.call(
        "DELETE",
        "/collections/{collection_name}/snapshots/{snapshot_name}",
        "/collections/src/snapshots/" + name,
        null,
        200);
    assertEquals(
        0,
        api.call(
                "GET",
                "/collections/{collection_name}/snapshots",
                "/collections/src/snapshots",
                null,
                200)
            .result()
            .size());
  }

  @Test
  void fullStorageSnapshotHoldsEveryCollectionAndTheAliases() throws Exception {
    api.call(
        "PUT",
        "/collections/{collection_name}",
        "/collections/full1",
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}",
        200);
    api.call(
        "PUT",
        "/collections/{collection_name}/points",
        "/collections/full1/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":[1,2],\"payload\":{\"a\":1}},{\"id\":2,\"vector\":[3,4]}]}",
        200);
    api.call(
        "POST",
        "/collections/aliases",
        "/collections/aliases",
        "{\"actions\":[{\"create_alias\":{\"alias_name\":\"full-alias\",\"collection_name\":\"full1\"}}]}",
        200);
    String original = everything("full1");
    JsonNode created = api.call("POST", "/snapshots", "/snapshots", null, 200).result();
    String name = created.get("name").asText();
    assertTrue(
        api.call("GET", "/snapshots", "/snapshots", null, 200).result().toString().contains(name));
    HttpResponse<byte[]> download =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(node.baseUrl() + "/snapshots/" + name))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, download.statusCode());
    java.util.Map<String, byte[]> entries = new java.util.HashMap<>();
    try (var zip =
        new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(download.body()))) {
      for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        entries.put(e.getName(), zip.readAllBytes());
      }
    }
    assertTrue(
        new String(entries.get("aliases.json"), StandardCharsets.UTF_8)
            .contains("\"full-alias\":\"full1\""));
    // Each collection in it is a collection snapshot of its own: recover one into a new name.
    Path part =
        Files.write(
            node.dataDir().resolveSibling("full1.snapshot"),
            entries.get("collections/full1.snapshot"));
    api.call(
        "PUT",
        "/collections/{collection_name}/snapshots/recover",
        "/collections/full1restored/snapshots/recover",
        "{\"location\":\"" + part.toUri() + "\"}",
        200);
    assertEquals(original, everything("full1restored"));
    api.call("DELETE", "/snapshots/{snapshot_name}", "/snapshots/" + name, null, 200);
    assertEquals(404, api.http().send("GET", "/snapshots/" + name, null).status());
  }

  /** Every point of a collection with payload and vectors, in id order, as one JSON text. */
  private String everything(String collection) throws Exception {
    StringBuilder all = new StringBuilder();
    String offset = null;
    do {
      JsonNode page =
          api.call(
                  "POST",
                  "/collections/{collection_name}/points/scroll",
                  "/collections/" + collection + "/points/scroll",
                  "{\"limit\":700,\"with_vector\":true"
                      + (offset == null ? "" : ",\"offset\":" + offset)
                      + "}",
                  200)
              .result();
      page.get("points").forEach(p -> all.append(p).append('\n'));
      offset =
          page.get("next_page_offset").isNull() ? null : page.get("next_page_offset").toString();
    } while (offset != null);
    return all.toString();
  }
}
