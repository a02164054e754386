package io.quiver.node.api;

import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** {@code GET /} (name and version) and the Kubernetes-style health checks. */
public final class ServiceApi {

  public static final String VERSION = "0.1.0";

  private final BooleanSupplier ready;

  /** @param ready true once this node hosts every shard placed on it and can serve them */
  public ServiceApi(BooleanSupplier ready) {
    this.ready = ready;
  }

  public void register(RestRoutes routes) {
    routes.add("GET", "/", r -> done(RestResponse.raw(200,
            "{\"title\":\"quiver - vector search engine\",\"version\":\"" + VERSION + "\"}", "application/json")))
        .add("GET", "/healthz", r -> done(RestResponse.raw(200, "healthz check passed", "text/plain")))
        .add("GET", "/livez", r -> done(RestResponse.raw(200, "healthz check passed", "text/plain")))
        .add("GET", "/readyz", r -> done(ready.getAsBoolean()
            ? RestResponse.raw(200, "all shards are ready", "text/plain")
            : RestResponse.raw(503, "some shards are not ready", "text/plain")));
  }

  private static CompletableFuture<RestResponse> done(RestResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
