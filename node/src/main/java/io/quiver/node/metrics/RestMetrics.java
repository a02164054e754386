package io.quiver.node.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.quiver.node.http.RequestObserver;

/**
 * REST request metrics with Qdrant's names: {@code rest_responses_total} and {@code
 * rest_responses_duration_seconds}, labelled by method, route template and status.
 */
public final class RestMetrics implements RequestObserver {

  private final Counter responses;
  private final Histogram duration;

  public RestMetrics(PrometheusRegistry registry) {
    responses =
        Counter.builder()
            .name("rest_responses")
            .help("REST responses by method, endpoint and status")
            .labelNames("method", "endpoint", "status")
            .register(registry);
    duration =
        Histogram.builder()
            .name("rest_responses_duration_seconds")
            .help("REST response time")
            .labelNames("method", "endpoint")
            .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10)
            .register(registry);
  }

  @Override
  public void observe(String method, String endpoint, int status, long durationNanos) {
    responses.labelValues(method, endpoint, Integer.toString(status)).inc();
    duration.labelValues(method, endpoint).observe(durationNanos / 1e9);
  }
}
