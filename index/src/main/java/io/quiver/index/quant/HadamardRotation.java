package io.quiver.index.quant;

import java.util.SplittableRandom;

/**
 * A seeded random orthogonal rotation of R^d, as TurboQuant needs: the vector is padded with zeros
 * to {@code D = 2^ceil(log2 d)} and passed three times through random sign flips followed by the
 * normalized Walsh-Hadamard transform,
 *
 * <pre>
 *   R = (H/√D)·S₃ · (H/√D)·S₂ · (H/√D)·S₁      (S_i diagonal ±1 from the seed)
 * </pre>
 *
 * Each factor is orthogonal, so R preserves norms and inner products; padding is an isometric
 * embedding. Three rounds make the coordinates of a rotated vector close to independent and
 * Gaussian even for sparse or structured inputs, at {@code 3·D·log2 D} additions (the fast
 * transform), instead of the {@code D²} of a dense random matrix. The seed alone rebuilds it.
 * Immutable and thread-safe.
 */
public final class HadamardRotation {

  private static final int ROUNDS = 3;

  private final int dimension;
  private final int padded;
  private final long seed;

  /** ROUNDS sign vectors of length {@link #padded}, as ±1f. */
  private final float[][] signs;

  private final float inverseSqrt;

  public HadamardRotation(int dimension, long seed) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
    }
    this.dimension = dimension;
    this.padded =
        Integer.highestOneBit(dimension) == dimension
            ? dimension
            : Integer.highestOneBit(dimension) << 1;
    this.seed = seed;
    SplittableRandom random = new SplittableRandom(seed);
    signs = new float[ROUNDS][padded];
    for (float[] s : signs) {
      for (int i = 0; i < padded; i++) {
        s[i] = random.nextBoolean() ? 1f : -1f;
      }
    }
    inverseSqrt = (float) (1 / Math.sqrt(padded));
  }

  /** The input dimension d. */
  public int dimension() {
    return dimension;
  }

  /** D: the output dimension, the next power of two >= d. */
  public int paddedDimension() {
    return padded;
  }

  public long seed() {
    return seed;
  }

  /**
   * {@code out = R·in}: {@code in} has d values (read only), {@code out} at least D (overwritten).
   */
  public void rotate(float[] in, float[] out) {
    System.arraycopy(in, 0, out, 0, dimension);
    java.util.Arrays.fill(out, dimension, padded, 0f);
    for (float[] s : signs) {
      for (int i = 0; i < padded; i++) {
        out[i] *= s[i];
      }
      transform(out);
    }
  }

  /**
   * {@code out = Rᵀ·in} truncated to d values: the inverse rotation ({@code in} has D values and is
   * used as scratch, so it is changed).
   */
  public void rotateBack(float[] in, float[] out) {
    for (int r = ROUNDS - 1; r >= 0; r--) {
      transform(in);
      float[] s = signs[r];
      for (int i = 0; i < padded; i++) {
        in[i] *= s[i];
      }
    }
    System.arraycopy(in, 0, out, 0, dimension);
  }

  /** In place: x = H·x / √D over the first D values (H symmetric, so this is its own inverse). */
  private void transform(float[] x) {
    for (int len = 1; len < padded; len <<= 1) {
      for (int i = 0; i < padded; i += len << 1) {
        for (int j = i; j < i + len; j++) {
          float a = x[j];
          float b = x[j + len];
          x[j] = a + b;
          x[j + len] = a - b;
        }
      }
    }
    for (int i = 0; i < padded; i++) {
      x[i] *= inverseSqrt;
    }
  }
}
