package io.quiver.consensus;

import io.quiver.consensus.meta.ClusterState;
import io.quiver.consensus.meta.ReshardingTransitions;
import io.quiver.consensus.raft.CoalescingTask;
import io.quiver.consensus.raft.RaftFailureWords;
import io.quiver.consensus.shard.RaftShardClient;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.Resharding;
import io.quiver.sharding.ShardClients;
import io.quiver.sharding.ShardMap;
import io.quiver.sharding.ShardPlacement;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ShardOwnership;
import io.quiver.storage.UpsertCondition;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.Filter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the meta group's leader: carries a collection's resharding ({@link Resharding}) through its
 * phases, one collection at a time. Every step is idempotent and planned from the applied metadata;
 * a new meta leader starts the current phase again from its beginning (a sync it did not copy for
 * goes back to copying).
 *
 * <ul>
 *   <li>copying: the payload indexes of shard 0 are created on an added shard; every shard drops
 *       the copies of an earlier attempt and loses its fence; the moving points of each old shard
 *       are read page by page (linearizable reads) and upserted into their new shards while writes
 *       go on, and each copy's version and payload hash are remembered.
 *   <li>syncing: every shard is fenced under the new count (through its log: it refuses writes of
 *       points it will not own) while routers hold writes of moving points; the moving points are
 *       read again without vectors, those whose version or payload changed are copied again, those
 *       gone are deleted at their new shard; then one meta entry switches the routing.
 *   <li>cleanup: each remaining shard deletes the copies it holds of points it does not own; then
 *       the resharding ends (a removed shard leaves the map, and its group is deleted).
 *   <li>aborting: each old shard's fence goes back to the old count and it deletes what it does not
 *       own under it (copies received); then the resharding ends (an added shard leaves the map).
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

  private final LocalNode local;
  private final RaftCollectionCatalog catalog;
  private final ShardClients shardClients;
  private final CoalescingTask task;
  private final AtomicLong copied = new AtomicLong();
  private volatile String lastError;

  ReshardingDriver(LocalNode local, RaftCollectionCatalog catalog, ShardClients shardClients) {
    this.local = local;
    this.catalog = catalog;
    this.shardClients = shardClients;
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
    return local.leadsMeta();
  }

  private void pass() {
    if (!leads()) {
      return;
    }
    for (CollectionDescriptor c : local.clusterState().collections().values()) {
      Resharding r = c.shardMap().resharding();
      if (r == null) {
        continue;
      }
      try {
        switch (r.phase()) {
          case COPYING -> copy(c, r);
          case SYNCING -> sync(c, r);
          case CLEANUP -> cleanup(c, r);
          case ABORTING -> abort(c, r);
        }
        lastError = null;
      } catch (RuntimeException e) {
        lastError =
            "collection `"
                + c.name()
                + "`, "
                + ReshardingTransitions.phaseName(r.phase())
                + ": "
                + RaftFailureWords.describe(e.getCause() == null ? e : e.getCause());
        LOG.warn(
            "node {}: resharding {} failed; trying again: {}", local.nodeId(), c.name(), lastError);
        throw e;
      }
      task.trigger(); // the next phase, planned from the state this one produced
      return;
    }
  }

  private RaftShardClient client(CollectionDescriptor c, ShardPlacement shard) {
    return (RaftShardClient) shardClients.forShard(c.name(), shard);
  }

  /** What the bulk copy copied: per point, the version and payload hash it had at its old shard. */
  private record Copied(long version, int payloadHash) {}

  /** The bulk copy's record, for the sync that follows it on this node. */
  private record CopyRecord(String collection, long syncEpoch, Map<PointId, Copied> copies) {}

  private volatile CopyRecord lastCopy; // only touched on the task's thread

  /**
   * The bulk copy, without fences: writes go on as usual. The shards first drop what they hold but
   * do not own under the old count (copies an earlier attempt made) and lose their fences; then
   * each old shard's moving points are read page by page and upserted into their new shards, and
   * each copy's version and payload hash are remembered for the sync.
   */
  private void copy(CollectionDescriptor c, Resharding r) {
    ShardMap map = c.shardMap();
    LOG.info(
        "node {}: resharding {} {} from {} to {} shards: copying",
        local.nodeId(),
        c.name(),
        r.direction().name().toLowerCase(java.util.Locale.ROOT),
        r.fromCount(),
        r.toCount());
    if (r.direction() == Resharding.Direction.UP) {
      ShardPlacement added = map.shard(r.changedShard());
      var schema = client(c, map.shard(0)).payloadSchema(ReadConsistency.LINEARIZABLE).join();
      for (var field : schema.entrySet()) {
        client(c, added).createFieldIndex(field.getKey(), field.getValue().schema()).join();
      }
    }
    for (ShardPlacement shard : map.shards()) {
      RaftShardClient client = client(c, shard);
      client.setOwnership(new ShardOwnership(map.hashing(), shard.shardId(), r.fromCount())).join();
      client.dropForeignPoints().join();
      client.setOwnership(null).join();
    }
    long started = System.nanoTime();
    Map<PointId, Copied> copies = new java.util.HashMap<>();
    boolean done =
        eachMovingPage(
            c,
            r,
            true,
            page -> {
              upsert(c, r, page);
              for (PointRecord p : page) {
                copies.put(p.id(), new Copied(p.version(), payloadHash(p)));
              }
            });
    if (!done) {
      return;
    }
    LOG.info(
        "node {}: resharding {}: copied {} points in {} ms; fencing the shards and copying what changed since",
        local.nodeId(),
        c.name(),
        copies.size(),
        java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    long syncEpoch =
        catalog.reshardingStep(c.name(), Resharding.Phase.COPYING, Resharding.Phase.SYNCING).join();
    lastCopy = new CopyRecord(c.name(), syncEpoch, copies);
  }

  /**
   * The sync, with every shard fenced and routers holding writes of moving points: what changed at
   * an old shard since its bulk copy (another version or payload) is copied again, what was deleted
   * there is deleted at the new shard; then the metadata switches the routing. A node that did not
   * make the bulk copy (a new meta leader) sends the resharding back to copying.
   */
  private void sync(CollectionDescriptor c, Resharding r) {
    ShardMap map = c.shardMap();
    CopyRecord record = lastCopy;
    if (record == null
        || !record.collection().equals(c.name())
        || record.syncEpoch() != map.epoch()) {
      LOG.info(
          "node {}: resharding {}: this node did not make its bulk copy; copying again",
          local.nodeId(),
          c.name());
      catalog.reshardingStep(c.name(), Resharding.Phase.SYNCING, Resharding.Phase.COPYING).join();
      return;
    }
    long started = System.nanoTime();
    for (ShardPlacement shard : map.shards()) {
      client(c, shard)
          .setOwnership(new ShardOwnership(map.hashing(), shard.shardId(), r.toCount()))
          .join();
    }
    Map<PointId, Copied> unseen = new java.util.HashMap<>(record.copies());
    long[] changed = new long[1];
    boolean done =
        eachMovingPage(
            c,
            r,
            false,
            page -> {
              List<PointId> again = new ArrayList<>();
              for (PointRecord p : page) {
                Copied copied = unseen.remove(p.id());
                if (copied == null
                    || copied.version() != p.version()
                    || copied.payloadHash() != payloadHash(p)) {
                  again.add(p.id());
                }
              }
              if (!again.isEmpty()) {
                int source = map.hashing().shardOf(again.getFirst(), r.fromCount());
                upsert(
                    c,
                    r,
                    client(c, map.shard(source))
                        .retrieve(again, true, true, ReadConsistency.LINEARIZABLE)
                        .join());
                changed[0] += again.size();
              }
            });
    if (!done) {
      return;
    }
    Map<ShardPlacement, List<PointId>> deleted = new LinkedHashMap<>();
    for (PointId id : unseen.keySet()) {
      deleted
          .computeIfAbsent(
              map.shard(map.hashing().shardOf(id, r.toCount())), t -> new ArrayList<>())
          .add(id);
    }
    for (var e : deleted.entrySet()) {
      client(c, e.getKey()).delete(e.getValue()).join();
    }
    LOG.info(
        "node {}: resharding {}: synced {} changed and {} deleted points in {} ms; switching the routing to {} shards",
        local.nodeId(),
        c.name(),
        changed[0],
        unseen.size(),
        java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        r.toCount());
    if (stillAt(c.name(), map.epoch())) {
      catalog.reshardingStep(c.name(), Resharding.Phase.SYNCING, Resharding.Phase.CLEANUP).join();
      lastCopy = null;
    }
  }

  /**
   * Reads every old shard's moving points page by page (linearizable reads; the next page read
   * while the current one is handled), with their vectors and payloads when {@code full}, else with
   * their payloads only. Returns false when the collection's map changed or this node stopped
   * leading, and the phase has to be looked at again.
   */
  private boolean eachMovingPage(
      CollectionDescriptor c,
      Resharding r,
      boolean full,
      java.util.function.Consumer<List<PointRecord>> handle) {
    ShardMap map = c.shardMap();
    int pageSize = full ? pageSize(c.config().vectors()) : MAX_PAGE;
    for (int source = 0; source < r.fromCount(); source++) {
      // The points of this shard that another shard owns under the new count (all of them for a
      // removed shard).
      Filter moving =
          source < r.toCount()
              ? Filter.noneOf(new Condition.OwnedBy(map.hashing(), source, r.toCount()))
              : null;
      RaftShardClient from = client(c, map.shard(source));
      java.util.concurrent.CompletableFuture<List<PointRecord>> next =
          from.scroll(null, pageSize + 1, moving, true, full, ReadConsistency.LINEARIZABLE);
      while (next != null) {
        List<PointRecord> page = next.join();
        next =
            page.size() > pageSize
                ? from.scroll(
                    page.get(pageSize).id(),
                    pageSize + 1,
                    moving,
                    true,
                    full,
                    ReadConsistency.LINEARIZABLE)
                : null;
        if (!stillAt(c.name(), map.epoch())) {
          return false;
        }
        List<PointRecord> batch = page.subList(0, Math.min(pageSize, page.size()));
        handle.accept(batch);
        copied.addAndGet(full ? batch.size() : 0);
      }
    }
    return true;
  }

  /** Upserts the records into the shards that own them under the new count. */
  private void upsert(CollectionDescriptor c, Resharding r, List<PointRecord> records) {
    ShardMap map = c.shardMap();
    Map<ShardPlacement, List<Point>> byTarget = new LinkedHashMap<>();
    for (PointRecord p : records) {
      ShardPlacement target = map.shard(map.hashing().shardOf(p.id(), r.toCount()));
      byTarget
          .computeIfAbsent(target, t -> new ArrayList<>())
          .add(new Point(p.id(), p.vectors(), p.payload(), p.sparse()));
    }
    for (var e : byTarget.entrySet()) {
      client(c, e.getKey()).prepareUpsert(e.getValue(), UpsertCondition.NONE).send().join();
    }
  }

  private static int payloadHash(PointRecord p) {
    return p.payload() == null ? 0 : java.util.Arrays.hashCode(p.payload().toBytes());
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

  /** True while this node leads and the collection's map is still at {@code epoch}. */
  private boolean stillAt(String collection, long epoch) {
    CollectionDescriptor now = local.clusterState().collections().get(collection);
    return leads() && now != null && now.shardMap().epoch() == epoch;
  }

  private void cleanup(CollectionDescriptor c, Resharding r) {
    ShardMap map = c.shardMap();
    for (int s = 0; s < r.toCount(); s++) {
      client(c, map.shard(s)).dropForeignPoints().join();
    }
    LOG.info("node {}: resharding {} to {} shards finished", local.nodeId(), c.name(), r.toCount());
    catalog.reshardingStep(c.name(), Resharding.Phase.CLEANUP, null).join();
  }

  private void abort(CollectionDescriptor c, Resharding r) {
    ShardMap map = c.shardMap();
    for (int s = 0; s < r.fromCount(); s++) {
      RaftShardClient client = client(c, map.shard(s));
      client.setOwnership(new ShardOwnership(map.hashing(), s, r.fromCount())).join();
      client.dropForeignPoints().join();
    }
    LOG.info(
        "node {}: resharding {} aborted: back to {} shards",
        local.nodeId(),
        c.name(),
        r.fromCount());
    catalog.reshardingStep(c.name(), Resharding.Phase.ABORTING, null).join();
  }

  @Override
  public void close() {
    task.close();
  }
}
