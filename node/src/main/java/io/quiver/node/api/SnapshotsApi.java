package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.node.http.ApiException;
import io.quiver.node.http.MultipartForm;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionCatalog;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.CollectionNotFoundException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Collection snapshots over REST: create, list, download, delete, recover from a {@code file://} or
 * {@code http(s)://} location, and upload (multipart, field {@code snapshot}). The work runs on
 * virtual threads, never on Netty's event loop. See {@link CollectionSnapshots} for the format.
 * Full-storage snapshots ({@code /snapshots}) are ZIPs of collection snapshots plus the aliases;
 * restore one by recovering each collection snapshot in it (Qdrant restores them at start-up).
 */
public final class SnapshotsApi {

  private final CollectionCatalog catalog;
  private final CollectionSnapshots snapshots;
  private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();

  public SnapshotsApi(Path dir, CollectionCatalog catalog, PointsRouter router, ObjectMapper json) {
    this.catalog = catalog;
    this.snapshots = new CollectionSnapshots(dir, catalog, router, json);
  }

  public void register(RestRoutes routes) {
    String base = "/collections/{collection_name}/snapshots";
    routes
        .add("POST", base, this::create)
        .add("GET", base, this::list)
        .add("GET", base + "/{snapshot_name}", this::download)
        .add("DELETE", base + "/{snapshot_name}", this::delete)
        .add("PUT", base + "/recover", this::recoverFromLocation)
        .add("POST", base + "/upload", this::upload)
        .add(
            "POST",
            "/snapshots",
            r -> run(() -> RestResponse.ok(snapshots.json(snapshots.createFull()))))
        .add(
            "GET",
            "/snapshots",
            r ->
                run(
                    () ->
                        RestResponse.ok(
                            snapshots.listFull().stream().map(snapshots::json).toList())))
        .add(
            "GET",
            "/snapshots/{snapshot_name}",
            r -> {
              Path file = snapshots.file(null, r.pathParam("snapshot_name"));
              return run(
                  () ->
                      RestResponse.raw(200, Files.readAllBytes(file), "application/octet-stream"));
            })
        .add(
            "DELETE",
            "/snapshots/{snapshot_name}",
            r -> {
              Path file = snapshots.file(null, r.pathParam("snapshot_name"));
              return run(
                  () -> {
                    Files.delete(file);
                    return RestResponse.ok(true);
                  });
            });
  }

  private CollectionDescriptor collection(RestRequest request) {
    String name = request.pathParam("collection_name");
    return catalog.get(name).orElseThrow(() -> new CollectionNotFoundException(name));
  }

  private CompletableFuture<RestResponse> create(RestRequest request) {
    CollectionDescriptor c = collection(request);
    return run(() -> RestResponse.ok(snapshots.json(snapshots.create(c))));
  }

  private CompletableFuture<RestResponse> list(RestRequest request) {
    CollectionDescriptor c = collection(request);
    return run(
        () -> RestResponse.ok(snapshots.list(c.name()).stream().map(snapshots::json).toList()));
  }

  private CompletableFuture<RestResponse> download(RestRequest request) {
    CollectionDescriptor c = collection(request);
    Path file = snapshots.file(c.name(), request.pathParam("snapshot_name"));
    return run(() -> RestResponse.raw(200, Files.readAllBytes(file), "application/octet-stream"));
  }

  private CompletableFuture<RestResponse> delete(RestRequest request) {
    CollectionDescriptor c = collection(request);
    String name = request.pathParam("snapshot_name");
    snapshots.file(c.name(), name);
    return run(
        () -> {
          snapshots.delete(c.name(), name);
          return RestResponse.ok(true);
        });
  }

  /**
   * {@code {"location": "file:///..." | "http://...", "checksum": "sha256 hex"?, "api_key":
   * "..."?}}; the collection may not exist yet. {@code api_key} (Qdrant's field) is sent as the
   * {@code api-key} header of the download, e.g. to fetch from a node that requires one (this node
   * too).
   */
  private CompletableFuture<RestResponse> recoverFromLocation(RestRequest request) {
    String collection = request.pathParam("collection_name");
    CollectionJson.validateName(collection);
    JsonNode body = request.jsonBody(true);
    JsonNode location = body.get("location");
    if (location == null || !location.isTextual()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: field `location` is required (a file:// or http(s):// URL)");
    }
    URI uri;
    try {
      uri = URI.create(location.asText());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `location` is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (!List.of("file", "http", "https").contains(scheme)) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `location` must be a file://, http:// or https:// URL");
    }
    String checksum = body.hasNonNull("checksum") ? body.get("checksum").asText() : null;
    JsonNode apiKey = body.get("api_key");
    if (apiKey != null && !apiKey.isNull() && !apiKey.isTextual()) {
      throw ApiException.badRequest("Validation error in JSON body: `api_key` must be a string");
    }
    String key = apiKey == null || apiKey.isNull() ? null : apiKey.asText();
    return run(
        () -> {
          try (InputStream in = open(uri, key)) {
            snapshots.recover(collection, in, checksum);
          }
          return RestResponse.ok(true);
        });
  }

  private InputStream open(URI uri, String apiKey) throws IOException {
    if (uri.getScheme().equals("file")) {
      Path path = Path.of(uri);
      if (!Files.isRegularFile(path)) {
        throw ApiException.notFound("Not found: snapshot file " + path + " does not exist");
      }
      return Files.newInputStream(path);
    }
    try {
      HttpRequest.Builder get = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET();
      if (apiKey != null) {
        get.header("api-key", apiKey);
      }
      HttpResponse<InputStream> r =
          http.send(get.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        r.body().close();
        throw ApiException.badRequest(
            "Wrong input: downloading the snapshot from " + uri + " gave HTTP " + r.statusCode());
      }
      return r.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private CompletableFuture<RestResponse> upload(RestRequest request) {
    String collection = request.pathParam("collection_name");
    CollectionJson.validateName(collection);
    byte[] snapshot = MultipartForm.part(request.contentType(), request.body(), "snapshot");
    String checksum = request.queryParam("checksum");
    return run(
        () -> {
          snapshots.recover(collection, new ByteArrayInputStream(snapshot), checksum);
          return RestResponse.ok(true);
        });
  }

  private interface Work {
    RestResponse run() throws IOException;
  }

  private CompletableFuture<RestResponse> run(Work w) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return w.run();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        work);
  }
}
