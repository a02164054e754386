package io.quiver.consensus;

import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.Resharding;
import io.quiver.sharding.ShardMap;
import io.quiver.sharding.ShardPlacement;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ShardOwnership;
import io.quiver.storage.UpdateMode;
import io.quiver.storage.UpsertCondition;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.Filter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the meta group's leader: carries a collection's resharding ({@link Resharding}) through its
 * phases, one collection at a time. Every step is idempotent and planned from the applied metadata,
 * so a new meta leader starts the current phase again from its beginning.
 *
 * <ul>
 *   <li>copying: the payload indexes of shard 0 are created on an added shard; every shard gets
 *       its ownership fence under the new count (through its log: from then on it refuses writes of
 *       points it will not own); each old shard's moving points are read page by page
 *       (linearizable reads, after the fence) and inserted into their new shards (insert-only: a
 *       copy never overwrites a point already there); then the metadata switches the routing.</li>
 *   <li>cleanup: each remaining shard deletes the copies it holds of points it does not own; then
 *       the resharding ends (a removed shard leaves the map, and its group is deleted).</li>
 *   <li>aborting: each old shard's fence goes back to the old count and it deletes what it does
 *       not own under it (copies received); then the resharding ends (an added shard leaves the
 *       map).</li>
 * </ul>
 */
final class ReshardingDriver implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReshardingDriver.class);
  private static final long RETRY_DELAY_MS = 1000;
  private static final long LOOK_EVERY_MS = 2000;
  /** A page of the copy holds about this many bytes of points (a read, then a write of them). */
  static final int PAGE_BYTES = 4 << 20;
  static final int MAX_PAGE = 4096;
  static final int MIN_PAGE = 64;

  private final RaftNode node;
  private final CoalescingTask task;
  private final AtomicLong copied = new AtomicLong();
  private volatile String lastError;

  ReshardingDriver(RaftNode node) {
    this.node = node;
    this.task = new CoalescingTask("resharding", RETRY_DELAY_MS, this::pass);
    // Also looks every few seconds: a node that becomes meta leader is often not caught up yet when
    // the leader change (or the next state change) triggers it, and then nothing triggers it again.
    task.triggerEvery(LOOK_EVERY_MS);
  }

  void onStateChanged(ClusterState state) {
    if (state.collections().values().stream().anyMatch(c -> c.shardMap().resharding() != null)) {
      task.trigger();
    }
  }

  void onLeaderChanged() {
    task.trigger();
  }

  /** Points this node has copied for reshardings since it started. */
  long pointsCopied() {
    return copied.get();
  }

  /** Why the last step failed (it runs again), or null. */
  String lastError() {
    return lastError;
  }

  private boolean leads() {
    try {
      RaftServer.Division division = node.server().getDivision(RaftNode.META_GROUP_ID);
      return division.getInfo().isLeaderReady() && node.isCaughtUp();
    } catch (java.io.IOException notHosted) {
      return false;
    }
  }

  private void pass() {
    if (!leads()) {
      return;
    }
    for (CollectionDescriptor c : node.clusterState().collections().values()) {
      Resharding r = c.shardMap().resharding();
      if (r == null) {
        continue;
      }
      try {
        switch (r.phase()) {
          case COPYING -> copy(c, r);
          case CLEANUP -> cleanup(c, r);
          case ABORTING -> abort(c, r);
        }
        lastError = null;
      } catch (RuntimeException e) {
        lastError = "collection `" + c.name() + "`, " + ReshardingTransitions.phaseName(r.phase()) + ": "
            + RaftFailureWords.describe(e.getCause() == null ? e : e.getCause());
        LOG.warn("node {}: resharding {} failed; trying again: {}", node.nodeId(), c.name(), lastError);
        throw e;
      }
      task.trigger(); // the next phase, planned from the state this one produced
      return;
    }
  }

  private RaftShardClient client(CollectionDescriptor c, ShardPlacement shard) {
    return (RaftShardClient) node.shardClients().forShard(c.name(), shard);
  }

  private void copy(CollectionDescriptor c, Resharding r) {
    ShardMap map = c.shardMap();
    LOG.info("node {}: resharding {} {} from {} to {} shards: copying", node.nodeId(), c.name(),
        r.direction().name().toLowerCase(java.util.Locale.ROOT), r.fromCount(), r.toCount());
    if (r.direction() == Resharding.Direction.UP) {
      ShardPlacement added = map.shard(r.changedShard());
      var schema = client(c, map.shard(0)).payloadSchema(ReadConsistency.LINEARIZABLE).join();
      for (var field : schema.entrySet()) {
        client(c, added).createFieldIndex(field.getKey(), field.getValue().schema()).join();
      }
    }
    for (ShardPlacement shard : map.shards()) {
      client(c, shard).setOwnership(new ShardOwnership(map.hashing(), shard.shardId(), r.toCount())).join();
    }
    long started = System.nanoTime();
    long total = 0;
    int pageSize = pageSize(c.config().vectors());
    UpsertCondition insertOnly = new UpsertCondition(UpdateMode.INSERT_ONLY, null);
    for (int source = 0; source < r.fromCount(); source++) {
      // The points of this shard that another shard owns under the new count (all of them for a removed shard).
      Filter moving = source < r.toCount() ? Filter.noneOf(new Condition.OwnedBy(map.hashing(), source, r.toCount())) : null;
      RaftShardClient from = client(c, map.shard(source));
      // The next page is read while the current one is written.
      java.util.concurrent.CompletableFuture<List<PointRecord>> next =
          from.scroll(null, pageSize + 1, moving, true, true, ReadConsistency.LINEARIZABLE);
      while (next != null) {
        List<PointRecord> page = next.join();
        next = page.size() > pageSize
            ? from.scroll(page.get(pageSize).id(), pageSize + 1, moving, true, true, ReadConsistency.LINEARIZABLE)
            : null;
        if (!stillCopying(c.name(), map.epoch())) {
          return;
        }
        List<PointRecord> batch = page.subList(0, Math.min(pageSize, page.size()));
        Map<ShardPlacement, List<Point>> byTarget = new LinkedHashMap<>();
        for (PointRecord p : batch) {
          ShardPlacement target = map.shard(map.hashing().shardOf(p.id(), r.toCount()));
          byTarget.computeIfAbsent(target, t -> new ArrayList<>()).add(new Point(p.id(), p.vectors(), p.payload(), p.sparse()));
        }
        for (var e : byTarget.entrySet()) {
          client(c, e.getKey()).prepareUpsert(e.getValue(), insertOnly).send().join();
        }
        total += batch.size();
        copied.addAndGet(batch.size());
      }
    }
    LOG.info("node {}: resharding {}: copied {} points in {} ms; switching the routing to {} shards", node.nodeId(), c.name(),
        total, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), r.toCount());
    if (stillCopying(c.name(), map.epoch())) {
      node.catalogInternal().reshardingStep(c.name(), Resharding.Phase.COPYING, Resharding.Phase.CLEANUP).join();
    }
  }

  /**
   * Points per page of the copy: about {@link #PAGE_BYTES} of them, from the collection's dense
   * vector sizes (a multivector counted as 16 rows, a sparse vector as 1 KB, a payload as 1 KB).
   */
  static int pageSize(io.quiver.storage.VectorsConfig vectors) {
    long bytes = 1024 + 1024L * vectors.sparse().size();
    for (var v : vectors.vectors().values()) {
      bytes += 4L * v.size();
    }
    for (var m : vectors.multi().values()) {
      bytes += 16 * 4L * m.size();
    }
    return (int) Math.max(MIN_PAGE, Math.min(MAX_PAGE, PAGE_BYTES / bytes));
  }

  /** True while this node leads and the collection's map is the one the copy started from. */
  private boolean stillCopying(String collection, long epoch) {
    CollectionDescriptor now = node.clusterState().collections().get(collection);
    return leads() && now != null && now.shardMap().epoch() == epoch;
  }

  private void cleanup(CollectionDescriptor c, Resharding r) {
    ShardMap map = c.shardMap();
    for (int s = 0; s < r.toCount(); s++) {
      client(c, map.shard(s)).dropForeignPoints().join();
    }
    LOG.info("node {}: resharding {} to {} shards finished", node.nodeId(), c.name(), r.toCount());
    node.catalogInternal().reshardingStep(c.name(), Resharding.Phase.CLEANUP, null).join();
  }

  private void abort(CollectionDescriptor c, Resharding r) {
    ShardMap map = c.shardMap();
    for (int s = 0; s < r.fromCount(); s++) {
      RaftShardClient client = client(c, map.shard(s));
      client.setOwnership(new ShardOwnership(map.hashing(), s, r.fromCount())).join();
      client.dropForeignPoints().join();
    }
    LOG.info("node {}: resharding {} aborted: back to {} shards", node.nodeId(), c.name(), r.fromCount());
    node.catalogInternal().reshardingStep(c.name(), Resharding.Phase.ABORTING, null).join();
  }

  @Override
  public void close() {
    task.close();
  }
}
