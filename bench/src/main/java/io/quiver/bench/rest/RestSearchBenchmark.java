package io.quiver.bench.rest;

import io.quiver.bench.Dataset;
import io.quiver.bench.DatasetLoader;
import io.quiver.bench.engine.Engine;
import io.quiver.bench.engine.ExactEngine;
import io.quiver.bench.engine.QuiverEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the REST edge gives of the engine: a real data set ingested through {@code PUT .../points}
 * ({@code wait=true} batches), then top-10 queries through {@code POST .../points/query} with
 * {@code hnsw_ef}, by one client (latency) and by several (throughput), with recall@10 against an
 * exact scan, and the same queries on the same vectors in this JVM through Quiver's HNSW on its
 * mapped file (the in-process engine: what REST adds is the difference). Request bodies are built
 * before the clock starts; each client thread keeps one HTTP/1.1 connection alive ({@link
 * KeepAliveHttpClient}). Each REST round is preceded by one pass over the queries (warm-up).
 *
 * <p>Allocation per query on the node is read from its {@code /metrics} ({@code
 * quiver_jvm_allocated_bytes_total}: what all the node's threads allocated, current at each scrape;
 * the rounds' queries and warm-ups divide it, so the node's background work counts too). A node
 * without that series falls back to the eden pool's {@code jvm_memory_pool_allocated_bytes_total},
 * which the JVM updates only at young collections: within one eden's size over all rounds.
 *
 * <pre>
 * bin/quiver bench rest-search [--url http://127.0.0.1:6333] [--dataset fashion-mnist] [--queries 1000]
 *     [--ef 40,64] [--clients 1,4] [--ingest-clients 2] [--batch 1000] [--engine true]
 *     [--payload-bytes 0] [--filter-percent 0] [--write-batch 0]
 *     [--write-rate 0]</pre>
 *
 * <p>With {@code --payload-bytes N}, each point carries a payload with a text of about N bytes and
 * the queries ask for payloads ({@code with_payload: true}): what returning document chunks costs.
 * With {@code --filter-percent P}, each round runs again with an indexed filter that P% of the
 * points match, and the ratio of the two QPS is printed.
 */
public final class RestSearchBenchmark {

  private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");
  private static final Pattern ALLOCATED =
      Pattern.compile("(?m)^quiver_jvm_allocated_bytes_total ([0-9.E+]+)");
  private static final Pattern EDEN =
      Pattern.compile(
          "jvm_memory_pool_allocated_bytes_total\\{pool=\"[^\"]*Eden[^\"]*\"\\} ([0-9.E+]+)");
  private static final String COLLECTION = "/collections/bench_rest_search";

  private final String url;

  /** One kept-alive connection per thread (see {@link KeepAliveHttpClient}). */
  private final ThreadLocal<KeepAliveHttpClient> clients;

  /**
   * Each point's payload carries a text of about this many bytes, and queries ask for payloads; 0:
   * none.
   */
  private final int payloadBytes;

  /**
   * With {@code --filter-percent P} (0: none), each point carries {@code bucket = id % (100 / P)},
   * indexed as an integer, and every round is run again with the filter {@code bucket == 0}: P% of
   * the points, recall against an exact scan of them.
   */
  private final int filterBuckets;

  /**
   * With {@code --write-batch N} (0: none), each round is run again while one writer upserts
   * batches of N new points ({@code wait=true}, one after another) into the searched collection:
   * each a dataset vector negated, so far from every query and never among the top 10; at most
   * {@code --write-rate} points per second (0: as fast as the node takes them).
   */
  private final int writeBatch;

  private final int writeRate;

  private RestSearchBenchmark(
      String url, int payloadBytes, int filterPercent, int writeBatch, int writeRate) {
    if (filterPercent < 0 || filterPercent > 100 || filterPercent > 0 && 100 % filterPercent != 0) {
      throw new IllegalArgumentException(
          "--filter-percent must divide 100 (1, 2, 5, 10, 20, 25, 50, 100), got " + filterPercent);
    }
    this.url = url;
    this.payloadBytes = payloadBytes;
    this.filterBuckets = filterPercent == 0 ? 0 : 100 / filterPercent;
    this.writeBatch = writeBatch;
    this.writeRate = writeRate;
    this.clients = ThreadLocal.withInitial(() -> new KeepAliveHttpClient(url));
  }

  public static void main(String[] args) throws Exception {
    String url = "http://127.0.0.1:6333";
    String dataset = "fashion-mnist";
    int queries = 1000;
    int[] efs = {40, 64};
    int[] clients = {1, 4};
    int ingestClients = 2;
    int batch = 1000;
    boolean engine = true;
    int payloadBytes = 0;
    int filterPercent = 0;
    int writeBatch = 0;
    int writeRate = 0;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--dataset" -> dataset = args[i + 1];
        case "--queries" -> queries = Integer.parseInt(args[i + 1]);
        case "--ef" -> efs = ints(args[i + 1]);
        case "--clients" -> clients = ints(args[i + 1]);
        case "--ingest-clients" -> ingestClients = Integer.parseInt(args[i + 1]);
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        case "--engine" -> engine = Boolean.parseBoolean(args[i + 1]);
        case "--payload-bytes" -> payloadBytes = Integer.parseInt(args[i + 1]);
        case "--filter-percent" -> filterPercent = Integer.parseInt(args[i + 1]);
        case "--write-batch" -> writeBatch = Integer.parseInt(args[i + 1]);
        case "--write-rate" -> writeRate = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Dataset data = DatasetLoader.load(dataset).withQueries(queries);
    new RestSearchBenchmark(url, payloadBytes, filterPercent, writeBatch, writeRate)
        .run(data, efs, clients, ingestClients, batch, engine);
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private void run(
      Dataset data, int[] efs, int[] clients, int ingestClients, int batch, boolean withEngine)
      throws Exception {
    System.out.printf(
        Locale.ROOT,
        "%s: %d x %d %s, %d queries, top 10, via %s (%d cores)%s%n",
        data.name(),
        data.size(),
        data.dim(),
        data.distance().qdrantName(),
        data.queryCount(),
        url,
        Runtime.getRuntime().availableProcessors(),
        payloadBytes > 0 ? ", payloads of ~" + payloadBytes + " bytes returned with each hit" : "");
    List<Set<Integer>> truth = truth(data);
    List<Set<Integer>> filteredTruth = filterBuckets > 0 ? filteredTruth(data) : null;
    String[] bodies = new String[data.queryCount()];
    String[] filteredBodies = new String[data.queryCount()];
    send("DELETE", COLLECTION, null);
    send(
        "PUT",
        COLLECTION,
        "{\"vectors\":{\"size\":"
            + data.dim()
            + ",\"distance\":\""
            + data.distance().qdrantName()
            + "\"},\"hnsw_config\":{\"m\":16,\"ef_construct\":100}}");
    if (filterBuckets > 0) {
      send(
          "PUT",
          COLLECTION + "/index?wait=true",
          "{\"field_name\":\"bucket\",\"field_schema\":\"integer\"}");
    }
    try {
      ingest(data, ingestClients, batch);
      long t0 = System.nanoTime();
      awaitGreen();
      System.out.printf(
          Locale.ROOT,
          "indexed (status green) %.1f s after the last write%n",
          (System.nanoTime() - t0) / 1e9);
      double[] healthz = new double[2000];
      for (int i = 0; i < healthz.length + 200; i++) {
        long s = System.nanoTime();
        send("GET", "/healthz", null);
        if (i >= 200) {
          healthz[i - 200] = (System.nanoTime() - s) / 1e6;
        }
      }
      Arrays.sort(healthz);
      System.out.printf(
          Locale.ROOT,
          "GET /healthz (the HTTP floor, client included): p50 %.3f ms, p99 %.3f ms%n",
          at(healthz, 0.5),
          at(healthz, 0.99));
      try (Engine engine =
          withEngine
              ? new QuiverEngine(16, 100, Files.createTempDirectory("rest-search"), false)
              : null) {
        if (engine != null) {
          engine.build(data, 2);
          engine.prepareSearch();
        }
        for (int ef : efs) {
          for (int q = 0; q < bodies.length; q++) {
            String common =
                "{\"query\":"
                    + vector(data.query(q))
                    + ",\"limit\":10,\"params\":{\"hnsw_ef\":"
                    + ef
                    + "}"
                    + (payloadBytes > 0 ? ",\"with_payload\":true" : "");
            bodies[q] = common + "}";
            filteredBodies[q] =
                common + ",\"filter\":{\"must\":[{\"key\":\"bucket\",\"match\":{\"value\":0}}]}}";
          }
          Allocated before = allocated();
          int sent = 0;
          for (int n : clients) {
            Round plain = restRound(bodies, truth, n);
            report("REST, ef " + ef + ", " + n + " client(s)", plain);
            sent += (n + 1) * bodies.length; // each round's queries and its warm-up
            if (filterBuckets > 0) {
              Round filtered = restRound(filteredBodies, filteredTruth, n);
              report("  filtered (" + 100 / filterBuckets + "% of the points, indexed)", filtered);
              System.out.printf(
                  Locale.ROOT, "  filtered / unfiltered QPS = %.2f%n", filtered.qps / plain.qps);
              sent += (n + 1) * bodies.length;
            }
            if (writeBatch > 0) {
              Writer writer = new Writer(data);
              Round busy;
              try {
                busy = restRound(bodies, truth, n);
              } finally {
                writer.stop();
              }
              report("  while writing (" + writer.describe() + ")", busy);
              sent += (n + 1) * bodies.length;
            }
          }
          System.out.printf(
              Locale.ROOT,
              "node allocated ~%.1f KB per query at ef %d (%s)%n",
              (allocated().bytes - before.bytes) / sent / 1024,
              ef,
              before.source);
          if (engine != null) {
            for (int n : new int[] {1, 2}) {
              report(
                  "in-process engine, ef " + ef + ", " + n + " thread(s)",
                  engineRound(engine, data, ef, truth, n));
            }
          }
        }
      }
    } finally {
      send("DELETE", COLLECTION, null);
    }
  }

  /**
   * One client upserting batches of {@link #writeBatch} new points into the searched collection,
   * one after another with {@code wait=true}, until stopped: ids from 100,000,000 up, each a
   * dataset vector negated (far from every query).
   */
  private final class Writer {
    private final Thread thread;
    private volatile boolean stopping;
    private final AtomicInteger batches = new AtomicInteger();
    private final long started = System.nanoTime();
    private long stoppedAt;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    Writer(Dataset data) {
      thread =
          Thread.ofPlatform()
              .name("bench-writer")
              .start(
                  () -> {
                    try (KeepAliveHttpClient mine = clients.get()) {
                      while (!stopping) {
                        int b = batches.get();
                        StringBuilder s = new StringBuilder("{\"points\":[");
                        for (int i = 0; i < writeBatch; i++) {
                          long id = 100_000_000L + (long) b * writeBatch + i;
                          float[] v = data.baseVector((int) (id % data.size())).clone();
                          for (int d = 0; d < v.length; d++) {
                            v[d] = -v[d];
                          }
                          s.append(i == 0 ? "" : ",")
                              .append("{\"id\":")
                              .append(id)
                              .append(",\"vector\":")
                              .append(vector(v))
                              .append('}');
                        }
                        send("PUT", COLLECTION + "/points?wait=true", s.append("]}").toString());
                        int written = batches.incrementAndGet() * writeBatch;
                        if (writeRate > 0) {
                          long due = started + written * 1_000_000_000L / writeRate;
                          long wait = due - System.nanoTime();
                          if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                          }
                        }
                      }
                    } catch (Exception e) {
                      failure.set(e);
                    } finally {
                      clients.remove();
                    }
                  });
    }

    void stop() throws Exception {
      stopping = true;
      thread.join();
      stoppedAt = System.nanoTime();
      if (failure.get() != null) {
        throw failure.get();
      }
    }

    String describe() {
      double sec = (stoppedAt - started) / 1e9;
      return String.format(
          Locale.ROOT,
          "%d batches of %d, %.0f points/s",
          batches.get(),
          writeBatch,
          batches.get() * writeBatch / sec);
    }
  }

  /**
   * One round: latencies as the client saw them, and as the node reported them in each reply's
   * {@code time} (null for the in-process engine), QPS and recall.
   */
  private record Round(double[] ms, double[] serverMs, double qps, double recall) {}

  private void report(String what, Round r) {
    Arrays.sort(r.ms);
    String server = "";
    if (r.serverMs != null) {
      Arrays.sort(r.serverMs);
      server =
          String.format(
              Locale.ROOT,
              "  (node's time: p50 %.3f ms, p99 %.3f ms)",
              at(r.serverMs, 0.5),
              at(r.serverMs, 0.99));
    }
    System.out.printf(
        Locale.ROOT,
        "%-38s p50 %6.3f ms  p99 %6.3f ms  %8.1f QPS  recall@10 %.4f%s%n",
        what,
        at(r.ms, 0.5),
        at(r.ms, 0.99),
        r.qps,
        r.recall,
        server);
  }

  /**
   * Every query once per client thread after a warm-up pass; latencies of all, recall of the first
   * thread's.
   */
  private Round restRound(String[] bodies, List<Set<Integer>> truth, int threads) throws Exception {
    for (int q = 0; q < bodies.length; q++) {
      send("POST", COLLECTION + "/points/query", bodies[q]);
    }
    double[] ms = new double[bodies.length * threads];
    double[] serverMs = new double[ms.length];
    double[] recall = new double[1];
    AtomicInteger slot = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      done.add(
          pool.submit(
              () -> {
                try (KeepAliveHttpClient mine = clients.get()) {
                  runQueries(bodies, truth, threads, thread, ms, serverMs, slot, recall);
                } finally {
                  clients.remove();
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    double sec = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    return new Round(ms, serverMs, ms.length / sec, recall[0] / bodies.length);
  }

  private void runQueries(
      String[] bodies,
      List<Set<Integer>> truth,
      int threads,
      int thread,
      double[] ms,
      double[] serverMs,
      AtomicInteger slot,
      double[] recall)
      throws IOException {
    for (int i = 0; i < bodies.length; i++) {
      int q = (i + thread * bodies.length / threads) % bodies.length;
      long s = System.nanoTime();
      String reply = send("POST", COLLECTION + "/points/query", bodies[q]);
      int at = slot.getAndIncrement();
      ms[at] = (System.nanoTime() - s) / 1e6;
      serverMs[at] = serverSeconds(reply) * 1e3;
      if (thread == 0) {
        recall[0] += overlap(ids(reply), truth.get(q));
      }
    }
  }

  private Round engineRound(
      Engine engine, Dataset data, int ef, List<Set<Integer>> truth, int threads) throws Exception {
    double[] ms = new double[data.queryCount() * threads];
    double[] recall = new double[1];
    AtomicInteger slot = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    long[] start = new long[1];
    for (int pass = 0; pass < 2; pass++) { // the first pass warms the JIT up
      boolean timed = pass == 1;
      slot.set(0);
      start[0] = System.nanoTime();
      done.clear();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  Engine.Searcher searcher = engine.searcher();
                  for (int i = 0; i < data.queryCount(); i++) {
                    int q = (i + thread * data.queryCount() / threads) % data.queryCount();
                    float[] query = data.query(q);
                    long s = System.nanoTime();
                    int[] found = searcher.search(query, 10, ef);
                    ms[slot.getAndIncrement()] = (System.nanoTime() - s) / 1e6;
                    if (timed && thread == 0) {
                      Set<Integer> got = new HashSet<>();
                      for (int id : found) {
                        got.add(id);
                      }
                      recall[0] += overlap(got, truth.get(q));
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
    double sec = (System.nanoTime() - start[0]) / 1e9;
    pool.shutdown();
    return new Round(ms, null, ms.length / sec, recall[0] / data.queryCount());
  }

  /** The {@code time} a reply reports (seconds the node spent on the request), NaN if none. */
  private static double serverSeconds(String reply) {
    int at = reply.lastIndexOf("\"time\":");
    if (at < 0) {
      return Double.NaN;
    }
    int from = at + 7;
    int to = from;
    while (to < reply.length() && "0123456789.eE-+".indexOf(reply.charAt(to)) >= 0) {
      to++;
    }
    return Double.parseDouble(reply.substring(from, to));
  }

  private static double overlap(Set<Integer> got, Set<Integer> expected) {
    int hit = 0;
    for (int id : got) {
      hit += expected.contains(id) ? 1 : 0;
    }
    return hit / 10.0;
  }

  /** The exact top 10 among the points of bucket 0 (ids divisible by {@link #filterBuckets}). */
  private List<Set<Integer>> filteredTruth(Dataset data) {
    var distance = data.distance();
    List<float[]> prepared = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < data.size(); i += filterBuckets) {
      prepared.add(distance.prepare(data.baseVector(i)));
      ids.add(i);
    }
    List<Set<Integer>> truth = new ArrayList<>();
    for (int q = 0; q < data.queryCount(); q++) {
      float[] query = distance.prepare(data.query(q));
      Integer[] order = ids.toArray(Integer[]::new);
      float[] sims = new float[prepared.size()];
      for (int k = 0; k < sims.length; k++) {
        sims[k] = distance.similarity(query, prepared.get(k));
      }
      Integer[] ranks = new Integer[sims.length];
      for (int k = 0; k < ranks.length; k++) {
        ranks[k] = k;
      }
      Arrays.sort(ranks, (a, b) -> Float.compare(sims[b], sims[a]));
      Set<Integer> top = new HashSet<>();
      for (int k = 0; k < Math.min(10, ranks.length); k++) {
        top.add(order[ranks[k]]);
      }
      truth.add(top);
    }
    return truth;
  }

  private static List<Set<Integer>> truth(Dataset data) throws Exception {
    List<Set<Integer>> truth = new ArrayList<>();
    try (ExactEngine exact = new ExactEngine()) {
      exact.build(data, 1);
      Engine.Searcher searcher = exact.searcher();
      for (int q = 0; q < data.queryCount(); q++) {
        Set<Integer> ids = new HashSet<>();
        for (int ord : searcher.search(data.query(q), 10, 0)) {
          ids.add(ord);
        }
        truth.add(ids);
      }
    }
    return truth;
  }

  /** Batches of {@code batch} points, {@code wait=true}, from {@code clients} threads at once. */
  private void ingest(Dataset data, int threads, int batch) throws Exception {
    List<String> bodies = new ArrayList<>();
    for (int from = 0; from < data.size(); from += batch) {
      StringBuilder s = new StringBuilder("{\"points\":[");
      for (int i = from; i < Math.min(data.size(), from + batch); i++) {
        s.append(i == from ? "" : ",")
            .append("{\"id\":")
            .append(i)
            .append(",\"vector\":")
            .append(vector(data.baseVector(i)));
        if (payloadBytes > 0 || filterBuckets > 0) {
          s.append(",\"payload\":{\"doc\":").append(i);
          if (filterBuckets > 0) {
            s.append(",\"bucket\":").append(i % filterBuckets);
          }
          if (payloadBytes > 0) {
            s.append(",\"text\":\"").append(text(i, payloadBytes)).append('"');
          }
          s.append('}');
        }
        s.append('}');
      }
      bodies.add(s.append("]}").toString());
    }
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      done.add(
          pool.submit(
              () -> {
                try (KeepAliveHttpClient mine = clients.get()) {
                  for (int b; (b = next.getAndIncrement()) < bodies.size(); ) {
                    send("PUT", COLLECTION + "/points?wait=true", bodies.get(b));
                  }
                } finally {
                  clients.remove();
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    double sec = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "ingest: %.0f points/s (%d points, batches of %d, wait=true, %d clients, %.1f s)%n",
        data.size() / sec,
        data.size(),
        batch,
        threads,
        sec);
  }

  private static final String[] WORDS = {
    "vector",
    "search",
    "shard",
    "replica",
    "payload",
    "query",
    "index",
    "segment",
    "cluster",
    "node",
    "graph",
    "filter",
    "score",
    "point",
    "collection",
    "raft"
  };

  /**
   * About {@code bytes} of words, different for each point (a stand-in for a document chunk's
   * text).
   */
  private static String text(int point, int bytes) {
    StringBuilder s = new StringBuilder(bytes + 16);
    java.util.Random random = new java.util.Random(point);
    while (s.length() < bytes) {
      s.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
    }
    return s.toString();
  }

  private void awaitGreen() throws Exception {
    long deadline = System.nanoTime() + 1_800_000_000_000L;
    while (!send("GET", COLLECTION, null).contains("\"status\":\"green\"")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not optimized after 30 minutes");
      }
      Thread.sleep(200);
    }
  }

  /** Bytes the node has allocated so far, and the series they were read from. */
  private record Allocated(double bytes, String source) {}

  private Allocated allocated() throws IOException {
    String metrics = send("GET", "/metrics", null);
    Matcher m = ALLOCATED.matcher(metrics);
    if (m.find()) {
      return new Allocated(Double.parseDouble(m.group(1)), "all its threads, at each scrape");
    }
    m = EDEN.matcher(metrics);
    return new Allocated(
        m.find() ? Double.parseDouble(m.group(1)) : Double.NaN,
        "eden pool, counted at each young GC");
  }

  private static Set<Integer> ids(String reply) {
    Set<Integer> out = new HashSet<>();
    Matcher m = ID.matcher(reply);
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }

  private static double at(double[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }

  private static String vector(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int d = 0; d < v.length; d++) {
      s.append(d == 0 ? "" : ",").append(v[d]);
    }
    return s.append(']').toString();
  }

  private String send(String method, String path, String body) throws IOException {
    var r =
        clients
            .get()
            .send(
                method,
                path,
                body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (r.status() != 200 && !(method.equals("DELETE") && r.status() == 404)) {
      throw new IOException(method + " " + path + " -> " + r.status() + " " + r.body());
    }
    return r.body();
  }
}
