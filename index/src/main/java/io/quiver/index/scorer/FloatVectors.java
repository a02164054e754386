package io.quiver.index.scorer;

import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;

/**
 * A read-only store of vectors (float32, or narrower: {@link #datatype()}) of one dimension, addressed by ordinal, that makes scorers
 * for one {@link Distance}. Vectors are stored prepared ({@link Distance#prepare(float[])}, i.e.
 * normalized for Cosine). Implementations are thread-safe for reads; the scorers they make are not.
 */
public interface FloatVectors {

  /** Number of vectors. */
  int size();

  /** Number of dimensions of every vector. */
  int dimension();

  /** The distance scores are computed with. */
  Distance distance();

  /**
   * The element type the vectors are stored with; {@link #copyVector} gives them as floats
   * (exactly: every stored value is a float).
   */
  default VectorDatatype datatype() {
    return VectorDatatype.FLOAT32;
  }

  /** Copies vector {@code ord} into {@code out} (length {@link #dimension()}). */
  void copyVector(int ord, float[] out);

  /**
   * A scorer against {@code query}, which must already be prepared for the distance
   * ({@link Distance#prepare(float[])}) and have {@link #dimension()} elements. The array is not
   * copied: do not change it while the scorer is in use.
   */
  VectorScorer scorer(float[] query);

  /** A supplier of scorers between stored vectors, for graph building. */
  VectorScorerSupplier supplier();

  /** Bytes these vectors occupy on the Java heap. */
  long heapBytes();

  /** Bytes these vectors occupy outside the Java heap (mapped or native memory). */
  long offHeapBytes();
}
