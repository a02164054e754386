package io.quiver.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Resharding under load (issue 14): three real node processes launched at once ({@link BenchNode}),
 * a collection of {@code --shards} shards (one replica each) loaded with {@code --points} random
 * vectors of {@code --dim} dimensions, then {@code start_resharding up}. Reports the time from the
 * request to the end of the resharding (every node reports one shard more and no resharding), the
 * share of the points that moved (the new shard's points over all), the exact count afterwards, the
 * latency of searches sent through the first node all along (p50 / p99 / max, and errors), and the
 * latency of single-point upserts of random ids through the second node during it.
 *
 * <pre>
 * bin/quiver bench resharding [--points 1000000] [--dim 16] [--shards 4] [--dir DIR] [--out FILE]
 * </pre>
 */
public final class ReshardingBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int points = 1_000_000;
    int dim = 16;
    int shards = 4;
    Path dir = null;
    Path out = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--points" -> points = Integer.parseInt(args[i + 1]);
        case "--dim" -> dim = Integer.parseInt(args[i + 1]);
        case "--shards" -> shards = Integer.parseInt(args[i + 1]);
        case "--dir" -> dir = Path.of(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path home = Path.of(System.getProperty("quiver.home", ".")).toAbsolutePath().normalize();
    if (dir == null) {
      dir = Files.createTempDirectory("quiver-resharding-bench");
    }
    Files.createDirectories(dir);
    StringBuilder report = new StringBuilder();
    java.util.function.Consumer<String> line =
        s -> {
          System.out.println(s);
          report.append(s).append('\n');
        };
    line.accept("command: bin/quiver bench resharding " + String.join(" ", args));
    line.accept(
        String.format(
            Locale.ROOT,
            "machine: %d cores, load average %s",
            Runtime.getRuntime().availableProcessors(),
            Files.readString(Path.of("/proc/loadavg")).trim()));

    List<BenchNode> nodes = new ArrayList<>();
    int[] raft = {BenchNode.freePort(), BenchNode.freePort(), BenchNode.freePort()};
    String seed = "http://127.0.0.1:" + raft[0];
    for (int i = 0; i < 3; i++) {
      nodes.add(
          new BenchNode(
              home,
              dir.resolve("node-" + i),
              BenchNode.freePort(),
              raft[i],
              List.of("--bootstrap", seed)));
    }
    try {
      for (BenchNode n : nodes) {
        n.start("resharding");
      }
      for (BenchNode n : nodes) {
        n.awaitReady();
      }
      BenchNode first = nodes.get(0);
      check(
          first.send(
              "PUT",
              "/collections/bench",
              "{\"vectors\":{\"size\":"
                  + dim
                  + ",\"distance\":\"Cosine\"},\"shard_number\":"
                  + shards
                  + ",\"replication_factor\":1}"),
          "create");
      long t0 = System.nanoTime();
      load(nodes, points, dim);
      line.accept(
          String.format(
              Locale.ROOT,
              "loaded %,d points of %d dimensions into %d shards in %.1f s",
              points,
              dim,
              shards,
              (System.nanoTime() - t0) / 1e9));

      AtomicBoolean stop = new AtomicBoolean();
      List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
      int[] errors = new int[1];
      int queryDim = dim;
      Thread searcher =
          new Thread(
              () -> {
                SplittableRandom r = new SplittableRandom(7);
                while (!stop.get()) {
                  long s = System.nanoTime();
                  try {
                    if (first.send(
                            "POST",
                            "/collections/bench/points/query",
                            "{\"query\":" + vector(r, queryDim) + ",\"limit\":10}")
                        != 200) {
                      errors[0]++;
                    }
                  } catch (Exception e) {
                    errors[0]++;
                  }
                  latencies.add(System.nanoTime() - s);
                }
              },
              "searcher");
      searcher.start();
      List<Long> writeLatencies = java.util.Collections.synchronizedList(new ArrayList<>());
      int[] writeErrors = new int[1];
      int total = points;
      Thread writer =
          new Thread(
              () -> {
                SplittableRandom r = new SplittableRandom(11);
                BenchNode through = nodes.get(1);
                while (!stop.get()) {
                  long s = System.nanoTime();
                  try {
                    int id = r.nextInt(total);
                    if (through.send(
                            "PUT",
                            "/collections/bench/points?wait=true",
                            "{\"points\":[{\"id\":"
                                + id
                                + ",\"vector\":"
                                + vector(r, queryDim)
                                + "}]}")
                        != 200) {
                      writeErrors[0]++;
                    }
                  } catch (Exception e) {
                    writeErrors[0]++;
                  }
                  writeLatencies.add(System.nanoTime() - s);
                }
              },
              "writer");
      writer.start();
      Thread.sleep(2000);
      int before = latencies.size();
      int writesBefore = writeLatencies.size();
      long started = System.nanoTime();
      check(
          first.send(
              "POST",
              "/collections/bench/cluster",
              "{\"start_resharding\":{\"direction\":\"up\"}}"),
          "start_resharding");
      while (!finished(nodes, shards + 1)) {
        Thread.sleep(50);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      int after = latencies.size();
      int writesAfter = writeLatencies.size();
      stop.set(true);
      searcher.join();
      writer.join();
      long moved = pointsOfShard(nodes, shards);
      long count = JSON.readTree(countBody(first)).at("/result/count").asLong();
      line.accept(
          String.format(
              Locale.ROOT,
              "resharding %d -> %d shards: %.1f s; points moved to the new shard %,d of %,d = %.1f %%"
                  + " (jump hashing: 1/%d = %.1f %% expected); exact count afterwards %,d",
              shards,
              shards + 1,
              seconds,
              moved,
              points,
              100.0 * moved / points,
              shards + 1,
              100.0 / (shards + 1),
              count));
      long[] during =
          latencies.subList(before, after).stream().mapToLong(Long::longValue).sorted().toArray();
      long[] quiet =
          latencies.subList(0, before).stream().mapToLong(Long::longValue).sorted().toArray();
      line.accept(
          String.format(
              Locale.ROOT,
              "searches through node 0 (top 10, one client): before %s; during the resharding %s;"
                  + " errors %d",
              percentiles(quiet),
              percentiles(during),
              errors[0]));
      long[] writesDuring =
          writeLatencies.subList(writesBefore, writesAfter).stream()
              .mapToLong(Long::longValue)
              .sorted()
              .toArray();
      line.accept(
          String.format(
              Locale.ROOT,
              "single-point upserts (wait=true) of random ids through node 1, one client, during the"
                  + " resharding: %s; errors %d (a write of a moving point waits while the last changes are copied)",
              percentiles(writesDuring),
              writeErrors[0]));
    } finally {
      for (BenchNode n : nodes) {
        n.stopQuietly();
      }
    }
    if (out != null) {
      Files.writeString(out, report.toString());
      System.out.println("written to " + out);
    }
  }

  static String percentiles(long[] sortedNanos) {
    if (sortedNanos.length == 0) {
      return "no queries";
    }
    return String.format(
        Locale.ROOT,
        "%d queries, p50 %.1f ms, p99 %.1f ms, max %.1f ms",
        sortedNanos.length,
        sortedNanos[sortedNanos.length / 2] / 1e6,
        sortedNanos[(int) (sortedNanos.length * 0.99)] / 1e6,
        sortedNanos[sortedNanos.length - 1] / 1e6);
  }

  static void load(List<BenchNode> nodes, int points, int dim) throws Exception {
    int batch = 2000;
    Thread[] loaders = new Thread[2];
    Exception[] failure = new Exception[1];
    for (int t = 0; t < loaders.length; t++) {
      int part = t;
      loaders[t] =
          new Thread(
              () -> {
                SplittableRandom r = new SplittableRandom(part);
                try {
                  for (int from = part * batch; from < points; from += loaders.length * batch) {
                    StringBuilder body = new StringBuilder("{\"points\":[");
                    for (int id = from; id < Math.min(points, from + batch); id++) {
                      body.append(id == from ? "" : ",")
                          .append("{\"id\":")
                          .append(id)
                          .append(",\"vector\":")
                          .append(vector(r, dim))
                          .append('}');
                    }
                    check(
                        nodes
                            .get(part % nodes.size())
                            .send(
                                "PUT",
                                "/collections/bench/points?wait=true",
                                body.append("]}").toString()),
                        "upsert");
                  }
                } catch (Exception e) {
                  failure[0] = e;
                }
              });
      loaders[t].start();
    }
    for (Thread t : loaders) {
      t.join();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  static String vector(SplittableRandom r, int dim) {
    float[] v = new float[dim];
    for (int d = 0; d < dim; d++) {
      v[d] = (float) r.nextGaussian();
    }
    return Arrays.toString(v);
  }

  private static boolean finished(List<BenchNode> nodes, int shards) throws Exception {
    for (BenchNode n : nodes) {
      JsonNode info = JSON.readTree(n.get("/collections/bench/cluster")).get("result");
      if (info.get("shard_count").asInt() != shards
          || info.path("resharding_operations").size() != 0) {
        return false;
      }
    }
    return true;
  }

  private static long pointsOfShard(List<BenchNode> nodes, int shard) throws Exception {
    for (BenchNode n : nodes) {
      for (JsonNode local :
          JSON.readTree(n.get("/collections/bench/cluster")).at("/result/local_shards")) {
        if (local.get("shard_id").asInt() == shard) {
          return local.get("points_count").asLong();
        }
      }
    }
    return -1;
  }

  private static String countBody(BenchNode node) throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    var request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(
                    "http://127.0.0.1:" + node.httpPort() + "/collections/bench/points/count"))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"exact\":true}"))
            .build();
    return client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }

  static void check(int status, String what) {
    if (status != 200) {
      throw new IllegalStateException(what + " answered " + status);
    }
  }
}
