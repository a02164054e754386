package io.quiver.storage.multivector;

import io.quiver.index.hnsw.HnswGraph;
import io.quiver.index.multivector.MultiVectors;
import io.quiver.index.multivector.QuantizedMaxSim;

/**
 * An HNSW graph over the multivectors of one contiguous range {@code [from, to)} of a name's store
 * ords: graph ord {@code g} is store ord {@code from + g}; its nodes are the ords that were live
 * when it was built (the others are in its numbering but never linked or visited). It scores
 * through {@code view}, a frozen view of the store's rows of that range. Immutable but for the
 * count of nodes deleted since (under the shard's write lock). Compared by identity.
 *
 * <p>{@code file} is its {@link GraphPartFile} (null when it could not be written: rebuilt at the
 * next open); a part loaded from its file reads the graph from the file's mapping, which {@link
 * #close} releases (under the shard's write lock, when the part is dropped).
 *
 * <p>{@code codes} are its rows quantized as the vector's quantization asks ({@link PartCodes};
 * null: the vector has none), which graph searches traverse with before rescoring from {@code
 * view}.
 */
final class GraphPart {

  private final int from;
  private final int to;
  private final HnswGraph graph;
  private final MultiVectors view;
  private final int nodes;
  private final long rows;
  private final int dim;
  private final java.nio.file.Path file;
  private final AutoCloseable mapping;
  private final QuantizedMaxSim codes;

  /** Nodes whose point was deleted or updated since the build. */
  int deletedNodes;

  GraphPart(
      int from,
      int to,
      HnswGraph graph,
      MultiVectors view,
      int nodes,
      long rows,
      int dim,
      java.nio.file.Path file,
      AutoCloseable mapping,
      QuantizedMaxSim codes) {
    this.codes = codes;
    this.file = file;
    this.mapping = mapping;
    this.from = from;
    this.to = to;
    this.graph = graph;
    this.view = view;
    this.nodes = nodes;
    this.rows = rows;
    this.dim = dim;
  }

  int from() {
    return from;
  }

  int to() {
    return to;
  }

  /** The number of store ords the part covers. */
  int length() {
    return to - from;
  }

  HnswGraph graph() {
    return graph;
  }

  MultiVectors view() {
    return view;
  }

  /** The quantized rows, or null. */
  QuantizedMaxSim codes() {
    return codes;
  }

  /** Graph nodes (ords live at the build). */
  int nodes() {
    return nodes;
  }

  /** The part's file, or null. */
  java.nio.file.Path file() {
    return file;
  }

  /** Releases the file's mapping of a loaded part (its graph must not be read afterwards). */
  void close() {
    if (mapping != null) {
      try {
        mapping.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Bytes of rows of the nodes still live (estimated from the average node), for the full-scan
   * threshold.
   */
  long liveBytes() {
    return nodes == 0 ? 0 : rows * dim * Float.BYTES / nodes * (nodes - deletedNodes);
  }
}
