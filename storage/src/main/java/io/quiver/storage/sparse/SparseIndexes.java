package io.quiver.storage.sparse;

import io.quiver.index.hnsw.TopHits;
import io.quiver.index.sparse.GrowingSparseIndex;
import io.quiver.index.sparse.MappedSparseIndex;
import io.quiver.index.sparse.PostingList;
import io.quiver.index.sparse.SparseIndexFormat;
import io.quiver.index.sparse.SparsePostings;
import io.quiver.index.sparse.SparseSearcher;
import io.quiver.index.sparse.SparseVector;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.PointId;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.SparseVectorParams;
import io.quiver.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shard's inverted indexes, one per sparse vector name, each made of <b>parts</b>: sealed parts
 * (immutable {@code QSPI} files in the shard's {@code sparse/} directory, mapped or copied into
 * native memory, see {@link Placement}) and one growing heap part, the <b>tail</b>, that takes
 * every write. A point's vector lives in exactly one part at a time (its <em>ref</em>: part id and
 * ord in that part); an update or delete sets the old ord's bit in its part's deleted set (parts
 * are never changed in place) and an update appends the new vector to the tail.
 *
 * <p><b>Sealing</b> (background, {@link SparsePartBuilds} on the shard's optimizer): once the tail
 * holds {@code indexing_threshold} KB of postings (8 bytes each) it is frozen (a new tail takes
 * writes) and written as a sealed part together with the newest sealed parts that are not larger
 * than what it covers so far (so part sizes decrease geometrically: a few parts, each posting
 * rewritten a logarithmic number of times as a shard grows); a sealed part whose deleted fraction
 * exceeds {@code deleted_threshold} (with at least {@code vacuum_min_vector_number} deleted) is
 * rewritten alone. The new part drops the postings deleted when the build started; it is installed
 * under the shard's write lock, where each of its points whose ref moved meanwhile (updated or
 * deleted during the build) is marked deleted in it. With {@code indexing_threshold} 0 nothing is
 * sealed (the index stays on the heap, as Qdrant's appendable segments keep theirs).
 *
 * <p><b>Open</b>: the parts the manifest names are opened (a file that fails its checks is dropped
 * and logged), then the stored sparse vectors are scanned once: a part's ord is live iff the store
 * holds, for that point and name, a vector with the fingerprint the part recorded ({@link
 * SparseFingerprint}); every other stored vector goes into the tail (and is sealed by the optimizer
 * soon after). So a part file can never serve stale postings, whatever happened to the store
 * meanwhile (another replica's snapshot, a name dropped and added again).
 *
 * <p><b>Search</b>: every part is searched with {@link SparseSearcher} (exact top k, the part's
 * deleted ords and the filter as the accept test, ties by point id), the largest first, each with
 * the k-th score of the hits so far as its floor (pruning), and the hits are merged by score then
 * id. A point is in one part, so its score is the same wherever it is, and the merge of exact
 * per-part top k lists is the exact top k.
 *
 * <p>Not thread-safe: writes, {@link #nextBuild} and {@link #install} under the shard's write lock,
 * searches and {@link #manifestAfter} under its read lock. {@link #isDue} takes no lock.
 */
public final class SparseIndexes implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SparseIndexes.class);

  /** The subdirectory of the shard holding the sealed parts. */
  public static final String DIR = "sparse";

  /** Bytes a posting counts for the sealing threshold (an int ord and a float value). */
  static final int POSTING_BYTES = 8;

  /** Where a sealed part's index is held ({@link #of(SparseVectorParams)}). */
  public enum Placement {
    /** Mapped, paged in on demand ({@code on_disk: true}, {@code memory: cold}). */
    MAPPED,
    /** Mapped, every page read once at open ({@code memory: cached}). */
    MAPPED_READ_THROUGH,
    /**
     * Copied into native memory at open ({@code on_disk: false} or absent, {@code memory: pinned}).
     */
    NATIVE;

    /**
     * The placement of a name's sealed parts: {@code memory} when given (it overrides {@code
     * on_disk}), else {@code on_disk}.
     */
    public static Placement of(SparseVectorParams params) {
      if (params.memory() != null) {
        return switch (params.memory()) {
          case COLD -> MAPPED;
          case CACHED -> MAPPED_READ_THROUGH;
          case PINNED -> NATIVE;
        };
      }
      return Boolean.TRUE.equals(params.onDisk()) ? MAPPED : NATIVE;
    }
  }

  /**
   * The stored sparse vectors, in their encoded form: {@code visit} is called with a point's id,
   * the vector's name, and a little-endian buffer holding at {@code at} its {@code n} dimensions
   * (ints) followed by its {@code n} values (floats). The buffer is valid during the call only.
   */
  @FunctionalInterface
  public interface StoredVisitor {
    void visit(PointId id, String name, ByteBuffer le, int at, int n);
  }

  private final Path dir;
  private final OptimizersConfig optimizers;
  private final String shard;
  private final Map<String, Named> byName = new LinkedHashMap<>();

  /**
   * Called whenever a write leaves a build due (wakes the shard's optimizer); cheap, never blocks.
   */
  private volatile Runnable onDue = () -> {};

  private int nextPartId;
  private long nextStem;
  private volatile boolean closed;

  private SparseIndexes(Path dir, ShardConfig config, String shard) {
    this.dir = dir;
    this.optimizers = config.optimizers();
    this.shard = shard;
    config.vectors().sparse().forEach((name, p) -> byName.put(name, new Named(name, p)));
  }

  /**
   * Opens the indexes of the sparse vectors {@code config} names for the shard in {@code shardDir}:
   * the sealed parts its {@code sparse/} directory holds, checked against the stored vectors {@code
   * stored} visits (stored values, {@link SparseValues}); see the class comment.
   */
  public static SparseIndexes open(
      Path shardDir, ShardConfig config, Consumer<StoredVisitor> stored, String shard) {
    SparseIndexes indexes = new SparseIndexes(shardDir.resolve(DIR), config, shard);
    if (indexes.byName.isEmpty()) {
      indexes.removeDirectory();
      return indexes;
    }
    try {
      indexes.load(stored);
    } catch (IOException e) {
      indexes.close();
      throw new StorageException("cannot open the sparse indexes in " + indexes.dir, e);
    }
    return indexes;
  }

  private void removeDirectory() {
    if (Files.isDirectory(dir)) {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        LOG.warn("{}: cannot remove {}: {}", shard, dir, e.toString());
      }
    }
  }

  private void load(Consumer<StoredVisitor> stored) throws IOException {
    Files.createDirectories(dir);
    Map<String, List<String>> manifest;
    try {
      manifest = SparsePartFiles.readManifest(dir);
    } catch (IOException e) {
      LOG.warn(
          "{}: sparse index manifest unreadable, rebuilding the sparse indexes: {}",
          shard,
          e.toString());
      manifest = Map.of();
    }
    Set<String> kept = new HashSet<>(Set.of(SparsePartFiles.MANIFEST));
    long maxStem = -1;
    for (Map.Entry<String, List<String>> e : manifest.entrySet()) {
      for (String stem : e.getValue()) {
        maxStem = Math.max(maxStem, stemNumber(stem));
      }
      Named named = byName.get(e.getKey());
      if (named == null) {
        continue; // a dropped name: its files go below
      }
      for (String stem : e.getValue()) {
        try {
          SparsePartFiles.Ids ids = SparsePartFiles.readIds(dir, stem);
          MappedSparseIndex index = openIndex(stem, named.placement);
          if (index.ordBound() > ids.ids().length) {
            index.close();
            throw new IOException(stem + ": the index holds more ords than its id list");
          }
          Part part =
              new Part(
                  nextPartId++,
                  stem,
                  index,
                  ids.ids(),
                  ids.fingerprints(),
                  ids.ids().length,
                  index.postingCount());
          part.deleted.set(0, part.size); // live once the store confirms them
          part.deletedCount = part.size;
          named.addPart(part);
          kept.add(SparsePartFiles.indexFile(dir, stem).getFileName().toString());
          kept.add(SparsePartFiles.idsFile(dir, stem).getFileName().toString());
        } catch (IOException | RuntimeException ex) {
          LOG.warn(
              "{}: sparse part {} of {} cannot be used, its points are indexed again: {}",
              shard,
              stem,
              e.getKey(),
              ex.toString());
        }
      }
    }
    nextStem = maxStem + 1;
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        if (!kept.contains(f.getFileName().toString())) {
          Files.deleteIfExists(f);
        }
      }
    }
    for (Named named : byName.values()) {
      // candidate refs: the last part naming a point wins; the others' copies stay deleted
      for (Part part : named.parts) {
        for (int i = 0; i < part.size; i++) {
          named.refs.put(part.ids[i], ref(part, i));
        }
      }
      named.tail = named.newTail();
    }
    int[] covered = new int[1];
    stored.accept(
        (id, name, le, at, n) -> {
          Named named = byName.get(name);
          if (named == null) {
            return;
          }
          long fingerprint = SparseFingerprint.of(le, at, n);
          Long ref = named.refs.get(id);
          if (ref != null) {
            Part part = named.partOf(ref);
            int ord = ordOf(ref);
            if (part != named.tail
                && part.fingerprints[ord] == fingerprint
                && part.deleted.get(ord)) {
              part.deleted.clear(ord);
              part.deletedCount--;
              covered[0]++;
              named.fromPartsAtOpen++;
              return;
            }
          }
          named.refs.remove(id);
          named.append(id, decode(le, at, n), fingerprint);
        });
    List<String> changed = new ArrayList<>();
    for (Named named : byName.values()) {
      // refs to ords the store did not confirm are gone
      for (Iterator<Map.Entry<PointId, Long>> it = named.refs.entrySet().iterator();
          it.hasNext(); ) {
        long ref = it.next().getValue();
        Part part = named.partOf(ref);
        if (part.deleted.get(ordOf(ref))) {
          it.remove();
        }
      }
      named.updateDue(optimizers);
      changed.add(
          named.name
              + ": "
              + named.parts.size()
              + " parts, "
              + named.tail.size
              + " points on the heap");
    }
    writeManifest(manifestOf(null, null));
    LOG.info(
        "{}: sparse indexes opened ({} points from sealed parts): {}", shard, covered[0], changed);
  }

  private static long stemNumber(String stem) {
    try {
      return Long.parseLong(stem.substring(1));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static SparseVector decode(ByteBuffer le, int at, int n) {
    int[] indices = new int[n];
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      indices[i] = le.getInt(at + 4 * i);
      values[i] = le.getFloat(at + 4 * (n + i));
    }
    return SparseVector.of(indices, values);
  }

  private MappedSparseIndex openIndex(String stem, Placement placement) throws IOException {
    Path file = SparsePartFiles.indexFile(dir, stem);
    if (placement == Placement.NATIVE) {
      return SparseIndexFormat.load(file);
    }
    MappedSparseIndex index = SparseIndexFormat.open(file);
    if (placement == Placement.MAPPED_READ_THROUGH) {
      index.readThrough();
    }
    return index;
  }

  /**
   * Sets what to call when a write leaves a build due (the shard's optimizer wake-up), and calls it
   * if one is.
   */
  public void onBuildDue(Runnable wake) {
    this.onDue = wake;
    if (isDue()) {
      wake.run();
    }
  }

  /** True when the shard has no sparse vector name. */
  public boolean isEmpty() {
    return byName.isEmpty();
  }

  /** Records that point {@code id} now has exactly {@code vectors} (unknown names are ignored). */
  public void put(PointId id, Map<String, SparseVector> vectors) {
    for (Map.Entry<String, Named> e : byName.entrySet()) {
      Named named = e.getValue();
      named.remove(id);
      SparseVector v = vectors.get(e.getKey());
      if (v != null) {
        named.append(id, v, SparseFingerprint.of(v));
      }
      wakeIfDue(named);
    }
  }

  /** Records that point {@code id} was deleted. */
  public void remove(PointId id) {
    for (Named named : byName.values()) {
      named.remove(id);
      wakeIfDue(named);
    }
  }

  private void wakeIfDue(Named named) {
    boolean was = named.due;
    named.updateDue(optimizers);
    if (named.due && !was) {
      onDue.run();
    }
  }

  /**
   * The best {@code limit} points by dot product with {@code query} among those sharing a dimension
   * with it and accepted by {@code accept} (null: all), best first, ties by id.
   */
  public List<Hit> search(String name, SparseVector query, int limit, Predicate<PointId> accept) {
    Named named = byName.get(name);
    List<Part> parts = new ArrayList<>(named.parts);
    if (parts.size() > 1) {
      parts.sort(
          (x, y) ->
              Long.compare(
                  y.postings, x.postings)); // the largest first: it sets the floor for the others
    }
    List<Hit> all = new ArrayList<>();
    float floor = Float.NEGATIVE_INFINITY;
    for (Part part : parts) {
      PointId[] ids = part.ids;
      BitSet deleted = part.deleted;
      TopHits top =
          SparseSearcher.search(
              part.index,
              query,
              limit,
              accept == null
                  ? ord -> !deleted.get(ord)
                  : ord -> !deleted.get(ord) && accept.test(ids[ord]),
              (a, b) -> ids[a].compareTo(ids[b]),
              floor);
      if (top.size() == 0) {
        continue;
      }
      for (int i = 0; i < top.size(); i++) {
        all.add(new Hit(ids[top.ords()[i]], top.scores()[i]));
      }
      if (all.size() > top.size()) {
        all.sort(
            (a, b) ->
                a.score() != b.score()
                    ? Float.compare(b.score(), a.score())
                    : a.id().compareTo(b.id()));
      }
      if (limit > 0 && all.size() >= limit) {
        all = new ArrayList<>(all.subList(0, limit));
        floor = all.get(limit - 1).score();
      }
    }
    return all;
  }

  /** The number of live points that have the sparse vector {@code name}. */
  public long pointCount(String name) {
    return byName.get(name).refs.size();
  }

  /** The number of live points whose vector {@code name} has dimension {@code dimension}. */
  public long documentFrequency(String name, int dimension) {
    long n = 0;
    for (Part part : byName.get(name).parts) {
      PostingList list = part.index.postings(dimension);
      if (list == null) {
        continue;
      }
      if (part.deletedCount == 0) {
        n += list.size();
      } else {
        for (int i = 0; i < list.size(); i++) {
          n += part.deleted.get(list.ord(i)) ? 0 : 1;
        }
      }
    }
    return n;
  }

  /** What the index of {@code name} holds and where. */
  public Stats stats(String name) {
    Named named = byName.get(name);
    long heapPostings = 0;
    long sealedPostings = 0;
    long sealedBytes = 0;
    int sealed = 0;
    for (Part part : named.parts) {
      if (part.index instanceof MappedSparseIndex m) {
        sealed++;
        sealedPostings += m.postingCount();
        sealedBytes += m.fileBytes();
      } else {
        heapPostings += part.postings;
      }
    }
    return new Stats(
        sealed, sealedPostings, sealedBytes, heapPostings, named.placement, named.fromPartsAtOpen);
  }

  /**
   * What a name's index holds: sealed parts, their postings and file bytes, postings on the heap
   * (growing parts, deleted ones included until sealed), where sealed parts are held, and how many
   * points the sealed parts found at open held (the others were indexed again).
   */
  public record Stats(
      int sealedParts,
      long sealedPostings,
      long sealedBytes,
      long heapPostings,
      Placement placement,
      long fromPartsAtOpen) {}

  /**
   * Hard-links the files of the sealed parts into {@code target} (created) with a manifest naming
   * them: a checkpoint's copy of the index (under the shard's read lock, which keeps every listed
   * part's files in place: parts are only replaced under the write lock and deleted after). A
   * replica opening it maps the parts whose fingerprints match its store.
   */
  public void linkFiles(Path target) {
    if (byName.isEmpty()) {
      return;
    }
    try {
      Files.createDirectories(target);
      Map<String, List<String>> manifest = manifestOf(null, null);
      for (List<String> stems : manifest.values()) {
        for (String stem : stems) {
          Files.createLink(
              SparsePartFiles.indexFile(target, stem), SparsePartFiles.indexFile(dir, stem));
          Files.createLink(
              SparsePartFiles.idsFile(target, stem), SparsePartFiles.idsFile(dir, stem));
        }
      }
      SparsePartFiles.writeManifest(target, manifest);
    } catch (IOException e) {
      throw new StorageException("cannot link the sparse parts into " + target, e);
    }
  }

  /** A search hit. */
  public record Hit(PointId id, float score) {}

  // ---- sealing (the optimizer's side) ----

  /** True when a part build is due for some name. Any thread, no lock. */
  public boolean isDue() {
    if (closed) {
      return false;
    }
    for (Named named : byName.values()) {
      if (named.due && !named.building) {
        return true;
      }
    }
    return false;
  }

  /**
   * The next part build that is due, or null; under the shard's write lock: a tail to seal is
   * frozen here (a new tail takes the writes from now on), and the deleted ords of every source are
   * copied.
   */
  PartBuild nextBuild() {
    if (closed) {
      return null;
    }
    for (Named named : byName.values()) {
      if (!named.due || named.building) {
        continue;
      }
      List<Part> sources = named.plan(optimizers);
      if (sources == null) {
        named.updateDue(optimizers);
        continue;
      }
      named.building = true;
      List<BitSet> deleted = new ArrayList<>();
      for (Part p : sources) {
        deleted.add((BitSet) p.deleted.clone());
      }
      return new PartBuild(
          this, named.name, sources, deleted, "p" + nextStem++, named.placement, dir);
    }
    return null;
  }

  /**
   * The manifest once {@code build} is installed (all names' sealed parts), under the shard's read
   * lock.
   */
  Map<String, List<String>> manifestAfter(PartBuild build) {
    return manifestOf(build.name(), build);
  }

  private Map<String, List<String>> manifestOf(String name, PartBuild build) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Named named : byName.values()) {
      List<String> stems = new ArrayList<>();
      boolean placed = false;
      for (Part part : named.parts) {
        if (build != null && named.name.equals(name) && build.sources().contains(part)) {
          if (!placed) {
            stems.add(build.stem());
            placed = true;
          }
        } else if (part.stem != null) {
          stems.add(part.stem);
        }
      }
      out.put(named.name, stems);
    }
    return out;
  }

  void writeManifest(Map<String, List<String>> manifest) throws IOException {
    SparsePartFiles.writeManifest(dir, manifest);
  }

  /**
   * Puts a built part in place of its sources (under the shard's write lock). Returns the sources
   * to close and whose files to delete once the lock is released (empty when the shard closed
   * meanwhile: the new part is closed here then).
   */
  List<Part> install(
      PartBuild build, MappedSparseIndex index, PointId[] ids, long[] fingerprints, long[] from) {
    Named named = byName.get(build.name());
    named.building = false;
    if (closed) {
      index.close();
      return List.of();
    }
    Part part =
        new Part(
            nextPartId++, build.stem(), index, ids, fingerprints, ids.length, index.postingCount());
    for (int i = 0; i < ids.length; i++) {
      Long now = named.refs.get(ids[i]);
      if (now != null && now == from[i]) {
        named.refs.put(ids[i], ref(part, i));
      } else {
        part.deleted.set(i);
        part.deletedCount++;
      }
    }
    int at = named.parts.indexOf(build.sources().get(0));
    named.parts.removeAll(build.sources());
    for (Part source : build.sources()) {
      named.byId.remove(source.id);
    }
    named.parts.add(at, part);
    named.byId.put(part.id, part);
    named.updateDue(optimizers);
    return build.sources();
  }

  /**
   * A build that failed or was cancelled: its sources stay (a frozen tail keeps serving searches).
   */
  void abandon(PartBuild build) {
    byName.get(build.name()).building = false;
  }

  /**
   * Closes and deletes the files of parts that were replaced (after {@link #install}, without the
   * lock).
   */
  void discard(List<Part> replaced) {
    for (Part part : replaced) {
      part.close();
      if (part.stem != null) {
        try {
          Files.deleteIfExists(SparsePartFiles.indexFile(dir, part.stem));
          Files.deleteIfExists(SparsePartFiles.idsFile(dir, part.stem));
        } catch (IOException e) {
          LOG.warn("{}: cannot delete sparse part {}: {}", shard, part.stem, e.toString());
        }
      }
    }
  }

  boolean isClosed() {
    return closed;
  }

  String shard() {
    return shard;
  }

  /** Unmaps the sealed parts (under the shard's write lock, after the optimizer stopped). */
  @Override
  public void close() {
    closed = true;
    for (Named named : byName.values()) {
      for (Part part : named.parts) {
        part.close();
      }
    }
  }

  static long ref(Part part, int ord) {
    return ((long) part.id << 32) | Integer.toUnsignedLong(ord);
  }

  static int ordOf(long ref) {
    return (int) ref;
  }

  /**
   * One part of a name's index: its points by ord, their fingerprints and which ords are deleted.
   */
  static final class Part {
    final int id;

    /** The file stem of a sealed part; null for a heap part. */
    final String stem;

    final SparsePostings index;
    PointId[] ids;
    long[] fingerprints;
    int size;
    long postings;
    final BitSet deleted = new BitSet();
    int deletedCount;

    /** A heap part that no longer takes appends (its build is under way). */
    boolean frozen;

    Part(
        int id,
        String stem,
        SparsePostings index,
        PointId[] ids,
        long[] fingerprints,
        int size,
        long postings) {
      this.id = id;
      this.stem = stem;
      this.index = index;
      this.ids = ids;
      this.fingerprints = fingerprints;
      this.size = size;
      this.postings = postings;
    }

    int live() {
      return size - deletedCount;
    }

    void close() {
      if (index instanceof MappedSparseIndex m) {
        m.close();
      }
    }
  }

  /**
   * One name's parts (sealed ones oldest first, then frozen heap parts, the tail last) and refs.
   */
  private final class Named {
    final String name;
    final boolean halfValues;
    final Placement placement;
    final List<Part> parts = new ArrayList<>();
    final Map<Integer, Part> byId = new HashMap<>();

    /** Point id -> ref ({@link #ref}) of its live vector. */
    final HashMap<PointId, Long> refs = new HashMap<>();

    Part tail;

    /** Points whose vectors the sealed parts held at open (not indexed again). */
    long fromPartsAtOpen;

    volatile boolean due;
    volatile boolean building;

    Named(String name, SparseVectorParams params) {
      this.name = name;
      this.halfValues = params.storedDatatype() == io.quiver.index.vector.VectorDatatype.FLOAT16;
      this.placement = Placement.of(params);
    }

    void addPart(Part part) {
      parts.add(part);
      byId.put(part.id, part);
    }

    Part newTail() {
      Part part =
          new Part(
              nextPartId++,
              null,
              new GrowingSparseIndex(halfValues),
              new PointId[16],
              new long[16],
              0,
              0);
      addPart(part);
      return part;
    }

    Part partOf(long ref) {
      return byId.get((int) (ref >>> 32));
    }

    void append(PointId id, SparseVector v, long fingerprint) {
      Part t = tail;
      int ord = t.size;
      if (ord == t.ids.length) {
        int capacity = ord + (ord >> 1) + 16;
        t.ids = Arrays.copyOf(t.ids, capacity);
        t.fingerprints = Arrays.copyOf(t.fingerprints, capacity);
      }
      t.ids[ord] = id;
      t.fingerprints[ord] = fingerprint;
      ((GrowingSparseIndex) t.index).add(ord, v);
      t.size++;
      t.postings += v.size();
      refs.put(id, ref(t, ord));
    }

    void remove(PointId id) {
      Long ref = refs.remove(id);
      if (ref != null) {
        Part part = partOf(ref);
        part.deleted.set(ordOf(ref));
        part.deletedCount++;
      }
    }

    /** Recomputes {@link #due}: the tail is to be sealed, or a sealed part is to be vacuumed. */
    void updateDue(OptimizersConfig o) {
      due = o.indexingThresholdKb() > 0 && (tailFull(o) || vacuumCandidate(o) != null);
    }

    private boolean tailFull(OptimizersConfig o) {
      return tail.size > 0 && tail.postings * POSTING_BYTES >= o.indexingThresholdKb() * 1024;
    }

    private Part vacuumCandidate(OptimizersConfig o) {
      for (Part p : parts) {
        if (p.stem != null
            && p.deletedCount >= Math.max(1, o.vacuumMinVectorNumber())
            && p.deletedCount > o.deletedThreshold() * p.size) {
          return p;
        }
      }
      return null;
    }

    /**
     * The parts the next build rewrites, or null: a full tail (frozen here, a new tail made) with
     * the newest sealed parts not larger than what it covers so far, or one part to vacuum.
     */
    List<Part> plan(OptimizersConfig o) {
      if (o.indexingThresholdKb() <= 0) {
        return null;
      }
      if (tailFull(o)) {
        Part frozen = tail;
        frozen.frozen = true;
        tail = newTail();
        List<Part> sources = new ArrayList<>();
        sources.add(frozen);
        long covered = frozen.live();
        int i = parts.indexOf(frozen) - 1;
        // a frozen heap part left by a failed build is always taken along
        while (i >= 0 && (parts.get(i).frozen || parts.get(i).live() <= covered)) {
          Part p = parts.get(i);
          sources.add(0, p);
          covered += p.live();
          i--;
        }
        return sources;
      }
      Part vacuum = vacuumCandidate(o);
      return vacuum == null ? null : List.of(vacuum);
    }
  }
}
