package io.quiver.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quantization through the REST API of a running node: for each kind (none, int8, binary, product
 * x16, TurboQuant at 1, 1.5, 2 and 4 bits: turbo1, turbo1_5, turbo2, turbo4) creates a collection
 * of the data set's base vectors with that {@code quantization_config}, waits until the optimizer
 * has indexed and quantized it (full_scan_threshold 10 KB: every sealed segment is searched through
 * its graph), then runs the queries one at a time ({@code hnsw_ef}, {@code oversampling}) and
 * prints QPS and recall@10 against the exact ranking ({@code params.exact}, asked of the same
 * node).
 *
 * <pre>bin/quiver bench quantization [--url http://127.0.0.1:6333] [--dataset synth:20000:128]
 *     [--queries 200] [--ef 64] [--oversampling 2] [--kinds none,int8,binary,product,turbo1,turbo2,turbo4]
 * </pre>
 */
public final class QuantizationRestBenchmark {

  private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String url;

  private QuantizationRestBenchmark(String url) {
    this.url = url;
  }

  public static void main(String[] args) throws Exception {
    String url = "http://127.0.0.1:6333";
    String dataset = "synth:20000:128";
    int queries = 200;
    int ef = 64;
    double oversampling = 2;
    String kinds = "none,int8,binary,product,turbo1,turbo2,turbo4";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--dataset" -> dataset = args[i + 1];
        case "--queries" -> queries = Integer.parseInt(args[i + 1]);
        case "--ef" -> ef = Integer.parseInt(args[i + 1]);
        case "--oversampling" -> oversampling = Double.parseDouble(args[i + 1]);
        case "--kinds" -> kinds = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Dataset data = DatasetLoader.load(dataset).withQueries(queries);
    new QuantizationRestBenchmark(url).run(data, ef, oversampling, kinds.split(","));
  }

  private void run(Dataset data, int ef, double oversampling, String[] kinds) throws Exception {
    List<Set<Long>> truth = null;
    System.out.printf(
        Locale.ROOT,
        "%s: %d x %d %s, %d queries, top 10, hnsw_ef %d, oversampling %.1f, via %s%n",
        data.name(),
        data.size(),
        data.dim(),
        data.distance().qdrantName(),
        data.queryCount(),
        ef,
        oversampling,
        url);
    for (String kind : kinds) {
      String c = "/collections/bench_quant_" + kind;
      send("DELETE", c, null);
      String quantization =
          switch (kind) {
            case "none" -> "null";
            case "int8" -> "{\"scalar\":{\"type\":\"int8\",\"quantile\":0.99,\"always_ram\":true}}";
            case "binary" -> "{\"binary\":{\"always_ram\":true}}";
            case "product" -> "{\"product\":{\"compression\":\"x16\",\"always_ram\":true}}";
            case "turbo1", "turbo1_5", "turbo2", "turbo4" ->
                "{\"turbo\":{\"bits\":\"bits" + kind.substring(5) + "\"}}";
            default -> throw new IllegalArgumentException("unknown kind " + kind);
          };
      long t0 = System.nanoTime();
      send(
          "PUT",
          c,
          "{\"vectors\":{\"size\":"
              + data.dim()
              + ",\"distance\":\""
              + data.distance().qdrantName()
              + "\"},"
              + "\"hnsw_config\":{\"full_scan_threshold\":10},\"optimizers_config\":{\"indexing_threshold\":1000,\"default_segment_number\":2},"
              + "\"quantization_config\":"
              + quantization
              + "}");
      for (int from = 0; from < data.size(); from += 500) {
        send("PUT", c + "/points?wait=true", points(data, from, Math.min(data.size(), from + 500)));
      }
      awaitGreen(c);
      double buildSec = (System.nanoTime() - t0) / 1e9;
      if (truth == null) {
        truth = new ArrayList<>();
        for (int q = 0; q < data.queryCount(); q++) {
          truth.add(
              ids(
                  send(
                      "POST",
                      c + "/points/query",
                      "{\"query\":"
                          + vector(data.query(q))
                          + ",\"limit\":10,\"params\":{\"exact\":true}}")));
        }
      }
      String params =
          "{\"hnsw_ef\":"
              + ef
              + (kind.equals("none")
                  ? ""
                  : ",\"quantization\":{\"rescore\":true,\"oversampling\":" + oversampling + "}")
              + "}";
      for (int q = 0; q < Math.min(20, data.queryCount()); q++) { // warm-up
        send(
            "POST",
            c + "/points/query",
            "{\"query\":" + vector(data.query(q)) + ",\"limit\":10,\"params\":" + params + "}");
      }
      double recall = 0;
      long start = System.nanoTime();
      for (int q = 0; q < data.queryCount(); q++) {
        Set<Long> got =
            ids(
                send(
                    "POST",
                    c + "/points/query",
                    "{\"query\":"
                        + vector(data.query(q))
                        + ",\"limit\":10,\"params\":"
                        + params
                        + "}"));
        got.retainAll(truth.get(q));
        recall += got.size() / 10.0;
      }
      double sec = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%-8s QPS %7.1f   recall@10 %.4f   ingest + index + quantize %6.1f s%n",
          kind,
          data.queryCount() / sec,
          recall / data.queryCount(),
          buildSec);
      send("DELETE", c, null);
    }
  }

  private void awaitGreen(String c) throws Exception {
    long deadline = System.nanoTime() + 1_800_000_000_000L;
    while (!send("GET", c, null).contains("\"status\":\"green\"")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(c + " not optimized after 30 minutes");
      }
      Thread.sleep(200);
    }
  }

  private static Set<Long> ids(String reply) {
    Set<Long> out = new HashSet<>();
    Matcher m = ID.matcher(reply);
    while (m.find()) {
      out.add(Long.parseLong(m.group(1)));
    }
    return out;
  }

  private static String points(Dataset data, int from, int to) {
    StringBuilder s = new StringBuilder("{\"points\":[");
    for (int i = from; i < to; i++) {
      s.append(i == from ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"vector\":")
          .append(vector(data.baseVector(i)))
          .append('}');
    }
    return s.append("]}").toString();
  }

  private static String vector(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int d = 0; d < v.length; d++) {
      s.append(d == 0 ? "" : ",").append(v[d]);
    }
    return s.append(']').toString();
  }

  private String send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofMinutes(5));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 && !(method.equals("DELETE") && r.statusCode() == 404)) {
      throw new IOException(method + " " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }
}
