package io.quiver.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.consensus.RaftNode;
import io.quiver.consensus.RaftNodeConfig;
import io.quiver.node.api.AliasesApi;
import io.quiver.node.api.ClusterApi;
import io.quiver.node.api.CollectionsApi;
import io.quiver.node.api.FieldIndexApi;
import io.quiver.node.api.MetricsApi;
import io.quiver.node.api.PointsApi;
import io.quiver.node.api.PointsUpdateApi;
import io.quiver.node.api.ScrollApi;
import io.quiver.node.api.ServiceApi;
import io.quiver.node.api.SnapshotsApi;
import io.quiver.node.api.TelemetryApi;
import io.quiver.node.config.ConfigKey;
import io.quiver.node.config.NodeConfig;
import io.quiver.node.http.HttpServer;
import io.quiver.node.http.RestDispatcher;
import io.quiver.node.http.RestRoutes;
import io.quiver.node.metrics.NodeMetrics;
import io.quiver.router.PointsRouter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node process: configuration, the Raft side, the router, the REST API; stops on SIGTERM. */
public final class QuiverNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(QuiverNode.class);

  private final RaftNode raft;
  private final HttpServer http;
  private final io.quiver.node.cluster.PeerLiveness liveness;

  /** Where large request bodies are parsed and handled (see {@link RestDispatcher}). */
  private final java.util.concurrent.ExecutorService largeBodies;

  private QuiverNode(
      RaftNode raft,
      HttpServer http,
      io.quiver.node.cluster.PeerLiveness liveness,
      java.util.concurrent.ExecutorService largeBodies) {
    this.raft = raft;
    this.http = http;
    this.liveness = liveness;
    this.largeBodies = largeBodies;
  }

  public static QuiverNode start(NodeConfig config) throws Exception {
    Path dataDir = config.dataDir().toAbsolutePath();
    int httpPort = config.port(ConfigKey.HTTP_PORT);
    // Before anything is written: a port in use must not leave a half-initialised data directory.
    PortCheck.free(
        config.get(ConfigKey.SERVICE_HOST),
        httpPort,
        "the REST API (" + ConfigKey.HTTP_PORT.key() + ")");
    PortCheck.free(
        config.get(ConfigKey.SERVICE_HOST),
        config.raftPort(),
        "the Raft server (" + ConfigKey.RAFT_PORT.key() + ")");
    Files.createDirectories(dataDir);
    long nodeId = NodeIdentity.loadOrCreate(dataDir);
    String raftHost = config.raftHost();
    Duration timeout = Duration.ofMillis(config.positiveLong(ConfigKey.REQUEST_TIMEOUT_MS));
    LOG.info("node {}: starting with data in {}", nodeId, dataDir);
    // One RocksDB instance for all shard replicas of the node (logs what shards share).
    io.quiver.storage.ShardResources.install(config.shardResources(), dataDir.resolve("engine"));
    RaftNodeConfig raftConfig =
        RaftNodeConfig.builder(nodeId, dataDir.resolve("raft"))
            .raftAddress(raftHost, config.raftPort())
            .httpAddress(raftHost + ":" + httpPort)
            .snapshotThreshold(config.positiveLong(ConfigKey.SNAPSHOT_THRESHOLD))
            .logSegmentBytes(config.positiveLong(ConfigKey.LOG_SEGMENT_KB) * 1024)
            .requestTimeout(timeout)
            .bootstrapAddress(config.bootstrapAddress())
            .bindHost(config.get(ConfigKey.SERVICE_HOST))
            .metaVoters(config.metaVoters())
            .autoRebalance(config.bool(ConfigKey.AUTO_REBALANCE))
            .transferBytesPerSecond(config.transferBytesPerSecond())
            .build();
    RaftNode raft =
        RaftNode.create(raftConfig, io.quiver.node.security.RestSecurity.raftTls(config));
    // Opening the groups (and later catching up) runs beside the REST layer's set-up: on a 2-core
    // machine each takes about a second, mostly class loading. Until this node has caught up with
    // the cluster metadata, collection requests answer 503 and /readyz says why.
    java.util.concurrent.CompletableFuture<Void> raftStarted =
        new java.util.concurrent.CompletableFuture<>();
    Thread.ofPlatform()
        .name("raft-start")
        .start(
            () -> {
              try {
                raft.start();
                raftStarted.complete(null);
              } catch (Throwable e) {
                raftStarted.completeExceptionally(e);
              }
            });
    var liveness =
        new io.quiver.node.cluster.PeerLiveness(
            nodeId,
            () -> peerAddresses(raft),
            Duration.ofMillis(config.positiveLong(ConfigKey.PEER_DEAD_TIMEOUT_MS)));
    io.quiver.node.logging.LogGroupNames.install(() -> groupNames(raft));
    try {
      // Request bodies are parsed with this mapper: its token limit bounds the heap one body takes.
      // Numbers are parsed by Jackson's FastDoubleParser (correctly rounded, as
      // Double.parseDouble):
      // a query of 784 floats as JSON clients print them (17 digits) spent about a quarter of its
      // CPU time in the JDK's parser, on its big-integer path.
      ObjectMapper json =
          new ObjectMapper(
              com.fasterxml.jackson.core.JsonFactory.builder()
                  .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                  .streamReadConstraints(
                      com.fasterxml.jackson.core.StreamReadConstraints.builder()
                          .maxTokenCount(config.positiveLong(ConfigKey.MAX_JSON_TOKENS))
                          .build())
                  .build());
      PointsRouter router = new PointsRouter(raft.catalog()::get, raft.shardClients(), timeout);
      RestRoutes routes = new RestRoutes();
      new ServiceApi(raft::notReadyReason).register(routes);
      new CollectionsApi(raft.catalog(), router, json).register(routes);
      new AliasesApi(raft.catalog(), json).register(routes);
      new PointsApi(router, json).register(routes);
      new FieldIndexApi(router).register(routes);
      new PointsUpdateApi(router, json).register(routes);
      new ScrollApi(router, json).register(routes);
      new io.quiver.node.api.QueryApi(router, json).register(routes);
      new io.quiver.node.api.ExploreApi(router, json).register(routes);
      new ClusterApi(raft, router, json, liveness).register(routes);
      new io.quiver.node.api.ShardReplicasApi(raft, router, json).register(routes);
      new io.quiver.node.api.DashboardApi().register(routes);
      NodeMetrics metrics = new NodeMetrics(ServiceApi.VERSION, raft.catalog(), clusterView(raft));
      metrics.registerReplicas(
          raft::localReplicas,
          () -> {
            try {
              return raft.metaStatus();
            } catch (java.io.IOException notHosted) {
              return null;
            }
          },
          raft::metaLeaderChanges,
          () -> raft.replicaChanges().counts());
      metrics.registerSnapshotFetches(raft::snapshotBytesFetched, raft::snapshotBytesKept);
      metrics.registerDataDirectory(dataDir);
      metrics.registerPeers(() -> peerAddresses(raft).keySet(), id -> liveness.isDead(id) ? 0 : 1);
      new MetricsApi(metrics).register(routes);
      new TelemetryApi(raft, json).register(routes);
      new SnapshotsApi(dataDir.resolve("snapshots"), raft.catalog(), router, json).register(routes);
      new io.quiver.node.api.StrictModeGuard(router)
          .guard(routes); // after every route: it wraps the guarded ones
      int maxBody =
          (int)
              Math.min(
                  Integer.MAX_VALUE,
                  config.positiveLong(ConfigKey.MAX_REQUEST_SIZE_MB) * 1024 * 1024);
      var authorizer =
          io.quiver.node.security.RestSecurity.authorizer(config, router, json, routes.templates());
      var limit =
          new io.quiver.node.http.ConcurrencyLimit(
              (int)
                  Math.min(
                      Integer.MAX_VALUE, config.positiveLong(ConfigKey.MAX_CONCURRENT_REQUESTS)));
      // Large request bodies are parsed here, not on the event loops (RestDispatcher): one thread
      // per core, daemon, bounded by the node's concurrent request limit.
      java.util.concurrent.ExecutorService largeBodies =
          java.util.concurrent.Executors.newFixedThreadPool(
              Math.max(2, Runtime.getRuntime().availableProcessors()),
              Thread.ofPlatform().daemon().name("rest-bodies-", 0).factory());
      HttpServer http =
          HttpServer.start(
              config.get(ConfigKey.SERVICE_HOST),
              httpPort,
              maxBody,
              new RestDispatcher(
                  routes,
                  json,
                  metrics.rest(),
                  authorizer,
                  limit,
                  io.quiver.node.api.RequestLimits.from(config),
                  largeBodies),
              io.quiver.node.security.RestSecurity.tls(config),
              config.positiveLong(ConfigKey.REQUEST_READ_TIMEOUT_SEC) * 1000);
      try {
        raftStarted.join();
      } catch (java.util.concurrent.CompletionException e) {
        http.close();
        largeBodies.shutdown();
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
      LOG.info(
          "node {}: REST on {}:{} ({})",
          nodeId,
          config.get(ConfigKey.SERVICE_HOST),
          http.port(),
          raft.isReady()
              ? "ready"
              : "/readyz answers 503 until this node has caught up with the cluster");
      liveness.start();
      return new QuiverNode(raft, http, liveness, largeBodies);
    } catch (Exception e) {
      liveness.close();
      raftStarted.handle((ok, error) -> null).join(); // close only once start has returned
      raft.close();
      io.quiver.storage.ShardResources
          .closeInstalled(); // after every shard: the storage engine last
      throw e;
    }
  }

  /** The peers of the cluster metadata: node id to Raft {@code host:port}. */
  private static java.util.Map<Long, String> peerAddresses(RaftNode raft) {
    java.util.Map<Long, String> out = new java.util.HashMap<>();
    raft.clusterState().nodes().forEach((id, address) -> out.put(id, address.raftAddress()));
    return out;
  }

  /** Every group of the cluster metadata, by the short id Ratis prints, for log lines. */
  private static java.util.Map<String, io.quiver.node.logging.LogGroupNames.GroupName> groupNames(
      RaftNode raft) {
    java.util.Map<String, io.quiver.node.logging.LogGroupNames.GroupName> out =
        new java.util.HashMap<>();
    String meta = RaftNode.metaGroupUuid().toString();
    out.put(
        meta.substring(24).toUpperCase(java.util.Locale.ROOT),
        new io.quiver.node.logging.LogGroupNames.GroupName("meta", null, null));
    raft.clusterState()
        .collections()
        .forEach(
            (name, c) -> {
              for (io.quiver.sharding.ShardPlacement shard : c.shardMap().shards()) {
                String shortId =
                    shard.groupId().toString().substring(24).toUpperCase(java.util.Locale.ROOT);
                out.put(
                    shortId,
                    new io.quiver.node.logging.LogGroupNames.GroupName(
                        "group-" + shortId, name, shard.shardId()));
              }
            });
    return out;
  }

  /** The cluster as the metrics read it; -1 while this node has no copy of the meta group. */
  private static NodeMetrics.ClusterView clusterView(RaftNode raft) {
    return new NodeMetrics.ClusterView(
        () -> raft.clusterState().nodes().size(),
        () -> metaOr(raft, io.quiver.consensus.raft.RaftStatus::term),
        () -> metaOr(raft, io.quiver.consensus.raft.RaftStatus::commitIndex),
        () ->
            metaOr(raft, s -> s.role() == io.quiver.consensus.raft.RaftStatus.Role.Leader ? 1 : 0));
  }

  private static long metaOr(
      RaftNode raft, java.util.function.ToLongFunction<io.quiver.consensus.raft.RaftStatus> value) {
    try {
      return value.applyAsLong(raft.metaStatus());
    } catch (java.io.IOException notHosted) {
      return -1;
    }
  }

  @Override
  public void close() throws Exception {
    liveness.close();
    http.close();
    largeBodies.shutdown();
    raft.close();
    io.quiver.storage.ShardResources.closeInstalled(); // after every shard: the storage engine last
  }

  public static void main(String[] args) throws Exception {
    CommandLine cli;
    NodeConfig config;
    try {
      cli = CommandLine.parse(args);
      if (cli.help()) {
        System.out.print(CommandLine.usage());
        return;
      }
      config = NodeConfig.resolve(cli.configFile(), System.getenv(), cli.flags());
      io.quiver.node.logging.LogFormat.apply(config.logFormat());
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("quiver node: " + e.getMessage());
      System.exit(2);
      return;
    }
    QuiverNode node;
    try {
      node = start(config);
    } catch (PortCheck.PortInUseException e) {
      LOG.error(e.getMessage());
      System.exit(1);
      return;
    } catch (Exception e) {
      // Exit rather than leave a half-started process whose Raft threads keep the JVM alive.
      LOG.error("node failed to start", e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("shutting down");
                  try {
                    node.close();
                  } catch (Exception e) {
                    LOG.warn("error while shutting down", e);
                  }
                  stopped.countDown();
                },
                "shutdown"));
    stopped.await();
  }
}
