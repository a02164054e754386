package io.quiver.node.api;

import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.node.metrics.NodeMetrics;
import java.util.concurrent.CompletableFuture;

/** {@code GET /metrics}: the node's metrics in the Prometheus text format. */
public final class MetricsApi {

  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final NodeMetrics metrics;

  public MetricsApi(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  public void register(RestRoutes routes) {
    routes.add(
        "GET",
        "/metrics",
        r ->
            CompletableFuture.completedFuture(
                RestResponse.raw(200, metrics.scrape(), CONTENT_TYPE)));
  }
}
