package io.quiver.storage;

import java.util.Objects;

/**
 * A dense vector name whose points hold a list of vectors (Qdrant's {@code VectorParams} with
 * {@code multivector_config}): {@code vector} gives each row's size, distance, {@code on_disk},
 * HNSW settings, quantization (each row quantized: the graph parts' codes) and datatype (rows are
 * validated and rounded as a dense vector of that datatype is: uint8 integers 0..255, float16
 * halves), {@code comparator} how two lists compare.
 */
public record MultiVectorParams(VectorParams vector, Comparator comparator) {

  /** The most rows one point's multivector may have. */
  public static final int MAX_ROWS = 4_096;

  /** Qdrant's {@code MultiVectorComparator} (lower case in JSON). */
  public enum Comparator {
    MAX_SIM
  }

  public MultiVectorParams {
    Objects.requireNonNull(vector, "vector");
    Objects.requireNonNull(comparator, "comparator");
    if (vector.storedAsGiven()) {
      // Rows are stored normalized for Cosine, which integers 0..255 cannot be (dense uint8 Cosine
      // vectors are stored as given and scored by their norms; multivector rows are not yet).
      throw new BadRequestException(
          "Wrong input: `datatype`: uint8 multivectors cannot use the Cosine distance in"
              + " Quiver yet; use Dot, Euclid or Manhattan, or datatype float16");
    }
  }

  /** The size of one row. */
  public int size() {
    return vector.size();
  }

  public io.quiver.index.vector.Distance distance() {
    return vector.distance();
  }
}
