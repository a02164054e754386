package io.quiver.bench.engine;

import io.quiver.bench.Dataset;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.hnsw.HnswSearcher;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.scorer.HeapFloatVectors;
import io.quiver.index.scorer.SegmentFloatVectors;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Quiver's float32 HNSW. Vectors are copied off-heap (native memory, as the storage module's vector
 * files are) and the graph is built on the heap from them; then graph and vectors are written in
 * the on-disk format and searched straight from the memory-mapped file, as a sealed segment is.
 */
public final class QuiverEngine implements Engine {

  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final int m;
  private final int efConstruction;
  private final Path dir;
  private Arena arena;
  private SegmentFloatVectors vectors;
  private HnswIndex built;
  private HnswIndex mapped;

  private final boolean onHeap;

  /**
   * @param onHeap diagnostic variant "quiver-heap": vectors in a heap array, graph on the heap, no
   *     file
   */
  public QuiverEngine(int m, int efConstruction, Path dir, boolean onHeap) {
    this.m = m;
    this.efConstruction = efConstruction;
    this.dir = dir;
    this.onHeap = onHeap;
  }

  @Override
  public String name() {
    return onHeap ? "quiver-heap" : "quiver";
  }

  @Override
  public void build(Dataset data, int threads) {
    if (onHeap) {
      built =
          HnswIndex.build(
              new HeapFloatVectors(data.base(), data.dim(), data.distance()),
              new HnswParams(m, efConstruction, 42, threads));
      return;
    }
    if (arena == null) {
      arena = Arena.ofShared();
      MemorySegment segment = arena.allocate((long) data.base().length * Float.BYTES, 64);
      MemorySegment.copy(data.base(), 0, segment, LE_FLOAT, 0, data.base().length);
      vectors = new SegmentFloatVectors(segment, 0, data.size(), data.dim(), data.distance());
    }
    built = HnswIndex.build(vectors, new HnswParams(m, efConstruction, 42, threads));
  }

  /** The heap-built index (for engines that reuse the graph, e.g. binary codes). */
  public HnswIndex builtIndex() {
    return built;
  }

  @Override
  public void prepareSearch() throws Exception {
    if (onHeap) {
      return;
    }
    Files.createDirectories(dir);
    Path file = dir.resolve("quiver-" + ProcessHandle.current().pid() + ".qvh");
    built.write(file);
    mapped = HnswIndex.open(file);
    file.toFile().deleteOnExit();
  }

  @Override
  public Searcher searcher() {
    HnswIndex index = mapped != null ? mapped : built;
    HnswIndex searched = index;
    HnswSearcher searcher = new HnswSearcher();
    return (query, k, ef) -> {
      TopHits hits = searched.search(searcher, query, k, ef, OrdFilter.ALL);
      return hits.ords();
    };
  }

  @Override
  public long heapBytes() {
    HnswIndex index = mapped != null ? mapped : built;
    return index.graph().heapBytes() + index.vectors().heapBytes();
  }

  @Override
  public long offHeapBytes() {
    HnswIndex index = mapped != null ? mapped : built;
    return index.graph().offHeapBytes() + index.vectors().offHeapBytes();
  }

  @Override
  public void close() throws Exception {
    if (mapped != null) {
      mapped.close();
    }
    if (arena != null) {
      arena.close();
    }
  }
}
