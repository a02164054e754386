package io.quiver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for the REST API: sends JSON, returns status and parsed body. */
final class QdrantHttp {

  static final ObjectMapper JSON = new ObjectMapper();

  record Reply(int status, JsonNode body, String raw) {
    JsonNode result() {
      return body.get("result");
    }
  }

  private final HttpClient client;
  private final String baseUrl;
  private final java.util.Map<String, String> headers;

  QdrantHttp(String baseUrl) {
    this(baseUrl, java.util.Map.of(), null);
  }

  /**
   * @param headers sent with every request (e.g. {@code api-key})
   * @param tls the client's TLS context for an {@code https} base URL, or null for the JDK's
   *     default
   */
  QdrantHttp(String baseUrl, java.util.Map<String, String> headers, javax.net.ssl.SSLContext tls) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.client = builder.build();
    this.baseUrl = baseUrl;
    this.headers = java.util.Map.copyOf(headers);
  }

  /** The same node with other headers on every request (e.g. another key). */
  QdrantHttp withHeaders(java.util.Map<String, String> other) {
    return new QdrantHttp(baseUrl, other, null);
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  Reply send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode parsed = null;
    String type = r.headers().firstValue("content-type").orElse("");
    if (type.startsWith("application/json") && !r.body().isEmpty()) {
      parsed = JSON.readTree(r.body());
    }
    return new Reply(r.statusCode(), parsed, r.body());
  }

  @Override
  public String toString() {
    return baseUrl;
  }
}
