package io.quiver.index.quant;

/**
 * The code widths of {@link TurboVectors} (Qdrant's {@code TurboQuantBitSize}): how many levels
 * each rotated coordinate is quantized to, and how many coordinates share one code byte (the byte
 * holds the coordinates' levels as base-{@code levels} digits, so one query table of 256 entries
 * per code byte scores it).
 *
 * <p>{@link #BITS1_5} is ternary: three levels (the Lloyd-Max codebook of N(0,1) at 3 levels,
 * {@code {-1.224, 0, +1.224}}), five coordinates per byte ({@code 3^5 = 243 <= 256}), so 1.6 bits
 * per coordinate stored for log2(3) = 1.58 bits of information: between one and two bits, with a
 * mean squared error of 0.190 against 0.363 (one bit) and 0.118 (two bits).
 */
public enum TurboBits {
  BITS1(2, 8),
  BITS1_5(3, 5),
  BITS2(4, 4),
  BITS4(16, 2);

  private final int levels;
  private final int perByte;
  private volatile GaussianCodebook codebook;

  TurboBits(int levels, int perByte) {
    this.levels = levels;
    this.perByte = perByte;
  }

  /** Number of quantization levels per coordinate. */
  public int levels() {
    return levels;
  }

  /** Coordinates packed into one code byte. */
  public int perByte() {
    return perByte;
  }

  /** Code bytes of a vector with {@code paddedDimension} rotated coordinates. */
  public int codeBytes(int paddedDimension) {
    return (paddedDimension + perByte - 1) / perByte;
  }

  /**
   * The Lloyd-Max codebook of N(0, 1) at {@link #levels()} levels (computed once, on first use).
   */
  public GaussianCodebook codebook() {
    GaussianCodebook c = codebook;
    if (c == null) {
      synchronized (this) {
        c = codebook;
        if (c == null) {
          c = GaussianCodebook.lloydMax(levels);
          codebook = c;
        }
      }
    }
    return c;
  }
}
