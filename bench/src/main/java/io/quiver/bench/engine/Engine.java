package io.quiver.bench.engine;

import io.quiver.bench.Dataset;

/**
 * One ANN implementation under benchmark. The benchmark calls {@link #build} once per thread count
 * (1, then 2: the last build is the one searched), then {@link #searcher()} once per search thread.
 */
public interface Engine extends AutoCloseable {

  /**
   * The engine's name in the report: quiver, quiver-int8, quiver-binary, lucene, jvector, exact.
   */
  String name();

  /**
   * Builds the index over {@code data.base()} with {@code threads} threads, replacing any previous
   * one.
   */
  void build(Dataset data, int threads) throws Exception;

  /** Called once after the last build, outside the timed region (e.g. write and map a file). */
  default void prepareSearch() throws Exception {}

  /** A searcher for one thread. */
  Searcher searcher() throws Exception;

  /** Bytes of the built index (vectors + graph + codes) on the Java heap. */
  long heapBytes();

  /** Bytes of the built index outside the heap (mapped files, native memory). */
  long offHeapBytes();

  /** True when ef does not apply (exact scan): the benchmark runs one ef only. */
  default boolean exact() {
    return false;
  }

  @Override
  default void close() throws Exception {}

  /** Searches for one thread; not thread-safe. */
  interface Searcher {
    /**
     * The ordinals of the {@code k} nearest base vectors found with beam width {@code ef}, best
     * first.
     */
    int[] search(float[] query, int k, int ef) throws Exception;
  }
}
