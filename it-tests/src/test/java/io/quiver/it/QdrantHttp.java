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

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;

  QdrantHttp(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  Reply send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
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
