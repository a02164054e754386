package io.quiver.index.scorer;

import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;

/**
 * A read-only store of vectors (float32, or narrower: {@link #datatype()}) of one dimension,
 * addressed by ordinal, that makes scorers for one {@link Distance}. Vectors are stored prepared
 * ({@link Distance#prepare(float[])}, i.e. normalized for Cosine), except Cosine vectors stored as
 * given ({@link #storedAsGiven()}: uint8, which integers cannot be normalized; their scorers divide
 * by each stored vector's norm). Implementations are thread-safe for reads; the scorers they make
 * are not.
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

  /** Copies vector {@code ord}, as stored, into {@code out} (length {@link #dimension()}). */
  void copyVector(int ord, float[] out);

  /**
   * True when Cosine vectors are stored as given, not normalized (uint8 Cosine, as Qdrant stores
   * it): scorers compute {@code dot(query, v) / |v|}, and {@link #copyPrepared} normalizes.
   */
  default boolean storedAsGiven() {
    return false;
  }

  /**
   * Copies vector {@code ord} as it is compared: prepared for the distance ({@link
   * Distance#prepare(float[])}). The same as {@link #copyVector} unless {@link #storedAsGiven()},
   * when it is the normalized stored vector (what quantizers train on and graph builds query with).
   */
  default void copyPrepared(int ord, float[] out) {
    copyVector(ord, out);
    if (storedAsGiven()) {
      normalizeInPlace(out);
    }
  }

  /**
   * Divides {@code v} by its norm (a zero vector stays zero), as {@link Distance#prepare(float[])}
   * does.
   */
  static void normalizeInPlace(float[] v) {
    float norm =
        (float) Math.sqrt(io.quiver.index.vector.VectorizationProvider.kernels().dot(v, v));
    if (norm == 0f) {
      return;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = v[i] / norm;
    }
  }

  /**
   * A scorer against {@code query}, which must already be prepared for the distance ({@link
   * Distance#prepare(float[])}) and have {@link #dimension()} elements. The array is not copied: do
   * not change it while the scorer is in use.
   */
  VectorScorer scorer(float[] query);

  /** A supplier of scorers between stored vectors, for graph building. */
  VectorScorerSupplier supplier();

  /** Bytes these vectors occupy on the Java heap. */
  long heapBytes();

  /** Bytes these vectors occupy outside the Java heap (mapped or native memory). */
  long offHeapBytes();
}
