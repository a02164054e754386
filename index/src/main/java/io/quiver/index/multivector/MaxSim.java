package io.quiver.index.multivector;

import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorKernels;
import io.quiver.index.vector.VectorizationProvider;

/**
 * The MaxSim comparator over flat multivectors: rows of {@code dim} floats, one after another,
 * prepared for the distance (normalized for Cosine).
 *
 * <p>{@link #score} is the score Qdrant reports: for Cosine and Dot the sum over query rows of the
 * largest similarity to any stored row; for Euclid and Manhattan the sum over query rows of the
 * smallest distance (lower is better, like the distance itself). Sums are taken in double and
 * rounded once, so the score does not depend on the order rows are visited in.
 *
 * <p>Cost: {@code queryRows x storedRows} kernel calls of {@code dim} floats. Stateless and
 * thread-safe.
 */
public final class MaxSim {

  private static final VectorKernels KERNELS = VectorizationProvider.kernels();

  private MaxSim() {}

  /**
   * The MaxSim score of the query rows against {@code count} stored rows starting at float {@code
   * offset} of {@code data}.
   */
  public static float score(
      Distance distance, float[][] query, float[] data, int offset, int count, int dim) {
    double sum = 0;
    for (float[] q : query) {
      float best = distance.higherIsBetter() ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
      for (int r = 0; r < count; r++) {
        float s = rowScore(distance, q, data, offset + r * dim);
        if (distance.isBetter(s, best)) {
          best = s;
        }
      }
      sum += best;
    }
    return (float) sum;
  }

  /**
   * {@link #score} with both multivectors flat ({@code query.length} a multiple of {@code dim}).
   */
  public static float score(Distance distance, float[] query, float[] stored, int dim) {
    return score(distance, rows(query, dim), stored, 0, stored.length / dim, dim);
  }

  /**
   * The MaxSim score as a similarity: higher is better whatever the distance (the graph's
   * convention).
   */
  public static float similarity(
      Distance distance, float[][] query, float[] data, int offset, int count, int dim) {
    float s = score(distance, query, data, offset, count, dim);
    return distance.higherIsBetter() ? s : -s;
  }

  /**
   * The similarity between two multivectors that the HNSW graph links points by: symmetric and
   * independent of row counts (the Chamfer similarity). The mean over {@code a}'s rows of the best
   * row score in {@code b} and the mean over {@code b}'s rows of the best in {@code a}, averaged,
   * as a similarity (negated for Euclid and Manhattan). Plain MaxSim (a sum over the query side's
   * rows) is neither: the builder's neighbour selection compares a candidate's score to the new
   * node with its score to a kept neighbour, i.e. sums over different rows, which pruned links to
   * points with many rows until ~9% of the nodes had no inbound link (MaxSimTest). Both directions
   * come from one pass over the {@code |a| x |b|} row scores; {@code columns} is scratch of at
   * least {@code count} floats.
   */
  public static float nodeSimilarity(
      Distance distance,
      float[][] a,
      float[] data,
      int offset,
      int count,
      int dim,
      float[] columns) {
    boolean higher = distance.higherIsBetter();
    float worst = higher ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
    java.util.Arrays.fill(columns, 0, count, worst);
    double sumA = 0;
    for (float[] q : a) {
      float best = worst;
      for (int r = 0; r < count; r++) {
        float s = rowScore(distance, q, data, offset + r * dim);
        if (distance.isBetter(s, best)) {
          best = s;
        }
        if (distance.isBetter(s, columns[r])) {
          columns[r] = s;
        }
      }
      sumA += best;
    }
    double sumB = 0;
    for (int r = 0; r < count; r++) {
      sumB += columns[r];
    }
    double mean = 0.5 * (sumA / a.length + sumB / count);
    return (float) (higher ? mean : -mean);
  }

  /**
   * The similarity Qdrant's custom objectives (recommend {@code best_score} and {@code sum_scores},
   * discover, context) compare a multivector example with a point by: the sum over the example's
   * rows of the best internal similarity ({@link Distance#similarity}: the dot product for Cosine
   * and Dot, the negated squared distance for Euclid, the negated L1 distance for Manhattan) to any
   * of the {@code count} stored rows at float {@code offset} of {@code data}. Higher is better;
   * summed in double and rounded once, as {@link #score}.
   */
  public static float exampleSimilarity(
      Distance distance, float[][] example, float[] data, int offset, int count, int dim) {
    double sum = 0;
    for (float[] q : example) {
      float best = Float.NEGATIVE_INFINITY;
      for (int r = 0; r < count; r++) {
        int at = offset + r * dim;
        float s =
            switch (distance) {
              case COSINE, DOT -> KERNELS.dot(q, data, at);
              case EUCLID -> -KERNELS.squareDistance(q, data, at);
              case MANHATTAN -> -KERNELS.l1Distance(q, data, at);
            };
        if (s > best) {
          best = s;
        }
      }
      sum += best;
    }
    return (float) sum;
  }

  /** Splits a flat multivector into its rows (copies). */
  public static float[][] rows(float[] flat, int dim) {
    if (dim <= 0 || flat.length == 0 || flat.length % dim != 0) {
      throw new IllegalArgumentException(
          "a multivector of " + flat.length + " floats is not rows of " + dim);
    }
    float[][] out = new float[flat.length / dim][];
    for (int i = 0; i < out.length; i++) {
      out[i] = java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
    }
    return out;
  }

  /** Prepares every row of a flat multivector for the distance (a normalized copy for Cosine). */
  public static float[] prepare(Distance distance, float[] flat, int dim) {
    if (distance != Distance.COSINE) {
      return flat;
    }
    float[] out = new float[flat.length];
    for (int i = 0; i < flat.length; i += dim) {
      float[] row = distance.prepare(java.util.Arrays.copyOfRange(flat, i, i + dim));
      System.arraycopy(row, 0, out, i, dim);
    }
    return out;
  }

  /**
   * {@link #score} over {@code count} rows at byte {@code offset} of {@code data} (little-endian
   * float32, e.g. mapped).
   */
  public static float score(
      Distance distance,
      float[][] query,
      java.lang.foreign.MemorySegment data,
      long offset,
      int count,
      int dim) {
    double sum = 0;
    long rowBytes = (long) dim * Float.BYTES;
    for (float[] q : query) {
      float best = distance.higherIsBetter() ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
      for (int r = 0; r < count; r++) {
        float s = rowScore(distance, q, data, offset + r * rowBytes);
        if (distance.isBetter(s, best)) {
          best = s;
        }
      }
      sum += best;
    }
    return (float) sum;
  }

  /** {@link #nodeSimilarity} over rows at byte {@code offset} of {@code data}. */
  public static float nodeSimilarity(
      Distance distance,
      float[][] a,
      java.lang.foreign.MemorySegment data,
      long offset,
      int count,
      int dim,
      float[] columns) {
    boolean higher = distance.higherIsBetter();
    float worst = higher ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
    java.util.Arrays.fill(columns, 0, count, worst);
    long rowBytes = (long) dim * Float.BYTES;
    double sumA = 0;
    for (float[] q : a) {
      float best = worst;
      for (int r = 0; r < count; r++) {
        float s = rowScore(distance, q, data, offset + r * rowBytes);
        if (distance.isBetter(s, best)) {
          best = s;
        }
        if (distance.isBetter(s, columns[r])) {
          columns[r] = s;
        }
      }
      sumA += best;
    }
    double sumB = 0;
    for (int r = 0; r < count; r++) {
      sumB += columns[r];
    }
    double mean = 0.5 * (sumA / a.length + sumB / count);
    return (float) (higher ? mean : -mean);
  }

  /** {@link #exampleSimilarity} over rows at byte {@code offset} of {@code data}. */
  public static float exampleSimilarity(
      Distance distance,
      float[][] example,
      java.lang.foreign.MemorySegment data,
      long offset,
      int count,
      int dim) {
    double sum = 0;
    long rowBytes = (long) dim * Float.BYTES;
    for (float[] q : example) {
      float best = Float.NEGATIVE_INFINITY;
      for (int r = 0; r < count; r++) {
        long at = offset + r * rowBytes;
        float s =
            switch (distance) {
              case COSINE, DOT -> KERNELS.dot(q, data, at);
              case EUCLID -> -KERNELS.squareDistance(q, data, at);
              case MANHATTAN -> -KERNELS.l1Distance(q, data, at);
            };
        if (s > best) {
          best = s;
        }
      }
      sum += best;
    }
    return (float) sum;
  }

  private static float rowScore(
      Distance distance, float[] q, java.lang.foreign.MemorySegment data, long offset) {
    return switch (distance) {
      case COSINE, DOT -> KERNELS.dot(q, data, offset);
      case EUCLID -> (float) Math.sqrt(KERNELS.squareDistance(q, data, offset));
      case MANHATTAN -> KERNELS.l1Distance(q, data, offset);
    };
  }

  private static float rowScore(Distance distance, float[] q, float[] data, int offset) {
    return switch (distance) {
      case COSINE, DOT -> KERNELS.dot(q, data, offset);
      case EUCLID -> (float) Math.sqrt(KERNELS.squareDistance(q, data, offset));
      case MANHATTAN -> KERNELS.l1Distance(q, data, offset);
    };
  }
}
