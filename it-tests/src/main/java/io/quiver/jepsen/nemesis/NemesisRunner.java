package io.quiver.jepsen.nemesis;

import io.quiver.jepsen.harness.QuiverCluster;
import io.quiver.jepsen.history.HistoryWriter;
import io.quiver.jepsen.history.Op;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Carries out a {@link NemesisSchedule} on its own thread: resolves each fault's targets (asking
 * the cluster who leads), injects it, holds it, heals it, and logs it twice: into the history as a
 * {@code fault} operation spanning its window, and as lines of the run's fault log ({@code
 * faults.txt}). {@link #stop()} heals the fault in progress and returns within the heal's own
 * bound.
 */
public final class NemesisRunner implements AutoCloseable {

  private final NemesisSchedule schedule;
  private final Nemesis nemesis;
  private final QuiverCluster cluster;
  private final String collection;
  private final int shards;
  private final HistoryWriter history;
  private final LongSupplier clock;
  private final PrintWriter log;
  private final Thread thread;
  private volatile boolean stopping;
  private int injected;

  /**
   * @param clock nanoseconds since the start of the run (the history's clock)
   * @param faultLog the file the fault log is written to (created or truncated)
   */
  public NemesisRunner(
      NemesisSchedule schedule,
      Nemesis nemesis,
      QuiverCluster cluster,
      String collection,
      int shards,
      HistoryWriter history,
      LongSupplier clock,
      Path faultLog) {
    this.schedule = schedule;
    this.nemesis = nemesis;
    this.cluster = cluster;
    this.collection = collection;
    this.shards = shards;
    this.history = history;
    this.clock = clock;
    try {
      this.log = new PrintWriter(Files.newBufferedWriter(faultLog, StandardCharsets.UTF_8), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    log.println(
        "# planned (one fault at a time; targets drawn at injection from each fault's seed)");
    for (NemesisSchedule.Planned p : schedule.faults()) {
      log.println("# " + p);
    }
    this.thread = new Thread(this::run, "jepsen-nemesis");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /**
   * @return how many faults were injected so far
   */
  public synchronized int injected() {
    return injected;
  }

  private void run() {
    for (NemesisSchedule.Planned planned : schedule.faults()) {
      while (!stopping && clock.getAsLong() / 1_000_000 < planned.startMillis()) {
        sleep(50);
      }
      if (stopping) {
        return;
      }
      long start = clock.getAsLong();
      Injected fault;
      try {
        fault = inject(planned);
      } catch (RuntimeException e) {
        line(start, "could not inject " + planned + ": " + e.getMessage());
        safeHealAll(start);
        continue;
      }
      line(start, "start " + fault.description());
      long until = start + planned.holdMillis() * 1_000_000;
      while (!stopping && clock.getAsLong() < until) {
        sleep(50);
      }
      try {
        fault.heal().run();
      } catch (RuntimeException e) {
        line(clock.getAsLong(), "heal of " + fault.description() + " failed: " + e.getMessage());
        safeHealAll(clock.getAsLong());
      }
      long end = clock.getAsLong();
      line(end, "healed " + fault.description());
      history.append(Op.fault(fault.description(), start, end));
      synchronized (this) {
        injected++;
      }
    }
  }

  private void safeHealAll(long at) {
    try {
      nemesis.healAll();
    } catch (RuntimeException e) {
      line(at, "heal-all failed: " + e.getMessage());
    }
  }

  private record Injected(String description, Runnable heal) {}

  private Injected inject(NemesisSchedule.Planned planned) {
    Random random = new Random(planned.seed());
    int n = cluster.nodes().size();
    switch (planned.kind()) {
      case PARTITION_HALVES -> {
        List<Integer> order = allNodes();
        Collections.shuffle(order, random);
        Set<Integer> small = new TreeSet<>(order.subList(0, n / 2));
        Set<Integer> large = new TreeSet<>(order.subList(n / 2, n));
        nemesis.partition(List.of(small, large));
        return new Injected(
            "partition " + names(small) + " | " + names(large), nemesis::healNetwork);
      }
      case ISOLATE_META_LEADER -> {
        Target t = metaLeaderOr(random);
        Set<Integer> rest = new TreeSet<>(allNodes());
        rest.remove(t.node());
        nemesis.partition(List.of(Set.of(t.node()), rest));
        return new Injected(
            "isolate n" + t.node() + " (" + t.why() + ") | " + names(rest), nemesis::healNetwork);
      }
      case ISOLATE_SHARD_LEADER -> {
        Target t = shardLeaderOr(random);
        Set<Integer> rest = new TreeSet<>(allNodes());
        rest.remove(t.node());
        nemesis.partition(List.of(Set.of(t.node()), rest));
        return new Injected(
            "isolate n" + t.node() + " (" + t.why() + ") | " + names(rest), nemesis::healNetwork);
      }
      case ONE_WAY -> {
        Target t = shardLeaderOr(random);
        nemesis.deafen(t.node());
        return new Injected(
            "one-way: n" + t.node() + " (" + t.why() + ") hears no node, its packets still go out",
            nemesis::healNetwork);
      }
      case KILL -> {
        Target t =
            random.nextBoolean()
                ? anyLeaderOr(random)
                : new Target(1 + random.nextInt(n), "random");
        nemesis.kill(t.node());
        return new Injected(
            "kill -9 n" + t.node() + " (" + t.why() + "), restart at heal",
            () -> nemesis.restart(t.node()));
      }
      case PAUSE -> {
        Target t =
            random.nextBoolean()
                ? anyLeaderOr(random)
                : new Target(1 + random.nextInt(n), "random");
        nemesis.pause(t.node());
        return new Injected(
            "pause (SIGSTOP) n" + t.node() + " (" + t.why() + ")", () -> nemesis.resume(t.node()));
      }
      case CLOCK_SKEW -> {
        if (!nemesis.canSkewClocks()) {
          throw new IllegalStateException("nodes were not started under libfaketime");
        }
        List<Integer> order = allNodes();
        Collections.shuffle(order, random);
        List<Integer> targets = order.subList(0, 1 + random.nextInt(n));
        List<String> parts = new ArrayList<>();
        for (int node : targets) {
          long seconds =
              switch (random.nextInt(3)) {
                case 0 -> 1 + random.nextInt(60);
                case 1 -> 60 + random.nextInt(541);
                default -> 3600;
              };
          seconds = random.nextBoolean() ? seconds : -seconds;
          nemesis.skew(node, seconds);
          parts.add(String.format(Locale.ROOT, "n%d %+ds", node, seconds));
        }
        return new Injected(
            "clock skew " + String.join(", ", parts),
            () -> {
              for (int node : targets) {
                nemesis.skew(node, 0);
              }
            });
      }
      case CLOCK_STEP_WHILE_RETRYING -> {
        if (!nemesis.canSkewClocks()) {
          throw new IllegalStateException("nodes were not started under libfaketime");
        }
        // n1: the final reads go through it (ScenarioRun), so a node whose Raft clients
        // wait for the wall clock after the step fails the run instead of only its own ops
        int node = 1;
        List<Integer> others = new ArrayList<>(allNodes());
        others.remove(Integer.valueOf(node));
        nemesis.skew(node, 3600);
        for (int other : others) {
          nemesis.kill(other);
        }
        return new Injected(
            "clock step n"
                + node
                + " +3600s while "
                + names(new TreeSet<>(others))
                + " are killed; back before they restart",
            () -> {
              nemesis.skew(node, 0);
              for (int other : others) {
                nemesis.restart(other);
              }
            });
      }
      case PACKET_LOSS -> {
        List<Integer> order = allNodes();
        Collections.shuffle(order, random);
        Set<Integer> targets = new TreeSet<>(order.subList(0, 1 + random.nextInt(n)));
        int percent = 10 + random.nextInt(31);
        nemesis.loss(targets, percent);
        return new Injected(
            "packet loss " + percent + "% at " + names(targets), nemesis::healNetwork);
      }
      case MOVE_REPLICA -> {
        int shard = random.nextInt(shards);
        Map<Integer, Long> peers = cluster.peerIds();
        Set<Integer> holders = cluster.replicaHolders(collection, shard);
        List<Integer> others = nonHolders(holders);
        if (others.isEmpty()) {
          throw new IllegalStateException(
              "every node holds shard " + shard + "; nowhere to move it");
        }
        Target from = holderOrLeader(shard, holders, random);
        int to = others.get(random.nextInt(others.size()));
        changeReplicas(
            random,
            Map.of(
                "move_shard",
                Map.of(
                    "shard_id",
                    shard,
                    "from_peer_id",
                    peers.get(from.node()),
                    "to_peer_id",
                    peers.get(to))));
        return new Injected(
            "move shard " + shard + " n" + from.node() + " (" + from.why() + ") -> n" + to,
            () -> {});
      }
      case REPLICATE_AND_DROP -> {
        // The replication factor is a target the cluster keeps (a manual replicate_shard
        // above it would be undone): raise it by one and lower it back at the heal, or, when
        // every node already holds a replica, lower it first and raise it back.
        int factor = cluster.replicaHolders(collection, random.nextInt(shards)).size();
        int nodes = allNodes().size();
        int changed = factor < nodes ? factor + 1 : factor - 1;
        if (changed < 1) {
          throw new IllegalStateException("one node holds every replica; no factor to change to");
        }
        setFactor(random, changed);
        return new Injected(
            "replication_factor " + factor + " -> " + changed + ", back at heal",
            () -> setFactor(random, factor));
      }
      case RESHARD -> {
        changeReplicas(random, Map.of("start_resharding", Map.of("direction", "up")));
        return new Injected(
            "reshard up, down at the heal",
            () -> {
              try {
                if (!cluster.awaitNoResharding(collection, java.time.Duration.ofMinutes(3))) {
                  throw new IllegalStateException("the resharding up did not end within 3 minutes");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
              changeReplicas(random, Map.of("start_resharding", Map.of("direction", "down")));
            });
      }
      case DRAIN_AND_REBALANCE -> {
        int node = allNodes().get(random.nextInt(allNodes().size()));
        long peer = cluster.peerIds().get(node);
        clusterOperation(random, "POST", "/cluster/peer/" + peer + "/drain");
        return new Injected(
            "drain n" + node + "; at the heal, cancel the drain and rebalance",
            () -> {
              clusterOperation(random, "POST", "/cluster/peer/" + peer + "/drain?cancel=true");
              clusterOperation(random, "POST", "/cluster/rebalance");
            });
      }
      default -> throw new IllegalStateException("unknown kind " + planned.kind());
    }
  }

  private record Target(int node, String why) {}

  private Target metaLeaderOr(Random random) {
    OptionalInt leader = cluster.metaLeader();
    return leader.isPresent()
        ? new Target(leader.getAsInt(), "meta leader")
        : new Target(1 + random.nextInt(cluster.nodes().size()), "random: no meta leader known");
  }

  private Target shardLeaderOr(Random random) {
    int shard = random.nextInt(shards);
    OptionalInt leader = cluster.shardLeader(collection, shard);
    return leader.isPresent()
        ? new Target(leader.getAsInt(), "leader of shard " + shard)
        : new Target(
            1 + random.nextInt(cluster.nodes().size()),
            "random: shard " + shard + " has no known leader");
  }

  private Target anyLeaderOr(Random random) {
    return random.nextBoolean() ? metaLeaderOr(random) : shardLeaderOr(random);
  }

  /** Sets the collection's replication factor through a random reachable node. */
  private void setFactor(Random random, int factor) {
    throughAnyNode(
        random,
        "replication_factor " + factor,
        via -> cluster.setReplicationFactor(via, collection, factor));
  }

  /** Sends a cluster operation (a drain, a rebalance) through a random reachable node. */
  private void clusterOperation(Random random, String method, String path) {
    throughAnyNode(random, method + " " + path, via -> cluster.clusterOperation(via, method, path));
  }

  /** Sends a replica change through a random reachable node. */
  private void changeReplicas(Random random, Map<String, Object> operation) {
    throughAnyNode(
        random, operation.toString(), via -> cluster.changeReplicas(via, collection, operation));
  }

  /** Runs {@code call} through a random reachable node; logs what it did and how long it took. */
  private void throughAnyNode(
      Random random,
      String what,
      java.util.function.Consumer<io.quiver.jepsen.harness.NodeHost> call) {
    long t0 = clock.getAsLong();
    io.quiver.jepsen.harness.NodeHost via = via(random);
    call.accept(via);
    line(
        clock.getAsLong(),
        String.format(
            Locale.ROOT,
            "%s through %s took %.1fs",
            what,
            via.name(),
            (clock.getAsLong() - t0) / 1e9));
  }

  /**
   * The shard's leader half of the time (when it is one of {@code holders}), else a random holder.
   */
  private Target holderOrLeader(int shard, Set<Integer> holders, Random random) {
    if (random.nextBoolean()) {
      OptionalInt leader = cluster.shardLeader(collection, shard);
      if (leader.isPresent() && holders.contains(leader.getAsInt())) {
        return new Target(leader.getAsInt(), "leader of shard " + shard);
      }
    }
    return new Target(List.copyOf(holders).get(random.nextInt(holders.size())), "random");
  }

  private List<Integer> nonHolders(Set<Integer> holders) {
    List<Integer> others = allNodes();
    others.removeAll(holders);
    return others;
  }

  /** A running, unpaused node to send a cluster operation through. */
  private io.quiver.jepsen.harness.NodeHost via(Random random) {
    return cluster
        .anyRunning(1 + random.nextInt(cluster.nodes().size()))
        .orElseThrow(
            () -> new IllegalStateException("no running node to send a cluster operation through"));
  }

  private List<Integer> allNodes() {
    List<Integer> all = new ArrayList<>();
    for (int i = 1; i <= cluster.nodes().size(); i++) {
      all.add(i);
    }
    return all;
  }

  private static String names(Set<Integer> nodes) {
    return nodes.stream().map(i -> "n" + i).collect(Collectors.joining(","));
  }

  private synchronized void line(long nanos, String text) {
    log.printf(Locale.ROOT, "+%.3fs %s%n", nanos / 1e9, text);
  }

  /** Stops the schedule, healing the fault in progress; waits (bounded) for the thread. */
  public void stop() {
    stopping = true;
    try {
      thread.join(QuiverCluster.READY_TIMEOUT.toMillis() + 30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes a line to the fault log (e.g. the final heal). */
  public void note(String text) {
    line(clock.getAsLong(), text);
  }

  @Override
  public void close() {
    stop();
    log.close();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
