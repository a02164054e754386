package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A seeded fuzz test of the REST edge with hostile input: thousands of malformed and hostile
 * requests from {@link HostileRequests} are sent over raw sockets to a real node process.
 *
 * <p>Goal: no input makes the node fail. Oracle, per request: a 4xx (or a 2xx when the mutation
 * happened to be valid) or a closed connection, within {@link HostileRequests#BOUND_MS}; never a
 * 5xx, never a hang, and no error message naming a Java class. Oracle for the node: it is alive at
 * the end, its heap (read from {@code /metrics} while the cases run) stays below its maximum and
 * its log has no {@code OutOfMemoryError} or {@code StackOverflowError}, and collection {@code
 * keep}, written before and only read by the cases, holds exactly the same points, payloads and
 * vectors afterwards.
 *
 * <p>Prints the seed and the number of cases per category and outcome. Replay with {@code
 * -Dquiver.it.hostile.seed=N}; {@code -Dquiver.it.hostile.long=true} tries every wrong value at
 * every field and ten times the random mutations (minutes instead of about a minute).
 */
@Timeout(900)
class HostileInputIT {

  /** A class name or a library's internals in an error message (the user did not write Java). */
  private static final Pattern JAVA_NAMES =
      Pattern.compile(
          "Exception|\\bjava\\.|com\\.fasterxml|io\\.netty|io\\.quiver|JsonReadFeature|StreamReadFeature|\\bat [a-z]+\\.[a-z]+\\.");

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void hostileRequestsGetClearAnswersAndChangeNothing() throws Exception {
    long seed = Long.getLong("quiver.it.hostile.seed", System.nanoTime() % 100_000);
    boolean longRun = Boolean.getBoolean("quiver.it.hostile.long");
    System.out.println(
        "HostileInputIT: seed "
            + seed
            + (longRun ? " (long run)" : "")
            + "; replay with -Dquiver.it.hostile.seed="
            + seed);
    NodeProcess node =
        NODES.start(
            n ->
                n.environment("QUIVER__SERVICE__REQUEST_READ_TIMEOUT_SEC", "2")
                    .environment("QUIVER__SERVICE__LIMITS__MAX_RESULT_LIMIT", "5000")
                    .environment("QUIVER__SERVICE__LIMITS__MAX_FILTER_CONDITIONS", "500"));
    QdrantHttp http = new QdrantHttp(node.baseUrl());
    writeCollections(http);
    limitsAreTheConfiguredOnes(http);
    JsonNode before = everyPoint(http);
    List<HostileRequests.Case> cases = new HostileRequests(seed, longRun).generate();
    System.out.println(
        "HostileInputIT: " + cases.size() + " cases " + HostileRequests.countByCategory(cases));

    HeapSampler heap = new HeapSampler(http);
    Thread sampler = Thread.ofPlatform().daemon().start(heap);
    long started = System.nanoTime();
    Map<String, Map<String, Integer>> outcomes = new TreeMap<>();
    List<String> failures = run(node, cases, outcomes);
    heap.stop();
    sampler.join(5_000);
    System.out.printf(
        "HostileInputIT: %d cases in %.1f s; heap of at most %.0f MB: largest in use %.0f MB (garbage included),"
            + " largest after a collection %.0f MB%n",
        cases.size(),
        (System.nanoTime() - started) / 1e9,
        heap.max.get() / 1e6,
        heap.maxUsed.get() / 1e6,
        heap.maxAfterGc.get() / 1e6);
    outcomes.forEach(
        (category, counts) -> System.out.println("HostileInputIT:   " + category + " " + counts));
    failures.stream().limit(60).forEach(f -> System.out.println("HostileInputIT: FAILED " + f));

    assertTrue(node.isAlive(), "the node is still running");
    assertTrue(
        failures.isEmpty(),
        failures.size()
            + " requests were answered badly, first: "
            + failures.subList(0, Math.min(20, failures.size())));
    String log = Files.readString(node.log());
    assertFalse(log.contains("OutOfMemoryError"), "no OutOfMemoryError in the node's log");
    assertFalse(log.contains("StackOverflowError"), "no StackOverflowError in the node's log");
    assertTrue(heap.samples.get() > 0, "the heap was read from /metrics while the cases ran");
    // Live data after a collection, not the heap in use (which holds garbage up to the next
    // collection).
    assertTrue(
        heap.maxAfterGc.get() < 0.6 * heap.max.get(),
        "the heap after a collection stayed below 60% of its maximum: "
            + heap.maxAfterGc
            + " of "
            + heap.max);
    assertEquals(200, http.get("/readyz").status(), "the node is still ready");
    assertEquals(before, everyPoint(http), "collection keep is unchanged");
  }

  /**
   * The limits set through the node's environment are the ones enforced, each named in its refusal.
   */
  private static void limitsAreTheConfiguredOnes(QdrantHttp http) throws Exception {
    String query = "/collections/" + HostileRequests.KEEP + "/points/query";
    assertEquals(200, http.send("POST", query, "{\"query\":[1,2,3,4],\"limit\":5000}").status());
    QdrantHttp.Reply over = http.send("POST", query, "{\"query\":[1,2,3,4],\"limit\":5001}");
    assertEquals(400, over.status(), over.raw());
    assertTrue(
        over.raw().contains("`limit`") && over.raw().contains("service.limits.max_result_limit"),
        over.raw());
    String condition = "{\"key\":\"n\",\"range\":{\"gte\":0}}";
    String filter = "{\"filter\":{\"should\":[" + (condition + ",").repeat(500) + condition + "]}}";
    QdrantHttp.Reply conditions =
        http.send("POST", "/collections/" + HostileRequests.KEEP + "/points/count", filter);
    assertEquals(400, conditions.status(), conditions.raw());
    assertTrue(
        conditions.raw().contains("`filter.should[500]`")
            && conditions.raw().contains("service.limits.max_filter_conditions"),
        conditions.raw());
  }

  /**
   * Runs every case on a few threads (slow-loris cases hold a thread for seconds); returns the
   * failures.
   */
  private static List<String> run(
      NodeProcess node,
      List<HostileRequests.Case> cases,
      Map<String, Map<String, Integer>> outcomes)
      throws Exception {
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    Map<String, Map<String, Integer>> counts = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (HostileRequests.Case c : cases) {
        done.add(
            pool.submit(
                () -> {
                  RawHttpExchange.Outcome o;
                  try {
                    o =
                        RawHttpExchange.send(
                            node.httpPort(), c.request(), c.sending(), c.boundMs());
                  } catch (java.io.IOException e) {
                    o = new RawHttpExchange.Outcome(-1, true, false, 0, "");
                  }
                  counts
                      .computeIfAbsent(c.category(), k -> new ConcurrentHashMap<>())
                      .merge(o.label(), 1, Integer::sum);
                  String verdict = verdict(o);
                  if (verdict != null) {
                    String body = o.body().replace("\n", " ");
                    failures.add(
                        "["
                            + c.category()
                            + "] "
                            + c.what()
                            + ": "
                            + verdict
                            + " after "
                            + o.millis()
                            + " ms: "
                            + (body.length() > 300 ? body.substring(0, 300) + "..." : body));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
    counts.forEach((category, byOutcome) -> outcomes.put(category, new TreeMap<>(byOutcome)));
    return failures;
  }

  /** Null when the outcome is acceptable, else why not. */
  private static String verdict(RawHttpExchange.Outcome o) {
    if (o.timedOut()) {
      return "no answer and no close within the bound";
    }
    if (o.status() >= 500) {
      return "a " + o.status();
    }
    if (o.status() >= 400 && JAVA_NAMES.matcher(o.body()).find()) {
      return "a message naming Java internals";
    }
    return null;
  }

  /**
   * {@code keep}: 200 points with payloads, 2 shards, a keyword index; {@code scratch}: the target
   * of writes.
   */
  private static void writeCollections(QdrantHttp http) throws Exception {
    for (String name : List.of(HostileRequests.KEEP, HostileRequests.SCRATCH)) {
      assertEquals(
          200,
          http.send(
                  "PUT",
                  "/collections/" + name,
                  "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"},\"shard_number\":2}")
              .status());
      assertEquals(
          200,
          http.send(
                  "PUT",
                  "/collections/" + name + "/index?wait=true",
                  "{\"field_name\":\"city\",\"field_schema\":\"keyword\"}")
              .status());
    }
    String[] cities = {"Oslo", "Lima", "Kyiv", "Pune"};
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 200; i++) {
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":[")
          .append(1 + i % 7)
          .append(',')
          .append(1 + i % 5)
          .append(',')
          .append(1 + i % 3)
          .append(',')
          .append(1 + i % 11)
          .append("],\"payload\":{\"city\":\"")
          .append(cities[i % 4])
          .append("\",\"n\":")
          .append(i)
          .append(",\"tags\":[\"t")
          .append(i % 9)
          .append("\"],\"nested\":{\"a\":[{\"b\":")
          .append(i)
          .append("}]}}}");
    }
    points.append("]}");
    for (String name : List.of(HostileRequests.KEEP, HostileRequests.SCRATCH)) {
      QdrantHttp.Reply r =
          http.send("PUT", "/collections/" + name + "/points?wait=true", points.toString());
      assertEquals(200, r.status(), r.raw());
    }
  }

  /** Every point of {@code keep} with payload and vector, in id order (linearizable). */
  private static JsonNode everyPoint(QdrantHttp http) throws Exception {
    QdrantHttp.Reply r =
        http.send(
            "POST",
            "/collections/" + HostileRequests.KEEP + "/points/scroll?consistency=linearizable",
            "{\"limit\":1000,\"with_payload\":true,\"with_vector\":true}");
    assertEquals(200, r.status(), r.raw());
    assertEquals(200, r.result().get("points").size(), "keep holds its 200 points");
    return r.result().get("points");
  }

  /** Reads the node's heap from {@code /metrics} every 250 ms; keeps the largest value seen. */
  private static final class HeapSampler implements Runnable {
    private static final Pattern USED =
        Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"\\} (\\S+)$");
    private static final Pattern MAX =
        Pattern.compile("(?m)^jvm_memory_max_bytes\\{area=\"heap\"\\} (\\S+)$");
    private static final Pattern AFTER_GC =
        Pattern.compile("(?m)^jvm_memory_pool_collection_used_bytes\\{pool=\"[^\"]*\"\\} (\\S+)$");

    private final QdrantHttp http;
    final AtomicLong maxUsed = new AtomicLong();
    final AtomicLong max = new AtomicLong();
    final AtomicLong maxAfterGc = new AtomicLong();
    final AtomicLong samples = new AtomicLong();
    private volatile boolean running = true;

    HeapSampler(QdrantHttp http) {
      this.http = http;
    }

    void stop() {
      running = false;
    }

    @Override
    public void run() {
      while (running) {
        try {
          String text = http.get("/metrics").raw();
          var used = USED.matcher(text);
          var limit = MAX.matcher(text);
          if (used.find() && limit.find()) {
            maxUsed.accumulateAndGet((long) Double.parseDouble(used.group(1)), Math::max);
            max.set((long) Double.parseDouble(limit.group(1)));
            samples.incrementAndGet();
            long afterGc = 0;
            for (var pools = AFTER_GC.matcher(text); pools.find(); ) {
              afterGc += (long) Double.parseDouble(pools.group(1));
            }
            maxAfterGc.accumulateAndGet(afterGc, Math::max);
          }
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        } catch (Exception busy) {
          // a scrape refused or slow under the load of the cases: try again
        }
      }
    }
  }
}
