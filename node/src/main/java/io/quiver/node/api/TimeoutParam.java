package io.quiver.node.api;

import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRequest;
import io.quiver.router.PointsRouter;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * The {@code timeout} query parameter (seconds) of reads and writes: it replaces the node's request
 * deadline ({@code service.request_timeout_ms}) for that request, which then fails with Qdrant's
 * 408 when it expires. Qdrant takes whole seconds, at least 1; Quiver also takes fractions ({@code
 * 0.5}). Zero, negative and non-numeric values are a 400 naming {@code timeout}.
 */
final class TimeoutParam {

  /** Longest accepted timeout: a year, far beyond any request. */
  private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(365L * 24 * 3600);

  private TimeoutParam() {}

  /** The request's timeout, or null when it has none. */
  static Duration parse(RestRequest request) {
    String v = request.queryParam("timeout");
    if (v == null || v.isEmpty()) {
      return null;
    }
    BigDecimal seconds;
    try {
      seconds = new BigDecimal(v.trim());
    } catch (NumberFormatException e) {
      throw invalid(v);
    }
    if (seconds.signum() <= 0 || seconds.compareTo(MAX_SECONDS) > 0) {
      throw invalid(v);
    }
    long nanos =
        seconds.movePointRight(9).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    return Duration.ofNanos(nanos);
  }

  /** {@code router} bounded by the request's timeout, or {@code router} itself without one. */
  static PointsRouter router(PointsRouter router, RestRequest request) {
    Duration timeout = parse(request);
    return timeout == null ? router : router.withTimeout(timeout);
  }

  private static ApiException invalid(String value) {
    return ApiException.badRequest(
        "Validation error in query parameters: `timeout` must be a positive number of "
            + "seconds, got `"
            + value
            + "`");
  }
}
