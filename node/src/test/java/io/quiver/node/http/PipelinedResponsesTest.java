package io.quiver.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/1.1 pipelining: a connection's responses go out in the order of its requests, although the
 * later request completes first (a write waits for its Raft commit while a read answers at once).
 * Oracle: the order and bodies of the responses a pipelining client reads, through Netty's real
 * pipeline (EmbeddedChannel) and the real dispatcher; the first request completes on another
 * thread, as a committed write does.
 */
@Timeout(30)
class PipelinedResponsesTest {

  @Test
  void responsesFollowTheOrderOfTheirRequests() throws Exception {
    CompletableFuture<RestResponse> slow = new CompletableFuture<>();
    RestRoutes routes =
        new RestRoutes()
            .add("GET", "/slow", r -> slow)
            .add("GET", "/fast", r -> CompletableFuture.completedFuture(RestResponse.ok("fast")));
    EmbeddedChannel channel =
        new EmbeddedChannel(new RestDispatcher(routes, new ObjectMapper(), RequestObserver.NONE));

    channel.writeInbound(get("/slow"));
    channel.writeInbound(get("/fast"));
    channel.writeInbound(get("/fast"));
    assertNull(channel.readOutbound(), "the second and third answers wait for the first");

    Thread committer = new Thread(() -> slow.complete(RestResponse.ok("slow")), "committer");
    committer.start();
    committer.join();
    channel.runPendingTasks();

    assertEquals("slow", result(channel.readOutbound()));
    assertEquals("fast", result(channel.readOutbound()));
    assertEquals("fast", result(channel.readOutbound()));
    assertNull(channel.readOutbound());

    // One request at a time: answered at once.
    channel.writeInbound(get("/fast"));
    assertEquals("fast", result(channel.readOutbound()));
    channel.finishAndReleaseAll();
  }

  private static String result(Object message) throws Exception {
    FullHttpResponse response = (FullHttpResponse) message;
    try {
      assertEquals(200, response.status().code());
      return new ObjectMapper()
          .readTree(response.content().toString(StandardCharsets.UTF_8))
          .get("result")
          .asText();
    } finally {
      response.release();
    }
  }

  private static DefaultFullHttpRequest get(String path) {
    DefaultFullHttpRequest request =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    request.headers().set("Content-Length", 0);
    return request;
  }
}
