package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Helpers of the scaling ITs ({@code ReplicationFactorIT}, {@code RebalanceDrainIT}): nodes
 * launched at once, a light continuous writer, and the checks made after every step — every
 * acknowledged write present exactly once, and every replica of every shard identical.
 */
final class ScalingCluster implements AutoCloseable {

  final List<NodeProcess> nodes = new ArrayList<>();
  final List<QdrantHttp> http = new ArrayList<>();
  final int seedRaftPort;
  private final Path dir;

  private ScalingCluster(Path dir) throws Exception {
    this.dir = dir;
    this.seedRaftPort = NodeProcess.freePort();
  }

  /**
   * Launches {@code n} nodes at the same moment (the seed pointed at itself, the rest at the seed)
   * and waits for all.
   */
  static ScalingCluster start(Path dir, int n, Map<String, String> env) throws Exception {
    ScalingCluster c = new ScalingCluster(dir);
    for (int i = 0; i < n; i++) {
      NodeProcess p =
          new NodeProcess(
              dir.resolve("n" + i),
              NodeProcess.freePort(),
              i == 0 ? c.seedRaftPort : NodeProcess.freePort());
      env.forEach(p::environment);
      c.nodes.add(p);
    }
    try {
      for (NodeProcess p : c.nodes) {
        p.launch("--bootstrap", "http://127.0.0.1:" + c.seedRaftPort);
      }
      for (NodeProcess p : c.nodes) {
        p.awaitReady();
        c.http.add(new QdrantHttp(p.baseUrl()));
      }
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Starts one more node that joins through the seed. */
  QdrantHttp add(Map<String, String> env) throws Exception {
    NodeProcess p = new NodeProcess(dir.resolve("n" + nodes.size()));
    env.forEach(p::environment);
    nodes.add(p);
    p.start("--bootstrap", "http://127.0.0.1:" + seedRaftPort);
    QdrantHttp h = new QdrantHttp(p.baseUrl());
    http.add(h);
    return h;
  }

  long peerId(QdrantHttp h) throws Exception {
    return h.get("/cluster").result().get("peer_id").asLong();
  }

  /** The nodes whose process is alive and that are still members (not removed). */
  List<QdrantHttp> live(Set<Long> removed) throws Exception {
    List<QdrantHttp> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).isAlive() && !removed.contains(peerId(http.get(i)))) {
        out.add(http.get(i));
      }
    }
    return out;
  }

  /**
   * shard -> the peers whose own replica of it is Active, from every node's collection cluster
   * info.
   */
  static Map<Integer, Set<Long>> activeReplicas(List<QdrantHttp> nodes, String collection)
      throws Exception {
    Map<Integer, Set<Long>> holders = new TreeMap<>();
    for (QdrantHttp h : nodes) {
      QdrantHttp.Reply r = h.get("/collections/" + collection + "/cluster");
      assertEquals(200, r.status(), r.raw());
      long peer = r.result().get("peer_id").asLong();
      for (JsonNode s : r.result().get("local_shards")) {
        if (s.get("state").asText().equals("Active")) {
          holders.computeIfAbsent(s.get("shard_id").asInt(), k -> new TreeSet<>()).add(peer);
        }
      }
    }
    return holders;
  }

  /**
   * Waits until {@code done} holds for the active replicas and no replica step is pending on any
   * node.
   */
  static Map<Integer, Set<Long>> awaitPlacement(
      List<QdrantHttp> nodes,
      String collection,
      long timeoutMs,
      Predicate<Map<Integer, Set<Long>>> done)
      throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    Map<Integer, Set<Long>> last = null;
    String scaling = null;
    while (System.currentTimeMillis() < deadline) {
      last = activeReplicas(nodes, collection);
      boolean idle = true;
      for (QdrantHttp h : nodes) {
        JsonNode s = h.get("/cluster").result().get("quiver_scaling");
        scaling = s.toString();
        idle &=
            s.get("pending_steps").isEmpty()
                && s.get("current_step").isNull()
                && !s.get("rebalancing").asBoolean();
      }
      if (idle && done.test(last)) {
        return last;
      }
      Thread.sleep(300);
    }
    throw new AssertionError(
        "placement of "
            + collection
            + " not reached in "
            + timeoutMs
            + " ms: "
            + last
            + ", scaling "
            + scaling);
  }

  /**
   * Every acknowledged point is present exactly once, no point is there that was never attempted,
   * and every node's own replicas (consistency=any: this node's replica of each shard it holds, the
   * leader's for the others) hold exactly the same points with the same vectors — so every replica
   * of every shard is identical; and an exact search through every node finds what a single node
   * holding those points would (the 10 largest and the 10 smallest ids). Waits up to 30 s for
   * replicas to converge.
   */
  static void checkReplicas(List<QdrantHttp> nodes, String collection, Writer writer)
      throws Exception {
    writer.pause();
    try {
      Set<Integer> attempted = new TreeSet<>(writer.attempted);
      long deadline = System.currentTimeMillis() + 30_000;
      String problem = null;
      while (System.currentTimeMillis() < deadline) {
        problem = replicaProblem(nodes, collection, writer, attempted);
        if (problem == null) {
          return;
        }
        Thread.sleep(300);
      }
      throw new AssertionError(problem);
    } finally {
      writer.resume();
    }
  }

  private static String replicaProblem(
      List<QdrantHttp> nodes, String collection, Writer writer, Set<Integer> attempted)
      throws Exception {
    Map<Integer, List<Double>> reference = null;
    QdrantHttp referenceNode = null;
    for (QdrantHttp h : nodes) {
      QdrantHttp.Reply r =
          h.send(
              "POST",
              "/collections/" + collection + "/points/scroll?consistency=any",
              "{\"limit\":100000,\"with_vector\":true,\"with_payload\":false}");
      if (r.status() != 200) {
        return h + ": scroll answered " + r.status() + " " + r.raw();
      }
      Map<Integer, List<Double>> points = new HashMap<>();
      for (JsonNode p : r.result().get("points")) {
        List<Double> v = new ArrayList<>();
        p.get("vector").forEach(x -> v.add(x.asDouble()));
        if (points.put(p.get("id").asInt(), v) != null) {
          return h + ": point " + p.get("id") + " returned twice";
        }
      }
      Set<Integer> missing = new TreeSet<>(writer.acknowledged);
      missing.removeAll(points.keySet());
      if (!missing.isEmpty()) {
        return h
            + ": "
            + missing.size()
            + " acknowledged points missing, e.g. "
            + missing.iterator().next();
      }
      Set<Integer> unknown = new TreeSet<>(points.keySet());
      unknown.removeAll(attempted);
      if (!unknown.isEmpty()) {
        return h + ": points never written: " + unknown;
      }
      for (var e : points.entrySet()) {
        if (!e.getValue().equals(List.of((double) e.getKey(), 1.0))) {
          return h + ": point " + e.getKey() + " has vector " + e.getValue();
        }
      }
      if (reference == null) {
        reference = points;
        referenceNode = h;
      } else if (!reference.equals(points)) {
        Set<Integer> diff = new TreeSet<>(reference.keySet());
        diff.removeAll(points.keySet());
        Set<Integer> diff2 = new TreeSet<>(points.keySet());
        diff2.removeAll(reference.keySet());
        return "replicas differ: "
            + referenceNode
            + " has "
            + diff
            + " that "
            + h
            + " lacks, and lacks "
            + diff2;
      }
      QdrantHttp.Reply count =
          h.send(
              "POST",
              "/collections/" + collection + "/points/count?consistency=any",
              "{\"exact\":true}");
      if (count.status() != 200 || count.result().get("count").asInt() != points.size()) {
        return h + ": count " + count.raw() + " != " + points.size() + " scrolled";
      }
    }
    assertTrue(reference != null && reference.size() >= writer.acknowledged.size());
    // Search agrees with the points, as on one node holding them all: through every node (its
    // router's fan-out over every shard and merge), the best 10 by Dot with [1, 0] are the 10
    // largest ids, and with [-1, 0] the 10 smallest.
    List<Integer> ascending = new ArrayList<>(new TreeSet<>(reference.keySet()));
    int k = Math.min(10, ascending.size());
    List<Integer> largest = ascending.reversed().subList(0, k);
    List<Integer> smallest = ascending.subList(0, k);
    for (QdrantHttp h : nodes) {
      for (var query : Map.of("[1,0]", largest, "[-1,0]", smallest).entrySet()) {
        QdrantHttp.Reply found =
            h.send(
                "POST",
                "/collections/" + collection + "/points/query",
                "{\"query\":" + query.getKey() + ",\"limit\":10,\"params\":{\"exact\":true}}");
        if (found.status() != 200) {
          return h
              + ": query "
              + query.getKey()
              + " answered "
              + found.status()
              + " "
              + found.raw();
        }
        List<Integer> got = new ArrayList<>();
        found.result().get("points").forEach(p -> got.add(p.get("id").asInt()));
        if (!got.equals(query.getValue())) {
          return h + ": query " + query.getKey() + " found " + got + ", not " + query.getValue();
        }
      }
    }
    return null;
  }

  /**
   * Asserts that no write of {@code writer} and no query or count of {@code readers} failed, and
   * that the readers were answered all along.
   */
  static void assertNoFailures(Writer writer, Reader... readers) {
    assertTrue(
        writer.failures.isEmpty(),
        writer.failures.size() + " writes failed, the first: " + writer.failures.peek());
    for (Reader r : readers) {
      assertTrue(
          r.failures.isEmpty(),
          r.failures.size() + " reads failed, the first: " + r.failures.peek());
      assertTrue(r.answered.get() > 50, "the reader was answered: " + r.answered.get());
    }
  }

  /**
   * SIGKILLs node {@code index} under the load of {@code writer} and {@code reader}: they leave it
   * out from now on (until their {@code avoid(h, false)}), and the kill waits for their requests in
   * flight through it, which would otherwise end as dropped connections that the test counts.
   */
  void killUnderLoad(int index, Writer writer, Reader reader) throws InterruptedException {
    QdrantHttp h = http.get(index);
    writer.avoid(h, true);
    reader.avoid(h, true);
    writer.pause();
    reader.pause();
    try {
      nodes.get(index).kill9();
    } finally {
      writer.resume();
      reader.resume();
    }
  }

  /**
   * Asserts that every write of {@code writer} and every read of {@code readers} that failed was
   * answered with a status docs/api.md calls retryable (503: a shard without a leader for now; 408:
   * the request's deadline), never a 4xx, a 500 or a dropped connection, and that none failed after
   * {@code calmSinceNanos} (System.nanoTime()).
   */
  static void assertOnlyRetryableFailures(long calmSinceNanos, Writer writer, Reader... readers) {
    List<String> bad = new ArrayList<>();
    for (Map.Entry<Long, String> f : writer.failures) {
      if (!retryable(f.getValue()) || f.getKey() > calmSinceNanos) {
        bad.add(
            String.format(
                "write %+.1f s after calm: %s", (f.getKey() - calmSinceNanos) / 1e9, f.getValue()));
      }
    }
    for (Reader r : readers) {
      for (Map.Entry<Long, String> f : r.timedFailures) {
        if (!retryable(f.getValue()) || f.getKey() > calmSinceNanos) {
          bad.add(
              String.format(
                  "read %+.1f s after calm: %s",
                  (f.getKey() - calmSinceNanos) / 1e9, f.getValue()));
        }
      }
      assertTrue(r.answered.get() > 50, "the reader was answered: " + r.answered.get());
    }
    assertTrue(bad.isEmpty(), bad.size() + " failures not retryable or too late, e.g. " + bad);
  }

  /** "node: STATUS body" with a retryable status. */
  private static boolean retryable(String failure) {
    String[] words = failure.split(" ");
    for (int i = 0; i + 1 < words.length; i++) {
      if (words[i].endsWith(":")) {
        return words[i + 1].equals("503") || words[i + 1].equals("408");
      }
    }
    return false;
  }

  /**
   * A light continuous writer: 4 points per request, every ~20 ms, through the nodes in turn. Point
   * {@code id} gets the vector {@code [id, 1, 0, ...]} of the collection's dimension.
   */
  static final class Writer implements AutoCloseable {
    final Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
    final Set<Integer> attempted = ConcurrentHashMap.newKeySet();
    private final List<QdrantHttp> through;
    private final String collection;
    private final int dim;
    private final int firstId;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ReentrantLock turn = new ReentrantLock();
    private final Thread thread;
    private volatile String lastFailure;

    /** Nodes the writer leaves out (killed on purpose), see {@link #avoid}. */
    private final Set<QdrantHttp> avoided = ConcurrentHashMap.newKeySet();

    /** Each failed request: when (System.nanoTime()) and what it answered. */
    final java.util.Queue<Map.Entry<Long, String>> failures =
        new java.util.concurrent.ConcurrentLinkedQueue<>();

    Writer(List<QdrantHttp> through, String collection) {
      this(through, collection, 2, 0);
    }

    /** A writer of vectors of {@code dim} dimensions, its ids from {@code firstId} on. */
    Writer(List<QdrantHttp> through, String collection, int dim, int firstId) {
      this.through = List.copyOf(through);
      this.collection = collection;
      this.dim = dim;
      this.firstId = firstId;
      this.thread = new Thread(this::run, "writer-" + collection);
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      int id = firstId;
      int request = 0;
      while (!stop.get()) {
        turn.lock();
        try {
          StringBuilder body = new StringBuilder("{\"points\":[");
          List<Integer> ids = new ArrayList<>();
          for (int k = 0; k < 4; k++, id++) {
            ids.add(id);
            attempted.add(id);
            body.append(k == 0 ? "" : ",")
                .append("{\"id\":")
                .append(id)
                .append(",\"vector\":[")
                .append(id)
                .append(",1")
                .append(",0".repeat(dim - 2))
                .append("]}");
          }
          body.append("]}");
          QdrantHttp h = through.get(request++ % through.size());
          while (avoided.contains(h) && avoided.size() < through.size()) {
            h = through.get(request++ % through.size());
          }
          try {
            QdrantHttp.Reply r =
                h.send("PUT", "/collections/" + collection + "/points?wait=true", body.toString());
            if (r.status() == 200) {
              acknowledged.addAll(ids);
            } else {
              lastFailure = r.status() + " " + r.raw();
              failures.add(Map.entry(System.nanoTime(), h + ": " + lastFailure));
            }
          } catch (Exception e) {
            lastFailure = e.toString();
            failures.add(Map.entry(System.nanoTime(), h + ": " + lastFailure));
          }
        } finally {
          turn.unlock();
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /**
     * Leaves node {@code h} out of the writer's turns (before it is killed), or takes it back
     * ({@code avoid} false).
     */
    void avoid(QdrantHttp h, boolean avoid) {
      if (avoid) {
        avoided.add(h);
      } else {
        avoided.remove(h);
      }
    }

    /** Waits for the request in flight and holds the writer until {@link #resume()}. */
    void pause() {
      turn.lock();
    }

    void resume() {
      turn.unlock();
    }

    String lastFailure() {
      return lastFailure;
    }

    String collection() {
      return collection;
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(30_000);
    }
  }

  /** Queries and exact counts through every node in turn, every ~10 ms; records every failure. */
  static final class Reader implements AutoCloseable {
    final String collection;
    final AtomicInteger answered = new AtomicInteger();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

    /** Each failure with when it happened (System.nanoTime()). */
    final ConcurrentLinkedQueue<Map.Entry<Long, String>> timedFailures =
        new ConcurrentLinkedQueue<>();

    private final List<QdrantHttp> through;
    private final int dim;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    /** Nodes the reader leaves out (killed or removed on purpose), see {@link #avoid}. */
    private final Set<QdrantHttp> avoided = ConcurrentHashMap.newKeySet();

    Reader(List<QdrantHttp> through, String collection) {
      this(through, collection, 2);
    }

    /** A reader whose queries have {@code dim} dimensions. */
    Reader(List<QdrantHttp> through, String collection, int dim) {
      this.through = List.copyOf(through);
      this.collection = collection;
      this.dim = dim;
      this.thread = new Thread(this::run, "reader-" + collection);
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      Random random = new Random();
      for (int i = 0; !stop.get(); i++) {
        QdrantHttp h = through.get(i % through.size());
        if (avoided.contains(h) && avoided.size() < through.size()) {
          continue;
        }
        turn.lock();
        try {
          QdrantHttp.Reply r =
              i % 4 == 3
                  ? h.send(
                      "POST", "/collections/" + collection + "/points/count", "{\"exact\":true}")
                  : h.send(
                      "POST",
                      "/collections/" + collection + "/points/query",
                      "{\"query\":" + randomVector(random) + ",\"limit\":5}");
          if (r.status() == 200) {
            answered.incrementAndGet();
          } else {
            failed(h + ": " + r.status() + " " + r.raw());
          }
        } catch (Exception e) {
          failed(h + ": " + e);
        } finally {
          turn.unlock();
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private String randomVector(Random random) {
      StringBuilder v = new StringBuilder("[");
      for (int d = 0; d < dim; d++) {
        v.append(d == 0 ? "" : ",").append(random.nextFloat());
      }
      return v.append("]").toString();
    }

    private void failed(String what) {
      failures.add(what);
      timedFailures.add(Map.entry(System.nanoTime(), what));
    }

    private final ReentrantLock turn = new ReentrantLock();

    /** Waits for the request in flight and holds the reader until {@link #resume()}. */
    void pause() {
      turn.lock();
    }

    void resume() {
      turn.unlock();
    }

    /** Leaves node {@code h} out (before it is killed or removed), or takes it back. */
    void avoid(QdrantHttp h, boolean avoid) {
      if (avoid) {
        avoided.add(h);
      } else {
        avoided.remove(h);
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(30_000);
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (NodeProcess n : nodes) {
      n.close();
    }
  }
}
