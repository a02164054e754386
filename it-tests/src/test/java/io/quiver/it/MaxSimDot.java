package io.quiver.it;

/**
 * MaxSim under Dot, the brute-force oracle of the multivector tests: per query row the best dot
 * product with any stored row, summed.
 */
final class MaxSimDot {

  private MaxSimDot() {}

  static double of(float[][] q, float[][] rows) {
    double sum = 0;
    for (float[] qr : q) {
      double best = Double.NEGATIVE_INFINITY;
      for (float[] r : rows) {
        double dot = 0;
        for (int x = 0; x < qr.length; x++) {
          dot += qr[x] * r[x];
        }
        best = Math.max(best, dot);
      }
      sum += best;
    }
    return sum;
  }
}
