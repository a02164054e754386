package io.quiver.storage.multivector;

import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.hnsw.HnswSearcher;
import io.quiver.index.hnsw.OrdBitSet;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.multivector.MaxSimScorerSupplier;
import io.quiver.index.multivector.MultiVectors;
import io.quiver.index.multivector.QuantizedMaxSim;
import io.quiver.index.quant.BinaryVectors;
import io.quiver.index.quant.RescoringSearch;
import io.quiver.index.scorer.VectorScorer;
import io.quiver.storage.HnswConfig;
import io.quiver.storage.MultiVectorParams;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.PointId;
import io.quiver.storage.QuantizationConfig;
import io.quiver.storage.QuantizationSearchParams;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.ShardConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A shard's multivectors, one {@link MultiVectors} store per name over shard-wide ords (assigned
 * when a point's multivector is written, in write order), with HNSW graphs over them ({@link
 * GraphPart}: a graph node is a point, MaxSim between nodes, as Qdrant builds them).
 *
 * <p>An update deletes the old ord and appends a new one; when deleted ords outnumber live ones
 * (and exceed {@link #COMPACT_MIN_DELETED}) the name's store is rewritten with the live ords only,
 * which drops its graphs (their ords are gone) until they are built again.
 *
 * <p><b>Graphs.</b> Each name's ords {@code [0, indexedTo)} are covered by graph parts, each over a
 * contiguous range, built in the background ({@link MultiVectorGraphBuilds}) over a frozen view of
 * the store ({@link MultiVectors#range}) with the ords that were live then. The ords appended since
 * ({@code [indexedTo, size)}, the tail) are scored exactly by every search. A part is built when
 * the tail holds {@code indexing_threshold} KB of rows; it covers the tail and absorbs the parts
 * before it that are not longer than what it covers so far (so part lengths decrease geometrically:
 * a few parts, each ord rebuilt a logarithmic number of times while a shard grows). A part whose
 * deleted nodes exceed {@code deleted_threshold} (and {@code vacuum_min_vector_number}) is rebuilt
 * over its range. A deleted or replaced point is never returned: its ord's deleted bit is checked
 * by the graph search's accept test, and its new ord is in the tail or a newer part.
 *
 * <p>Rows are held prepared (normalized for Cosine), as the point's stored vectors are. The RocksDB
 * point value is the truth (the flat rows are part of the point's dense vector map); this is
 * rebuilt from it at open, like the sparse and payload indexes.
 *
 * <p><b>Graph files.</b> Each built part is written to a {@link GraphPartFile} in the shard's
 * {@code multivectors/} directory (the graph with the point ids and rows of its ords), and a
 * dropped part's file is deleted. At {@link #open} the files of the name's newest store generation
 * that cover {@code [0, n)} contiguously are loaded first: their ords keep their numbers and rows,
 * and a loaded node is live only when RocksDB still holds that point with exactly those rows (an
 * update or delete since, or a RocksDB state from another replica's snapshot, leaves it deleted and
 * puts the point in the tail). A file that is corrupt, truncated, does not follow on, or was built
 * with other settings is deleted, and its range rebuilt.
 *
 * <p><b>Quantization.</b> With the vector's quantization (its own, else the collection's), each
 * part holds the codes of its rows ({@link PartCodes}, made by its build, written in its file, made
 * again at open when the file's are for another config); a graph search then traverses by MaxSim
 * over the codes and rescores {@code limit * oversampling} candidates from the float rows, as
 * Qdrant's {@code params.quantization} says ({@link #search(String, float[][], int, Predicate,
 * Integer, boolean, QuantizationSearchParams)}). Scans always score the float rows.
 *
 * <p>Not thread-safe: writes and {@link #install} under the shard's write lock, searches and {@link
 * #nextBuild} under its read lock. {@link #isDue} may be called without a lock.
 */
public final class MultiVectorIndexes {

  /** Deleted ords a name's store tolerates before it may compact (with more deleted than live). */
  static final int COMPACT_MIN_DELETED = 1024;

  /** Size of the scratch files the rows of an {@code on_disk} multivector are mapped in. */
  static final long MAPPED_CHUNK_BYTES = 64L << 20;

  private static final ThreadLocal<HnswSearcher> SEARCHERS =
      ThreadLocal.withInitial(HnswSearcher::new);

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(MultiVectorIndexes.class);

  private final Map<String, Named> byName = new LinkedHashMap<>();

  /** Where graph part files are kept; null: nowhere (graphs on the heap only). */
  private final Path graphDir;

  private int loadedParts;

  /**
   * Called whenever a write leaves a build due (wakes the shard's optimizer); cheap, never blocks.
   */
  private volatile Runnable onDue = () -> {};

  private MultiVectorIndexes(ShardConfig config, Path graphDir) {
    this.graphDir = graphDir;
    config
        .vectors()
        .multi()
        .forEach(
            (name, p) ->
                byName.put(
                    name,
                    new Named(
                        name,
                        p,
                        config.hnswOf(name),
                        config.optimizers(),
                        config.quantizationOf(name),
                        this)));
  }

  /**
   * The shard's multivectors at open: the graph part files in {@code graphDir} that still fit are
   * loaded (the others deleted), then every stored point is passed through {@code points} (its
   * prepared dense vectors, among them the flat multivectors): a point whose rows equal a loaded
   * node's keeps that node, any other goes to the tail. {@code graphDir} null: no files.
   */
  public static MultiVectorIndexes open(
      ShardConfig config,
      Path graphDir,
      Consumer<BiConsumer<PointId, Map<String, float[]>>> points) {
    MultiVectorIndexes indexes = new MultiVectorIndexes(config, graphDir);
    if (indexes.byName.isEmpty()) {
      indexes.deleteFilesOf(Set.of());
      return indexes;
    }
    if (graphDir != null) {
      List<Path> files = indexes.deleteFilesOf(indexes.byName.keySet());
      for (Named named : indexes.byName.values()) {
        indexes.loadedParts += named.load(graphDir, files);
      }
    }
    points.accept(
        (id, vectors) -> {
          for (Named named : indexes.byName.values()) {
            float[] v = vectors.get(named.name);
            if (v != null) {
              named.restore(id, v);
            }
          }
        });
    for (Named named : indexes.byName.values()) {
      named.finishRestore();
    }
    return indexes;
  }

  /**
   * Deletes the temporary files in the graph directory and the part files of names not in {@code
   * keep}; returns the other part files.
   */
  private List<Path> deleteFilesOf(Set<String> keep) {
    List<Path> out = new ArrayList<>();
    if (graphDir == null || !Files.isDirectory(graphDir)) {
      return out;
    }
    Set<String> prefixes = new HashSet<>();
    keep.forEach(name -> prefixes.add(GraphPartFile.prefix(name)));
    try (var list = Files.list(graphDir)) {
      for (Path f : (Iterable<Path>) list::iterator) {
        String fileName = f.getFileName().toString();
        long[] parsed = GraphPartFile.parseName(fileName);
        String prefix = parsed == null ? null : fileName.substring(0, fileName.indexOf('.') + 1);
        if (parsed != null && prefixes.contains(prefix)) {
          out.add(f);
        } else {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException e) {
      LOG.warn("{}: cannot list or clean the multivector graph files: {}", graphDir, e.toString());
    }
    return out;
  }

  /** Graph parts loaded from their files at open (not rebuilt). */
  public int loadedParts() {
    return loadedParts;
  }

  /**
   * Hard-links the files of the current graph parts into {@code target} (a checkpoint's {@code
   * multivectors/}); call under the shard's read lock (files are deleted under the write lock). A
   * file that is missing is left out (that range is rebuilt where the checkpoint is opened).
   */
  public void linkFiles(Path target) throws IOException {
    for (Named named : byName.values()) {
      for (GraphPart part : named.parts) {
        if (part.file() != null) {
          Files.createDirectories(target);
          try {
            Files.createLink(target.resolve(part.file().getFileName()), part.file());
          } catch (java.nio.file.NoSuchFileException gone) {
            // Removed behind our back: the checkpoint's shard rebuilds that range at open.
            LOG.warn(
                "{}: multivector graph file {} is missing; not in the checkpoint",
                graphDir,
                part.file());
          }
        }
      }
    }
  }

  /** Releases the loaded parts' file mappings (at shard close, under the write lock). */
  public void close() {
    for (Named named : byName.values()) {
      named.parts.forEach(GraphPart::close);
      named.parts = List.of();
    }
  }

  /**
   * Writes the part a build made, with its rows' codes (null: none), to its file (no lock needed);
   * null when there is no directory or it failed.
   */
  Path write(GraphBuild build, io.quiver.index.hnsw.HnswGraph graph, QuantizedMaxSim codes) {
    if (graphDir == null) {
      return null;
    }
    try {
      return GraphPartFile.write(graphDir, build, build.generation(), graph, codes);
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "{}: cannot write the multivector graph over [{}, {}) of {}; it is rebuilt at the next open: {}",
          graphDir,
          build.from(),
          build.to(),
          build.name(),
          e.toString());
      return null;
    }
  }

  /**
   * Sets what to call when a write leaves a graph build due (the shard's optimizer wake-up), and
   * calls it if one is.
   */
  public void onBuildDue(Runnable wake) {
    this.onDue = wake;
    if (isDue()) {
      wake.run();
    }
  }

  /** True when the shard has no multivector. */
  public boolean isEmpty() {
    return byName.isEmpty();
  }

  /**
   * Records that point {@code id} now has these prepared vectors (names that are not multivectors
   * are ignored).
   */
  public void put(PointId id, Map<String, float[]> prepared) {
    for (Map.Entry<String, Named> e : byName.entrySet()) {
      e.getValue().remove(id);
      float[] v = prepared.get(e.getKey());
      if (v != null) {
        e.getValue().add(id, v);
      }
    }
  }

  /** Records that point {@code id} was deleted. */
  public void remove(PointId id) {
    for (Named named : byName.values()) {
      named.remove(id);
    }
  }

  /** The prepared flat multivectors point {@code id} has, by name (empty when none). */
  public Map<String, float[]> vectors(PointId id) {
    if (byName.isEmpty()) {
      return Map.of();
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    byName.forEach(
        (name, named) -> {
          Integer ord = named.ords.get(id);
          if (ord != null) {
            out.put(name, named.store.get(ord));
          }
        });
    return out;
  }

  /**
   * The best {@code limit} points whose multivector {@code name} exists and that {@code accept}
   * takes (null: all), best first by MaxSim similarity (higher first whatever the distance: the
   * negated sum of distances for Euclid and Manhattan, see {@link io.quiver.storage.ScoreScale}),
   * ties by id. Hits carry no payload or vectors and version 0.
   *
   * <p>With {@code exact} every such point is scored. Otherwise each graph part is searched with a
   * beam of {@code max(hnswEf or ef_construct, limit)} and the accept test (live and accepted),
   * except parts whose indexed rows are below {@code full_scan_threshold} KB (scanned exactly, as
   * small segments are); the tail of ords no part covers yet is always scored exactly.
   */
  public List<ScoredPoint> search(
      String name,
      float[][] query,
      int limit,
      Predicate<PointId> accept,
      Integer hnswEf,
      boolean exact) {
    return search(name, query, limit, accept, hnswEf, exact, null);
  }

  /**
   * As {@link #search(String, float[][], int, Predicate, Integer, boolean)}, with Qdrant's {@code
   * params.quantization} (null: the defaults) for the graph parts that have quantized rows: the
   * traversal scores MaxSim over the codes and keeps {@code limit * oversampling} candidates,
   * rescored by MaxSim over the float rows unless {@code rescore: false} (hits then carry the
   * approximate scores); {@code ignore} searches the float rows. Scans (the tail, small parts,
   * {@code exact}) always score the float rows, as the dense path's exact scans do.
   */
  public List<ScoredPoint> search(
      String name,
      float[][] query,
      int limit,
      Predicate<PointId> accept,
      Integer hnswEf,
      boolean exact,
      QuantizationSearchParams quantization) {
    Named named = byName.get(name);
    Best best = new Best(limit);
    int scanFrom = 0;
    if (!exact) {
      int ef = Math.max(hnswEf != null ? hnswEf : named.hnsw.efConstruct(), limit);
      long fullScanBytes = named.hnsw.fullScanThresholdKb() * 1024;
      for (GraphPart part : named.parts) {
        if (part.liveBytes() < fullScanBytes) {
          named.scan(query, part.from(), part.to(), accept, best);
        } else {
          named.searchGraph(part, query, ef, accept, best, quantization);
        }
      }
      scanFrom = named.indexedTo;
    }
    named.scan(query, scanFrom, named.store.size(), accept, best);
    return best.sorted();
  }

  /**
   * The MaxSim top {@code limit} of the given candidate points (those without multivector {@code
   * name} skipped), exact.
   */
  public List<ScoredPoint> scoreCandidates(
      String name, float[][] query, int limit, Consumer<Consumer<PointId>> candidates) {
    Named named = byName.get(name);
    Best best = new Best(limit);
    candidates.accept(
        id -> {
          Integer ord = named.ords.get(id);
          if (ord != null) {
            best.offer(new ScoredPoint(id, 0, named.store.similarity(query, ord), null, null));
          }
        });
    return best.sorted();
  }

  /**
   * Calls {@code visit} with every live point whose multivector {@code name} exists and that {@code
   * accept} takes (null: all), in ord order, with the comparator of Qdrant's custom objectives
   * between prepared example rows and that point ({@link MultiVectors#exampleSimilarity}). The
   * comparator is valid during the call only.
   */
  public void forEachLive(
      String name,
      Predicate<PointId> accept,
      java.util.function.BiConsumer<PointId, io.quiver.storage.scoring.Scorer.Similarity<float[][]>>
          visit) {
    Named named = byName.get(name);
    MultiVectors store = named.store;
    for (int ord = 0; ord < store.size(); ord++) {
      if (named.deleted.get(ord)) {
        continue;
      }
      PointId id = named.ids.get(ord);
      if (accept == null || accept.test(id)) {
        int at = ord;
        visit.accept(id, example -> store.exampleSimilarity(example, at));
      }
    }
  }

  /** Live points with multivector {@code name}. */
  public int pointCount(String name) {
    return byName.get(name).ords.size();
  }

  /**
   * Bytes of rows of the average live multivector {@code name} (1 when there is none), for the
   * search plan's threshold.
   */
  public long averageBytes(String name) {
    Named named = byName.get(name);
    long live = named.ords.size();
    long rows = named.store.rowCount();
    return live == 0 || named.store.size() == 0
        ? 1
        : Math.max(1, rows * named.params.size() * Float.BYTES / named.store.size());
  }

  /** Live points held in graph parts, over every name (they count as indexed vectors). */
  public long indexedPoints() {
    long n = 0;
    for (Named named : byName.values()) {
      for (GraphPart part : named.parts) {
        n += part.nodes() - part.deletedNodes;
      }
    }
    return n;
  }

  /** True when a graph build is due for some name. Any thread, no lock. */
  public boolean isDue() {
    for (Named named : byName.values()) {
      if (named.due) {
        return true;
      }
    }
    return false;
  }

  /**
   * The next graph build that is due, or null: its inputs are taken here (under the shard's read
   * lock).
   */
  GraphBuild nextBuild(int threads) {
    for (Named named : byName.values()) {
      if (named.due) {
        GraphBuild build = named.plan(threads);
        if (build != null) {
          return build;
        }
      }
    }
    return null;
  }

  /**
   * Puts a finished graph (written to {@code file}, or null) in place of the parts it absorbed,
   * whose files are deleted (under the shard's write lock); returns false when it no longer applies
   * (the name's store was compacted while it was built).
   */
  boolean install(
      GraphBuild build, io.quiver.index.hnsw.HnswGraph graph, Path file, QuantizedMaxSim codes) {
    Named named = byName.get(build.name());
    if (named == null
        || named.store != build.store()
        || !named.parts.containsAll(build.absorbed())) {
      deleteQuietly(file);
      return false;
    }
    int deletedNodes = 0;
    for (int ord = build.from(); ord < build.to(); ord++) {
      if (named.deleted.get(ord) && build.inserted().get(ord - build.from())) {
        deletedNodes++;
      }
    }
    GraphPart part =
        new GraphPart(
            build.from(),
            build.to(),
            graph,
            build.view(),
            build.nodes(),
            build.rows(),
            named.params.size(),
            file,
            null,
            codes);
    part.deletedNodes = deletedNodes;
    List<GraphPart> parts = new ArrayList<>();
    for (GraphPart p : named.parts) {
      if (!build.absorbed().contains(p)) {
        parts.add(p);
      } else if (file != null && file.equals(p.file())) {
        p.close(); // a vacuum over the same range: the new file replaced this one (the rename)
      } else {
        drop(p);
      }
    }
    parts.add(part);
    parts.sort(Comparator.comparingInt(GraphPart::from));
    named.parts = List.copyOf(parts);
    named.indexedTo = Math.max(named.indexedTo, build.to());
    named.updateDue();
    return true;
  }

  /** Releases a part that is no longer used and deletes its file (under the shard's write lock). */
  private static void drop(GraphPart part) {
    part.close();
    deleteQuietly(part.file());
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.warn("cannot delete {} (it is dropped at the next open): {}", file, e.toString());
      }
    }
  }

  /**
   * The top {@code limit} hits seen so far, by similarity (higher first, whatever the distance: see
   * {@link io.quiver.storage.ScoreScale}), ties by id.
   */
  private static final class Best {
    private final Comparator<ScoredPoint> order;
    private final PriorityQueue<ScoredPoint> heap; // worst on top
    private final int limit;

    Best(int limit) {
      this.order = ScoredPoint.HIGHER_FIRST;
      this.heap = new PriorityQueue<>(order.reversed());
      this.limit = limit;
    }

    void offer(ScoredPoint hit) {
      if (limit <= 0) {
        return;
      }
      if (heap.size() < limit) {
        heap.add(hit);
      } else if (order.compare(hit, heap.peek()) < 0) {
        heap.poll();
        heap.add(hit);
      }
    }

    List<ScoredPoint> sorted() {
      List<ScoredPoint> out = new ArrayList<>(heap);
      out.sort(order);
      return out;
    }
  }

  /** One name's store, its id maps, deleted ords and graph parts. */
  private static final class Named {
    private final String name;
    private final MultiVectorParams params;
    private final HnswConfig hnsw;
    private final OptimizersConfig optimizers;

    /** The vector's quantization (its own, else the collection's); null: none. */
    private final QuantizationConfig quantization;

    private MultiVectors store;
    private final Map<PointId, Integer> ords = new HashMap<>();
    private List<PointId> ids = new ArrayList<>();
    private OrdBitSet deleted = new OrdBitSet(64);
    private int deletedCount;

    /**
     * Graph parts over {@code [0, indexedTo)} of {@link #store}, by range; replaced, never changed
     * in place.
     */
    private List<GraphPart> parts = List.of();

    private int indexedTo;

    /** Rows of the ords {@code [indexedTo, size)}. */
    private long tailRows;

    private volatile boolean due;
    private final MultiVectorIndexes owner;

    /**
     * The store's numbering: +1 at each compaction (part files of another generation cover other
     * ords).
     */
    private long generation;

    /** At open: point id -> the last loaded node of it, until its stored rows are compared. */
    private Map<PointId, Integer> pending;

    Named(
        String name,
        MultiVectorParams params,
        HnswConfig hnsw,
        OptimizersConfig optimizers,
        QuantizationConfig quantization,
        MultiVectorIndexes owner) {
      this.owner = owner;
      this.quantization = quantization;
      this.name = name;
      this.params = params;
      this.hnsw = hnsw;
      this.optimizers = optimizers;
      this.store = newStore();
    }

    /**
     * An empty store: its rows in mapped scratch files in the graph directory when the vector's
     * placement is {@code cold} ({@code on_disk: true}), else on the heap.
     */
    private MultiVectors newStore() {
      if (params.vector().placement() == io.quiver.storage.Memory.COLD && owner.graphDir != null) {
        return MultiVectors.mapped(
            params.size(),
            params.distance(),
            owner.graphDir,
            GraphPartFile.prefix(name) + "rows.",
            MAPPED_CHUNK_BYTES);
      }
      return new MultiVectors(params.size(), params.distance());
    }

    void add(PointId id, float[] prepared) {
      int ord = store.add(prepared);
      ids.add(id);
      ords.put(id, ord);
      tailRows += prepared.length / params.size();
      if (ord >= deleted.size()) {
        OrdBitSet bigger = new OrdBitSet(Math.max(ord + 1, deleted.size() * 2));
        for (int o = 0; o < ord; o++) {
          if (deleted.get(o)) {
            bigger.set(o);
          }
        }
        deleted = bigger;
      }
      updateDue();
    }

    void remove(PointId id) {
      Integer ord = ords.remove(id);
      if (ord == null) {
        return;
      }
      deleted.set(ord);
      deletedCount++;
      if (ord < indexedTo) {
        for (GraphPart part : parts) {
          if (ord >= part.from() && ord < part.to()) {
            part.deletedNodes++; // every ord of a part that was live at its build is a node
          }
        }
      }
      if (deletedCount > COMPACT_MIN_DELETED && deletedCount > ords.size()) {
        compact();
      }
      updateDue();
    }

    private void compact() {
      MultiVectors live = newStore();
      List<PointId> liveIds = new ArrayList<>(ords.size());
      for (int ord = 0; ord < store.size(); ord++) {
        if (!deleted.get(ord)) {
          PointId id = ids.get(ord);
          ords.put(id, live.add(store.get(ord)));
          liveIds.add(id);
        }
      }
      store = live;
      ids = liveIds;
      deleted = new OrdBitSet(Math.max(64, liveIds.size() * 2));
      deletedCount = 0;
      parts.forEach(MultiVectorIndexes::drop);
      parts = List.of(); // their ords are gone: built again over the compacted store
      generation++;
      indexedTo = 0;
      tailRows = live.rowCount();
    }

    /** Whether a build is due: the tail holds indexing_threshold KB, or a part needs a vacuum. */
    void updateDue() {
      due = tailDue() || vacuumCandidate() != null;
      if (due) {
        owner.onDue.run();
      }
    }

    private boolean tailDue() {
      long threshold = optimizers.indexingThresholdKb() * 1024;
      return threshold > 0
          && indexedTo < store.size()
          && tailRows * params.size() * Float.BYTES >= threshold;
    }

    private GraphPart vacuumCandidate() {
      if (optimizers.indexingThresholdKb() <= 0) {
        return null;
      }
      for (GraphPart part : parts) {
        if (part.deletedNodes >= Math.max(1, optimizers.vacuumMinVectorNumber())
            && part.deletedNodes > optimizers.deletedThreshold() * part.nodes()) {
          return part;
        }
      }
      return null;
    }

    /**
     * The build that is due: over the tail (absorbing the shorter parts before it), or a vacuum of
     * one part.
     */
    GraphBuild plan(int threads) {
      int from;
      int to;
      List<GraphPart> absorbed = new ArrayList<>();
      if (tailDue()) {
        from = indexedTo;
        to = store.size();
        for (int i = parts.size() - 1; i >= 0 && parts.get(i).length() <= to - from; i--) {
          from = parts.get(i).from();
          absorbed.add(parts.get(i));
        }
      } else {
        GraphPart part = vacuumCandidate();
        if (part == null) {
          due = false;
          return null;
        }
        from = part.from();
        to = part.to();
        absorbed.add(part);
      }
      OrdBitSet inserted = new OrdBitSet(to - from);
      int nodes = 0;
      long rows = 0;
      for (int ord = from; ord < to; ord++) {
        if (!deleted.get(ord)) {
          inserted.set(ord - from);
          nodes++;
          rows += store.count(ord);
        }
      }
      return new GraphBuild(
          name,
          store,
          generation,
          store.range(from, to),
          ids.subList(from, to).toArray(PointId[]::new),
          from,
          to,
          inserted,
          nodes,
          rows,
          absorbed,
          new HnswParams(hnsw.m(), hnsw.efConstruct(), 42L, threads),
          quantization);
    }

    /**
     * Loads this name's part files among {@code files} (at open, before the points): those of the
     * newest generation that cover {@code [0, n)} one after another (at each start the longest that
     * reads whole and fits); their ords are appended to the empty store, each a pending node of its
     * point until {@link #restore} compares the stored rows. Deletes the other files of the name.
     * Returns the number of parts loaded.
     */
    int load(Path dir, List<Path> files) {
      String prefix = GraphPartFile.prefix(name);
      List<Path> mine = new ArrayList<>();
      long newest = -1;
      for (Path f : files) {
        String fileName = f.getFileName().toString();
        if (fileName.startsWith(prefix)) {
          mine.add(f);
          newest = Math.max(newest, GraphPartFile.parseName(fileName)[0]);
        }
      }
      pending = new HashMap<>();
      List<GraphPart> loaded = new ArrayList<>();
      List<boolean[]> insertedOf = new ArrayList<>();
      Set<Path> used = new HashSet<>();
      int cursor = 0;
      while (true) {
        int at = cursor;
        long gen = newest;
        List<Path> candidates = new ArrayList<>();
        for (Path f : mine) {
          long[] p = GraphPartFile.parseName(f.getFileName().toString());
          if (p[0] == gen && p[1] == at && p[2] > at) {
            candidates.add(f);
          }
        }
        candidates.sort(
            Comparator.comparingLong(
                    (Path f) -> GraphPartFile.parseName(f.getFileName().toString())[2])
                .reversed());
        GraphPartFile.Loaded read = null;
        Path chosen = null;
        for (Path f : candidates) {
          int to = (int) GraphPartFile.parseName(f.getFileName().toString())[2];
          try {
            read =
                GraphPartFile.read(
                    f,
                    name,
                    gen,
                    at,
                    to,
                    hnsw.m(),
                    hnsw.efConstruct(),
                    params.size(),
                    params.distance().ordinal());
            chosen = f;
            break;
          } catch (IOException | RuntimeException e) {
            LOG.warn(
                "{}: multivector graph file {} is not used (rebuilt): {}",
                dir,
                f.getFileName(),
                e.toString());
          }
        }
        if (read == null) {
          break;
        }
        used.add(chosen);
        int nodes = 0;
        long rows = 0;
        for (int i = 0; i < read.ids().length; i++) {
          int ord = store.add(read.rows()[i]);
          ids.add(read.ids()[i]);
          if (read.inserted()[i]) {
            pending.put(read.ids()[i], ord);
            nodes++;
            rows += store.count(ord);
          }
        }
        cursor = store.size();
        MultiVectors view = store.range(at, cursor);
        loaded.add(
            new GraphPart(
                at,
                cursor,
                read.file().graph(),
                view,
                nodes,
                rows,
                params.size(),
                chosen,
                read.file(),
                loadCodes(read, view, chosen)));
        insertedOf.add(read.inserted());
      }
      for (Path f : mine) {
        if (!used.contains(f)) {
          deleteQuietly(f);
        }
      }
      generation = Math.max(0, newest);
      parts = List.copyOf(loaded);
      loadedInserted = insertedOf;
      indexedTo = cursor;
      deleted = new OrdBitSet(Math.max(64, cursor * 2));
      if (!loaded.isEmpty()) {
        LOG.info(
            "{}: loaded {} multivector graph part(s) of {} over ords [0, {})",
            dir,
            loaded.size(),
            name.isEmpty() ? "\"\"" : name,
            cursor);
      }
      return loaded.size();
    }

    /**
     * The codes of a loaded part's rows: those in its file when they were made for the vector's
     * quantization, else (another quantization since, or a file written before codes, or codes that
     * do not read) made now from the rows; null when the vector has no quantization or the rows are
     * too many to quantize (searched from the float rows, logged).
     */
    private QuantizedMaxSim loadCodes(GraphPartFile.Loaded read, MultiVectors view, Path file) {
      if (quantization == null) {
        return null;
      }
      if (quantization.codesKey().equals(read.codesKey())) {
        try {
          return PartCodes.fromBytes(read.codes(), view);
        } catch (IOException | RuntimeException e) {
          LOG.warn(
              "{}: the codes in {} are not used (made again): {}",
              owner.graphDir,
              file.getFileName(),
              e.toString());
        }
      }
      try {
        long start = System.nanoTime();
        QuantizedMaxSim codes = PartCodes.quantize(quantization, view);
        LOG.info(
            "{}: quantized the rows of {} ({}) at open in {} ms",
            owner.graphDir,
            file.getFileName(),
            quantization.codesKey(),
            (System.nanoTime() - start) / 1_000_000);
        return codes;
      } catch (IllegalArgumentException e) {
        LOG.warn(
            "{}: the rows of {} are searched unquantized: {}",
            owner.graphDir,
            file.getFileName(),
            e.getMessage());
        return null;
      }
    }

    /**
     * Per loaded part (in order), which of its ords are nodes; only between {@link #load} and
     * {@link #finishRestore}.
     */
    private List<boolean[]> loadedInserted = List.of();

    /**
     * At open: point {@code id} is stored with these rows: it keeps its loaded node if the rows are
     * the same.
     */
    void restore(PointId id, float[] rows) {
      Integer ord = pending == null ? null : pending.remove(id);
      if (ord != null && store.rowsEqual(ord, rows)) {
        ords.put(id, ord);
      } else {
        add(id, rows);
      }
    }

    /** At open, after every point: loaded ords no point kept are deleted; counts per part. */
    void finishRestore() {
      for (int ord = 0; ord < indexedTo; ord++) {
        Integer live = ords.get(ids.get(ord));
        if (live == null || live != ord) {
          deleted.set(ord);
          deletedCount++;
        }
      }
      for (int i = 0; i < parts.size(); i++) {
        GraphPart part = parts.get(i);
        boolean[] inserted = loadedInserted.get(i);
        for (int ord = part.from(); ord < part.to(); ord++) {
          if (inserted[ord - part.from()] && deleted.get(ord)) {
            part.deletedNodes++;
          }
        }
      }
      pending = null;
      loadedInserted = List.of();
      updateDue();
    }

    /** Scores the live, accepted ords of {@code [from, to)} exactly into {@code best}. */
    void scan(float[][] query, int from, int to, Predicate<PointId> accept, Best best) {
      for (int ord = from; ord < to; ord++) {
        if (deleted.get(ord)) {
          continue;
        }
        PointId id = ids.get(ord);
        if (accept != null && !accept.test(id)) {
          continue;
        }
        best.offer(new ScoredPoint(id, 0, store.similarity(query, ord), null, null));
      }
    }

    /**
     * Searches one graph part; its accept test takes live ords the filter accepts. Over the part's
     * quantized rows when it has them and {@code quantization} does not say {@code ignore}.
     */
    void searchGraph(
        GraphPart part,
        float[][] query,
        int ef,
        Predicate<PointId> accept,
        Best best,
        QuantizationSearchParams quantization) {
      int from = part.from();
      OrdBitSet deletedNow = deleted;
      List<PointId> idsNow = ids;
      OrdFilter live =
          g -> !deletedNow.get(from + g) && (accept == null || accept.test(idsNow.get(from + g)));
      QuantizationSearchParams q =
          quantization == null ? QuantizationSearchParams.DEFAULT : quantization;
      VectorScorer exact = MaxSimScorerSupplier.scorer(part.view(), query);
      TopHits hits;
      if (part.codes() == null || q.ignore()) {
        hits = SEARCHERS.get().search(part.graph(), exact, best.limit, ef, live);
      } else {
        QuantizedMaxSim codes = part.codes();
        VectorScorer approximate =
            this.quantization instanceof QuantizationConfig.Binary b && b.hammingQuery()
                ? codes.scorer(query, ((BinaryVectors) codes.codes())::hammingScorer)
                : codes.scorer(query);
        hits =
            RescoringSearch.search(
                SEARCHERS.get(),
                part.graph(),
                approximate,
                q.rescoreOrDefault() ? exact : null,
                best.limit,
                ef,
                q.oversamplingOrDefault(),
                live);
      }
      for (int i = 0; i < hits.size(); i++) {
        best.offer(
            new ScoredPoint(idsNow.get(from + hits.ords()[i]), 0, hits.scores()[i], null, null));
      }
    }
  }
}
