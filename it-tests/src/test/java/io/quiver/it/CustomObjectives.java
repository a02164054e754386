package io.quiver.it;

/**
 * Qdrant's custom search objectives written out for brute-force oracles in tests ({@code
 * lib/segment/src/vector_storage/query/*.rs}): each score from the similarities of a point to the
 * examples, in float arithmetic in the order the examples are given, as the server computes it. The
 * similarity itself is the vector's own (a dot product, MaxSim, a sparse dot product), computed by
 * the test.
 */
final class CustomObjectives {

  private CustomObjectives() {}

  /**
   * recommend best_score: {@code scaled_fast_sigmoid(max_pos)} when it beats max_neg, else {@code
   * -scaled_fast_sigmoid(max_neg)}.
   */
  static float bestScore(float[] positives, float[] negatives) {
    float maxPositive = Float.NEGATIVE_INFINITY;
    for (float p : positives) {
      maxPositive = Math.max(maxPositive, p);
    }
    float maxNegative = Float.NEGATIVE_INFINITY;
    for (float n : negatives) {
      maxNegative = Math.max(maxNegative, n);
    }
    return maxPositive > maxNegative
        ? scaledFastSigmoid(maxPositive)
        : -scaledFastSigmoid(maxNegative);
  }

  /**
   * recommend sum_scores: the similarities to the positives summed, minus those to the negatives.
   */
  static float sumScores(float[] positives, float[] negatives) {
    float positive = 0f;
    for (float p : positives) {
      positive += p;
    }
    float negative = 0f;
    for (float n : negatives) {
      negative += n;
    }
    return positive - negative;
  }

  /**
   * discover: the context rank (per pair +1, -1 or 0) plus {@code
   * scaled_fast_sigmoid(sim(target))}; {@code pairs[i] = {pos, neg}}.
   */
  static float discover(float target, float[][] pairs) {
    int rank = 0;
    for (float[] p : pairs) {
      rank += Integer.signum(Float.compare(p[0], p[1]));
    }
    return rank + scaledFastSigmoid(target);
  }

  /** context: the sum over pairs of {@code fast_sigmoid(min(pos - neg - EPSILON, 0))}. */
  static float context(float[][] pairs) {
    float sum = 0f;
    for (float[] p : pairs) {
      sum += fastSigmoid(Math.min(p[0] - p[1] - Math.ulp(1f), 0f));
    }
    return sum;
  }

  /** The similarity of a point to each example, in the order given. */
  static float[] sims(
      java.util.List<Object> examples, java.util.function.Function<Object, Float> sim) {
    float[] out = new float[examples.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = sim.apply(examples.get(i));
    }
    return out;
  }

  /**
   * The similarities of a point to each context pair's positive and negative: {@code {pos, neg}}
   * per pair.
   */
  static float[][] pairSims(
      java.util.List<Object[]> pairs, java.util.function.Function<Object, Float> sim) {
    float[][] out = new float[pairs.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new float[] {sim.apply(pairs.get(i)[0]), sim.apply(pairs.get(i)[1])};
    }
    return out;
  }

  private static float fastSigmoid(float x) {
    return x / (1f + Math.abs(x));
  }

  private static float scaledFastSigmoid(float x) {
    return 0.5f * (fastSigmoid(x) + 1f);
  }
}
