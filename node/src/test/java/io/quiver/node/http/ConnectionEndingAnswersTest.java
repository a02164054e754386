package io.quiver.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The answers that end a connection outside the dispatcher, a 413 for a body over the limit and a
 * 408 for a request that did not arrive in time, come after the answers to the requests a
 * pipelining client sent before (HTTP/1.1 keeps a connection's responses in the order of its
 * requests). Oracle: the status lines a raw socket reads from a real server over loopback, in
 * order, while the first request is still being answered when the 413 or 408 is due.
 */
@Timeout(30)
class ConnectionEndingAnswersTest {

  private final CompletableFuture<RestResponse> slow = new CompletableFuture<>();
  private HttpServer server;

  private void start(int maxBodyBytes, long requestReadTimeoutMs) throws Exception {
    RestRoutes routes = new RestRoutes().add("GET", "/slow", r -> slow);
    server =
        HttpServer.start(
            "127.0.0.1",
            0,
            maxBodyBytes,
            new RestDispatcher(routes, new ObjectMapper(), RequestObserver.NONE),
            null,
            requestReadTimeoutMs);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aBodyOverTheLimitIsAnsweredAfterTheRequestsBeforeIt() throws Exception {
    start(1_000, 60_000);
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /slow HTTP/1.1\r\nHost: q\r\n\r\n"
                  + "POST /slow HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 5000\r\n\r\n"
                  + "x".repeat(5000))
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(300); // the 413 is due now, the first answer is not
      slow.complete(RestResponse.ok("slow"));
      List<String> statuses = statusLines(socket.getInputStream());
      assertEquals(List.of("200", "413"), statuses);
    }
  }

  @Test
  void aRequestThatDidNotArriveInTimeIsAnsweredAfterTheRequestsBeforeIt() throws Exception {
    start(1_000, 300);
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /slow HTTP/1.1\r\nHost: q\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(100);
      // A second request, cut short: 300 ms later it is overdue.
      out.write(
          "POST /slow HTTP/1.1\r\nHost: q\r\nContent-Length: 10\r\n\r\nabc"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(800);
      slow.complete(RestResponse.ok("slow"));
      List<String> statuses = statusLines(socket.getInputStream());
      assertEquals(List.of("200", "408"), statuses);
    }
  }

  /**
   * The same when the cut-short request arrives in the same packet as the one before it: its clock
   * starts when the decoder begins it. Before, the guard started a clock only on a read that began
   * a request, so this one was never timed and the connection stayed open for good (CI hung here).
   */
  @Test
  void aCutShortRequestInThePacketOfTheOneBeforeIsTimedToo() throws Exception {
    start(1_000, 300);
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /slow HTTP/1.1\r\nHost: q\r\n\r\n"
                  + "POST /slow HTTP/1.1\r\nHost: q\r\nContent-Length: 10\r\n\r\nabc")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(800);
      slow.complete(RestResponse.ok("slow"));
      assertEquals(List.of("200", "408"), statusLines(socket.getInputStream()));
    }
  }

  /**
   * The status codes of the responses read until the server closes the connection (a read blocks at
   * most 10 s: JUnit's timeout cannot interrupt a socket read).
   */
  private static List<String> statusLines(InputStream in) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      all.write(buffer, 0, n);
    }
    String text = all.toString(StandardCharsets.ISO_8859_1);
    List<String> statuses = new ArrayList<>();
    Matcher m = Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(text);
    while (m.find()) {
      statuses.add(m.group(1));
    }
    assertTrue(!statuses.isEmpty(), text);
    return statuses;
  }
}
