package io.quiver.node.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.quiver.consensus.ReplicaStats;
import io.quiver.consensus.ShardReplicaChanges;
import io.quiver.consensus.raft.RaftStatus;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Metrics of the Raft groups and shard replicas this node hosts, read when scraped (one walk of the
 * hosted groups per scrape, cached for a second so the families share it):
 *
 * <ul>
 *   <li>per group ({@code group} = the group id, or {@code meta}; {@code collection} and {@code
 *       shard} empty for the meta group): {@code quiver_raft_role} (1 for the current role), {@code
 *       quiver_raft_is_leader}, {@code quiver_raft_has_leader}, {@code quiver_raft_term}, {@code
 *       quiver_raft_commit_index}, {@code quiver_raft_applied_index}, {@code quiver_raft_apply_lag}
 *       (committed but not yet applied), {@code quiver_raft_follower_lag} (on leaders: entries the
 *       furthest follower is behind), {@code quiver_raft_leader_changes_total}, {@code
 *       quiver_raft_snapshot_installs_total};
 *   <li>per replica: {@code quiver_shard_points}, {@code quiver_shard_vectors} (points x dense
 *       vectors), {@code quiver_shard_indexed_vectors}, {@code quiver_shard_segments} by {@code
 *       state} (appendable, plain, indexed), {@code quiver_shard_optimizer_pending}, {@code
 *       quiver_shard_optimizer_running}, {@code quiver_shard_flushes_total}, {@code
 *       quiver_shard_optimizations_total}, {@code quiver_shard_segment_work_failures_total};
 *   <li>replica changes asked of this node: {@code quiver_shard_transfers_started_total}, {@code
 *       _completed_total}, {@code _failed_total} by {@code kind}, and {@code
 *       quiver_shard_transfers_in_progress}.
 * </ul>
 *
 * Per-collection totals are a query away: {@code sum by (collection) (max by (collection, shard)
 * (quiver_shard_points))}.
 */
final class ReplicaMetrics {

  /** What the metrics read: the hosted replicas, the meta group and the replica-change counts. */
  interface Source {
    List<ReplicaStats> replicas();

    /** The meta group's status, or null while this node does not host it. */
    RaftStatus meta();

    long metaLeaderChanges();

    ShardReplicaChanges.Counts transfers();
  }

  private static final String[] GROUP = {"group", "collection", "shard"};
  private static final String[] REPLICA = {"collection", "shard"};
  private static final long CACHE_NANOS = 1_000_000_000L;

  private final Source source;
  private volatile List<ReplicaStats> cached = List.of();
  private volatile long cachedAt = Long.MIN_VALUE;

  ReplicaMetrics(PrometheusRegistry registry, Source source) {
    this.source = source;
    raft(registry);
    replicas(registry);
    transfers(registry);
  }

  private synchronized List<ReplicaStats> replicas() {
    long now = System.nanoTime();
    if (cachedAt == Long.MIN_VALUE || now - cachedAt > CACHE_NANOS) {
      cached = source.replicas();
      cachedAt = now;
    }
    return cached;
  }

  private void raft(PrometheusRegistry registry) {
    raftGauge(registry, "quiver_raft_term", "current Raft term of the group", RaftStatus::term);
    raftGauge(
        registry,
        "quiver_raft_commit_index",
        "commit index of the group as this replica knows it",
        RaftStatus::commitIndex);
    raftGauge(
        registry,
        "quiver_raft_applied_index",
        "last log index this replica applied",
        RaftStatus::appliedIndex);
    raftGauge(
        registry,
        "quiver_raft_apply_lag",
        "entries committed but not yet applied by this replica",
        RaftStatus::pendingOperations);
    raftGauge(
        registry,
        "quiver_raft_is_leader",
        "1 when this replica leads its group",
        s -> s.role() == RaftStatus.Role.Leader ? 1 : 0);
    raftGauge(
        registry,
        "quiver_raft_has_leader",
        "1 when this replica knows a leader of its group",
        s -> s.leaderNodeId() == null ? 0 : 1);
    GaugeWithCallback.builder()
        .name("quiver_raft_role")
        .help("1 for this replica's current role in its group")
        .labelNames("group", "collection", "shard", "role")
        .callback(
            cb -> {
              RaftStatus meta = source.meta();
              if (meta != null) {
                cb.call(1, "meta", "", "", meta.role().name());
              }
              for (ReplicaStats r : replicas()) {
                cb.call(
                    1,
                    r.groupId().toString(),
                    r.collection(),
                    Integer.toString(r.shardId()),
                    r.raft().role().name());
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("quiver_raft_leader_changes")
        .help("leader changes this replica has seen since the node started")
        .labelNames(GROUP)
        .callback(
            cb -> {
              cb.call(source.metaLeaderChanges(), "meta", "", "");
              for (ReplicaStats r : replicas()) {
                cb.call(
                    r.leaderChanges(),
                    r.groupId().toString(),
                    r.collection(),
                    Integer.toString(r.shardId()));
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("quiver_raft_follower_lag")
        .help("on a group's leader: log entries the furthest follower is behind the leader's log")
        .labelNames(GROUP)
        .callback(
            cb -> {
              for (ReplicaStats r : replicas()) {
                if (r.followerLag() >= 0) {
                  cb.call(
                      r.followerLag(),
                      r.groupId().toString(),
                      r.collection(),
                      Integer.toString(r.shardId()));
                }
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("quiver_raft_snapshot_installs")
        .help("snapshots installed into this replica from its leader since the node started")
        .labelNames(GROUP)
        .callback(
            cb -> {
              for (ReplicaStats r : replicas()) {
                cb.call(
                    r.snapshotInstalls(),
                    r.groupId().toString(),
                    r.collection(),
                    Integer.toString(r.shardId()));
              }
            })
        .register(registry);
  }

  private void raftGauge(
      PrometheusRegistry registry, String name, String help, ToDoubleFunction<RaftStatus> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(GROUP)
        .callback(
            cb -> {
              RaftStatus meta = source.meta();
              if (meta != null) {
                cb.call(value.applyAsDouble(meta), "meta", "", "");
              }
              for (ReplicaStats r : replicas()) {
                cb.call(
                    value.applyAsDouble(r.raft()),
                    r.groupId().toString(),
                    r.collection(),
                    Integer.toString(r.shardId()));
              }
            })
        .register(registry);
  }

  private void replicas(PrometheusRegistry registry) {
    shardGauge(
        registry,
        "quiver_shard_points",
        "points in this node's replica of the shard",
        r -> r.shard().points());
    shardGauge(
        registry,
        "quiver_shard_vectors",
        "dense vectors in this node's replica (points x vectors per point)",
        r -> (double) r.shard().points() * r.vectorsPerPoint());
    shardGauge(
        registry,
        "quiver_shard_indexed_vectors",
        "vectors in segments with an HNSW graph",
        r -> r.shard().indexedVectors());
    shardGauge(
        registry,
        "quiver_shard_optimizer_pending",
        "1 while the flusher or optimizer has work (collection status yellow)",
        r -> r.segments().optimizing() ? 1 : 0);
    shardGauge(
        registry,
        "quiver_shard_optimizer_running",
        "1 while an optimizer job runs",
        r -> r.work().optimizing() ? 1 : 0);
    GaugeWithCallback.builder()
        .name("quiver_shard_segments")
        .help("segments of this node's replica by state")
        .labelNames("collection", "shard", "state")
        .callback(
            cb -> {
              for (ReplicaStats r : replicas()) {
                if (r.segments() != null) {
                  var s = r.segments();
                  String shard = Integer.toString(r.shardId());
                  cb.call(
                      s.segments() - s.plainSegments() - s.indexedSegments(),
                      r.collection(),
                      shard,
                      "appendable");
                  cb.call(s.plainSegments(), r.collection(), shard, "plain");
                  cb.call(s.indexedSegments(), r.collection(), shard, "indexed");
                }
              }
            })
        .register(registry);
    shardCounter(
        registry,
        "quiver_shard_flushes",
        "appendable segments written out since the shard opened",
        r -> r.work().flushes());
    shardCounter(
        registry,
        "quiver_shard_optimizations",
        "optimizer jobs (index builds, merges, vacuums) finished since the shard opened",
        r -> r.work().optimizations());
    shardCounter(
        registry,
        "quiver_shard_segment_work_failures",
        "flushes and optimizer jobs that failed (retried) since the shard opened",
        r -> r.work().failures());
  }

  private void shardGauge(
      PrometheusRegistry registry, String name, String help, ToDoubleFunction<ReplicaStats> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(REPLICA)
        .callback(
            cb -> {
              for (ReplicaStats r : replicas()) {
                if (r.shard() != null && r.segments() != null && r.work() != null) {
                  cb.call(value.applyAsDouble(r), r.collection(), Integer.toString(r.shardId()));
                }
              }
            })
        .register(registry);
  }

  private void shardCounter(
      PrometheusRegistry registry, String name, String help, ToDoubleFunction<ReplicaStats> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(REPLICA)
        .callback(
            cb -> {
              for (ReplicaStats r : replicas()) {
                if (r.work() != null) {
                  cb.call(value.applyAsDouble(r), r.collection(), Integer.toString(r.shardId()));
                }
              }
            })
        .register(registry);
  }

  private void transfers(PrometheusRegistry registry) {
    transferCounter(
        registry,
        "quiver_shard_transfers_started",
        "replica changes (move_shard, replicate_shard, drop_replica) started on this node",
        c -> c.started());
    transferCounter(
        registry,
        "quiver_shard_transfers_completed",
        "replica changes completed on this node",
        c -> c.completed());
    transferCounter(
        registry,
        "quiver_shard_transfers_failed",
        "replica changes that failed on this node",
        c -> c.failed());
    GaugeWithCallback.builder()
        .name("quiver_shard_transfers_in_progress")
        .help("replica changes running on this node")
        .callback(cb -> cb.call(source.transfers().inProgress()))
        .register(registry);
  }

  private void transferCounter(
      PrometheusRegistry registry,
      String name,
      String help,
      java.util.function.Function<ShardReplicaChanges.Counts, java.util.Map<String, Long>> counts) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("kind")
        .callback(cb -> counts.apply(source.transfers()).forEach((kind, n) -> cb.call(n, kind)))
        .register(registry);
  }

  /** A source over suppliers, for the node's wiring. */
  static Source source(
      Supplier<List<ReplicaStats>> replicas,
      Supplier<RaftStatus> meta,
      java.util.function.LongSupplier metaLeaderChanges,
      Supplier<ShardReplicaChanges.Counts> transfers) {
    return new Source() {
      @Override
      public List<ReplicaStats> replicas() {
        return replicas.get();
      }

      @Override
      public RaftStatus meta() {
        return meta.get();
      }

      @Override
      public long metaLeaderChanges() {
        return metaLeaderChanges.getAsLong();
      }

      @Override
      public ShardReplicaChanges.Counts transfers() {
        return transfers.get();
      }
    };
  }
}
