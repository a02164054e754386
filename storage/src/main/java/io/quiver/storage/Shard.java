package io.quiver.storage;

import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.payloadindex.Estimate;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadIndexes;
import io.quiver.storage.payloadindex.SearchPlan;
import io.quiver.storage.segment.SegmentsInfo;
import io.quiver.storage.segment.ShardSegments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard replica's storage engine: the points of one shard, persistent in a directory.
 *
 * <p>Layout: the shard's store is a column family of the node's RocksDB instance ({@link
 * NodeEngine}, {@link ShardStore}: every point's id, version, vectors and payload, the config, the
 * applied index), named by the directory's {@code STORE} file; the directory holds the sealed
 * segments' files in its {@code segments/} subdirectory ({@link ShardSegments}). RocksDB is the
 * truth; segments are the searchable form of the vectors, rebuilt from RocksDB where they are
 * missing.
 *
 * <p>Writes ({@link #upsert}, {@link #delete}) are called in strict log order by one thread (the
 * Raft apply thread) with the log index of the entry; an entry at or below {@link #appliedIndex()}
 * was already applied before a restart and is skipped, so replaying the log is harmless. Reads may
 * run concurrently from any thread; they see a state between two applies, never half of one.
 */
public final class Shard implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Shard.class);

  /** The subdirectory of the sealed segments' files. */
  public static final String SEGMENTS_DIR = "segments";

  /** Where the multivector graph part files are (immutable files, replaced by new names). */
  public static final String MULTIVECTORS_DIR = "multivectors";

  /**
   * Score-candidates scores the plan's candidate ords segment by segment while they are fewer than
   * one in this many points, and scans the segments' ords with the plan's bit test otherwise. From
   * {@code bench shard} (100k points of 128 dims, warm JIT), when candidates were still looked up
   * by id: a looked-up candidate, scored, cost ~0.25-0.3 us, a scanned ord ~5-7 ns; 1 in 256 made
   * the 1% filter (1,000 candidates) scan and run at a third of the QPS of looking them up.
   */
  private static final int CANDIDATE_SCAN_RATIO = 32;

  private final Path dir;
  private final ShardConfig shardConfig;
  private final VectorsConfig config;
  private final ShardStore store;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ShardSegments segments;
  private final PayloadIndexes payloadIndexes;
  private final io.quiver.storage.sparse.SparseIndexes sparseIndexes;
  private final io.quiver.storage.multivector.MultiVectorIndexes multiIndexes;
  private volatile long appliedIndex;

  /** Which points this shard owns (null: all it is given); see {@link ShardOwnership}. */
  private volatile ShardOwnership ownership;

  private Shard(Path dir, ShardConfig shardConfig, ShardStore store, ShardResources resources) {
    this.dir = dir;
    this.shardConfig = shardConfig;
    this.config = shardConfig.vectors();
    this.store = store;
    this.sparseIndexes =
        io.quiver.storage.sparse.SparseIndexes.open(
            dir, shardConfig, store::forEachSparseEncoded, "Shard[" + dir.getFileName() + "]");
    this.multiIndexes =
        io.quiver.storage.multivector.MultiVectorIndexes.open(
            shardConfig,
            dir.resolve(MULTIVECTORS_DIR),
            visit ->
                store.forEachPoint(
                    (id, version, vectors, names, inSegments) -> visit.accept(id, vectors.get())));
    this.appliedIndex = store.appliedIndex();
    this.ownership = store.ownership();
    if (shardConfig.payloadMemory() == Memory.CACHED) {
      long bytes = store.preloadPayloads();
      LOG.info("{}: payload.memory cached: read {} bytes of payloads at open", dir, bytes);
    }
    try {
      this.segments =
          ShardSegments.open(
              dir.resolve(SEGMENTS_DIR),
              shardConfig,
              lock,
              store::forEachPoint,
              this::dropStoreCopies,
              this::flush,
              resources.flushes(),
              resources.optimizations(),
              resources.indexingThreads());
    } catch (RuntimeException e) {
      sparseIndexes.close(); // sealed sparse parts may be held in native memory
      throw e;
    }
    // Under the write lock: the flusher and the optimizer may already swap segments, and the
    // indexes must be built over one set of segments and then follow every later change.
    lock.writeLock().lock();
    try {
      this.payloadIndexes =
          PayloadIndexes.build(store.payloadSchema(), segments, store::forEachPointPayload);
      segments.followOrds(payloadIndexes);
    } finally {
      lock.writeLock().unlock();
    }
    List<io.quiver.storage.segment.IndexWork> indexWork = new ArrayList<>();
    if (!multiIndexes.isEmpty()) {
      indexWork.add(
          new io.quiver.storage.multivector.MultiVectorGraphBuilds(
              multiIndexes, lock, toString(), resources.indexingThreads()));
      multiIndexes.onBuildDue(segments::wakeOptimizer);
    }
    if (!sparseIndexes.isEmpty()) {
      indexWork.add(new io.quiver.storage.sparse.SparsePartBuilds(sparseIndexes, lock));
      sparseIndexes.onBuildDue(segments::wakeOptimizer);
    }
    if (!indexWork.isEmpty()) {
      segments.setIndexWork(io.quiver.storage.segment.IndexWork.of(indexWork));
    }
  }

  /** Opens an existing shard (its config is stored in it). */
  public static Shard open(Path dir) {
    return openOrCreate(dir, null);
  }

  /** As {@link #openOrCreate(Path, ShardConfig)} with default HNSW and optimizer settings. */
  public static Shard open(Path dir, VectorsConfig config) {
    return openOrCreate(dir, config == null ? null : ShardConfig.of(config));
  }

  /**
   * Opens the shard stored in {@code dir}, creating it with {@code config} when the directory is
   * new. An existing shard keeps the config it was created with; {@code config} may then be null.
   */
  public static Shard openOrCreate(Path dir, ShardConfig config) {
    return openOrCreate(dir, config, ShardResources.processWide());
  }

  /** As {@link #openOrCreate(Path, ShardConfig)}, on the given shared threads and memory. */
  public static Shard openOrCreate(Path dir, ShardConfig config, ShardResources resources) {
    ShardStore store = resources.engine().openStore(dir);
    try {
      ShardConfig stored = store.shardConfig();
      if (stored == null) {
        Objects.requireNonNull(config, "a new shard needs a config");
        store.writeShardConfig(config);
        stored = config;
      }
      Shard shard = new Shard(dir, stored, store, resources);
      LOG.info(
          "{}: opened with {} points, applied index {}", shard, shard.count(), shard.appliedIndex);
      return shard;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Whether {@code dir} holds a shard (in the process' {@link NodeEngine}, or files that opening it
   * installs or migrates); a directory whose creation or drop a crash cut short holds none.
   */
  public static boolean exists(Path dir) {
    return ShardResources.processWide().engine().holds(dir);
  }

  /**
   * Deletes the (closed) shard in {@code dir}: drops its store from the process' {@link NodeEngine}
   * and deletes the directory. Crash-safe (see {@link NodeEngine#destroy}).
   */
  public static void destroy(Path dir) throws java.io.IOException {
    ShardResources.processWide().engine().destroy(dir);
  }

  /**
   * Drops the stores of shards whose directories were deleted ({@link
   * NodeEngine#dropUnreferenced}).
   */
  public static int dropUnreferencedStores() {
    return ShardResources.processWide().engine().dropUnreferenced();
  }

  /**
   * True while a write holds the shard or waits for it (then a read would wait for the write to
   * finish): a caller that must not block, such as an HTTP event loop, sends its read elsewhere. A
   * hint only: a write may begin right after it answers.
   */
  public boolean isWriting() {
    return lock.isWriteLocked() || lock.hasQueuedThreads();
  }

  public VectorsConfig config() {
    return config;
  }

  /** The vectors, HNSW and optimizer settings this shard was created with. */
  public ShardConfig shardConfig() {
    return shardConfig;
  }

  /** The log index of the last entry applied to this shard, or -1 for a new shard. */
  public long appliedIndex() {
    return appliedIndex;
  }

  /** Inserts or replaces points; their version is {@code index}. Skipped if already applied. */
  public void upsert(List<Point> points, long index) {
    upsert(points, UpsertCondition.NONE, index);
  }

  /**
   * Inserts or replaces the points that {@code condition} admits, judged per point against this
   * shard's state just before the write (whether the id exists, and the existing point's payload
   * against the update filter): deterministic, so every replica applying the same log writes the
   * same points. Their version is {@code index}; the others are left as they are. The whole entry
   * is validated first (a bad point refuses all of it). Skipped if already applied.
   */
  public void upsert(List<Point> points, UpsertCondition condition, long index) {
    if (index <= appliedIndex) {
      return;
    }
    new PointValidator(config).validate(points);
    List<Map<String, float[]>> prepared = new ArrayList<>(points.size());
    List<Map<String, io.quiver.index.sparse.SparseVector>> preparedSparse =
        new ArrayList<>(points.size());
    for (Point p : points) {
      prepared.add(prepare(p.vectors()));
      preparedSparse.add(prepareSparse(p.sparse()));
    }
    segments.awaitFlushBacklog(); // a write stall of at most 1 s, only when the flusher fell behind
    lock.writeLock().lock();
    try (ShardStore.Batch batch = store.batch()) {
      boolean[] written = admitted(points, condition);
      for (int i = 0; i < points.size(); i++) {
        if (written[i]) {
          batch.putPoint(
              points.get(i).id(),
              index,
              prepared.get(i),
              preparedSparse.get(i),
              points.get(i).payload());
        }
      }
      batch.commit(index);
      for (int i = 0; i < points.size(); i++) {
        if (written[i]) {
          segments.put(points.get(i).id(), index, prepared.get(i));
          sparseIndexes.put(points.get(i).id(), preparedSparse.get(i));
          multiIndexes.put(points.get(i).id(), prepared.get(i));
          onPayloadChanged(points.get(i).id(), points.get(i).payload());
        }
      }
      appliedIndex = index;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Which points {@code condition} lets an upsert write, from the current state. Call under the
   * write lock.
   */
  private boolean[] admitted(List<Point> points, UpsertCondition condition) {
    boolean[] written = new boolean[points.size()];
    var matches = condition.updateFilter() == null ? null : matcher(condition.updateFilter());
    for (int i = 0; i < points.size(); i++) {
      PointId id = points.get(i).id();
      written[i] =
          condition.isUnconditional() || condition.writes(id, segments.contains(id), matches);
    }
    return written;
  }

  /** Deletes points by id (absent ids are ignored). Skipped if already applied. */
  public void delete(List<PointId> ids, long index) {
    if (index <= appliedIndex) {
      return;
    }
    lock.writeLock().lock();
    try (ShardStore.Batch batch = store.batch()) {
      for (PointId id : ids) {
        batch.deletePoint(id);
      }
      batch.commit(index);
      for (PointId id : ids) {
        segments.remove(id);
        sparseIndexes.remove(id);
        multiIndexes.remove(id);
        onPayloadChanged(id, null);
      }
      appliedIndex = index;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Applies a change to existing points (delete by selector, payload change, vector update).
   * Skipped if already applied. Ids that do not exist are ignored.
   */
  public void apply(PointsOperation operation, long index) {
    if (index <= appliedIndex) {
      return;
    }
    if (operation instanceof PointsOperation.UpdateVectors u) {
      validateVectors(u);
      segments.awaitFlushBacklog();
    } else if (operation instanceof PointsOperation.DeleteVectors d) {
      new PointValidator(config).validateVectorNames(d.names());
      segments.awaitFlushBacklog();
    }
    lock.writeLock().lock();
    try (ShardStore.Batch batch = store.batch()) {
      List<PointId> ids = select(operation.selector());
      Runnable afterCommit =
          switch (operation) {
            case PointsOperation.DeletePoints d -> {
              ids.forEach(batch::deletePoint);
              yield () ->
                  ids.forEach(
                      id -> {
                        segments.remove(id);
                        sparseIndexes.remove(id);
                        multiIndexes.remove(id);
                        onPayloadChanged(id, null);
                      });
            }
            case PointsOperation.UpdatePayload p -> {
              Map<PointId, Payload> changed = new LinkedHashMap<>();
              for (PointId id : ids) {
                Payload payload = p.update().apply(store.payload(id));
                batch.putPayload(id, payload);
                changed.put(id, payload);
              }
              yield () -> changed.forEach(this::onPayloadChanged);
            }
            case PointsOperation.UpdateVectors u -> {
              // Keyed by id: a point updated twice in one entry gets both updates, in order.
              Map<PointId, RewrittenPoint> updated = new LinkedHashMap<>();
              var matches = u.updateFilter() == null ? null : matcher(u.updateFilter());
              for (PointsOperation.PointVectors pv : u.points()) {
                if (!segments.contains(pv.id()) || (matches != null && !matches.test(pv.id()))) {
                  continue;
                }
                RewrittenPoint before = updated.get(pv.id());
                Map<String, float[]> vectors =
                    new HashMap<>(before != null ? before.vectors() : vectorsOf(pv.id()));
                vectors.putAll(prepare(pv.vectors()));
                Map<String, io.quiver.index.sparse.SparseVector> sparse =
                    new HashMap<>(before != null ? before.sparse() : store.sparse(pv.id()));
                sparse.putAll(prepareSparse(pv.sparse()));
                batch.putPoint(pv.id(), index, vectors, sparse, store.payload(pv.id()));
                updated.put(
                    pv.id(),
                    new RewrittenPoint(
                        pv.id(),
                        vectors,
                        sparse,
                        !pv.sparse().isEmpty() || (before != null && before.sparseChanged())));
              }
              yield () -> updated.values().forEach(r -> publish(r, index));
            }
            case PointsOperation.DeleteVectors d -> {
              List<RewrittenPoint> updated = new ArrayList<>();
              for (PointId id : ids) {
                Map<String, float[]> vectors = new HashMap<>(vectorsOf(id));
                Map<String, io.quiver.index.sparse.SparseVector> sparse =
                    new HashMap<>(store.sparse(id));
                boolean sparseChanged = sparse.keySet().removeAll(d.names());
                if (!(vectors.keySet().removeAll(d.names()) | sparseChanged)) {
                  continue; // it had none of them
                }
                batch.putPoint(id, index, vectors, sparse, store.payload(id));
                updated.add(new RewrittenPoint(id, vectors, sparse, sparseChanged));
              }
              yield () -> updated.forEach(r -> publish(r, index));
            }
          };
      batch.commit(index);
      afterCommit.run();
      appliedIndex = index;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * A point written again with new vectors (a vector update or deletion): published after the batch
   * commits.
   */
  private record RewrittenPoint(
      PointId id,
      Map<String, float[]> vectors,
      Map<String, io.quiver.index.sparse.SparseVector> sparse,
      boolean sparseChanged) {}

  private void publish(RewrittenPoint r, long index) {
    segments.put(r.id(), index, r.vectors());
    multiIndexes.put(r.id(), r.vectors());
    if (r.sparseChanged()) {
      sparseIndexes.put(r.id(), r.sparse());
    }
  }

  private void validateVectors(PointsOperation.UpdateVectors update) {
    PointValidator validator = new PointValidator(config);
    for (PointsOperation.PointVectors pv : update.points()) {
      if (pv.vectors().isEmpty() && pv.sparse().isEmpty()) {
        throw new BadRequestException("points: point " + pv.id() + " has no vector to update");
      }
      validator.validateVectors(pv.id(), pv.vectors());
      validator.validateSparse(pv.id(), pv.sparse());
    }
  }

  /** The ids an operation applies to, resolved against the current state, in a stable order. */
  private List<PointId> select(PointSelector selector) {
    return switch (selector) {
      case PointSelector.Ids ids ->
          ids.ids().stream().filter(segments::contains).distinct().toList();
      case PointSelector.ByFilter f -> {
        var accept = accept(f.filter());
        List<PointId> out = new ArrayList<>();
        for (PointId id : segments.liveIds()) {
          if (accept.test(id)) {
            out.add(id);
          }
        }
        yield out;
      }
    };
  }

  /**
   * One page of points in Qdrant's id order: up to {@code limit} points with id at or after {@code
   * offset} (null: from the first) that match {@code filter} (null: all).
   */
  public List<PointRecord> scroll(
      PointId offset,
      int limit,
      io.quiver.storage.filter.Filter filter,
      boolean withPayload,
      boolean withVector) {
    if (limit <= 0) {
      return List.of();
    }
    lock.readLock().lock();
    try {
      var accept = accept(filter);
      List<PointRecord> out = new ArrayList<>(Math.min(limit, 1024));
      store.forEachIdFrom(
          offset,
          id -> {
            if (segments.contains(id) && (accept == null || accept.test(id))) {
              out.add(record(id, withPayload, withVector, null));
            }
            return out.size() < limit;
          });
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Up to {@code limit} points matching {@code filter} (null: all) in the order of their values at
   * {@code orderBy.key()}, streamed from the key's payload index: one record per distinct (value,
   * point) pair, each carrying its {@link PointRecord#orderValue()}, ties by id (see {@link
   * OrderBy}). A key without a range-capable index is a {@link BadRequestException}, also on a
   * shard without points. Cost: the values walked until {@code limit} points pass the filter.
   */
  public List<PointRecord> scrollOrdered(
      OrderBy orderBy, int limit, Filter filter, boolean withPayload, boolean withVector) {
    lock.readLock().lock();
    try {
      if (!payloadIndexes.ordersBy(orderBy.key())) {
        throw new BadRequestException(orderBy.missingIndexMessage());
      }
      List<PointRecord> out = new ArrayList<>(Math.min(Math.max(limit, 0), 1024));
      if (limit <= 0) {
        return out;
      }
      for (PayloadIndexes.OrderedPoint p : payloadIndexes.ordered(orderBy, limit, accept(filter))) {
        out.add(record(p.id(), withPayload, withVector, p.value()));
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The one hook every committed payload write calls (under the write lock, after the batch is
   * written): the point now has {@code payload}, or was deleted when it is null. Keeps the payload
   * indexes equal to the stored payloads.
   */
  private void onPayloadChanged(PointId id, Payload payload) {
    payloadIndexes.onPayloadChanged(id, payload);
  }

  /**
   * Indexes a payload field (replacing an index of another schema on it). The schema is stored with
   * the applied index; the index is built from the stored payloads. Skipped if already applied.
   */
  public void createFieldIndex(String field, FieldIndexSchema schema, long index) {
    JsonPath path = parseField(field);
    if (index <= appliedIndex) {
      return;
    }
    lock.writeLock().lock();
    try (ShardStore.Batch batch = store.batch()) {
      Map<JsonPath, FieldIndexSchema> next = new LinkedHashMap<>(payloadIndexes.schema());
      next.put(path, schema);
      batch.putPayloadSchema(next);
      batch.commit(index);
      payloadIndexes.create(path, schema, store::forEachPointPayload);
      appliedIndex = index;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Drops the index of a payload field (absent: nothing changes). Skipped if already applied. */
  public void deleteFieldIndex(String field, long index) {
    JsonPath path = parseField(field);
    if (index <= appliedIndex) {
      return;
    }
    lock.writeLock().lock();
    try (ShardStore.Batch batch = store.batch()) {
      Map<JsonPath, FieldIndexSchema> next = new LinkedHashMap<>(payloadIndexes.schema());
      next.remove(path);
      batch.putPayloadSchema(next);
      batch.commit(index);
      payloadIndexes.drop(path);
      appliedIndex = index;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static JsonPath parseField(String field) {
    try {
      return JsonPath.parse(field);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("field_name: " + e.getMessage());
    }
  }

  /** The indexed payload fields (key path text) with their schema and indexed point counts. */
  public Map<String, PayloadIndexes.FieldInfo> payloadSchema() {
    lock.readLock().lock();
    try {
      Map<String, PayloadIndexes.FieldInfo> out = new LinkedHashMap<>();
      payloadIndexes.info().forEach((path, info) -> out.put(path.toString(), info));
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The cardinality estimate of a filter (null: all points), from the payload indexes where they
   * apply.
   */
  public Estimate estimate(Filter filter) {
    lock.readLock().lock();
    try {
      return payloadIndexes.estimate(filter, segments.liveCount());
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Stores a new configuration (HNSW and optimizer settings, per-vector {@code on_disk} and HNSW,
   * and the vector names) for this shard, from a collection update or a named vector created or
   * deleted. The vectors that stay keep their size and distance. The running shard keeps its
   * settings: the owner reopens it to take the new ones (segments already built keep the graphs
   * they have; new segments use the new settings). Skipped if already applied.
   *
   * <p>A vector name added: existing points lack it. A name dropped: its vectors are removed from
   * every stored point in the same batch as the config. When the dense names change, the sealed
   * segments (one file per dense name) no longer fit, so they are discarded first (an empty
   * manifest) and rebuilt from RocksDB after the reopen.
   */
  public void updateConfig(ShardConfig newConfig, long index) {
    if (index <= appliedIndex) {
      return;
    }
    for (Map.Entry<String, VectorParams> e : shardConfig.vectors().vectors().entrySet()) {
      VectorParams updated = newConfig.vectors().get(e.getKey());
      if (updated != null
          && (updated.size() != e.getValue().size()
              || updated.distance() != e.getValue().distance())) {
        throw new BadRequestException(
            "Wrong input: a collection update cannot change vector `"
                + e.getKey()
                + "`'s size or distance");
      }
    }
    for (Map.Entry<String, MultiVectorParams> e : shardConfig.vectors().multi().entrySet()) {
      MultiVectorParams updated = newConfig.vectors().getMulti(e.getKey());
      MultiVectorParams was = e.getValue();
      if (updated != null
          && (updated.size() != was.size()
              || updated.distance() != was.distance()
              || updated.comparator() != was.comparator()
              || updated.vector().storedDatatype() != was.vector().storedDatatype())) {
        throw new BadRequestException(
            "Wrong input: a collection update cannot change multivector `"
                + e.getKey()
                + "`'s size, distance, comparator or datatype");
      }
    }
    for (Map.Entry<String, SparseVectorParams> e : shardConfig.vectors().sparse().entrySet()) {
      SparseVectorParams updated = newConfig.vectors().getSparse(e.getKey());
      if (updated != null && updated.storedDatatype() != e.getValue().storedDatatype()) {
        throw new BadRequestException(
            "Wrong input: a collection update cannot change sparse vector `"
                + e.getKey()
                + "`'s datatype");
      }
    }
    // Multivectors travel flat in the points' dense vector maps: a dropped one is removed from
    // them like a dense vector, but no segment holds it (segments keep plain dense vectors only),
    // and an added one has no data yet: the multivector store is rebuilt from RocksDB at reopen.
    java.util.Set<String> droppedDense = new java.util.HashSet<>(config.vectors().keySet());
    droppedDense.addAll(config.multi().keySet());
    droppedDense.removeAll(newConfig.vectors().vectors().keySet());
    droppedDense.removeAll(newConfig.vectors().multi().keySet());
    java.util.Set<String> droppedSparse = new java.util.HashSet<>(config.sparse().keySet());
    droppedSparse.removeAll(newConfig.vectors().sparse().keySet());
    boolean denseNamesChanged =
        !config.vectors().keySet().equals(newConfig.vectors().vectors().keySet());
    if (denseNamesChanged) {
      // Before the batch, and without the shard's lock (a swap holds the files lock while it waits
      // for the write lock): the store takes back the vectors it had handed over to the sealed
      // segments, then an empty manifest fits the stored state.
      segments.discardSealed(this::restoreStoreCopies);
    }
    lock.writeLock().lock();
    try (ShardStore.Batch batch = store.batch()) {
      batch.putShardConfig(newConfig);
      long changed =
          droppedDense.isEmpty() && droppedSparse.isEmpty()
              ? 0
              : batch.dropVectors(droppedDense, droppedSparse);
      batch.commit(index);
      appliedIndex = index;
      if (denseNamesChanged
          || !droppedSparse.isEmpty()
          || !droppedDense.isEmpty()
          || !config.multi().keySet().equals(newConfig.vectors().multi().keySet())) {
        LOG.info(
            "{}: vectors now {} (sparse {}, multivectors {}); removed {} {} from {} points",
            this,
            newConfig.vectors().vectors().keySet(),
            newConfig.vectors().sparse().keySet(),
            newConfig.vectors().multi().keySet(),
            droppedDense,
            droppedSparse,
            changed);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Which points this shard owns, or null when it has no fence (it owns every point it is given).
   */
  public ShardOwnership ownership() {
    return ownership;
  }

  /**
   * Sets (or, with null, clears) the shard's ownership fence, with the entry that changes it.
   * Skipped if already applied.
   */
  public void setOwnership(ShardOwnership newOwnership, long index) {
    if (index <= appliedIndex) {
      return;
    }
    lock.writeLock().lock();
    try (ShardStore.Batch batch = store.batch()) {
      batch.putOwnership(newOwnership);
      batch.commit(index);
      appliedIndex = index;
      ownership = newOwnership;
    } finally {
      lock.writeLock().unlock();
    }
    LOG.info("{}: ownership now {}", this, newOwnership == null ? "every point" : newOwnership);
  }

  /** Records that an entry which changes no point (a no-op, a config entry) was applied. */
  public void markApplied(long index) {
    if (index <= appliedIndex) {
      return;
    }
    lock.writeLock().lock();
    try (ShardStore.Batch batch = store.batch()) {
      batch.commit(index);
      appliedIndex = index;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Nearest neighbours of the request's vector, best first, each scored by its similarity (higher
   * is better whatever the distance: see {@link ScoreScale}, which turns it into Qdrant's score):
   * HNSW on sealed segments (exact with {@code params.exact}), exact scans of appendable ones. A
   * filter is planned from the payload indexes' cardinality estimate: few matching points are
   * scored exactly from the candidate set, many are searched through the graphs with an accept
   * test.
   */
  public List<ScoredPoint> search(SearchRequest request) {
    if (request.isSparse()) {
      return searchSparse(request);
    }
    if (config.getMulti(request.vectorName()) != null) {
      return searchMulti(request);
    }
    new PointValidator(config).validateQuery(request.vectorName(), request.vector());
    float[] query = config.get(request.vectorName()).distance().prepare(request.vector());
    lock.readLock().lock();
    try {
      SearchPlan plan = plan(request.filter(), request.vectorName());
      List<ScoredPoint> hits;
      // The plan's filter goes to the segments in their own ords (SearchPlan.segmentFilter). Few
      // candidates are scored from each segment's candidate ords; more than 1 in
      // CANDIDATE_SCAN_RATIO of the points are found faster by a sequential pass over each
      // segment's
      // ords with the plan's bit test, scoring those it takes.
      if (plan.strategy() == SearchPlan.Strategy.SCORE_CANDIDATES
          && plan.hasCandidates()
          && (long) plan.candidateCount() * CANDIDATE_SCAN_RATIO < segments.liveCount()) {
        hits =
            segments.searchCandidates(
                request.vectorName(), query, request.limit(), plan.segmentFilter());
      } else {
        boolean exact = request.exact() || plan.strategy() == SearchPlan.Strategy.SCORE_CANDIDATES;
        hits =
            segments.search(
                request.vectorName(),
                query,
                request.limit(),
                request.hnswEf(),
                exact,
                plan.segmentFilter(),
                request.quantization());
      }
      if (request.scoreThreshold() != null) {
        hits = withinThreshold(hits, request);
      }
      return withPayloadAndVectors(hits, request.withPayload(), request.withVector());
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The best points by dot product with the request's sparse vector, among those sharing a
   * dimension with it, best first, ties by id; exact. With a filter whose payload-index estimate is
   * below the vector's {@code full_scan_threshold}, the matching points are scored directly;
   * otherwise the inverted index is walked with the filter as an accept test.
   */
  private List<ScoredPoint> searchSparse(SearchRequest request) {
    SparseVectorParams params = config.getSparse(request.vectorName());
    if (params == null) {
      throw new BadRequestException(
          "Wrong input: Not existing vector name error: "
              + request.vectorName()
              + (config.get(request.vectorName()) != null
                  ? " (it is a dense vector, the query is sparse)"
                  : ""));
    }
    lock.readLock().lock();
    try {
      List<ScoredPoint> hits = new ArrayList<>();
      SearchPlan plan = request.filter() == null ? null : plan(request.filter(), null);
      if (plan != null
          && plan.hasCandidates()
          && plan.estimate().max() < params.fullScanThresholdOrDefault()) {
        hits =
            scoreSparseCandidates(
                plan, request.vectorName(), request.sparseVector(), request.limit());
      } else {
        for (var h :
            sparseIndexes.search(
                request.vectorName(),
                request.sparseVector(),
                request.limit(),
                plan == null ? null : plan.accept())) {
          hits.add(new ScoredPoint(h.id(), segments.version(h.id()), h.score(), null, null));
        }
      }
      if (request.scoreThreshold() != null) {
        hits = withinThreshold(hits, request);
      }
      return withPayloadAndVectors(hits, request.withPayload(), request.withVector());
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The best points by MaxSim against the request's rows (a flat multivector, or one vector), best
   * first by similarity (see {@link ScoreScale}), ties by id. As for dense vectors: {@code
   * params.exact} scores every live multivector the filter accepts; a filter whose payload-index
   * estimate is below {@code full_scan_threshold} (in points of the average multivector's size)
   * scores its matching points exactly; otherwise the name's HNSW graphs are searched (beam {@code
   * max(hnsw_ef or ef_construct, limit)}) with the filter as the accept test, and the points no
   * graph holds yet are scored exactly (see {@link
   * io.quiver.storage.multivector.MultiVectorIndexes}). With a quantization, graph parts are
   * traversed over their quantized rows and rescored from the float rows as {@code
   * params.quantization} says.
   */
  private List<ScoredPoint> searchMulti(SearchRequest request) {
    MultiVectorParams params = config.getMulti(request.vectorName());
    new PointValidator(config).validateQuery(request.vectorName(), request.vector());
    float[][] query =
        io.quiver.index.multivector.MaxSim.rows(
            io.quiver.index.multivector.MaxSim.prepare(
                params.distance(), request.vector(), params.size()),
            params.size());
    lock.readLock().lock();
    try {
      List<ScoredPoint> found;
      if (request.filter() == null) {
        found =
            multiIndexes.search(
                request.vectorName(),
                query,
                request.limit(),
                null,
                request.hnswEf(),
                request.exact(),
                request.quantization());
      } else {
        long thresholdPoints =
            shardConfig.hnswOf(request.vectorName()).fullScanThresholdKb()
                * 1024
                / multiIndexes.averageBytes(request.vectorName());
        SearchPlan plan =
            SearchPlan.plan(
                payloadIndexes,
                request.filter(),
                segments.liveCount(),
                thresholdPoints,
                matcher(request.filter()));
        boolean selective = plan.strategy() == SearchPlan.Strategy.SCORE_CANDIDATES;
        if (selective && plan.hasCandidates()) {
          found =
              multiIndexes.scoreCandidates(
                  request.vectorName(), query, request.limit(), plan::forEachCandidate);
        } else {
          found =
              multiIndexes.search(
                  request.vectorName(),
                  query,
                  request.limit(),
                  plan.accept(),
                  request.hnswEf(),
                  request.exact() || selective,
                  request.quantization());
        }
      }
      List<ScoredPoint> hits = new ArrayList<>(found.size());
      for (ScoredPoint h : found) {
        hits.add(new ScoredPoint(h.id(), segments.version(h.id()), h.score(), null, null));
      }
      if (request.scoreThreshold() != null) {
        hits = withinThreshold(hits, request);
      }
      return withPayloadAndVectors(hits, request.withPayload(), request.withVector());
    } finally {
      lock.readLock().unlock();
    }
  }

  private List<ScoredPoint> scoreSparseCandidates(
      SearchPlan plan, String name, io.quiver.index.sparse.SparseVector query, int limit) {
    List<ScoredPoint> scored = new ArrayList<>();
    plan.forEachCandidate(
        id -> {
          var v = store.sparse(id).get(name);
          if (v != null && v.overlaps(query)) {
            scored.add(new ScoredPoint(id, segments.version(id), v.dot(query), null, null));
          }
        });
    scored.sort(ScoredPoint.HIGHER_FIRST);
    return scored.size() > limit ? new ArrayList<>(scored.subList(0, limit)) : scored;
  }

  /**
   * For IDF weighting over the whole collection: the number of live points of the shard (Qdrant's N
   * is every available point, with or without the vector), then per dimension of {@code indices}
   * how many points' vector {@code name} has it.
   */
  public long[] sparseStatistics(String name, int[] indices) {
    if (config.getSparse(name) == null) {
      throw new BadRequestException("Wrong input: Not existing vector name error: " + name);
    }
    lock.readLock().lock();
    try {
      long[] out = new long[indices.length + 1];
      out[0] = segments.liveCount();
      for (int i = 0; i < indices.length; i++) {
        out[i + 1] = sparseIndexes.documentFrequency(name, indices[i]);
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The hits that pass the request's {@code score_threshold} (given as Qdrant reports scores). */
  private List<ScoredPoint> withinThreshold(List<ScoredPoint> hits, SearchRequest request) {
    ScoreScale scale = ScoreScale.of(config, request.vectorName());
    float threshold = request.scoreThreshold();
    List<ScoredPoint> out = new ArrayList<>(hits.size());
    for (ScoredPoint h : hits) {
      if (scale.passes(h.score(), threshold)) {
        out.add(h);
      }
    }
    return out;
  }

  /**
   * The best points by a custom {@link io.quiver.storage.scoring.Scorer} (exact scan), higher score
   * first, ties by id. The request's vector may be dense, a multivector or sparse; the scorer's
   * examples must be of its kind ({@code float[]}, flat rows for a multivector, or sparse vectors),
   * and each point with that vector is compared with them as Qdrant's custom objectives compare
   * (see {@link io.quiver.storage.scoring.Scorer}). Vector-free scorers (random, id order) take
   * every live point, whatever the vector.
   */
  public List<ScoredPoint> score(io.quiver.storage.scoring.ScoreRequest request) {
    String name = request.vectorName();
    List<ScoredPoint> hits;
    lock.readLock().lock();
    try {
      if (!request.scorer().usesVector()) {
        hits =
            segments.scan(
                name,
                denseExamples(request),
                null,
                request.limit(),
                request.scoreThreshold(),
                accept(request.filter()));
      } else if (config.get(name) != null) {
        io.quiver.index.vector.Distance distance = config.get(name).distance();
        var prepared = denseExamples(request).map(distance::prepare);
        hits =
            segments.scan(
                name,
                prepared,
                distance,
                request.limit(),
                request.scoreThreshold(),
                accept(request.filter()));
      } else if (config.getMulti(name) != null) {
        hits = scoreMulti(request);
      } else if (config.getSparse(name) != null) {
        hits = scoreSparse(request);
      } else {
        throw new BadRequestException(
            "Wrong input: Not existing vector name error: " + displayName(name));
      }
      return withPayloadAndVectors(hits, request.withPayload(), request.withVector());
    } finally {
      lock.readLock().unlock();
    }
  }

  private static String displayName(String name) {
    return name.isEmpty() ? "(unnamed)" : name;
  }

  /**
   * The request's scorer over dense examples (a dense vector's or a multivector's), each checked
   * against the vector.
   */
  @SuppressWarnings("unchecked")
  private io.quiver.storage.scoring.Scorer<float[]> denseExamples(
      io.quiver.storage.scoring.ScoreRequest request) {
    for (Object example : request.scorer().examples()) {
      if (!(example instanceof float[] v)) {
        throw new BadRequestException(
            "Wrong input: vector "
                + displayName(request.vectorName())
                + " is not sparse:"
                + " a sparse vector cannot be an example for it");
      }
      new PointValidator(config).validateQuery(request.vectorName(), v);
    }
    return (io.quiver.storage.scoring.Scorer<float[]>) request.scorer();
  }

  /**
   * A custom scorer over a multivector: every live multivector the filter accepts, compared with
   * each example by the sum over the example's rows of the best row similarity (Qdrant's {@code
   * score_max_similarity}). Call under the read lock.
   */
  private List<ScoredPoint> scoreMulti(io.quiver.storage.scoring.ScoreRequest request) {
    MultiVectorParams params = config.getMulti(request.vectorName());
    var prepared =
        denseExamples(request)
            .map(
                v ->
                    io.quiver.index.multivector.MaxSim.prepare(
                        params.distance(), v, params.size()));
    java.util.IdentityHashMap<float[], float[][]> rows = new java.util.IdentityHashMap<>();
    prepared
        .examples()
        .forEach(v -> rows.put(v, io.quiver.index.multivector.MaxSim.rows(v, params.size())));
    io.quiver.storage.scoring.HighestScores best =
        new io.quiver.storage.scoring.HighestScores(request.limit());
    multiIndexes.forEachLive(
        request.vectorName(),
        accept(request.filter()),
        (id, similarity) -> {
          float score = prepared.score(id, example -> similarity.of(rows.get(example)));
          if (request.scoreThreshold() == null || score >= request.scoreThreshold()) {
            best.offer(new ScoredPoint(id, segments.version(id), score, null, null));
          }
        });
    return best.sorted();
  }

  /**
   * A custom scorer over a sparse vector: every live point with it that the filter accepts,
   * compared with each example by the dot product over shared dimensions (0 when none), as Qdrant's
   * sparse custom scorer does. A filter whose payload-index estimate is below the vector's {@code
   * full_scan_threshold} reads its matching points only. Call under the read lock.
   */
  @SuppressWarnings("unchecked")
  private List<ScoredPoint> scoreSparse(io.quiver.storage.scoring.ScoreRequest request) {
    String name = request.vectorName();
    for (Object example : request.scorer().examples()) {
      if (!(example instanceof io.quiver.index.sparse.SparseVector)) {
        throw new BadRequestException(
            "Wrong input: vector "
                + displayName(name)
                + " is sparse: its examples must be"
                + " sparse vectors ({\"indices\": [...], \"values\": [...]}) or point ids");
      }
    }
    var scorer =
        (io.quiver.storage.scoring.Scorer<io.quiver.index.sparse.SparseVector>) request.scorer();
    io.quiver.storage.scoring.HighestScores best =
        new io.quiver.storage.scoring.HighestScores(request.limit());
    java.util.function.BiConsumer<PointId, io.quiver.index.sparse.SparseVector> visit =
        (id, v) -> {
          float score = scorer.score(id, example -> example.dot(v));
          if (request.scoreThreshold() == null || score >= request.scoreThreshold()) {
            best.offer(new ScoredPoint(id, segments.version(id), score, null, null));
          }
        };
    SearchPlan plan = request.filter() == null ? null : plan(request.filter(), null);
    if (plan != null
        && plan.hasCandidates()
        && plan.estimate().max() < config.getSparse(name).fullScanThresholdOrDefault()) {
      plan.forEachCandidate(
          id -> {
            var v = store.sparse(id).get(name);
            if (v != null) {
              visit.accept(id, v);
            }
          });
    } else {
      var accept = plan == null ? null : plan.accept();
      store.forEachSparse(
          (id, vectors) -> {
            var v = vectors.get(name);
            if (v != null && (accept == null || accept.test(id))) {
              visit.accept(id, v);
            }
          });
    }
    return best.sorted();
  }

  /**
   * How many points matching {@code filter} (null: all) have each value at {@code key}: strings,
   * integers and booleans, each distinct value counted once per point.
   */
  public Map<io.quiver.storage.scoring.FacetValue, Long> facet(
      io.quiver.storage.filter.JsonPath key, io.quiver.storage.filter.Filter filter) {
    lock.readLock().lock();
    try {
      var accept = accept(filter);
      Map<io.quiver.storage.scoring.FacetValue, Long> counts = new HashMap<>();
      java.util.Set<io.quiver.storage.scoring.FacetValue> seen = new java.util.HashSet<>();
      for (PointId id : segments.liveIds()) {
        if (accept != null && !accept.test(id)) {
          continue;
        }
        seen.clear();
        for (var value :
            io.quiver.storage.scoring.PayloadValues.at(key, store.payload(id).tree())) {
          var facetValue = io.quiver.storage.scoring.FacetValue.of(value);
          if (facetValue != null && seen.add(facetValue)) {
            counts.merge(facetValue, 1L, Long::sum);
          }
        }
      }
      return counts;
    } finally {
      lock.readLock().unlock();
    }
  }

  private List<ScoredPoint> withPayloadAndVectors(
      List<ScoredPoint> hits, boolean withPayload, boolean withVector) {
    if (!withPayload && !withVector) {
      return hits;
    }
    List<ScoredPoint> out = new ArrayList<>(hits.size());
    for (ScoredPoint h : hits) {
      out.add(
          new ScoredPoint(
              h.id(),
              h.version(),
              h.score(),
              withPayload ? store.payload(h.id()) : null,
              withVector ? vectorsOf(h.id()) : null,
              null,
              withVector ? sparseOf(h.id()) : null));
    }
    return out;
  }

  /** The live point {@code id} as a record (call under the read lock). */
  private PointRecord record(
      PointId id, boolean withPayload, boolean withVector, OrderValue orderValue) {
    return new PointRecord(
        id,
        segments.version(id),
        withPayload ? store.payload(id) : null,
        withVector ? vectorsOf(id) : null,
        orderValue,
        withVector ? sparseOf(id) : null);
  }

  /** The points among {@code ids} that exist, in the order of {@code ids}. */
  public List<PointRecord> retrieve(List<PointId> ids, boolean withPayload, boolean withVector) {
    lock.readLock().lock();
    try {
      List<PointRecord> out = new ArrayList<>();
      for (PointId id : ids) {
        if (!segments.contains(id)) {
          continue;
        }
        out.add(record(id, withPayload, withVector, null));
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The number of points stored. */
  public long count() {
    return count(null);
  }

  /** The number of points the filter matches (all points for a null filter). */
  public long count(io.quiver.storage.filter.Filter filter) {
    lock.readLock().lock();
    try {
      if (filter == null) {
        return segments.liveCount();
      }
      if (!payloadIndexes.isEmpty()) {
        SearchPlan plan = plan(filter, null);
        if (plan.estimate().isExact()) {
          return plan.estimate().max();
        }
        long[] n = {0};
        plan.forEachCandidate(id -> n[0]++);
        return n[0];
      }
      var accept = matcher(filter);
      long n = 0;
      for (PointId id : segments.liveIds()) {
        if (accept.test(id)) {
          n++;
        }
      }
      return n;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The filter as a test of a point id, as the query plan decides it: indexed conditions from the
   * payload indexes, the rest by reading the candidate's stored payload. {@code has_vector} asks
   * whether the point has the named vector (dense: its segment's absent bitmap; sparse: its stored
   * vectors).
   */
  private java.util.function.Predicate<PointId> accept(Filter filter) {
    return plan(filter, null).accept();
  }

  /**
   * The plan of a filtered search or count: the payload indexes' candidates and estimate, and the
   * strategy for the vector {@code vectorName} (null for a count). Call under a lock.
   */
  private SearchPlan plan(Filter filter, String vectorName) {
    long thresholdPoints = Long.MAX_VALUE;
    if (vectorName != null) {
      VectorParams params = config.get(vectorName);
      thresholdPoints =
          shardConfig.hnswOf(vectorName).fullScanThresholdKb()
              * 1024
              / ((long) params.storedDatatype().bytesPerDimension() * params.size());
    }
    return SearchPlan.plan(
        payloadIndexes, filter, segments.liveCount(), thresholdPoints, matcher(filter));
  }

  private java.util.function.Predicate<PointId> matcher(io.quiver.storage.filter.Filter filter) {
    if (filter == null) {
      return null;
    }
    // Full-text conditions on indexed fields are decided as their index decides them.
    io.quiver.storage.filter.Filter verified = payloadIndexes.forVerification(filter);
    if (!verified.readsPayload()) {
      // Ids and vectors only (e.g. resharding's ownership): no payload read from RocksDB per point.
      return id -> verified.matches(id, Payload.EMPTY, name -> hasVector(id, name));
    }
    return id -> verified.matches(id, store.payload(id), name -> hasVector(id, name));
  }

  /**
   * {@code has_vector}: the live point has the named vector, dense, multi or sparse (points may
   * omit any named vector).
   */
  private boolean hasVector(PointId id, String name) {
    if (config.get(name) != null) {
      return segments.hasVector(id, name);
    }
    if (config.getMulti(name) != null) {
      return multiIndexes.vectors(id).containsKey(name);
    }
    return config.getSparse(name) != null && store.sparse(id).containsKey(name);
  }

  /**
   * The stored (prepared) dense vectors of a point with its multivectors (flat), or null when it is
   * absent.
   */
  private Map<String, float[]> vectorsOf(PointId id) {
    Map<String, float[]> dense = segments.vectors(id);
    if (dense == null || multiIndexes.isEmpty()) {
      return dense;
    }
    Map<String, float[]> out = new java.util.LinkedHashMap<>(dense);
    out.putAll(multiIndexes.vectors(id));
    return out;
  }

  /** The sparse vectors of a stored point (empty for a collection without sparse vectors). */
  private Map<String, io.quiver.index.sparse.SparseVector> sparseOf(PointId id) {
    return sparseIndexes.isEmpty() ? Map.of() : store.sparse(id);
  }

  /** Segment count, indexed vectors and optimizer state, with the number of live points. */
  public ShardInfo info() {
    lock.readLock().lock();
    try {
      var s = segments.info();
      return new ShardInfo(
          segments.liveCount(),
          s.segments(),
          s.indexedVectors() + multiIndexes.indexedPoints(),
          s.optimizing(),
          0);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Multivector graph parts loaded from their files at open (not rebuilt); for tests. */
  int multivectorPartsLoaded() {
    return multiIndexes.loadedParts();
  }

  /**
   * What the inverted index of sparse vector {@code name} holds and where (sealed parts, postings
   * on the heap).
   */
  public io.quiver.storage.sparse.SparseIndexes.Stats sparseIndexStats(String name) {
    lock.readLock().lock();
    try {
      return sparseIndexes.stats(name);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** What the flusher and the optimizer have done since this shard opened. Cheap; takes no lock. */
  public io.quiver.storage.segment.SegmentWork segmentWork() {
    return segments.work();
  }

  /**
   * What the segments hold: plain segments waiting to be indexed, the in-heap backlog (see {@link
   * SegmentsInfo}).
   */
  public SegmentsInfo segmentsInfo() {
    lock.readLock().lock();
    try {
      return segments.info();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Writes a checkpoint of this shard into {@code target} (a new directory): {@link #open} on it
   * gives the shard as of the last apply (installing the store's files into the engine). It holds
   * in {@code store/} the store's keys as SST files ({@link StoreSstFiles}: one read of the store
   * and one write of its bytes, the price of a snapshot that another node's engine can ingest), in
   * {@code segments/} hard links to the sealed segments' files and their manifest (any manifest is
   * consistent with any RocksDB state: at open, liveness comes from RocksDB), in {@code
   * multivectors/} hard links to the multivector graph part files (checked against RocksDB's points
   * at open, see {@link io.quiver.storage.multivector.MultiVectorIndexes#open}), and in {@code
   * sparse/} hard links to the sealed sparse parts and their manifest (checked by content
   * fingerprints at open). Call from the apply thread (or with applies paused), so no write lands
   * halfway.
   */
  public void checkpoint(Path target) {
    try (Checkpoint checkpoint = beginCheckpoint(target)) {
      checkpoint.writeStore(() -> false);
    }
  }

  /**
   * {@link #checkpoint} in two steps, so that the costly one need not hold up the apply thread:
   * this call pins the store's state (a flush and a RocksDB snapshot) and links the derived files
   * into {@code target}, at once and under the same conditions as {@code checkpoint} (from the
   * apply thread); {@link Checkpoint#writeStore} then writes the store's SST files of that state,
   * on any thread, while applies go on. Close the checkpoint when done (it holds back the store's
   * compaction); close it, and let {@code writeStore} return, before this shard closes.
   */
  public Checkpoint beginCheckpoint(Path target) {
    ShardStore.PinnedState[] pinned = new ShardStore.PinnedState[1];
    // The store is pinned and the segment files linked under the segments' files lock, taken
    // before the shard's lock (an optimizer swap holds the files lock while it waits for the write
    // lock): the pinned store may leave vectors to the segments, which must then be in the linked
    // manifest.
    try {
      segments.linkFiles(
          target.resolve(SEGMENTS_DIR),
          () -> {
            lock.readLock().lock();
            try {
              pinned[0] = store.pin();
              sparseIndexes.linkFiles(target.resolve(io.quiver.storage.sparse.SparseIndexes.DIR));
              multiIndexes.linkFiles(target.resolve(MULTIVECTORS_DIR));
            } catch (java.io.IOException e) {
              throw new StorageException(
                  "cannot link the multivector graph files into " + target, e);
            } finally {
              lock.readLock().unlock();
            }
          });
    } catch (RuntimeException e) {
      if (pinned[0] != null) {
        pinned[0].close();
      }
      throw e;
    }
    return new Checkpoint(pinned[0], target);
  }

  /** A checkpoint begun by {@link #beginCheckpoint}: the store's files still to be written. */
  public static final class Checkpoint implements AutoCloseable {
    private final ShardStore.PinnedState pinned;
    private final Path target;

    private Checkpoint(ShardStore.PinnedState pinned, Path target) {
      this.pinned = pinned;
      this.target = target;
    }

    /**
     * Writes the store's SST files of the pinned state into the checkpoint's {@code store/}; stops
     * with a {@link java.util.concurrent.CancellationException} soon after {@code cancelled} says
     * true (the checkpoint is then incomplete: remove its directory).
     */
    public void writeStore(java.util.function.BooleanSupplier cancelled) {
      pinned.writeTo(target, cancelled);
    }

    @Override
    public void close() {
      pinned.close();
    }
  }

  /**
   * The sealed segments hold these points' dense vectors durably: the store drops its copies
   * (called by the segments with the write lock held, or at open).
   */
  private void dropStoreCopies(List<PointId> ids, long[] versions) {
    Set<String> dense = config.vectors().keySet();
    try (ShardStore.Batch batch = store.batch()) {
      for (int i = 0; i < ids.size(); i++) {
        batch.dropSegmentCopies(ids.get(i), versions[i], dense);
      }
      batch.commitUnindexed();
    }
  }

  /**
   * Puts back into the store the vectors it handed over to the sealed segments, before they are
   * discarded (called by the segments under their files lock).
   */
  private void restoreStoreCopies() {
    lock.writeLock().lock();
    try (ShardStore.Batch batch = store.batch()) {
      long changed = batch.restoreSegmentCopies(segments::vectors);
      batch.commitUnindexed();
      LOG.info("{}: the store took back the vectors of {} points from the segments", this, changed);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Makes every applied write durable on disk (see {@link ShardStore#flush()}). */
  public void flush() {
    store.flush();
  }

  private Map<String, float[]> prepare(Map<String, float[]> vectors) {
    Map<String, float[]> out = new HashMap<>();
    for (Map.Entry<String, float[]> e : vectors.entrySet()) {
      MultiVectorParams multi = config.getMulti(e.getKey());
      if (multi != null) {
        float[] rows =
            io.quiver.index.multivector.MaxSim.prepare(
                multi.distance(), e.getValue(), multi.size());
        if (multi.vector().storedDatatype() == io.quiver.index.vector.VectorDatatype.FLOAT16) {
          // Rows normalized (Cosine), then rounded to halves: stored, scored and read back as such.
          rows =
              multi
                  .vector()
                  .storedDatatype()
                  .roundInPlace(rows == e.getValue() ? rows.clone() : rows);
        }
        out.put(e.getKey(), rows);
        continue;
      }
      VectorParams params = config.get(e.getKey());
      float[] prepared = params.prepareStored(e.getValue());
      if (params.storedDatatype() == io.quiver.index.vector.VectorDatatype.FLOAT16) {
        // Stored (and read back) as the halves the sealed segments will hold: every segment
        // scores the same values, and a point reads back what it is scored as (as in Qdrant).
        prepared =
            params
                .storedDatatype()
                .roundInPlace(prepared == e.getValue() ? prepared.clone() : prepared);
      }
      out.put(e.getKey(), prepared);
    }
    return out;
  }

  /**
   * Sparse vectors as their datatypes store them ({@link io.quiver.storage.sparse.SparseValues}).
   */
  private Map<String, io.quiver.index.sparse.SparseVector> prepareSparse(
      Map<String, io.quiver.index.sparse.SparseVector> sparse) {
    if (sparse.isEmpty()) {
      return sparse;
    }
    Map<String, io.quiver.index.sparse.SparseVector> out = new LinkedHashMap<>();
    sparse.forEach(
        (name, v) ->
            out.put(
                name,
                io.quiver.storage.sparse.SparseValues.stored(
                    config.getSparse(name).storedDatatype(), v)));
    return out;
  }

  @Override
  public void close() {
    segments.close(); // first, without the lock: the optimizer may be waiting for it
    lock.writeLock().lock();
    try {
      multiIndexes.close();
      sparseIndexes.close();
      store.close();
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "Shard[" + dir.getFileName() + "]";
  }
}
