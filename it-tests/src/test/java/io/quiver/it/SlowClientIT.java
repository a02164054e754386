package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that misbehave at the HTTP level, over raw sockets against a real node with {@code
 * service.request_read_timeout_sec: 2}: headers or a body trickled too slowly get 408 and a closed
 * connection; an idle keep-alive connection is left open and still served; an oversized request
 * line gets 414, a header flood 431 — each with a message in the user's words (no Java class
 * names), and the node keeps serving.
 */
@Timeout(120)
class SlowClientIT {

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void slowAndMalformedRequestsAreAnsweredAndClosed() throws Exception {
    NodeProcess node =
        NODES.start(n -> n.environment("QUIVER__SERVICE__REQUEST_READ_TIMEOUT_SEC", "2"));
    // Slow-loris: headers never finished.
    String headers = exchange(node, "GET /collections HTTP/1.1\r\nHost: x\r\nX-Slow: ", 10_000);
    assertTrue(headers.startsWith("HTTP/1.1 408"), headers);
    assertTrue(headers.contains("service.request_read_timeout_sec"), headers);
    // A body shorter than its Content-Length.
    String body =
        exchange(
            node,
            "PUT /collections/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"vectors\":",
            10_000);
    assertTrue(body.startsWith("HTTP/1.1 408"), body);

    // An idle keep-alive connection outlives the timeout and is then served.
    try (Socket idle = new Socket("127.0.0.1", node.httpPort())) {
      idle.setSoTimeout(4_000);
      try {
        int b = idle.getInputStream().read();
        throw new AssertionError("idle connection got " + (b < 0 ? "closed" : "a byte"));
      } catch (SocketTimeoutException expected) {
        // still open after twice the timeout
      }
      idle.setSoTimeout(10_000);
      idle.getOutputStream()
          .write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String reply = readSome(idle.getInputStream());
      assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
    }

    String longLine =
        exchange(node, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 10_000);
    assertTrue(longLine.startsWith("HTTP/1.1 414"), longLine);
    String flood =
        exchange(
            node,
            "GET /collections HTTP/1.1\r\nHost: x\r\n" + "X-Flood: y\r\n".repeat(2_000) + "\r\n",
            10_000);
    assertTrue(flood.startsWith("HTTP/1.1 431"), flood);
    for (String reply : new String[] {headers, body, longLine, flood}) {
      assertFalse(
          reply.contains("Exception") || reply.contains("io.netty"),
          "a Java class name in: " + reply);
    }
    assertEquals(
        200, new QdrantHttp(node.baseUrl()).get("/collections").status(), "the node still serves");
  }

  /**
   * Sends {@code request} and reads until the node closes the connection (or {@code timeoutMs}).
   */
  private static String exchange(NodeProcess node, String request, int timeoutMs)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", node.httpPort())) {
      socket.setSoTimeout(timeoutMs);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError(
            "connection not closed within "
                + timeoutMs
                + " ms; got: "
                + out.toString(StandardCharsets.UTF_8));
      } catch (java.net.SocketException reset) {
        // closed with unread bytes: what was answered before is in out
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static String readSome(InputStream in) throws IOException {
    byte[] buffer = new byte[4096];
    int n = in.read(buffer);
    return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.UTF_8);
  }
}
