package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * REST calls to a node that check what comes back: the expected status, and a body that Qdrant's
 * OpenAPI specification allows for that status. Shared by the ITs that walk the API.
 */
final class SpecClient {

  private final QdrantHttp http;
  private final OpenApiContract spec = OpenApiContract.load();

  SpecClient(String baseUrl) {
    this.http = new QdrantHttp(baseUrl);
  }

  /** The unchecked client, for calls whose answer is not JSON or whose status varies. */
  QdrantHttp http() {
    return http;
  }

  /**
   * Sends a request, asserts the status, validates the body against the spec, returns the reply.
   */
  QdrantHttp.Reply call(
      String method, String template, String path, String body, int expectedStatus)
      throws Exception {
    QdrantHttp.Reply r = http.send(method, path, body);
    assertEquals(expectedStatus, r.status(), method + " " + path + " -> " + r.raw());
    if (r.body() != null) {
      spec.assertValid(method, template, r.status(), r.body());
    }
    return r;
  }

  /**
   * As {@link #call}, for an error whose message must mention {@code mustMention} (a field, a
   * name).
   */
  void assertError(
      String method, String template, String path, String body, int status, String mustMention)
      throws Exception {
    QdrantHttp.Reply r = call(method, template, path, body, status);
    String error = r.body().at("/status/error").asText();
    assertTrue(
        error.contains(mustMention),
        "error of " + method + " " + path + " should mention '" + mustMention + "': " + error);
  }
}
