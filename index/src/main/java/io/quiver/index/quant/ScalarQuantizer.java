package io.quiver.index.quant;

import io.quiver.index.scorer.FloatVectors;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Maps floats to signed bytes with one global range: {@code code = round((x - lower) / alpha) -
 * 128} clamped to [-128, 127], {@code alpha = (upper - lower) / 255}. The range comes from
 * quantiles of a sample of all values (Lucene's approach), so a few outliers do not waste the 256
 * levels. Values already on a 256-level grid (e.g. 8-bit pixels) quantize losslessly. Immutable.
 */
public final class ScalarQuantizer {

  private final float lower;
  private final float alpha;

  public ScalarQuantizer(float lower, float upper) {
    if (!(upper >= lower)) {
      throw new IllegalArgumentException("upper " + upper + " < lower " + lower);
    }
    this.lower = lower;
    this.alpha = upper == lower ? 1f : (upper - lower) / 255f;
  }

  private ScalarQuantizer(float lower, float alpha, boolean step) {
    this.lower = lower;
    this.alpha = alpha;
  }

  /**
   * The quantizer with this lower bound and step (as {@link #lower()} and {@link #alpha()} report
   * them).
   */
  static ScalarQuantizer ofStep(float lower, float alpha) throws java.io.IOException {
    if (!(alpha > 0) || !Float.isFinite(lower)) {
      throw new java.io.IOException("corrupt scalar quantizer: lower " + lower + ", step " + alpha);
    }
    return new ScalarQuantizer(lower, alpha, true);
  }

  /**
   * Fits the range to the {@code (1 - confidence) / 2} and {@code (1 + confidence) / 2} quantiles
   * of up to 1M values sampled (seeded) from {@code vectors}. Cost: O(sample log sample).
   */
  public static ScalarQuantizer fit(FloatVectors vectors, double confidence, long seed) {
    int dim = vectors.dimension();
    int n = vectors.size();
    int sampleVectors = Math.max(1, Math.min(n, 1_000_000 / dim));
    float[] sample = new float[sampleVectors * dim];
    float[] v = new float[dim];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < sampleVectors; i++) {
      vectors.copyPrepared(sampleVectors == n ? i : random.nextInt(n), v);
      System.arraycopy(v, 0, sample, i * dim, dim);
    }
    Arrays.sort(sample);
    double tail = (1 - confidence) / 2;
    int lo = (int) Math.floor(tail * (sample.length - 1));
    int hi = (int) Math.ceil((1 - tail) * (sample.length - 1));
    return new ScalarQuantizer(sample[lo], sample[hi]);
  }

  public float lower() {
    return lower;
  }

  /** The width of one quantization step. */
  public float alpha() {
    return alpha;
  }

  /** The value code -128 stands for, shifted so that {@code x ≈ offset() + alpha() * code}. */
  public float offset() {
    return lower + 128 * alpha;
  }

  /** Quantizes {@code v} into {@code out} and returns the sum of the codes. */
  public int quantize(float[] v, byte[] out) {
    int sum = 0;
    float inv = 1f / alpha;
    for (int i = 0; i < v.length; i++) {
      int code = Math.round((v[i] - lower) * inv) - 128;
      code = Math.max(-128, Math.min(127, code));
      out[i] = (byte) code;
      sum += code;
    }
    return sum;
  }
}
