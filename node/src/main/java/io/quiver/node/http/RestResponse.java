package io.quiver.node.http;

import java.nio.charset.StandardCharsets;

/**
 * What a handler answers: a result to wrap in Qdrant's envelope
 * ({@code {"result": ..., "status": "ok", "time": seconds}}), or a raw body sent as is.
 */
public record RestResponse(int status, Object result, byte[] rawBody, String contentType) {

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

  public boolean isRaw() {
    return rawBody != null;
  }
}
