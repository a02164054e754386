package io.quiver.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request with a large body is parsed and handled on the dispatcher's executor, not on the event
 * loop that read it, and its bytes are intact there although Netty releases the request when the
 * event loop's read returns; a small request is handled at once, on the loop (in Netty's real
 * pipeline, EmbeddedChannel; the executor only queues, so the test sees what ran where).
 */
@Timeout(30)
class LargeBodiesTest {

  @Test
  void aLargeBodyIsHandledOffTheEventLoopWithItsBytesIntact() throws Exception {
    List<Runnable> queued = new ArrayList<>();
    List<String> handledOn = new ArrayList<>();
    RestRoutes routes =
        new RestRoutes()
            .add(
                "PUT",
                "/echo",
                r -> {
                  handledOn.add(Thread.currentThread().getName());
                  return CompletableFuture.completedFuture(
                      RestResponse.ok(r.jsonBody(true).get("text").asText().length()));
                });
    EmbeddedChannel channel =
        new EmbeddedChannel(
            new RestDispatcher(
                routes,
                new ObjectMapper(),
                RequestObserver.NONE,
                null,
                ConcurrencyLimit.unbounded(),
                RestRequest.BodyCheck.NONE,
                queued::add));

    channel.writeInbound(put("x".repeat(100)));
    FullHttpResponse small = channel.readOutbound();
    assertEquals(200, small.status().code(), "a small body is answered at once");
    assertEquals(List.of(Thread.currentThread().getName()), handledOn);
    small.release();

    String text = "y".repeat(RestDispatcher.LARGE_BODY_BYTES);
    channel.writeInbound(put(text));
    assertNull(channel.readOutbound(), "a large body waits for the executor");
    assertEquals(1, queued.size());
    Thread worker = new Thread(queued.getFirst(), "worker");
    worker.start();
    worker.join();
    channel.runPendingTasks();
    FullHttpResponse large = channel.readOutbound();
    assertEquals(200, large.status().code());
    String body = large.content().toString(StandardCharsets.UTF_8);
    assertEquals(
        String.valueOf(text.length()),
        new ObjectMapper().readTree(body).get("result").asText(),
        body);
    assertEquals("worker", handledOn.get(1));
    large.release();
    channel.finishAndReleaseAll();
  }

  private static DefaultFullHttpRequest put(String text) {
    byte[] body = ("{\"text\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
    DefaultFullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.PUT, "/echo", Unpooled.wrappedBuffer(body));
    request.headers().set("Content-Type", "application/json");
    request.headers().set("Content-Length", body.length);
    return request;
  }
}
