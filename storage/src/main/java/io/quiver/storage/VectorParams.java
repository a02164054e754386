package io.quiver.storage;

import io.quiver.index.vector.Distance;
import java.util.Objects;

/**
 * One named vector of a collection: its dimension and distance, whether sealed segments keep it
 * in mapped files ({@code onDisk}) or on the heap, and its own HNSW and quantization settings
 * (null: the collection's).
 */
public record VectorParams(int size, Distance distance, boolean onDisk, HnswConfig hnsw, QuantizationConfig quantization) {

  /** The largest dimension accepted; Qdrant's limit is 65,536. */
  public static final int MAX_SIZE = 65_536;

  public VectorParams {
    Objects.requireNonNull(distance, "distance");
    if (size < 1 || size > MAX_SIZE) {
      throw new IllegalArgumentException("vector size must be in [1, " + MAX_SIZE + "], got " + size);
    }
  }

  /** A vector with the collection's quantization (if any). */
  public VectorParams(int size, Distance distance, boolean onDisk, HnswConfig hnsw) {
    this(size, distance, onDisk, hnsw, null);
  }

  /** A vector with the collection's HNSW settings. */
  public VectorParams(int size, Distance distance, boolean onDisk) {
    this(size, distance, onDisk, null);
  }
}
