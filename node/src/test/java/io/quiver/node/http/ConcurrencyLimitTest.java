package io.quiver.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The dispatcher past {@code service.max_concurrent_requests}: requests held in progress fill the
 * limit, the next one is answered 429 with Retry-After at once, health checks still pass, and the
 * places come back when the held requests finish (in Netty's real pipeline, EmbeddedChannel).
 */
@Timeout(30)
class ConcurrencyLimitTest {

  @Test
  void refusesPastTheLimitWithRetryAfterAndRecovers() {
    CompletableFuture<RestResponse> held = new CompletableFuture<>();
    RestRoutes routes =
        new RestRoutes()
            .add("GET", "/slow", r -> held)
            .add("GET", "/fast", r -> CompletableFuture.completedFuture(RestResponse.ok("done")))
            .add(
                "GET",
                "/readyz",
                r ->
                    CompletableFuture.completedFuture(
                        RestResponse.raw(200, "ready", "text/plain")));
    ConcurrencyLimit limit = new ConcurrencyLimit(2);
    RestDispatcher dispatcher =
        new RestDispatcher(routes, new ObjectMapper(), RequestObserver.NONE, null, limit);
    // Each request on a connection of its own (one connection answers in request order).
    EmbeddedChannel slow1 = new EmbeddedChannel(dispatcher);
    EmbeddedChannel slow2 = new EmbeddedChannel(dispatcher);
    slow1.writeInbound(get("/slow"));
    slow2.writeInbound(get("/slow"));
    assertEquals(2, limit.inProgress());
    EmbeddedChannel client = new EmbeddedChannel(dispatcher);
    client.writeInbound(get("/fast"));
    FullHttpResponse refused = client.readOutbound();
    assertEquals(429, refused.status().code());
    assertEquals("1", refused.headers().get("Retry-After"));
    String body = refused.content().toString(StandardCharsets.UTF_8);
    assertTrue(body.contains("service.max_concurrent_requests"), body);
    refused.release();

    client.writeInbound(get("/readyz"));
    FullHttpResponse ready = client.readOutbound();
    assertEquals(200, ready.status().code(), "health checks are never refused");
    ready.release();

    held.complete(RestResponse.ok("late"));
    for (EmbeddedChannel slow : new EmbeddedChannel[] {slow1, slow2}) {
      slow.runPendingTasks();
      FullHttpResponse late = slow.readOutbound();
      assertEquals(200, late.status().code());
      late.release();
    }
    assertEquals(0, limit.inProgress(), "every place is given back");
    client.writeInbound(get("/fast"));
    FullHttpResponse fast = client.readOutbound();
    assertEquals(200, fast.status().code());
    fast.release();
    client.writeInbound(get("/nowhere"));
    FullHttpResponse missing = client.readOutbound();
    assertEquals(404, missing.status().code());
    missing.release();
    assertEquals(0, limit.inProgress(), "failed requests give their place back too");
    for (EmbeddedChannel c : new EmbeddedChannel[] {slow1, slow2, client}) {
      c.finishAndReleaseAll();
    }
  }

  private static DefaultFullHttpRequest get(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }
}
