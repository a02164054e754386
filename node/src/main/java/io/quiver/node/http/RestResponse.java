package io.quiver.node.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a handler answers: a result to wrap in Qdrant's envelope ({@code {"result": ..., "status":
 * "ok", "time": seconds}}), or a raw body sent as is, with extra response headers for raw bodies
 * (e.g. {@code Cache-Control}; never null).
 */
public record RestResponse(
    int status, Object result, byte[] rawBody, String contentType, Map<String, String> headers) {

  public RestResponse {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  public RestResponse(int status, Object result, byte[] rawBody, String contentType) {
    this(status, result, rawBody, contentType, Map.of());
  }

  public static RestResponse ok(Object result) {
    return new RestResponse(200, result, null, null);
  }

  /** A text body without the envelope (e.g. {@code GET /}, health checks). */
  public static RestResponse raw(int status, String body, String contentType) {
    return new RestResponse(status, null, body.getBytes(StandardCharsets.UTF_8), contentType);
  }

  /** A binary body without the envelope (e.g. a snapshot download). */
  public static RestResponse raw(int status, byte[] body, String contentType) {
    return new RestResponse(status, null, body, contentType);
  }

  /** This raw response with one more header. */
  public RestResponse withHeader(String name, String value) {
    var all = new java.util.HashMap<>(headers);
    all.put(name, value);
    return new RestResponse(status, result, rawBody, contentType, all);
  }

  public boolean isRaw() {
    return rawBody != null;
  }
}
