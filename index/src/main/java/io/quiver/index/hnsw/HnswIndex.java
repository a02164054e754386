package io.quiver.index.hnsw;

import io.quiver.index.scorer.FloatVectors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HNSW graph together with the float32 vectors it indexes and a set of deleted ordinals: what a
 * sealed segment searches. Searches are thread-safe (each thread uses its own {@link
 * HnswSearcher}); {@link #delete(int)} may run concurrently with them.
 *
 * <p>Deleted ordinals stay in the graph as waypoints and are never returned. They are dropped (and
 * the graph rebuilt without them) when storage merges segments.
 */
public final class HnswIndex implements AutoCloseable {

  private static final ThreadLocal<HnswSearcher> SEARCHERS =
      ThreadLocal.withInitial(HnswSearcher::new);

  private final HnswGraph graph;
  private final FloatVectors vectors;
  private final OrdBitSet deleted;
  private final AutoCloseable resources;
  private final AtomicInteger deletedCount = new AtomicInteger();

  HnswIndex(HnswGraph graph, FloatVectors vectors, AutoCloseable resources) {
    if (graph.size() != vectors.size()) {
      throw new IllegalArgumentException(
          "graph has " + graph.size() + " nodes but there are " + vectors.size() + " vectors");
    }
    this.graph = graph;
    this.vectors = vectors;
    this.deleted = new OrdBitSet(graph.size());
    this.resources = resources;
  }

  /** Builds the graph over all {@code vectors} (on {@code params.threads()} threads). */
  public static HnswIndex build(FloatVectors vectors, HnswParams params) {
    return new HnswIndex(HnswBuilder.build(vectors.supplier(), params), vectors, null);
  }

  /**
   * Builds the graph over all {@code vectors}, asking {@code cancelled} before each node is
   * inserted.
   *
   * @throws BuildCancelledException when {@code cancelled} said true (every builder thread has
   *     stopped)
   */
  public static HnswIndex build(
      FloatVectors vectors, HnswParams params, java.util.function.BooleanSupplier cancelled) {
    return new HnswIndex(HnswBuilder.build(vectors.supplier(), params, cancelled), vectors, null);
  }

  /**
   * Builds the graph over the {@code vectors} that {@code inserted} accepts (see {@link
   * HnswBuilder#build(io.quiver.index.scorer.VectorScorerSupplier, HnswParams,
   * java.util.function.BooleanSupplier, OrdFilter)}).
   */
  public static HnswIndex build(
      FloatVectors vectors,
      HnswParams params,
      java.util.function.BooleanSupplier cancelled,
      OrdFilter inserted) {
    return new HnswIndex(
        HnswBuilder.build(vectors.supplier(), params, cancelled, inserted), vectors, null);
  }

  /** Wraps an already built graph of these vectors. */
  public static HnswIndex of(HnswGraph graph, FloatVectors vectors) {
    return new HnswIndex(graph, vectors, null);
  }

  /**
   * This index's graph held in memory of {@code arena} instead of read from its mapped file (an
   * index whose graph is not mapped returns it as is). The caller closes {@code arena} after this
   * index; the vectors are unchanged.
   */
  public HnswGraph graphIn(java.lang.foreign.Arena arena) {
    return graph instanceof MappedHnswGraph mapped ? mapped.copyTo(arena) : graph;
  }

  /** Opens an index file written by {@link #write(Path)}, mapped, checksum verified. */
  public static HnswIndex open(Path file) throws IOException {
    return HnswFormat.open(file);
  }

  /** Writes graph and vectors to {@code file} in {@link HnswFormat}. Deletes are not written. */
  public void write(Path file) throws IOException {
    HnswFormat.write(file, graph, vectors);
  }

  /**
   * Writes graph and vectors to {@code file}, the vectors stored as {@code datatype} (their values
   * must be exactly representable in it: {@link io.quiver.index.vector.VectorDatatype#round}).
   */
  public void write(Path file, io.quiver.index.vector.VectorDatatype datatype) throws IOException {
    HnswFormat.write(file, graph, vectors, datatype);
  }

  public HnswGraph graph() {
    return graph;
  }

  public FloatVectors vectors() {
    return vectors;
  }

  /** Marks {@code ord} deleted; returns true if it was live. */
  public boolean delete(int ord) {
    if (deleted.set(ord)) {
      deletedCount.incrementAndGet();
      return true;
    }
    return false;
  }

  public boolean isDeleted(int ord) {
    return deleted.get(ord);
  }

  /** The number of deleted ordinals. */
  public int deletedCount() {
    return deletedCount.get();
  }

  /**
   * The {@code k} nearest live vectors accepted by {@code filter}, best first, with internal
   * similarities (see {@code Distance.toQdrantScore}). {@code query} must be prepared for the
   * distance. Uses the calling thread's searcher.
   */
  public TopHits search(float[] query, int k, int ef, OrdFilter filter) {
    return search(SEARCHERS.get(), query, k, ef, filter);
  }

  /** As {@link #search(float[], int, int, OrdFilter)} with the caller's searcher. */
  public TopHits search(HnswSearcher searcher, float[] query, int k, int ef, OrdFilter filter) {
    OrdFilter accept = filter;
    if (deletedCount.get() > 0) {
      accept = deleted.absent().and(filter);
    }
    return searcher.search(graph, vectors.scorer(query), k, ef, accept);
  }

  /** Releases the mapped file, if any. Searching afterwards throws IllegalStateException. */
  @Override
  public void close() throws IOException {
    if (resources != null) {
      try {
        resources.close();
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
  }
}
