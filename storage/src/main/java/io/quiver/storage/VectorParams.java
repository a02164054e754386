package io.quiver.storage;

import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;
import java.util.Objects;

/**
 * One named vector of a collection: its dimension and distance, whether sealed segments keep it in
 * mapped files ({@code onDisk}) or on the heap, its own HNSW and quantization settings (null: the
 * collection's), the datatype its values are stored with ({@code datatype}; null: not given, stored
 * as float32 and reported as absent, as Qdrant does), and Qdrant's {@code memory} placement of the
 * stored vectors (null: not given; it overrides {@code onDisk} when given: see {@link
 * #placement()}).
 */
public record VectorParams(
    int size,
    Distance distance,
    boolean onDisk,
    HnswConfig hnsw,
    QuantizationConfig quantization,
    VectorDatatype datatype,
    Memory memory) {

  /** The largest dimension accepted; Qdrant's limit is 65,536. */
  public static final int MAX_SIZE = 65_536;

  public VectorParams {
    Objects.requireNonNull(distance, "distance");
    if (size < 1 || size > MAX_SIZE) {
      throw new IllegalArgumentException(
          "vector size must be in [1, " + MAX_SIZE + "], got " + size);
    }
  }

  /**
   * True for uint8 Cosine vectors: stored as given (integers 0..255 cannot be normalized, and
   * Qdrant stores the bytes as sent), scored as {@code dot(q, v) / (|q| |v|)}; every other Cosine
   * vector is stored normalized.
   */
  public boolean storedAsGiven() {
    return distance == Distance.COSINE && datatype == VectorDatatype.UINT8;
  }

  /**
   * A vector as these params store it: prepared for the distance ({@link Distance#prepare}: a
   * normalized copy for Cosine) unless {@link #storedAsGiven()}; float16 rounding is the caller's.
   */
  public float[] prepareStored(float[] vector) {
    return storedAsGiven() ? vector : distance.prepare(vector);
  }

  /** A vector without a memory placement (its {@code onDisk} decides). */
  public VectorParams(
      int size,
      Distance distance,
      boolean onDisk,
      HnswConfig hnsw,
      QuantizationConfig quantization,
      VectorDatatype datatype) {
    this(size, distance, onDisk, hnsw, quantization, datatype, null);
  }

  /**
   * How sealed indexed segments hold these vectors: the {@code memory} given, else {@link
   * Memory#COLD} for {@code on_disk: true}, else null: Quiver's default, a copy in process memory
   * made at open (what {@code on_disk: false} has always done; Qdrant refuses {@code pinned} as a
   * setting for dense vectors, so the copy has no name of its own).
   */
  public Memory placement() {
    return memory != null ? memory : onDisk ? Memory.COLD : null;
  }

  /** These params with another memory placement (null: none given). */
  public VectorParams withMemory(Memory newMemory) {
    return new VectorParams(size, distance, onDisk, hnsw, quantization, datatype, newMemory);
  }

  /** These params with other HNSW settings (null: the collection's). */
  public VectorParams withHnsw(HnswConfig newHnsw) {
    return new VectorParams(size, distance, onDisk, newHnsw, quantization, datatype, memory);
  }

  /** A vector stored as float32 unless it says otherwise. */
  public VectorParams(
      int size,
      Distance distance,
      boolean onDisk,
      HnswConfig hnsw,
      QuantizationConfig quantization) {
    this(size, distance, onDisk, hnsw, quantization, null);
  }

  /** The datatype the values are stored with: float32 when none was given. */
  public VectorDatatype storedDatatype() {
    return datatype == null ? VectorDatatype.FLOAT32 : datatype;
  }

  /** These params with another quantization (null: the collection's). */
  public VectorParams withQuantization(QuantizationConfig newQuantization) {
    return new VectorParams(size, distance, onDisk, hnsw, newQuantization, datatype, memory);
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
