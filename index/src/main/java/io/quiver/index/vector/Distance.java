package io.quiver.index.vector;

/**
 * The distance functions of a collection, with Qdrant's scoring conventions: Cosine and Dot are
 * similarities (higher is better; Cosine vectors are normalized once, on the way in, so cosine is a
 * dot product), Euclid and Manhattan are distances (lower is better, reported as the distance).
 */
public enum Distance {
  COSINE("Cosine", true),
  DOT("Dot", true),
  EUCLID("Euclid", false),
  MANHATTAN("Manhattan", false);

  private static final VectorKernels KERNELS = VectorizationProvider.kernels();

  private final String qdrantName;
  private final boolean higherIsBetter;

  Distance(String qdrantName, boolean higherIsBetter) {
    this.qdrantName = qdrantName;
    this.higherIsBetter = higherIsBetter;
  }

  /** The name Qdrant's API uses: {@code Cosine}, {@code Dot}, {@code Euclid}, {@code Manhattan}. */
  public String qdrantName() {
    return qdrantName;
  }

  /** Parses Qdrant's name; returns null for an unknown name. */
  public static Distance fromQdrantName(String name) {
    for (Distance d : values()) {
      if (d.qdrantName.equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** True for similarities (Cosine, Dot), false for distances (Euclid, Manhattan). */
  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /**
   * Returns the vector as it is stored and compared: a normalized copy for Cosine (a zero vector
   * stays zero), the same array otherwise.
   */
  public float[] prepare(float[] vector) {
    if (this != COSINE) {
      return vector;
    }
    float norm = (float) Math.sqrt(KERNELS.dot(vector, vector));
    float[] out = new float[vector.length];
    if (norm == 0f) {
      return out;
    }
    for (int i = 0; i < vector.length; i++) {
      out[i] = vector[i] / norm;
    }
    return out;
  }

  /** The score of two prepared vectors, as Qdrant reports it. */
  public float score(float[] a, float[] b) {
    return switch (this) {
      case COSINE, DOT -> KERNELS.dot(a, b);
      case EUCLID -> (float) Math.sqrt(KERNELS.squareDistance(a, b));
      case MANHATTAN -> KERNELS.l1Distance(a, b);
    };
  }

  /** True when score {@code a} ranks before score {@code b}. */
  public boolean isBetter(float a, float b) {
    return higherIsBetter ? a > b : a < b;
  }

  /**
   * Converts an internal similarity (what a {@code VectorScorer} returns: higher is better, the
   * negated squared distance for Euclid, the negated L1 distance for Manhattan) to the score Qdrant
   * reports.
   */
  public float toQdrantScore(float similarity) {
    return switch (this) {
      case COSINE, DOT -> similarity;
      case EUCLID -> (float) Math.sqrt(Math.max(0f, -similarity));
      case MANHATTAN -> -similarity;
    };
  }

  /** The internal similarity of two prepared vectors: higher is better (see toQdrantScore). */
  public float similarity(float[] a, float[] b) {
    return switch (this) {
      case COSINE, DOT -> KERNELS.dot(a, b);
      case EUCLID -> -KERNELS.squareDistance(a, b);
      case MANHATTAN -> -KERNELS.l1Distance(a, b);
    };
  }
}
