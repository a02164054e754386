package io.quiver.index.hnsw;

import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.VectorScorer;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded test vectors (a Gaussian mixture) and the brute-force oracle the HNSW tests use. */
final class TestData {

  private TestData() {}

  /** {@code n} vectors of {@code dim} floats around {@code clusters} random centres. */
  static float[][] clustered(SplittableRandom random, int n, int dim, int clusters) {
    float[][] centres = new float[clusters][dim];
    for (float[] c : centres) {
      for (int d = 0; d < dim; d++) {
        c[d] = (float) (random.nextDouble() * 2 - 1);
      }
    }
    float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) {
      float[] c = centres[random.nextInt(clusters)];
      for (int d = 0; d < dim; d++) {
        out[i][d] = c[d] + (float) (gaussian(random) * 0.3);
      }
    }
    return out;
  }

  static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** The exact top-k ordinals accepted by the filter, by scanning every vector. */
  static int[] exactTopK(FloatVectors vectors, float[] query, int k, OrdFilter accept) {
    VectorScorer scorer = vectors.scorer(query);
    int n = vectors.size();
    long[] packed = new long[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (accept.accept(i)) {
        // Negate so that an ascending sort puts the best first.
        packed[m++] = ((long) sortable(-scorer.score(i)) << 32) | i;
      }
    }
    Arrays.sort(packed, 0, m);
    int[] top = new int[Math.min(k, m)];
    for (int i = 0; i < top.length; i++) {
      top[i] = (int) packed[i];
    }
    return top;
  }

  private static int sortable(float f) {
    int bits = Float.floatToRawIntBits(f);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  /** |found ∩ truth| / |truth|. */
  static double recall(int[] found, int[] truth) {
    if (truth.length == 0) {
      return 1.0;
    }
    int hits = 0;
    for (int t : truth) {
      for (int f : found) {
        if (f == t) {
          hits++;
          break;
        }
      }
    }
    return hits / (double) truth.length;
  }
}
