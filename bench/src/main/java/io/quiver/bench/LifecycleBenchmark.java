package io.quiver.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How long a collection create and a node start take (issue 14, "Membership"), on real node
 * processes on loopback ({@link BenchNode}: {@code bin/quiver node}, the operator's launcher):
 *
 * <ul>
 *   <li><b>one node</b>: {@code --repeats} creates of a 1-shard and of a 4-shard collection;
 *   <li><b>three nodes</b>, launched at the same moment (the first pointed at itself, the others at
 *       it, as a compose file starts them): creates of rf 1 x 2 shards, rf 3 x 3 shards and rf 2 x
 *       3 shards (rf 2 also places a witness on the third node), each through the first node;
 *   <li><b>restart</b> of a node holding 10 one-shard collections with a point each: SIGTERM,
 *       launch, time to {@code /readyz} 200 and to every collection answering an exact count,
 *       {@code --restarts} times.
 * </ul>
 *
 * A create is timed from sending {@code PUT /collections/NAME} to its 200 (which Quiver sends once
 * every shard answers a count through its leader); creates are {@code --pause-ms} apart so that
 * each starts on a quiet cluster. Figures are min / median / max. Nodes are stopped by their pids.
 *
 * <pre>
 * bin/quiver bench lifecycle [--repeats 7] [--restarts 3] [--pause-ms 1000] [--only single,cluster,restart]
 *     [--dir DIR] [--out FILE]</pre>
 */
public final class LifecycleBenchmark {

  private final Path home;
  private final Path dir;
  private final int repeats;
  private final int pauseMs;
  private final StringBuilder report = new StringBuilder();

  private LifecycleBenchmark(Path home, Path dir, int repeats, int pauseMs) {
    this.home = home;
    this.dir = dir;
    this.repeats = repeats;
    this.pauseMs = pauseMs;
  }

  public static void main(String[] args) throws Exception {
    int repeats = 7;
    int restarts = 3;
    int pauseMs = 1000;
    List<String> only = List.of("single", "cluster", "restart");
    Path dir = null;
    Path out = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
        case "--restarts" -> restarts = Integer.parseInt(args[i + 1]);
        case "--pause-ms" -> pauseMs = Integer.parseInt(args[i + 1]);
        case "--only" -> only = List.of(args[i + 1].split(","));
        case "--dir" -> dir = Path.of(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path home = Path.of(System.getProperty("quiver.home", ".")).toAbsolutePath().normalize();
    if (dir == null) {
      dir = Files.createTempDirectory("quiver-lifecycle-bench");
    }
    Files.createDirectories(dir);
    LifecycleBenchmark bench = new LifecycleBenchmark(home, dir, repeats, pauseMs);
    bench.line("command: bin/quiver bench lifecycle " + String.join(" ", args));
    bench.line(
        String.format(
            Locale.ROOT,
            "machine: %d cores, load average %s, data in %s",
            Runtime.getRuntime().availableProcessors(),
            Files.readString(Path.of("/proc/loadavg")).trim(),
            dir));
    bench.warmUp();
    if (only.contains("single")) {
      bench.singleNode();
    }
    if (only.contains("cluster")) {
      bench.cluster();
    }
    if (only.contains("restart")) {
      bench.restart(restarts);
    }
    if (out != null) {
      Files.writeString(out, bench.report.toString());
      System.out.println("written to " + out);
    }
  }

  /**
   * One node started, given a collection and stopped, unmeasured: after a build, bin/quiver's first
   * start records the JDK AOT cache (a slower start, and a slower stop that writes it), and the
   * measured starts should all use it.
   */
  private void warmUp() throws Exception {
    BenchNode node =
        new BenchNode(
            home, dir.resolve("warm-up"), BenchNode.freePort(), BenchNode.freePort(), List.of());
    try {
      node.start("warm-up").awaitReady();
      create(node, "warm", 1, 1);
    } finally {
      node.stopQuietly();
    }
  }

  private void singleNode() throws Exception {
    BenchNode node =
        new BenchNode(
            home, dir.resolve("single"), BenchNode.freePort(), BenchNode.freePort(), List.of());
    try {
      node.start("start").awaitReady();
      line("");
      line("| one node | create min / median / max (ms) |");
      line("|---|---|");
      measureCreates(node, "one", 1, 1);
      measureCreates(node, "four", 4, 1);
    } finally {
      node.stopQuietly();
    }
  }

  private void cluster() throws Exception {
    int[] http = {BenchNode.freePort(), BenchNode.freePort(), BenchNode.freePort()};
    int[] raft = {BenchNode.freePort(), BenchNode.freePort(), BenchNode.freePort()};
    String seed = "http://127.0.0.1:" + raft[0];
    List<BenchNode> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(
          new BenchNode(
              home, dir.resolve("cluster-" + i), http[i], raft[i], List.of("--bootstrap", seed)));
    }
    try {
      long t0 = System.nanoTime();
      for (BenchNode n : nodes) {
        n.start("start");
      }
      for (BenchNode n : nodes) {
        n.awaitReady();
      }
      BenchNode first = nodes.get(0);
      while (peers(first) < 3) {
        Thread.sleep(50);
      }
      line("");
      line(
          String.format(
              Locale.ROOT,
              "three nodes launched at once: all ready with 3 peers in %.1f s",
              (System.nanoTime() - t0) / 1e9));
      line("");
      line("| three nodes, creates through the first | create min / median / max (ms) |");
      line("|---|---|");
      measureCreates(first, "rf1", 2, 1);
      measureCreates(first, "rf3", 3, 3);
      measureCreates(first, "rf2", 3, 2);
    } finally {
      for (BenchNode n : nodes) {
        n.stopQuietly();
      }
    }
  }

  private static int peers(BenchNode node) throws Exception {
    String body = node.get("/cluster");
    return body == null ? 0 : body.split("\"rest_uri\"", -1).length - 1;
  }

  private void restart(int restarts) throws Exception {
    BenchNode node =
        new BenchNode(
            home, dir.resolve("restart"), BenchNode.freePort(), BenchNode.freePort(), List.of());
    int collections = 10;
    try {
      node.start("start").awaitReady();
      for (int c = 0; c < collections; c++) {
        create(node, "r" + c, 1, 1);
        int status =
            node.send(
                "PUT",
                "/collections/r" + c + "/points?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[0.1,0.2,0.3,0.4]}]}");
        if (status != 200) {
          throw new IllegalStateException("upsert into r" + c + " answered " + status);
        }
      }
      List<Double> ready = new ArrayList<>();
      List<Double> firstCount = new ArrayList<>();
      List<Double> counting = new ArrayList<>();
      for (int r = 0; r < restarts; r++) {
        node.stop();
        long t0 = System.nanoTime();
        node.start("restart-" + r).awaitReady();
        ready.add((System.nanoTime() - t0) / 1e6);
        for (int c = 0; c < collections; c++) {
          while (node.send("POST", "/collections/r" + c + "/points/count", "{\"exact\":true}")
              != 200) {
            Thread.sleep(10);
          }
          if (c == 0) {
            firstCount.add((System.nanoTime() - t0) / 1e6);
          }
        }
        counting.add((System.nanoTime() - t0) / 1e6);
      }
      line("");
      line("| restart, one node with 10 one-shard collections | min / median / max (ms) |");
      line("|---|---|");
      line("| launch to /readyz 200 | " + stats(ready) + " |");
      line("| launch to the first collection counting | " + stats(firstCount) + " |");
      line("| launch to all 10 collections counting | " + stats(counting) + " |");
    } finally {
      node.stopQuietly();
    }
  }

  private void measureCreates(BenchNode node, String prefix, int shards, int replicationFactor)
      throws Exception {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      Thread.sleep(pauseMs);
      long t0 = System.nanoTime();
      create(node, prefix + "-" + i, shards, replicationFactor);
      ms.add((System.nanoTime() - t0) / 1e6);
    }
    line(
        String.format(
            Locale.ROOT,
            "| %d shard%s, replication_factor %d (%d creates) | %s |",
            shards,
            shards == 1 ? "" : "s",
            replicationFactor,
            repeats,
            stats(ms)));
  }

  private static void create(BenchNode node, String name, int shards, int replicationFactor)
      throws Exception {
    String body =
        "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"},\"shard_number\":"
            + shards
            + ",\"replication_factor\":"
            + replicationFactor
            + "}";
    int status = node.send("PUT", "/collections/" + name, body);
    if (status != 200) {
      throw new IllegalStateException("creating collection " + name + " answered " + status);
    }
  }

  private static String stats(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return String.format(
        Locale.ROOT, "%.0f / %.0f / %.0f", s.get(0), s.get(s.size() / 2), s.get(s.size() - 1));
  }

  private void line(String s) {
    System.out.println(s);
    report.append(s).append('\n');
  }
}
