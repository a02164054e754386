package io.quiver.jepsen.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A minimal client of Quiver's REST API for the workloads: JSON in, status and parsed JSON out,
 * every request bounded by a timeout (a request that times out throws, and the workload records its
 * operation as indeterminate). HTTP/1.1 only. Thread-safe.
 */
public final class QuiverClient {

  public static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A reply.
   *
   * @param status the HTTP status
   * @param body the parsed JSON body, or null if it was empty or not JSON
   */
  public record Reply(int status, JsonNode body) {
    public JsonNode result() {
      return body == null ? null : body.get("result");
    }

    public boolean ok() {
      return status == 200;
    }

    /**
     * @return Qdrant's error text, or the status
     */
    public String error() {
      JsonNode e = body == null ? null : body.path("status").path("error");
      return status + (e == null || e.isMissingNode() ? "" : " " + e.asText());
    }
  }

  private final HttpClient http;
  private final Duration timeout;

  public QuiverClient(Duration timeout) {
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  public Reply get(String baseUrl, String path) throws IOException, InterruptedException {
    return send(baseUrl, "GET", path, null);
  }

  /**
   * @throws IOException on a connection failure or a timeout ({@link
   *     java.net.http.HttpTimeoutException})
   */
  public Reply send(String baseUrl, String method, String path, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      String text = body instanceof String s ? s : JSON.writeValueAsString(body);
      b.method(method, HttpRequest.BodyPublishers.ofString(text))
          .header("Content-Type", "application/json");
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode parsed = null;
    if (r.headers().firstValue("content-type").orElse("").startsWith("application/json")
        && !r.body().isEmpty()) {
      parsed = JSON.readTree(r.body());
    }
    return new Reply(r.statusCode(), parsed);
  }
}
