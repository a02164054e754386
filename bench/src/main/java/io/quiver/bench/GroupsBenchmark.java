package io.quiver.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What idle shard groups cost one node (issue 17): starts a real node process on loopback with a
 * fresh data directory, creates collections of {@code --shards} shards until the node hosts each of
 * {@code --groups} shard groups, and at each step leaves the node idle {@code --idle-sec} seconds
 * and reads from {@code /proc/<pid>}: CPU used while idle (% of one core, from {@code stat}), RSS
 * and threads ({@code status}) and open files ({@code fd}). Also records the time to create each
 * collection, the time from SIGTERM to the process' exit, and the time from a restart to {@code
 * /readyz} answering 200 and to the last collection answering a count. The node is stopped by its
 * pid.
 *
 * <p>With {@code --nodes N} (N > 1) it launches N nodes at once instead, creates the collections
 * with {@code --replication R} replicas per shard (3 nodes and R=2 also give each shard a witness),
 * and reads the same figures per node, plus the traffic between the nodes' Raft ports while idle:
 * TCP segments that carry data, summed over both ends of every connection from {@code ss -ti}
 * ({@code data_segs_out}); an idle heartbeat and its reply are one segment each. No restart is
 * measured in that mode.
 *
 * <pre>bin/quiver bench groups [--groups 0,40,100,200] [--shards 4] [--idle-sec 20] [--nodes 1]
 *     [--replication 1] [--http-port PORT] [--raft-port PORT] [--dir DIR] [--out FILE]</pre>
 *
 * (ports: free ones by default; given ports are those of the first node).
 */
public final class GroupsBenchmark {

  /** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ, 100 on Linux x86). */
  private static final double TICKS_PER_SEC = 100.0;

  private final BenchNode node;
  private final List<BenchNode> cluster = new ArrayList<>();
  private final List<Integer> raftPorts = new ArrayList<>();
  private final StringBuilder report = new StringBuilder();

  private GroupsBenchmark(Path home, Path dataDir, int httpPort, int raftPort, int nodes)
      throws IOException {
    if (nodes == 1) {
      this.node = new BenchNode(home, dataDir.resolve("data"), httpPort, raftPort, List.of());
      cluster.add(node);
      raftPorts.add(raftPort);
      return;
    }
    String seed = "http://127.0.0.1:" + raftPort;
    for (int i = 0; i < nodes; i++) {
      int raft = i == 0 ? raftPort : BenchNode.freePort();
      raftPorts.add(raft);
      // The seed points at itself, the others at it: all launched at once, as operators start a
      // cluster.
      cluster.add(
          new BenchNode(
              home,
              dataDir.resolve("n" + i),
              i == 0 ? httpPort : BenchNode.freePort(),
              raft,
              List.of("--bootstrap", seed)));
    }
    this.node = cluster.getFirst();
  }

  public static void main(String[] args) throws Exception {
    int[] groups = {0, 40, 100, 200};
    int shards = 4;
    int idleSec = 20;
    int nodes = 1;
    int replication = 1;
    int httpPort = BenchNode.freePort();
    int raftPort = BenchNode.freePort();
    Path dir = null;
    Path out = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--groups" ->
            groups = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--shards" -> shards = Integer.parseInt(args[i + 1]);
        case "--idle-sec" -> idleSec = Integer.parseInt(args[i + 1]);
        case "--nodes" -> nodes = Integer.parseInt(args[i + 1]);
        case "--replication" -> replication = Integer.parseInt(args[i + 1]);
        case "--http-port" -> httpPort = Integer.parseInt(args[i + 1]);
        case "--raft-port" -> raftPort = Integer.parseInt(args[i + 1]);
        case "--dir" -> dir = Path.of(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path home = Path.of(System.getProperty("quiver.home", ".")).toAbsolutePath().normalize();
    if (dir == null) {
      dir = Files.createTempDirectory("quiver-groups-bench");
    }
    Files.createDirectories(dir);
    if (nodes < 1 || replication < 1 || replication > nodes) {
      throw new IllegalArgumentException(
          "--nodes must be at least 1 and --replication between 1 and --nodes");
    }
    GroupsBenchmark bench = new GroupsBenchmark(home, dir, httpPort, raftPort, nodes);
    bench.line("command: bin/quiver bench groups " + String.join(" ", args));
    bench.line(
        String.format(
            Locale.ROOT,
            "machine: %d cores, data in %s",
            Runtime.getRuntime().availableProcessors(),
            dir));
    if (nodes == 1) {
      bench.run(groups, shards, idleSec);
    } else {
      bench.runCluster(groups, shards, replication, idleSec);
    }
    if (out != null) {
      Files.writeString(out, bench.report.toString());
      System.out.println("written to " + out);
    }
  }

  private void run(int[] targets, int shards, int idleSec) throws Exception {
    node.start("start");
    try {
      node.awaitReady();
      line(
          "| shard groups | idle CPU (% of one core) | RSS (MB) | threads | open files | create per collection (median / max ms) |");
      line("|---|---|---|---|---|---|");
      int collections = 0;
      for (int target : targets) {
        List<Double> createMs = new ArrayList<>();
        collections = createUntil(collections, target, shards, 1, createMs);
        Sample s = idleSample(node.pid(), idleSec);
        line(
            String.format(
                Locale.ROOT,
                "| %d | %.1f | %.0f | %d | %d | %s |",
                collections * shards,
                s.cpuPercent,
                s.rssKb / 1024.0,
                s.threads,
                s.openFiles,
                createMs.isEmpty() ? "-" : median(createMs) + " / " + max(createMs)));
      }
      long t0 = System.nanoTime();
      int exit = node.stop(); // SIGTERM
      double stopMs = (System.nanoTime() - t0) / 1e6;
      line(
          String.format(Locale.ROOT, "stop: SIGTERM to exit %.0f ms (exit code %d)", stopMs, exit));
      t0 = System.nanoTime();
      node.start("restart");
      node.awaitReady();
      double readyMs = (System.nanoTime() - t0) / 1e6;
      String last = "/collections/g" + Math.max(0, collections - 1) + "/points/count";
      while (collections > 0 && node.send("POST", last, "{\"exact\":true}") != 200) {
        Thread.sleep(20);
      }
      double servingMs = (System.nanoTime() - t0) / 1e6;
      line(
          String.format(
              Locale.ROOT,
              "restart: process start to /readyz 200 in %.0f ms, to the last collection counting in %.0f ms",
              readyMs,
              servingMs));
      Sample s = idleSample(node.pid(), idleSec);
      line(
          String.format(
              Locale.ROOT,
              "after restart, idle: %.1f%% CPU, %.0f MB RSS, %d threads, %d open files",
              s.cpuPercent,
              s.rssKb / 1024.0,
              s.threads,
              s.openFiles));
    } finally {
      node.stopQuietly();
    }
  }

  /**
   * The cluster mode: every node launched at once, collections of {@code shards} shards with {@code
   * replication} replicas created through the first node until the cluster has each number of
   * {@code targets} shard groups; per step, the nodes' mean idle figures and the Raft traffic.
   */
  private void runCluster(int[] targets, int shards, int replication, int idleSec)
      throws Exception {
    try {
      for (BenchNode n : cluster) {
        n.start("start");
      }
      for (BenchNode n : cluster) {
        n.awaitReady();
      }
      line(
          String.format(
              Locale.ROOT, "%d nodes, replication_factor %d", cluster.size(), replication));
      line(
          "| shard groups | replicas per node | idle CPU per node (% of one core) | RSS per node (MB) | threads per node"
              + " | Raft segments/s between nodes | per group | create per collection (median / max ms) |");
      line("|---|---|---|---|---|---|---|---|");
      int collections = 0;
      for (int target : targets) {
        List<Double> createMs = new ArrayList<>();
        collections = createUntil(collections, target, shards, replication, createMs);
        Thread.sleep(
            2_000); // let the last create's follow-up work (elections, first snapshots) settle
        long[] ticks0 = new long[cluster.size()];
        for (int i = 0; i < cluster.size(); i++) {
          ticks0[i] = cpuTicks(cluster.get(i).pid());
        }
        long segments0 = raftSegments();
        long t0 = System.nanoTime();
        Thread.sleep(idleSec * 1000L);
        long segments1 = raftSegments();
        double elapsedSec = (System.nanoTime() - t0) / 1e9;
        double cpu = 0;
        double rssKb = 0;
        double threads = 0;
        for (int i = 0; i < cluster.size(); i++) {
          long pid = cluster.get(i).pid();
          cpu += 100.0 * (cpuTicks(pid) - ticks0[i]) / TICKS_PER_SEC / elapsedSec;
          Sample s = holding(pid);
          rssKb += s.rssKb;
          threads += s.threads;
        }
        int groups = collections * shards;
        double perSec = (segments1 - segments0) / elapsedSec;
        line(
            String.format(
                Locale.ROOT,
                "| %d | %.0f | %.1f | %.0f | %.0f | %.0f | %.2f | %s |",
                groups,
                (double) groups * replication / cluster.size(),
                cpu / cluster.size(),
                rssKb / cluster.size() / 1024.0,
                threads / cluster.size(),
                perSec,
                groups == 0 ? 0.0 : perSec / groups,
                createMs.isEmpty() ? "-" : median(createMs) + " / " + max(createMs)));
      }
    } finally {
      for (BenchNode n : cluster) {
        n.stopQuietly();
      }
    }
  }

  /**
   * Creates collections {@code g<collections>, ...} of {@code shards} shards and {@code
   * replication} replicas through the first node until there are {@code target} shard groups,
   * adding each create's time to {@code createMs}; returns the number of collections now.
   */
  private int createUntil(
      int collections, int target, int shards, int replication, List<Double> createMs)
      throws Exception {
    while (collections * shards < target) {
      long t0 = System.nanoTime();
      String body =
          "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"},\"shard_number\":"
              + shards
              + ",\"replication_factor\":"
              + replication
              + "}";
      int status = node.send("PUT", "/collections/g" + collections, body);
      if (status != 200) {
        throw new IllegalStateException(
            "creating collection g" + collections + " answered " + status);
      }
      createMs.add((System.nanoTime() - t0) / 1e6);
      collections++;
    }
    return collections;
  }

  /**
   * TCP segments with data sent so far on the established connections to or from any of the
   * cluster's Raft ports, both ends counted (each end's {@code data_segs_out}).
   */
  private long raftSegments() throws IOException, InterruptedException {
    StringBuilder filter = new StringBuilder("(");
    for (int port : raftPorts) {
      filter
          .append(filter.length() > 1 ? " or " : " ")
          .append("sport = :")
          .append(port)
          .append(" or dport = :")
          .append(port);
    }
    Process ss =
        new ProcessBuilder("ss", "-tinH", "state", "established", filter.append(" )").toString())
            .redirectErrorStream(true)
            .start();
    String out =
        new String(ss.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (ss.waitFor() != 0) {
      throw new IOException("ss failed: " + out);
    }
    long total = 0;
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("data_segs_out:(\\d+)").matcher(out);
    while (m.find()) {
      total += Long.parseLong(m.group(1));
    }
    return total;
  }

  private record Sample(double cpuPercent, long rssKb, int threads, int openFiles) {}

  /** Lets the node idle {@code seconds} and reads what it used meanwhile and holds at the end. */
  private static Sample idleSample(long pid, int seconds) throws Exception {
    Thread.sleep(2_000); // let the last create's follow-up work (elections, first snapshots) settle
    long ticks0 = cpuTicks(pid);
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long ticks1 = cpuTicks(pid);
    double elapsedSec = (System.nanoTime() - t0) / 1e9;
    double cpu = 100.0 * (ticks1 - ticks0) / TICKS_PER_SEC / elapsedSec;
    Sample held = holding(pid);
    return new Sample(cpu, held.rssKb, held.threads, held.openFiles);
  }

  /** What the process holds now: RSS, threads and open files (no CPU figure). */
  private static Sample holding(long pid) throws IOException {
    long rss = 0;
    int threads = 0;
    for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (l.startsWith("VmRSS:")) {
        rss = Long.parseLong(l.replaceAll("[^0-9]", ""));
      } else if (l.startsWith("Threads:")) {
        threads = Integer.parseInt(l.replaceAll("[^0-9]", ""));
      }
    }
    int fds;
    try (Stream<Path> s = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
      fds = (int) s.count();
    }
    return new Sample(0, rss, threads, fds);
  }

  /** utime + stime of the process, in clock ticks (fields 14 and 15 of /proc/pid/stat). */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return Math.round(s.get(s.size() / 2));
  }

  private static long max(List<Double> xs) {
    return Math.round(xs.stream().mapToDouble(Double::doubleValue).max().orElse(0));
  }

  private void line(String s) {
    System.out.println(s);
    report.append(s).append('\n');
  }
}
