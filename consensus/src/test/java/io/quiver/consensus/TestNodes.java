package io.quiver.consensus;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Starts real {@link RaftNode}s on loopback for the multi-node tests of this module, each in {@code
 * dir/n<id>}.
 */
public final class TestNodes {

  private TestNodes() {}

  /**
   * Starts node {@code id} on {@code port} (its HTTP address {@code port + 1} is only advertised),
   * bootstrapping a new cluster when {@code bootstrapPort} is null, else joining (or, with a data
   * directory, rejoining) through it; returns once its metadata has caught up.
   */
  public static RaftNode start(
      Path dir, long id, int port, Integer bootstrapPort, long snapshotThreshold)
      throws IOException {
    RaftNode node =
        RaftNode.start(
            RaftNodeConfig.builder(id, dir.resolve("n" + id))
                .raftAddress("127.0.0.1", port)
                .httpAddress("127.0.0.1:" + (port + 1))
                .snapshotThreshold(snapshotThreshold)
                .logSegmentBytes(2 << 10)
                .bootstrapAddress(bootstrapPort == null ? null : "127.0.0.1:" + bootstrapPort)
                .build());
    node.awaitCaughtUp(Duration.ofSeconds(90));
    return node;
  }

  /**
   * As {@link #start}, on another thread: for nodes started at the same moment, as operators start
   * them.
   */
  static java.util.concurrent.CompletableFuture<RaftNode> startAsync(
      Path dir, long id, int port, int bootstrapPort, long snapshotThreshold) {
    return java.util.concurrent.CompletableFuture.supplyAsync(
        () -> {
          try {
            return start(dir, id, port, bootstrapPort, snapshotThreshold);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  /**
   * Starts a cluster of nodes 1 to {@code ports.length} on those ports: node 1 bootstraps it, and
   * the others join through it at the same moment, as operators start them.
   */
  public static RaftNode[] startCluster(Path dir, long snapshotThreshold, int... ports)
      throws IOException {
    RaftNode[] nodes = new RaftNode[ports.length];
    nodes[0] = start(dir, 1, ports[0], null, snapshotThreshold);
    java.util.List<java.util.concurrent.CompletableFuture<RaftNode>> joining =
        new java.util.ArrayList<>();
    for (int i = 1; i < ports.length; i++) {
      joining.add(startAsync(dir, i + 1, ports[i], ports[0], snapshotThreshold));
    }
    for (int i = 1; i < ports.length; i++) {
      nodes[i] = joining.get(i - 1).join();
    }
    return nodes;
  }

  /**
   * Closes every node that is not null (for finally blocks of tests that stop and restart nodes).
   */
  public static void closeAll(RaftNode... nodes) throws IOException {
    for (RaftNode n : nodes) {
      if (n != null) {
        n.close();
      }
    }
  }

  /**
   * A loopback port that nothing listens on, below the kernel's ephemeral range: a port the kernel
   * handed out ({@code new ServerSocket(0)}) can be taken again, between the test's choice and the
   * node's bind, or while a node is down for a restart, as the local port of some outgoing
   * connection (a full run failed that way: "Failed to bind to address /127.0.0.1:40145").
   */
  public static int freePort() throws IOException {
    int low = 10_000;
    int span = Math.max(1_000, ephemeralRangeStart() - low);
    NEXT_PORT.compareAndSet(-1, (int) (ProcessHandle.current().pid() * 7_919 % span));
    for (int tried = 0; tried < span; tried++) {
      int port = low + Math.floorMod(NEXT_PORT.getAndIncrement(), span);
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException taken) {
        // next one
      }
    }
    throw new IOException("no free loopback port in " + low + ".." + (low + span));
  }

  private static final AtomicInteger NEXT_PORT = new AtomicInteger(-1);

  private static int ephemeralRangeStart() {
    try {
      return Integer.parseInt(
          Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
              .trim()
              .split("\\s+")[0]);
    } catch (IOException | RuntimeException notLinux) {
      return 32_768;
    }
  }

  /**
   * Waits until {@code condition} holds (a condition that throws counts as not yet), else fails
   * naming {@code what}.
   */
  public static void awaitTrue(BooleanSupplier condition, String what, long timeoutMs)
      throws InterruptedException {
    for (int i = 0; i < timeoutMs / 50; i++) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // e.g. no leader yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError(what);
  }

  /**
   * Upserts points {@code from..to-1} (vector {i, 1}) into collection {@code c}, one write each,
   * through {@code via}.
   */
  public static void writePoints(
      RaftNode via, io.quiver.sharding.CollectionDescriptor c, int from, int to) {
    for (int i = from; i < to; i++) {
      io.quiver.storage.PointId id = io.quiver.storage.PointId.of(i);
      via.shardClients()
          .forShard(c.name(), c.shardMap().shardOf(id))
          .upsert(
              java.util.List.of(
                  new io.quiver.storage.Point(
                      id,
                      java.util.Map.of("", new float[] {i, 1}),
                      io.quiver.storage.Payload.EMPTY)))
          .join();
    }
  }

  /**
   * Creates collection {@code name} (3 dimensions, Euclid, one shard) through {@code node} and
   * writes points 0 to {@code count - 1} in one upsert, point i at [i, 0, 0], so that the nearest
   * point to [q, 0, 0] is q; returns the client of its shard.
   */
  static io.quiver.sharding.ShardClient lineOfPoints(RaftNode node, String name, int count) {
    var config =
        new io.quiver.sharding.CollectionConfig(
            io.quiver.storage.VectorsConfig.single(
                new io.quiver.storage.VectorParams(
                    3, io.quiver.index.vector.Distance.EUCLID, false)),
            1,
            1,
            1);
    io.quiver.sharding.CollectionDescriptor c = node.catalog().create(name, config).join();
    io.quiver.sharding.ShardClient shard =
        node.shardClients().forShard(name, c.shardMap().shards().getFirst());
    java.util.List<io.quiver.storage.Point> points = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      points.add(
          new io.quiver.storage.Point(
              io.quiver.storage.PointId.of(i),
              java.util.Map.of("", new float[] {i, 0, 0}),
              io.quiver.storage.Payload.EMPTY));
    }
    shard.upsert(points).join();
    return shard;
  }

  /** The points of shard 0 of {@code c}, counted by any replica through {@code via}. */
  static long countPoints(RaftNode via, io.quiver.sharding.CollectionDescriptor c) {
    return via.shardClients()
        .forShard(c.name(), c.shardMap().shard(0))
        .count(io.quiver.sharding.ReadConsistency.ANY)
        .join();
  }
}
