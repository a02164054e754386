package io.quiver.node.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.quiver.sharding.CollectionCatalog;
import io.quiver.sharding.CollectionDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * The node's Prometheus registry: app info, collections, cluster (peers, meta term and commit
 * index), REST request metrics ({@link RestMetrics}) and the JVM's own metrics, written in the
 * Prometheus text format for {@code GET /metrics}. Gauges read the current state when scraped.
 *
 * <p>Qdrant's names are kept ({@code app_info}, {@code collections_total}, {@code
 * cluster_peers_total}, {@code rest_responses_total}) so its dashboards work. The Prometheus client
 * reserves the {@code _total} and {@code _info} suffixes for counters and infos, so the three
 * counts that are really gauges are exposed through callback counters, as Qdrant itself types them.
 */
public final class NodeMetrics {

  /** What the metrics read of the cluster, as callbacks so the metrics never hold stale values. */
  public record ClusterView(
      LongSupplier peers, LongSupplier term, LongSupplier commitIndex, LongSupplier isMetaLeader) {}

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final RestMetrics rest;

  public NodeMetrics(String version, CollectionCatalog catalog, ClusterView cluster) {
    Info.builder()
        .name("app")
        .help("information about the running service")
        .labelNames("name", "version")
        .register(registry)
        .addLabelValues("quiver", version);
    CounterWithCallback.builder()
        .name("collections")
        .help("number of collections")
        .callback(cb -> cb.call(collections(catalog).size()))
        .register(registry);
    CounterWithCallback.builder()
        .name("collections_vector")
        .help("number of vector fields over all collections")
        .callback(
            cb ->
                cb.call(
                    collections(catalog).stream()
                        .mapToInt(c -> c.config().vectors().vectors().size())
                        .sum()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("collection_shards")
        .help("shards per collection")
        .labelNames("collection")
        .callback(
            cb -> {
              for (CollectionDescriptor c : collections(catalog)) {
                cb.call(c.shardMap().shardCount(), c.name());
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("cluster_peers")
        .help("peers in the cluster")
        .callback(cb -> cb.call(cluster.peers().getAsLong()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("cluster_term")
        .help("current Raft term of the metadata group")
        .callback(cb -> cb.call(cluster.term().getAsLong()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("cluster_commit")
        .help("commit index of the metadata group")
        .callback(cb -> cb.call(cluster.commitIndex().getAsLong()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("cluster_is_meta_leader")
        .help("1 when this node leads the metadata group")
        .callback(cb -> cb.call(cluster.isMetaLeader().getAsLong()))
        .register(registry);
    JvmMetrics.builder().register(registry);
    // The JVM's pool counters move only at each young collection; this one is current at each
    // scrape (what a benchmark needs to divide by its requests).
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    CounterWithCallback.builder()
        .name("quiver_jvm_allocated_bytes")
        .help("bytes allocated on the heap by all threads since the process started (approximate)")
        .callback(cb -> cb.call(threads.getTotalThreadAllocatedBytes()))
        .register(registry);
    rest = new RestMetrics(registry);
  }

  /** The collections, or none while this node is still catching up with the cluster metadata. */
  private static java.util.List<CollectionDescriptor> collections(CollectionCatalog catalog) {
    try {
      return catalog.list();
    } catch (io.quiver.sharding.ShardUnavailableException starting) {
      return java.util.List.of();
    }
  }

  /**
   * {@code quiver_peer_up{peer}}: 1 while this node reaches the peer, 0 once it counts as dead (see
   * {@code PeerLiveness}); this node itself is always 1.
   */
  public void registerPeers(
      java.util.function.Supplier<java.util.Set<Long>> peers,
      java.util.function.LongUnaryOperator up) {
    GaugeWithCallback.builder()
        .name("quiver_peer_up")
        .help("1 while this node reaches the peer, 0 once it counts as dead")
        .labelNames("peer")
        .callback(
            cb -> {
              java.util.Set<Long> ids;
              try {
                ids = peers.get();
              } catch (RuntimeException notYet) {
                return;
              }
              for (long id : ids) {
                cb.call(up.applyAsLong(id), Long.toString(id));
              }
            })
        .register(registry);
  }

  /**
   * Adds the metrics of the Raft groups and shard replicas this node hosts, and of the replica
   * changes it runs (see {@link ReplicaMetrics}); each supplier is read when scraped.
   *
   * @param meta the meta group's status, or null while this node does not host it
   */
  public void registerReplicas(
      java.util.function.Supplier<java.util.List<io.quiver.consensus.ReplicaStats>> replicas,
      java.util.function.Supplier<io.quiver.consensus.raft.RaftStatus> meta,
      LongSupplier metaLeaderChanges,
      java.util.function.Supplier<io.quiver.consensus.ShardReplicaChanges.Counts> transfers) {
    new ReplicaMetrics(
        registry, ReplicaMetrics.source(replicas, meta, metaLeaderChanges, transfers));
  }

  /**
   * Adds {@code quiver_snapshot_fetch_bytes_total}: the bytes of shard snapshots this node's
   * replicas received since it started, by {@code kind}: {@code fetched} from a peer, or {@code
   * kept} from a fetch that a crash or a lost peer cut short (resumed instead of fetched again).
   */
  public void registerSnapshotFetches(LongSupplier fetched, LongSupplier kept) {
    CounterWithCallback.builder()
        .name("quiver_snapshot_fetch_bytes")
        .help(
            "bytes of shard snapshots received since the node started: fetched from a peer, or"
                + " kept from a fetch cut short")
        .labelNames("kind")
        .callback(
            cb -> {
              cb.call(fetched.getAsLong(), "fetched");
              cb.call(kept.getAsLong(), "kept");
            })
        .register(registry);
  }

  /**
   * Adds {@code quiver_data_dir_free_bytes} and {@code quiver_data_dir_size_bytes}: the space
   * usable and the total size of the file system holding {@code dataDir} (for a "disk nearly full"
   * alert).
   */
  public void registerDataDirectory(java.nio.file.Path dataDir) {
    GaugeWithCallback.builder()
        .name("quiver_data_dir_free_bytes")
        .help("bytes usable by the node on the file system of its data directory")
        .callback(cb -> fileStore(dataDir, java.nio.file.FileStore::getUsableSpace, cb::call))
        .register(registry);
    GaugeWithCallback.builder()
        .name("quiver_data_dir_size_bytes")
        .help("size of the file system of the node's data directory")
        .callback(cb -> fileStore(dataDir, java.nio.file.FileStore::getTotalSpace, cb::call))
        .register(registry);
  }

  private interface StoreFigure {
    long read(java.nio.file.FileStore store) throws IOException;
  }

  private static void fileStore(
      java.nio.file.Path dir, StoreFigure figure, java.util.function.DoubleConsumer out) {
    try {
      out.accept(figure.read(java.nio.file.Files.getFileStore(dir)));
    } catch (IOException gone) {
      // no sample while the directory cannot be read
    }
  }

  public RestMetrics rest() {
    return rest;
  }

  /** The current values in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    } catch (IOException e) {
      throw new IllegalStateException("cannot write metrics", e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
