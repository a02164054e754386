package io.quiver.bench.engine;

import io.quiver.bench.Dataset;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.hnsw.HnswSearcher;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.scorer.HeapFloatVectors;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Quiver's float32 HNSW. Built on the heap; then written in the on-disk format and searched
 * straight from the memory-mapped file (graph and vectors off-heap), as a sealed segment is.
 */
public final class QuiverEngine implements Engine {

  private final int m;
  private final int efConstruction;
  private final Path dir;
  private HeapFloatVectors vectors;
  private HnswIndex built;
  private HnswIndex mapped;

  public QuiverEngine(int m, int efConstruction, Path dir) {
    this.m = m;
    this.efConstruction = efConstruction;
    this.dir = dir;
  }

  @Override
  public String name() {
    return "quiver";
  }

  @Override
  public void build(Dataset data, int threads) {
    vectors = new HeapFloatVectors(data.base(), data.dim(), data.distance());
    built = HnswIndex.build(vectors, new HnswParams(m, efConstruction, 42, threads));
  }

  /** The heap-built index (for engines that reuse the graph, e.g. binary codes). */
  public HnswIndex builtIndex() {
    return built;
  }

  @Override
  public void prepareSearch() throws Exception {
    if (Boolean.getBoolean("quiver.bench.heap")) { // diagnostic: search the heap-built index instead
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
    HnswSearcher searcher = new HnswSearcher();
    return (query, k, ef) -> {
      TopHits hits = index.search(searcher, query, k, ef, OrdFilter.ALL);
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
  }
}
