package io.quiver.storage.segment;

import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.vector.Distance;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vector side of a shard: its {@link SegmentSet}, the id tracker (point id -&gt; the segment
 * and ord of its one live copy), the {@link SegmentFlusher} that turns full appendable segments
 * into plain ones and the {@link SegmentOptimizer} that indexes, vacuums and merges them, both in
 * the background.
 *
 * <p>Locking: the owner ({@code Shard}) holds its read-write lock around every call: the write lock
 * for {@link #put} / {@link #remove} (the Raft apply thread), the read lock for reads. The flusher
 * and the optimizer build new segments without any lock and take the write lock only to publish a
 * new set ({@link #swap}, {@link #freezeActive}). Sealed files are changed under {@code filesLock},
 * which checkpoints take too. Lock order: {@code filesLock} before the shard's lock; never take
 * {@code filesLock} while holding the shard's lock (a swap holds it while waiting for the write
 * lock).
 *
 * <p>Durability: RocksDB holds every point (id, version, payload), and the vectors of the points no
 * sealed segment holds yet. A vector is stored once: once a sealed segment holds a point's dense
 * vectors durably (its files fsynced, the manifest naming it), the store drops its copies and keeps
 * their names ({@link VectorHandOver}, after a flush's swap, and at open for a point whose copy was
 * not dropped yet). A point whose vectors the store no longer holds must be found at its version in
 * a sealed segment the manifest names: open fails otherwise. So the manifest and the store must be
 * read as one cut: a checkpoint pins the store and links the files under the files lock ({@link
 * #linkFiles(Path, Runnable)}), which every swap and every hand-over hold too. At open the deleted
 * bitmaps and the appendable segment are recomputed from RocksDB.
 */
public final class ShardSegments implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ShardSegments.class);

  /**
   * Thresholds of vectors on the heap past which a write waits for the flusher ({@link
   * #awaitFlushBacklog}).
   */
  static final int BACKLOG_LIMIT_THRESHOLDS = 4;

  /** The longest a write waits for the flusher; then it goes ahead regardless. */
  static final long BACKLOG_WAIT_MS = 1_000;

  /** One stored point as the shard's store reports it at open; vectors are decoded on demand. */
  public interface StoredPoints {
    void forEach(Visitor visitor);

    interface Visitor {
      /**
       * @param vectorNames the names of the dense vectors the point has, decoded when asked (a
       *     point may omit named vectors)
       */
      void visit(
          PointId id,
          long version,
          Supplier<Map<String, float[]>> preparedVectors,
          Supplier<Set<String>> vectorNames,
          boolean vectorsInSegments);
    }
  }

  /**
   * The store's side of "a vector is stored once": told which points' dense vectors sealed segments
   * now hold durably, so that it can drop its own copies.
   */
  @FunctionalInterface
  public interface VectorHandOver {
    /**
     * A sealed segment the manifest names holds {@code ids[i]}'s dense vectors at {@code
     * versions[i]}; called with the shard's write lock held (or before the shard is in use).
     */
    void heldBySegments(List<PointId> ids, long[] versions);
  }

  /** Points handed over to the store per hold of the write lock. */
  static final int HAND_OVER_CHUNK = 2_048;

  /** Where the live copy of a point is: a segment and its ord there. */
  public record Location(Segment segment, int ord) {}

  private final Path dir;
  private final ShardConfig config;
  private final ReadWriteLock lock;
  private final VectorHandOver handOver;
  private final Object filesLock = new Object();
  private final Object flushedSignal = new Object();
  private final Map<PointId, Location> tracker = new HashMap<>();
  private volatile SegmentSet set;
  private volatile OrdChanges ordChanges = OrdChanges.NONE;
  private volatile boolean closed;
  private SegmentOptimizer optimizer;
  private SegmentFlusher flusher;

  private ShardSegments(Path dir, ShardConfig config, ReadWriteLock lock, VectorHandOver handOver) {
    this.dir = dir;
    this.config = config;
    this.lock = lock;
    this.handOver = handOver;
  }

  /**
   * Opens the segments in {@code dir} (created if absent): removes files the manifest does not
   * name, maps the sealed segments, and matches them against {@code stored}: a sealed ord is live
   * when the store holds its id at its version; a stored point no sealed segment holds goes into
   * the appendable segment; a stored point that still holds vectors a sealed segment holds at its
   * version is handed over ({@code handOver}). Then starts the flusher and the optimizer on the
   * given pools ({@code flush} is called by the optimizer a flush interval after writes); a graph
   * build runs on {@code indexingThreads} threads.
   */
  public static ShardSegments open(
      Path dir,
      ShardConfig config,
      ReadWriteLock lock,
      StoredPoints stored,
      VectorHandOver handOver,
      Runnable flush,
      SegmentWorkPool flushes,
      SegmentWorkPool optimizations,
      int indexingThreads) {
    ShardSegments segments = new ShardSegments(dir, config, lock, handOver);
    try {
      Files.createDirectories(dir);
      List<String> names = SegmentFiles.readManifest(dir);
      removeUnlisted(dir, names, config.vectors().vectors().size());
      List<SealedSegment> sealed = new ArrayList<>();
      try {
        for (String name : names) {
          sealed.add(SealedSegment.open(dir, name, config));
        }
      } catch (IOException | RuntimeException e) {
        sealed.forEach(SealedSegment::close);
        throw e;
      }
      segments.set = new SegmentSet(new AppendableSegment(config), new ArrayList<>(sealed));
      segments.matchStored(sealed, stored);
    } catch (IOException e) {
      segments.closeSegments();
      throw new StorageException("cannot open the segments in " + dir, e);
    } catch (RuntimeException e) {
      segments.closeSegments();
      throw e;
    }
    SegmentBuilder builder = new SegmentBuilder(dir, config, indexingThreads);
    segments.optimizer = new SegmentOptimizer(segments, config, builder, flush, optimizations);
    segments.flusher = new SegmentFlusher(segments, config, builder, segments::flushed, flushes);
    segments.optimizer.start();
    segments.flusher.start();
    return segments;
  }

  private static void removeUnlisted(Path dir, List<String> names, int vectorCount)
      throws IOException {
    Set<Path> keep = new HashSet<>();
    keep.add(dir.resolve(SegmentFiles.MANIFEST));
    for (String name : names) {
      keep.addAll(SegmentFiles.filesOf(dir, name, vectorCount));
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!keep.contains(f)) {
          LOG.info("{}: removing {}, which the manifest does not name", dir, f.getFileName());
          Files.delete(f);
        }
      }
    }
  }

  /**
   * Builds the id tracker and deleted bitmaps from the stored points, and hands over the vectors of
   * the stored points that a sealed segment holds at their version but the store still holds too
   * (see {@link #open}).
   */
  private void matchStored(List<SealedSegment> sealed, StoredPoints stored) {
    for (SealedSegment s : sealed) {
      for (int ord = 0; ord < s.size(); ord++) {
        Location old = tracker.get(s.id(ord));
        if (old == null || old.segment().version(old.ord()) < s.version(ord)) {
          tracker.put(s.id(ord), new Location(s, ord));
        }
      }
    }
    Map<Segment, BitSet> confirmed = new HashMap<>();
    for (SealedSegment s : sealed) {
      confirmed.put(s, new BitSet(s.size()));
    }
    AppendableSegment active = set.active();
    Set<String> configured = config.vectors().vectors().keySet();
    List<PointId> toHandOver = new ArrayList<>();
    List<Long> toHandOverVersions = new ArrayList<>();
    stored.forEach(
        (id, version, vectors, names, inSegments) -> {
          Location at = tracker.get(id);
          if (at != null && at.segment().version(at.ord()) == version) {
            confirmed.get(at.segment()).set(at.ord());
            Set<String> has = names.get();
            boolean holdsAny = false;
            for (String name : configured) {
              if (!has.contains(name)) {
                ((SealedSegment) at.segment()).markAbsent(name, at.ord());
              } else {
                holdsAny = true;
              }
            }
            if (!inSegments && holdsAny) {
              toHandOver.add(id);
              toHandOverVersions.add(version);
            }
          } else if (inSegments) {
            throw new StorageException(
                "point "
                    + id
                    + " at version "
                    + version
                    + " has its vectors in a sealed segment, but no segment that "
                    + dir.resolve(SegmentFiles.MANIFEST)
                    + " names holds it at that version",
                null);
          } else {
            tracker.put(id, new Location(active, active.append(id, version, vectors.get())));
          }
        });
    for (int from = 0; from < toHandOver.size(); from += HAND_OVER_CHUNK) {
      int to = Math.min(toHandOver.size(), from + HAND_OVER_CHUNK);
      long[] versions = new long[to - from];
      for (int i = from; i < to; i++) {
        versions[i - from] = toHandOverVersions.get(i);
      }
      handOver.heldBySegments(toHandOver.subList(from, to), versions);
    }
    if (!toHandOver.isEmpty()) {
      LOG.info(
          "{}: the store handed the vectors of {} points over to the sealed segments",
          dir,
          toHandOver.size());
    }
    for (SealedSegment s : sealed) {
      BitSet live = confirmed.get(s);
      for (int ord = 0; ord < s.size(); ord++) {
        if (!live.get(ord)) {
          s.delete(ord);
          Location at = tracker.get(s.id(ord));
          if (at != null && at.segment() == s && at.ord() == ord) {
            tracker.remove(s.id(ord));
          }
        }
      }
    }
  }

  // ---- writes: the caller holds the shard's write lock ----

  /**
   * Who follows the points' ords ({@link OrdChanges}); set with the write lock held, before the
   * shard's first write.
   */
  public void followOrds(OrdChanges changes) {
    this.ordChanges = changes;
  }

  /**
   * Inserts or replaces a point (vectors prepared); an older copy is marked deleted ({@link
   * OrdChanges#moved}).
   */
  public void put(PointId id, long version, Map<String, float[]> preparedVectors) {
    Location old = tracker.remove(id);
    if (old != null) {
      old.segment().delete(old.ord());
    }
    SegmentSet s = set;
    AppendableSegment active = s.active();
    Location now = new Location(active, active.append(id, version, preparedVectors));
    tracker.put(id, now);
    if (old != null) {
      ordChanges.moved(old.segment(), old.ord(), now.segment(), now.ord());
    }
    optimizer.wake();
    if (flusher.isDue(s)) {
      flusher.wake();
    }
  }

  /**
   * A write stall, as RocksDB's: when the appendable segments on the heap (the one taking writes
   * and a frozen one being flushed) hold {@value #BACKLOG_LIMIT_THRESHOLDS} indexing thresholds or
   * more — the flusher fell behind, e.g. a very slow disk — waits until a flush brings them below,
   * at most {@value #BACKLOG_WAIT_MS} ms, then returns regardless (a write is never refused or held
   * longer). Normally returns at once: a flush writes one threshold far faster than ingest fills
   * the next. Call on the writing thread without holding the shard's lock (the flusher needs it to
   * swap).
   */
  public void awaitFlushBacklog() {
    long threshold = config.optimizers().flushThresholdKb();
    if (backlogKb() < BACKLOG_LIMIT_THRESHOLDS * threshold) {
      return;
    }
    flusher.wake();
    long deadline = System.nanoTime() + BACKLOG_WAIT_MS * 1_000_000;
    synchronized (flushedSignal) {
      while (!closed && backlogKb() >= BACKLOG_LIMIT_THRESHOLDS * threshold) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          LOG.warn(
              "{}: the flusher is behind ({} KB of vectors on the heap); writing on",
              this,
              backlogKb());
          return;
        }
        try {
          flushedSignal.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Kilobytes of vectors held by the appendable segments (active and frozen). */
  private long backlogKb() {
    SegmentSet s = set;
    long kb = s.active().sizeKb();
    for (AppendableSegment frozen : s.frozen()) {
      kb += frozen.sizeKb();
    }
    return kb;
  }

  /** The flusher swapped a plain segment in: the optimizer has work, a stalled write may go on. */
  private void flushed() {
    optimizer.wake();
    synchronized (flushedSignal) {
      flushedSignal.notifyAll();
    }
  }

  /** Deletes a point; returns true when it existed. */
  public boolean remove(PointId id) {
    Location at = tracker.remove(id);
    if (at == null) {
      return false;
    }
    at.segment().delete(at.ord());
    ordChanges.deleted(at.segment(), at.ord());
    optimizer.wake(); // a vacuum may be due
    return true;
  }

  // ---- reads: the caller holds the shard's read lock ----

  /** Where the live copy of {@code id} is, or null when it is absent. */
  public Location locate(PointId id) {
    return tracker.get(id);
  }

  /** Every segment, the appendable one last (stable while the read lock is held). */
  public List<Segment> all() {
    return set.all();
  }

  public boolean contains(PointId id) {
    return tracker.containsKey(id);
  }

  public int liveCount() {
    return tracker.size();
  }

  /** The version of a point, or -1 when it is absent. */
  public long version(PointId id) {
    Location at = tracker.get(id);
    return at == null ? -1 : at.segment().version(at.ord());
  }

  /** The stored (prepared) vectors of a point, or null when it is absent. */
  public Map<String, float[]> vectors(PointId id) {
    Location at = tracker.get(id);
    if (at == null) {
      return null;
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String name : config.vectors().vectors().keySet()) {
      if (at.segment().hasVector(name, at.ord())) {
        out.put(name, at.segment().vector(name, at.ord()));
      }
    }
    return out;
  }

  /** True when the live point {@code id} has the dense vector {@code name}. */
  public boolean hasVector(PointId id, String name) {
    Location at = tracker.get(id);
    return at != null && at.segment().hasVector(name, at.ord());
  }

  /** Every live point's id, in id order. */
  public List<PointId> liveIds() {
    List<PointId> ids = new ArrayList<>(tracker.keySet());
    ids.sort(null);
    return ids;
  }

  /**
   * The {@code limit} nearest live points to {@code preparedQuery} that {@code accept} takes (null:
   * all), best first by similarity (see {@link io.quiver.storage.ScoreScale}), ties by id. Sealed
   * segments are searched through their graphs with beam {@code max(ef, limit)} unless {@code
   * exact} (null ef: the vector's ef_construct); the appendable segments are scanned. Hits carry no
   * payload or vectors.
   */
  public List<ScoredPoint> search(
      String vectorName,
      float[] preparedQuery,
      int limit,
      Integer ef,
      boolean exact,
      Predicate<PointId> accept) {
    return search(vectorName, preparedQuery, limit, ef, exact, accept, null);
  }

  /**
   * As {@link #search(String, float[], int, Integer, boolean, Predicate)}, with Qdrant's {@code
   * params.quantization} (null: the defaults) for the graph searches of segments with codes.
   */
  public List<ScoredPoint> search(
      String vectorName,
      float[] preparedQuery,
      int limit,
      Integer ef,
      boolean exact,
      Predicate<PointId> accept,
      io.quiver.storage.QuantizationSearchParams quantization) {
    return search(
        vectorName, preparedQuery, limit, ef, exact, SegmentFilter.ofPoints(accept), quantization);
  }

  /**
   * As {@link #search(String, float[], int, Integer, boolean, Predicate)} with the filter given per
   * segment in its own ords (null: every point), e.g. a search plan's bitsets.
   */
  public List<ScoredPoint> search(
      String vectorName,
      float[] preparedQuery,
      int limit,
      Integer ef,
      boolean exact,
      SegmentFilter filter,
      io.quiver.storage.QuantizationSearchParams quantization) {
    if (limit == 0) {
      return List.of();
    }
    int beam = Math.max(limit, ef != null ? ef : config.hnswOf(vectorName).efConstruct());
    List<Hit> hits = new ArrayList<>();
    for (Segment segment : set.all()) {
      OrdFilter accept = filter == null ? null : filter.accept(segment);
      OrdFilter verify = filter == null ? null : filter.verify(segment);
      TopHits top =
          segment.search(
              vectorName, preparedQuery, limit, beam, exact, accept, verify, quantization);
      for (int i = 0; i < top.size(); i++) {
        hits.add(new Hit(top.scores()[i], segment, top.ords()[i]));
      }
    }
    return bestOf(hits, limit);
  }

  /**
   * The best {@code limit} hits (similarity descending, ties by id), scored by their similarity
   * (see {@link io.quiver.storage.ScoreScale}).
   */
  private static List<ScoredPoint> bestOf(List<Hit> hits, int limit) {
    hits.sort(
        (a, b) ->
            a.similarity != b.similarity
                ? Float.compare(b.similarity, a.similarity)
                : a.segment.id(a.ord).compareTo(b.segment.id(b.ord)));
    List<ScoredPoint> out = new ArrayList<>(Math.min(limit, hits.size()));
    for (int i = 0; i < hits.size() && i < limit; i++) {
      Hit h = hits.get(i);
      out.add(
          new ScoredPoint(h.segment.id(h.ord), h.segment.version(h.ord), h.similarity, null, null));
    }
    return out;
  }

  private record Hit(float similarity, Segment segment, int ord) {}

  /**
   * The {@code limit} nearest of the live points among {@code filter}'s candidates ({@link
   * SegmentFilter#candidates}, in each segment's own ords), scored exactly with {@link
   * Segment#scoreCandidates}; {@code filter}'s costly part is tested only on ords whose score would
   * enter the top {@code limit}.
   */
  public List<ScoredPoint> searchCandidates(
      String vectorName, float[] preparedQuery, int limit, SegmentFilter filter) {
    if (limit == 0) {
      return List.of();
    }
    List<Hit> hits = new ArrayList<>();
    for (Segment segment : set.all()) { // in the set's order: results do not depend on hash order
      int[] ords = filter.candidates(segment);
      if (ords == null || ords.length == 0) {
        continue;
      }
      TopHits top =
          segment.scoreCandidates(
              vectorName, preparedQuery, limit, ords, ords.length, filter.verify(segment));
      for (int i = 0; i < top.size(); i++) {
        hits.add(new Hit(top.scores()[i], segment, top.ords()[i]));
      }
    }
    return bestOf(hits, limit);
  }

  /**
   * Exact top-{@code limit} of the live points by a custom scorer over dense vector {@code
   * vectorName} (higher first, ties by id), keeping scores at or above {@code minScore} when given;
   * {@code accept} (null: all) filters. The scorer's examples are prepared for {@code distance}; a
   * scorer that reads no vector (then {@code distance} may be null) takes every live point, with or
   * without the vector. Scores are reported as the scorer computes them.
   */
  public List<ScoredPoint> scan(
      String vectorName,
      io.quiver.storage.scoring.Scorer<float[]> scorer,
      Distance distance,
      int limit,
      Float minScore,
      Predicate<PointId> accept) {
    if (limit == 0) {
      return List.of();
    }
    boolean readsVector = scorer.usesVector();
    io.quiver.storage.scoring.HighestScores best =
        new io.quiver.storage.scoring.HighestScores(limit);
    for (Segment segment : set.all()) {
      for (int ord = 0; ord < segment.size(); ord++) {
        if (segment.isDeleted(ord)) {
          continue;
        }
        PointId id = segment.id(ord);
        if ((accept != null && !accept.test(id))
            || (readsVector && !segment.hasVector(vectorName, ord))) {
          continue;
        }
        float score =
            io.quiver.storage.scoring.Scorer.scoreDense(
                scorer, id, readsVector ? segment.preparedVector(vectorName, ord) : null, distance);
        if (minScore != null && score < minScore) {
          continue;
        }
        best.offer(new ScoredPoint(id, segment.version(ord), score, null, null));
      }
    }
    return best.sorted();
  }

  /** What the flusher and the optimizer have done since the shard opened. */
  public SegmentWork work() {
    return new SegmentWork(
        flusher.completedUnits(),
        optimizer.completedUnits(),
        flusher.failedUnits() + optimizer.failedUnits(),
        flusher.isWorking(),
        optimizer.isWorking());
  }

  /**
   * Segment count, indexed vectors (live vectors of segments with HNSW graphs: plain segments
   * waiting for the optimizer do not count), and whether the flusher or the optimizer has work
   * pending.
   */
  public SegmentsInfo info() {
    SegmentSet s = set;
    long indexed = 0;
    int plain = 0;
    int indexedSegments = 0;
    for (SealedSegment sealed : s.sealed()) {
      if (sealed.isIndexed()) {
        indexedSegments++;
        indexed += sealed.liveVectorCount();
      } else {
        plain++;
      }
    }
    long appendable = s.active().size();
    for (AppendableSegment frozen : s.frozen()) {
      appendable += frozen.size();
    }
    return new SegmentsInfo(
        s.all().size(),
        indexed,
        flusher.hasWork() || optimizer.hasWork(),
        plain,
        appendable,
        indexedSegments);
  }

  /**
   * Runs {@code pinStore} (which pins the store's state for a checkpoint), then hard-links the
   * sealed segments' files and the manifest into {@code target} (a new directory on the same file
   * system), both under the files lock: no swap or vector hand-over comes between them, so every
   * point whose vectors the pinned store left to the segments is in a segment the linked manifest
   * names. {@code pinStore} may take the shard's lock (the files lock comes first).
   */
  public void linkFiles(Path target, Runnable pinStore) {
    synchronized (filesLock) {
      pinStore.run();
      try {
        Files.createDirectories(target);
        Path manifest = dir.resolve(SegmentFiles.MANIFEST);
        if (!Files.exists(manifest)) {
          return;
        }
        for (String name : SegmentFiles.readManifest(dir)) {
          for (Path f : SegmentFiles.filesOf(dir, name, config.vectors().vectors().size())) {
            Files.createLink(target.resolve(f.getFileName()), f);
          }
        }
        Files.copy(manifest, target.resolve(SegmentFiles.MANIFEST));
        SegmentFiles.syncDirectory(target);
      } catch (IOException e) {
        throw new StorageException("cannot link segment files into " + target, e);
      }
    }
  }

  /**
   * Forgets every sealed segment for good: runs {@code restoreStore}, which must put back into the
   * store the vectors it handed over to the segments (it may take the shard's lock and read them
   * through {@link #vectors}), then writes an empty manifest (durably) and refuses later swaps and
   * hand-overs. For a change of the dense vector names, after which the sealed files (one per name,
   * by position) no longer fit the config: the owner closes this and reopens with the new config,
   * every point then goes into the appendable segment and the flusher and the optimizer rebuild the
   * segments.
   */
  public void discardSealed(Runnable restoreStore) {
    synchronized (filesLock) {
      restoreStore.run();
      closed = true;
      try {
        SegmentFiles.writeManifest(dir, List.of());
      } catch (IOException e) {
        throw new StorageException("cannot reset the segment manifest in " + dir, e);
      }
    }
  }

  /**
   * Runs {@code work} (index work outside the segments, such as the multivector graphs) on this
   * shard's optimizer, after its segment jobs; it stops with the optimizer when the shard closes.
   */
  public void setIndexWork(IndexWork work) {
    optimizer.setIndexWork(work);
  }

  /** Writes outside the segments may have made index work due: wakes the optimizer (cheap). */
  public void wakeOptimizer() {
    optimizer.wake();
  }

  // ---- the optimizer's side ----

  Path dir() {
    return dir;
  }

  SegmentSet current() {
    return set;
  }

  boolean isClosed() {
    return closed;
  }

  /** Freezes the appendable segment and starts a new one (takes the write lock). */
  void freezeActive() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      SegmentSet s = set;
      s.active().freeze();
      List<Segment> others = new ArrayList<>(s.others());
      others.add(s.active());
      set = new SegmentSet(new AppendableSegment(config), others);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Replaces {@code sources} by {@code result} (null: by nothing, all their points were deleted):
   * the manifest first (durably), then, under the write lock, the id tracker (an ord of the result
   * is live only if its origin still holds the point's live copy; writes during the build moved or
   * deleted the others) and the published set; then the sources' files go. Used by the flusher (a
   * frozen appendable segment -&gt; a plain one) and the optimizer (plain -&gt; indexed, vacuum,
   * merge); the two never swap the same sources.
   *
   * <p>Takes ownership of {@code result}: returns false, having unmapped it, when the shard closed
   * meanwhile (its files are removed too unless the manifest already names them: then it is a valid
   * segment for the next open).
   */
  boolean swap(List<Segment> sources, SealedSegment result, List<SealedSegment.Origin> origins)
      throws IOException {
    synchronized (filesLock) {
      if (closed) {
        discard(result, true);
        return false;
      }
      List<String> names = new ArrayList<>();
      for (SealedSegment s : set.replace(sources, result).sealed()) {
        names.add(s.manifestEntry());
      }
      try {
        SegmentFiles.writeManifest(dir, names);
      } catch (IOException | RuntimeException e) {
        discard(result, false); // unlisted files are removed at the next open
        throw e;
      }
      lock.writeLock().lock();
      try {
        if (closed) {
          discard(result, false); // the manifest names the result: fine, it is a valid segment
          return false;
        }
        if (result != null) {
          for (int ord = 0; ord < origins.size(); ord++) {
            SealedSegment.Origin o = origins.get(ord);
            Location at = tracker.get(result.id(ord));
            if (at != null && at.segment() == o.segment() && at.ord() == o.ord()) {
              tracker.put(result.id(ord), new Location(result, ord));
            } else {
              result.delete(ord);
            }
          }
        }
        set = set.replace(sources, result);
        ordChanges.replaced(
            List.copyOf(sources),
            result,
            new OrdChanges.OriginOf() {
              @Override
              public Segment segment(int ord) {
                return origins.get(ord).segment();
              }

              @Override
              public int ord(int ord) {
                return origins.get(ord).ord();
              }
            });
      } finally {
        lock.writeLock().unlock();
      }
      // No search uses the sources any more: searches hold the read lock and the set was
      // replaced under the write lock.
      for (Segment source : sources) {
        if (source instanceof SealedSegment sealed) {
          sealed.close();
          for (Path f : sealed.files(dir)) {
            Files.deleteIfExists(f);
          }
        }
      }
    }
    // Points that came from an appendable segment still have their vectors in the store; points
    // from sealed sources were handed over when they were first sealed (or at an open since).
    if (result != null && sources.stream().anyMatch(s -> s instanceof AppendableSegment)) {
      handOverVectors(result);
    }
    return true;
  }

  /**
   * Tells the store that {@code result} (published and named by the manifest) holds the vectors of
   * its live points, in chunks: each under the files lock (so that a checkpoint sees the store and
   * the manifest of one moment) and the write lock (so that no write moves a point meanwhile).
   * Stops when the shard closes or {@code result} is replaced; a point not handed over keeps its
   * vectors in the store, which the next open hands over.
   */
  private void handOverVectors(SealedSegment result) {
    for (int from = 0; from < result.size(); from += HAND_OVER_CHUNK) {
      synchronized (filesLock) {
        if (closed || !set.sealed().contains(result)) {
          return;
        }
        lock.writeLock().lock();
        try {
          List<PointId> ids = new ArrayList<>(HAND_OVER_CHUNK);
          long[] versions = new long[Math.min(HAND_OVER_CHUNK, result.size() - from)];
          for (int ord = from; ord < Math.min(result.size(), from + HAND_OVER_CHUNK); ord++) {
            Location at = tracker.get(result.id(ord));
            if (at != null && at.segment() == result && at.ord() == ord) {
              versions[ids.size()] = result.version(ord);
              ids.add(result.id(ord));
            }
          }
          if (!ids.isEmpty()) {
            handOver.heldBySegments(ids, java.util.Arrays.copyOf(versions, ids.size()));
          }
        } catch (RuntimeException e) {
          // The store keeps its copies: correct, only larger. The next open tries again.
          LOG.warn("{}: the store keeps the vectors of {}: {}", this, result, e.toString());
          return;
        } finally {
          lock.writeLock().unlock();
        }
      }
    }
  }

  /**
   * Gives {@code segment} the codes {@code codes} (built by the optimizer for the current config):
   * the manifest naming them first (durably), then the segment publishes them (searches read its
   * codes once per search), then the old codes file goes. Returns false, having removed the new
   * file, when the shard closed or the segment was replaced meanwhile.
   */
  boolean swapCodes(SealedSegment segment, SegmentCodes codes) throws IOException {
    synchronized (filesLock) {
      Path newFile = codes.id() == null ? null : SegmentCodes.file(dir, segment.name(), codes.id());
      if (closed || !set.sealed().contains(segment)) {
        if (newFile != null) {
          Files.deleteIfExists(newFile);
        }
        return false;
      }
      List<String> names = new ArrayList<>();
      for (SealedSegment s : set.sealed()) {
        names.add(s == segment ? SegmentFiles.entry(s.name(), codes.id()) : s.manifestEntry());
      }
      try {
        SegmentFiles.writeManifest(dir, names);
      } catch (IOException | RuntimeException e) {
        if (newFile != null) {
          Files.deleteIfExists(newFile);
        }
        throw e;
      }
      segment.replaceCodes(codes);
      // The old codes file, and one that was unreadable at open (the segment then had none).
      try (var stale = Files.newDirectoryStream(dir, segment.name() + ".*.quant")) {
        for (Path f : stale) {
          if (!f.equals(newFile)) {
            Files.deleteIfExists(f);
          }
        }
      }
      return true;
    }
  }

  private void discard(SealedSegment result, boolean deleteFiles) throws IOException {
    if (result == null) {
      return;
    }
    result.close();
    if (deleteFiles) {
      for (Path f : result.files(dir)) {
        Files.deleteIfExists(f);
      }
    }
  }

  /**
   * A live-ords snapshot of {@code segment}, read without the lock (deletes may race: swap
   * re-checks).
   */
  static List<SealedSegment.Origin> liveOrigins(Segment segment) {
    List<SealedSegment.Origin> out = new ArrayList<>(segment.liveCount());
    for (int ord = 0; ord < segment.size(); ord++) {
      if (!segment.isDeleted(ord)) {
        out.add(new SealedSegment.Origin(segment, ord));
      }
    }
    return out;
  }

  /**
   * Stops the flusher and the optimizer (a job in progress is cancelled and removes its files;
   * closing waits for that) and unmaps every sealed segment.
   */
  @Override
  public void close() {
    closed = true;
    synchronized (flushedSignal) {
      flushedSignal.notifyAll();
    }
    if (flusher != null) {
      flusher.stop();
    }
    if (optimizer != null) {
      optimizer.stop();
    }
    synchronized (filesLock) {
      closeSegments();
    }
  }

  private void closeSegments() {
    SegmentSet s = set;
    if (s != null) {
      for (SealedSegment sealed : s.sealed()) {
        sealed.close();
      }
    }
  }

  @Override
  public String toString() {
    return "Segments[" + dir.getParent().getFileName() + "]";
  }
}
