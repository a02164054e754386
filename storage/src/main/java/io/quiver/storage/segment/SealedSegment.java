package io.quiver.storage.segment;

import io.quiver.index.hnsw.HnswGraph;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.HnswSearcher;
import io.quiver.index.hnsw.OrdBitSet;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.quant.BinaryVectors;
import io.quiver.index.quant.QuantizedVectors;
import io.quiver.index.quant.RescoringSearch;
import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.HeapFloatVectors;
import io.quiver.index.scorer.VectorScorer;
import io.quiver.storage.HnswConfig;
import io.quiver.storage.Memory;
import io.quiver.storage.PointId;
import io.quiver.storage.QuantizationConfig;
import io.quiver.storage.QuantizationSearchParams;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.VectorParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable segment: ids and versions on the heap (read from {@code NAME.ids}), per vector name
 * either an HNSW index read in place from its mapped {@code NAME.V.hnsw} file (an <em>indexed</em>
 * segment) or only the vectors, mapped from {@code NAME.V.plain} and scanned exactly (a
 * <em>plain</em> segment: what the flusher writes when the appendable segment fills up, until the
 * optimizer indexes it), and a deleted bitmap. The deleted bitmap is not a file: it is derived at
 * open (an ord is live when the shard's RocksDB holds that id at that version) and kept in memory.
 *
 * <p>Placement ({@link VectorParams#placement()}, {@link HnswConfig#placement()}): vectors of an
 * indexed segment with neither {@code memory} nor {@code on_disk: true} are copied from the mapping
 * to process memory at open; {@code memory: cached} vectors stay mapped and are read through once
 * at open (page cache), {@code cold} ones ({@code on_disk: true}) stay mapped and page in on
 * demand. Graphs: {@code cold} stay mapped, {@code cached} ({@code on_disk: false}) are read
 * through once at open, {@code pinned} are copied into native memory. A plain segment's vectors
 * stay mapped whatever is asked (read through at open when {@code cached}): it is a short-lived
 * stage on the way to an indexed segment, and keeping it off the heap is its point.
 */
public final class SealedSegment extends Segment {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(SealedSegment.class);

  private final String name;
  private final ShardConfig config;
  private final PointId[] ids;
  private final long[] versions;
  private final OrdBitSet deleted;
  private final AtomicInteger deletedCount = new AtomicInteger();
  private final List<AutoCloseable> mappings;
  private final Map<String, FloatVectors> vectors;
  private final Map<String, HnswIndex> graphs;

  /**
   * Per vector name, the ords whose point omits it. Not a file: set before the segment is
   * published, by the builder (from the ords it copied) or at open (from the stored points).
   */
  private final Map<String, OrdBitSet> absent = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Replaced whole when the optimizer rebuilds the codes for a new config; searches read it once.
   */
  private volatile SegmentCodes codes = SegmentCodes.NONE;

  /** Each search thread's graph searcher for quantized searches (its visited set is reused). */
  private static final ThreadLocal<HnswSearcher> SEARCHERS =
      ThreadLocal.withInitial(HnswSearcher::new);

  private SealedSegment(
      String name,
      ShardConfig config,
      SegmentFiles.Ids ids,
      List<AutoCloseable> mappings,
      Map<String, FloatVectors> vectors,
      Map<String, HnswIndex> graphs) {
    this.name = name;
    this.config = config;
    this.ids = ids.ids();
    this.versions = ids.versions();
    this.deleted = new OrdBitSet(this.ids.length);
    this.mappings = mappings;
    this.vectors = vectors;
    this.graphs = graphs;
  }

  /**
   * Opens the segment of manifest entry {@code entry} ("NAME" or "NAME@CODES") from {@code dir}:
   * maps its files, reads its codes, and verifies their checksums.
   */
  static SealedSegment open(Path dir, String entry, ShardConfig config) throws IOException {
    String name = SegmentFiles.segmentName(entry);
    SegmentFiles.Ids ids = SegmentFiles.readIds(SegmentFiles.idsFile(dir, name));
    boolean plain = SegmentFiles.isPlain(name);
    List<AutoCloseable> mappings = new ArrayList<>();
    Map<String, FloatVectors> vectors = new HashMap<>();
    Map<String, HnswIndex> graphs = new HashMap<>();
    try {
      int i = 0;
      for (Map.Entry<String, VectorParams> e : config.vectors().vectors().entrySet()) {
        FloatVectors mappedVectors;
        Memory vectorsPlacement = e.getValue().placement();
        if (plain) {
          PlainVectorsFile.Mapped m = PlainVectorsFile.open(SegmentFiles.plainFile(dir, name, i++));
          mappings.add(m);
          mappedVectors = m.vectors();
          vectors.put(e.getKey(), mappedVectors);
          if (vectorsPlacement == Memory.CACHED) {
            prefault(mappedVectors);
          }
        } else {
          HnswIndex index = HnswIndex.open(SegmentFiles.hnswFile(dir, name, i++));
          mappings.add(index);
          mappedVectors = index.vectors();
          FloatVectors held =
              vectorsPlacement == null ? inMemory(mappedVectors, mappings) : mappedVectors;
          if (vectorsPlacement == Memory.CACHED) {
            prefault(held);
          }
          HnswGraph graph = index.graph();
          switch (config.hnswOf(e.getKey()).placement()) {
            case COLD -> {}
            case CACHED -> touch(graph);
            case PINNED -> {
              java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
              mappings.add(arena::close);
              graph = index.graphIn(arena);
            }
          }
          HnswIndex searched =
              held == mappedVectors && graph == index.graph() ? index : HnswIndex.of(graph, held);
          graphs.put(e.getKey(), searched);
          vectors.put(e.getKey(), held);
        }
        if (mappedVectors.datatype() != e.getValue().storedDatatype()) {
          throw new IOException(
              dir
                  + "/"
                  + name
                  + ": vector "
                  + e.getKey()
                  + " is stored as "
                  + mappedVectors.datatype().qdrantName()
                  + ", the config says "
                  + e.getValue().storedDatatype().qdrantName());
        }
        if (mappedVectors.size() != ids.ids().length
            || mappedVectors.dimension() != e.getValue().size()) {
          throw new IOException(
              dir
                  + "/"
                  + name
                  + ": vector "
                  + e.getKey()
                  + " has "
                  + mappedVectors.size()
                  + " x "
                  + mappedVectors.dimension()
                  + ", expected "
                  + ids.ids().length
                  + " x "
                  + e.getValue().size());
        }
      }
      SealedSegment segment = new SealedSegment(name, config, ids, mappings, vectors, graphs);
      String codesId = SegmentFiles.codesId(entry);
      if (codesId != null) {
        try {
          segment.codes = SegmentCodes.read(dir, name, codesId, ids.ids().length);
        } catch (IOException e) {
          // Codes are derived from the segment's vectors: search without them; the optimizer
          // rebuilds them.
          LOG.warn(
              "{}: the codes of segment {} are unreadable, rebuilding them: {}",
              dir,
              name,
              e.getMessage());
        }
      }
      return segment;
    } catch (IOException | RuntimeException e) {
      closeAll(mappings);
      throw e;
    }
  }

  /**
   * The vectors of an {@code on_disk: false} index in memory: float32 on the heap; float16 and
   * uint8 in native memory at their width (an arena closed with the segment's mappings).
   */
  private static FloatVectors inMemory(FloatVectors vectors, List<AutoCloseable> mappings) {
    if (vectors instanceof io.quiver.index.scorer.SegmentNarrowVectors narrow) {
      java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
      mappings.add(arena::close);
      return narrow.copyTo(arena);
    }
    return onHeap(vectors);
  }

  private static FloatVectors onHeap(FloatVectors vectors) {
    int dim = vectors.dimension();
    float[] data = new float[Math.multiplyExact(vectors.size(), dim)];
    float[] one = new float[dim];
    for (int ord = 0; ord < vectors.size(); ord++) {
      vectors.copyVector(ord, one);
      System.arraycopy(one, 0, data, ord * dim, dim);
    }
    return new HeapFloatVectors(data, dim, vectors.distance(), vectors.storedAsGiven());
  }

  /**
   * Reads every vector once, so the pages of mapped vectors are in the page cache before the first
   * search ({@code memory: cached}; they stay evictable).
   */
  private static void prefault(FloatVectors vectors) {
    float[] one = new float[vectors.dimension()];
    for (int ord = 0; ord < vectors.size(); ord++) {
      vectors.copyVector(ord, one);
    }
  }

  /** Reads every level-0 list once, so the graph's pages are in memory before the first search. */
  private static void touch(HnswGraph graph) {
    int[] list = new int[graph.maxConn0()];
    for (int node = 0; node < graph.size(); node++) {
      graph.neighbours(0, node, list);
    }
  }

  /** The ords' origins of a segment being built: segment and ord each new ord was copied from. */
  record Origin(Segment segment, int ord) {}

  String name() {
    return name;
  }

  /** This segment's entry in the manifest: its name, and its codes' id when it has codes. */
  String manifestEntry() {
    return SegmentFiles.entry(name, codes.id());
  }

  SegmentCodes codes() {
    return codes;
  }

  /** Publishes codes built for the current config (the optimizer, under the files lock). */
  void replaceCodes(SegmentCodes newCodes) {
    codes = newCodes;
  }

  /**
   * True for an indexed segment whose codes are not what the config asks (absent, stale or
   * superfluous).
   */
  boolean needsCodes() {
    return isIndexed() && !codes.matches(config);
  }

  @Override
  public int size() {
    return ids.length;
  }

  @Override
  public PointId id(int ord) {
    return ids[ord];
  }

  @Override
  public long version(int ord) {
    return versions[ord];
  }

  @Override
  public boolean isDeleted(int ord) {
    return deleted.get(ord);
  }

  @Override
  void delete(int ord) {
    if (deleted.set(ord)) {
      deletedCount.incrementAndGet();
    }
  }

  @Override
  public int deletedCount() {
    return deletedCount.get();
  }

  @Override
  public FloatVectors vectors(String vectorName) {
    return vectors.get(vectorName);
  }

  /** True for an indexed segment (HNSW graphs), false for a plain one (exact scans only). */
  @Override
  public boolean isIndexed() {
    return !graphs.isEmpty();
  }

  @Override
  OrdFilter live() {
    return deleted.absent();
  }

  @Override
  public boolean hasVector(String vectorName, int ord) {
    if (!vectors.containsKey(vectorName)) {
      return false;
    }
    OrdBitSet bits = absent.get(vectorName);
    return bits == null || !bits.get(ord);
  }

  @Override
  OrdFilter present(String vectorName) {
    OrdBitSet bits = absent.get(vectorName);
    return bits == null ? OrdFilter.ALL : bits.absent();
  }

  /**
   * Records that the point at {@code ord} omits vector {@code vectorName} (before the segment is
   * published).
   */
  void markAbsent(String vectorName, int ord) {
    absent.computeIfAbsent(vectorName, k -> new OrdBitSet(ids.length)).set(ord);
  }

  /** The live vectors of all names (a point omitting a vector does not count for it). */
  long liveVectorCount() {
    long n = (long) liveCount() * vectors.size();
    for (OrdBitSet bits : absent.values()) {
      for (int ord = 0; ord < ids.length; ord++) {
        if (bits.get(ord) && !deleted.get(ord)) {
          n--;
        }
      }
    }
    return n;
  }

  /**
   * Through the graph: with codes for the vector's quantization (and not {@code ignore}), the
   * traversal scores codes and keeps {@code k * oversampling} candidates, which are rescored from
   * the original vectors unless {@code rescore: false}; without, float32 scores throughout.
   */
  @Override
  TopHits graphSearch(
      String vectorName,
      float[] query,
      int k,
      int ef,
      OrdFilter accept,
      QuantizationSearchParams quantization) {
    HnswIndex index = graphs.get(vectorName);
    QuantizationSearchParams params =
        quantization == null ? QuantizationSearchParams.DEFAULT : quantization;
    QuantizationConfig wanted = config.quantizationOf(vectorName);
    QuantizedVectors quantized = params.ignore() ? null : codes.usable(vectorName, wanted);
    if (quantized == null) {
      return index.search(query, k, ef, accept);
    }
    VectorScorer scorer =
        wanted instanceof QuantizationConfig.Binary b && b.hammingQuery()
            ? ((BinaryVectors) quantized).hammingScorer(query)
            : quantized.scorer(query);
    return RescoringSearch.search(
        SEARCHERS.get(),
        index.graph(),
        scorer,
        index.vectors(),
        query,
        k,
        ef,
        params.oversamplingOrDefault(),
        params.rescoreOrDefault(),
        accept);
  }

  @Override
  boolean preferExact(String vectorName) {
    HnswConfig hnsw = config.hnswOf(vectorName);
    VectorParams params = config.vectors().get(vectorName);
    long liveKb =
        (long) liveCount() * params.storedDatatype().bytesPerDimension() * params.size() / 1024;
    return liveKb < hnsw.fullScanThresholdKb();
  }

  /** Kilobytes of live vector data (all vectors). */
  long liveKb() {
    return (long) liveCount() * config.bytesPerPoint() / 1024;
  }

  /** This segment's files in {@code dir}. */
  List<Path> files(Path dir) {
    return SegmentFiles.filesOf(dir, manifestEntry(), config.vectors().vectors().size());
  }

  /** Unmaps the files. Searching afterwards throws IllegalStateException. */
  void close() {
    closeAll(mappings);
  }

  private static void closeAll(Iterable<AutoCloseable> mappings) {
    List<Exception> failures = new ArrayList<>();
    for (AutoCloseable mapping : mappings) {
      try {
        mapping.close();
      } catch (Exception e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("cannot unmap a segment", failures.getFirst());
    }
  }

  @Override
  public String toString() {
    return (isIndexed() ? "sealed[" : "plain[")
        + manifestEntry()
        + ", "
        + liveCount()
        + "/"
        + size()
        + "]";
  }
}
