package io.quiver.node.api;

import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code GET /} (name and versions) and the Kubernetes-style health checks. {@code version} is the
 * Qdrant API version Quiver implements, so that Qdrant's clients, which compare it with their own,
 * do not warn; Quiver's own version is {@code quiver_version} (an extra field, as API-compatible
 * servers do). {@code commit} is the git commit the node was built from ({@link BuildInfo}), left
 * out when the build recorded none.
 */
public final class ServiceApi {

  /** Quiver's own version. */
  public static final String VERSION = "0.1.0";

  /** The version of Qdrant's REST API that Quiver implements (the spec it is checked against). */
  public static final String QDRANT_API_VERSION = "1.19.0";

  private final Supplier<String> notReadyReason;
  private final String root;

  /**
   * @param notReadyReason null once this node has caught up with the cluster metadata and hosts
   *     every shard placed on it; else why not, in words (the body of a 503 from {@code /readyz})
   */
  public ServiceApi(Supplier<String> notReadyReason) {
    this.notReadyReason = notReadyReason;
    String commit = BuildInfo.packaged().commit().map(c -> ",\"commit\":\"" + c + "\"").orElse("");
    this.root =
        "{\"title\":\"quiver - vector search engine\",\"version\":\""
            + QDRANT_API_VERSION
            + "\",\"quiver_version\":\""
            + VERSION
            + "\""
            + commit
            + "}";
  }

  public void register(RestRoutes routes) {
    routes
        .add("GET", "/", r -> done(RestResponse.raw(200, root, "application/json")))
        .add(
            "GET",
            "/healthz",
            r -> done(RestResponse.raw(200, "healthz check passed", "text/plain")))
        .add(
            "GET", "/livez", r -> done(RestResponse.raw(200, "healthz check passed", "text/plain")))
        .add(
            "GET",
            "/readyz",
            r -> {
              String reason = notReadyReason.get();
              return done(
                  reason == null
                      ? RestResponse.raw(200, "all shards are ready", "text/plain")
                      : RestResponse.raw(503, "not ready: " + reason, "text/plain"));
            });
  }

  private static CompletableFuture<RestResponse> done(RestResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
