package io.quiver.bench.rest;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * End-to-end latency of the REST API of a running node (or cluster): creates a collection, then
 * measures {@code wait=true} upserts of {@code batch} points of {@code dim} dimensions and top-10
 * queries (nearest, recommend best_score by ids, two prefetches fused by RRF), one at a time, and
 * prints median / p90 / p99 of each. Drops the collection at the end.
 *
 * <pre>
 * bin/quiver bench rest [--url http://127.0.0.1:6333] [--dim 128] [--batch 1000] [--upserts 20] [--queries 100]
 *     [--shards 1] [--replication 1]</pre>
 */
public final class RestBenchmark {

  /**
   * One kept-alive connection, the calling thread's (see {@link KeepAliveHttpClient}: the JDK's
   * client added 0.4-0.6 ms to every request).
   */
  private final KeepAliveHttpClient client;

  private final String url;
  private final int dim;
  private final Random random = new Random(42);

  private RestBenchmark(String url, int dim) {
    this.url = url;
    this.client = new KeepAliveHttpClient(url);
    this.dim = dim;
  }

  public static void main(String[] args) throws Exception {
    String url = "http://127.0.0.1:6333";
    int dim = 128;
    int batch = 1000;
    int upserts = 20;
    int queries = 100;
    int shards = 1;
    int replication = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--dim" -> dim = Integer.parseInt(args[i + 1]);
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        case "--upserts" -> upserts = Integer.parseInt(args[i + 1]);
        case "--queries" -> queries = Integer.parseInt(args[i + 1]);
        case "--shards" -> shards = Integer.parseInt(args[i + 1]);
        case "--replication" -> replication = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    new RestBenchmark(url, dim).run(batch, upserts, queries, shards, replication);
  }

  private void run(int batch, int upserts, int queries, int shards, int replication)
      throws Exception {
    String collection = "bench_rest_" + Long.toHexString(System.nanoTime());
    send(
        "PUT",
        "/collections/" + collection,
        "{\"vectors\":{\"size\":"
            + dim
            + ",\"distance\":\"Cosine\"},\"shard_number\":"
            + shards
            + ",\"replication_factor\":"
            + replication
            + "}");
    try {
      double[] upsertMs = new double[upserts];
      for (int i = 0; i < upserts; i++) {
        String body = points(i * batch, batch);
        long t0 = System.nanoTime();
        send("PUT", "/collections/" + collection + "/points?wait=true", body);
        upsertMs[i] = (System.nanoTime() - t0) / 1e6;
      }
      int stored = upserts * batch;
      double[] queryMs =
          queries(collection, queries, () -> "{\"query\":" + vector() + ",\"limit\":10}");
      // the Query API's other kinds: examples by id, a custom-scored scan, and two prefetches fused
      double[] recommendMs =
          queries(
              collection,
              queries,
              () ->
                  "{\"query\":{\"recommend\":{\"positive\":["
                      + random.nextInt(stored)
                      + ","
                      + random.nextInt(stored)
                      + "],\"negative\":["
                      + random.nextInt(stored)
                      + "],\"strategy\":\"best_score\"}},\"limit\":10}");
      double[] fusionMs =
          queries(
              collection,
              queries,
              () ->
                  "{\"prefetch\":[{\"query\":"
                      + vector()
                      + ",\"limit\":50},"
                      + "{\"query\":"
                      + vector()
                      + ",\"limit\":50}],\"query\":{\"fusion\":\"rrf\"},\"limit\":10}");
      System.out.printf(
          Locale.ROOT,
          "collection: %d points x %d dims, %d shard(s) x %d replica(s), Cosine, exact search, via %s%n",
          (long) upserts * batch,
          dim,
          shards,
          replication,
          url);
      String cluster = get("/collections/" + collection + "/cluster");
      System.out.println(
          "shard leaders on the node written through: "
              + (cluster.split("\"role\":\"Leader\"", -1).length - 1)
              + " of "
              + shards);
      System.out.printf(
          Locale.ROOT,
          "ingest: %.0f points/s (sequential wait=true batches)%n",
          upserts * batch / (Arrays.stream(upsertMs).sum() / 1000));
      print("upsert wait=true, " + batch + " points", upsertMs);
      print("query top-10", queryMs);
      print("recommend best_score top-10", recommendMs);
      print("2 prefetches x 50 + rrf top-10", fusionMs);
    } finally {
      send("DELETE", "/collections/" + collection, null);
    }
  }

  /**
   * Latencies of {@code n} sequential queries after ten that warm up the JIT of client and server.
   */
  private double[] queries(String collection, int n, java.util.function.Supplier<String> body)
      throws IOException {
    double[] ms = new double[n];
    for (int i = 0; i < n + 10; i++) {
      String b = body.get();
      long t0 = System.nanoTime();
      send("POST", "/collections/" + collection + "/points/query", b);
      if (i >= 10) {
        ms[i - 10] = (System.nanoTime() - t0) / 1e6;
      }
    }
    return ms;
  }

  private static void print(String what, double[] ms) {
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "%-34s n=%-4d median %8.2f ms   p90 %8.2f ms   p99 %8.2f ms%n",
        what,
        sorted.length,
        at(sorted, 0.5),
        at(sorted, 0.9),
        at(sorted, 0.99));
  }

  private static double at(double[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }

  private String points(int firstId, int n) {
    StringBuilder s = new StringBuilder(n * dim * 8).append("{\"points\":[");
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(firstId + i)
          .append(",\"vector\":")
          .append(vector())
          .append(",\"payload\":{\"i\":")
          .append(firstId + i)
          .append("}}");
    }
    return s.append("]}").toString();
  }

  private String vector() {
    StringBuilder s = new StringBuilder("[");
    for (int d = 0; d < dim; d++) {
      s.append(d == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", random.nextGaussian()));
    }
    return s.append("]").toString();
  }

  private String get(String path) throws IOException {
    return client.send("GET", path, null).body();
  }

  private void send(String method, String path, String body) throws IOException {
    var r =
        client.send(
            method,
            path,
            body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (r.status() != 200) {
      throw new IOException(method + " " + path + " -> " + r.status() + " " + r.body());
    }
  }
}
