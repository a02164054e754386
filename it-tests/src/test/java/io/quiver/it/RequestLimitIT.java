package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code service.max_concurrent_requests} on a real node: 24 clients writing at once against a
 * limit of 2 get either 200 or 429 with {@code Retry-After} and a message naming the setting (never
 * anything else), health checks keep answering, and when the burst is over every write that was
 * answered 200 is there and the node serves normally again.
 */
@Timeout(180)
class RequestLimitIT {

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void saturatedNodeAnswers429WithRetryAfter() throws Exception {
    NodeProcess node =
        NODES.start(n -> n.environment("QUIVER__SERVICE__MAX_CONCURRENT_REQUESTS", "2"));
    QdrantHttp http = new QdrantHttp(node.baseUrl());
    assertEquals(
        200,
        http.send("PUT", "/collections/busy", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}")
            .status());
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    int clients = 24;
    int writesEach = 8;
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    List<String> badRefusals = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger accepted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int first = c * writesEach;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      start.await();
                      for (int i = 0; i < writesEach; i++) {
                        String body =
                            "{\"points\":[{\"id\":" + (first + i) + ",\"vector\":[1,2,3,4]}]}";
                        HttpResponse<String> r =
                            client.send(
                                HttpRequest.newBuilder(
                                        URI.create(
                                            node.baseUrl() + "/collections/busy/points?wait=true"))
                                    .PUT(HttpRequest.BodyPublishers.ofString(body))
                                    .header("Content-Type", "application/json")
                                    .timeout(Duration.ofSeconds(60))
                                    .build(),
                                HttpResponse.BodyHandlers.ofString());
                        statuses
                            .computeIfAbsent(r.statusCode(), k -> new AtomicInteger())
                            .incrementAndGet();
                        if (r.statusCode() == 200) {
                          accepted.incrementAndGet();
                        } else if (r.statusCode() == 429
                            && (!r.headers().firstValue("retry-after").orElse("").equals("1")
                                || !r.body().contains("service.max_concurrent_requests"))) {
                          badRefusals.add(r.headers().map() + " " + r.body());
                        }
                      }
                    } catch (Exception e) {
                      badRefusals.add(e.toString());
                    }
                  }));
    }
    start.countDown();
    int healthy = 0;
    for (int i = 0; i < 20; i++) {
      healthy += http.get("/readyz").status() == 200 ? 1 : 0;
    }
    for (Thread t : threads) {
      t.join();
    }
    System.out.println("RequestLimitIT: statuses " + statuses);
    assertTrue(badRefusals.isEmpty(), "refusals without Retry-After or message: " + badRefusals);
    assertEquals(
        java.util.Set.of(200, 429), statuses.keySet(), "only 200 and 429 (both seen): " + statuses);
    assertEquals(20, healthy, "health checks are never refused");
    assertEquals(
        accepted.get(),
        http.send("POST", "/collections/busy/points/count", "{}").result().get("count").asInt());
  }
}
