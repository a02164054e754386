package io.quiver.index.quant;

import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.scorer.VectorScorerSupplier;
import io.quiver.index.vector.Distance;

/**
 * TurboQuant codes (Zandieh et al. 2025, "TurboQuant: online vector quantization with near-optimal
 * distortion rate"): a random rotation makes every coordinate of a unit vector follow the same
 * known, concentrated distribution (close to N(0, 1/D)), so each coordinate is quantized on its own
 * with a precomputed optimal scalar codebook for that distribution ({@link GaussianCodebook}), with
 * no training on the data beyond a mean. Per vector:
 *
 * <pre>
 *   r = x - mean                      (centring: the common part of the data costs no bits)
 *   u = R·r / |r|                     (R: {@link HadamardRotation}, seeded; u in R^D, |u| = 1)
 *   c_j = nearest level to u_j·√D     (codebook at 1, 1.6, 2 or 4 bits: {@link TurboBits})
 *   ĉ_j = centroid(c_j),  s = |r| · √D / Σ_j ĉ_j·(u_j·√D)
 * </pre>
 *
 * The scale s makes the inner-product estimate below unbiased, as RaBitQ's estimator {@code <o,q> ≈
 * <ō,q>/<ō,o>} does: the codebook's reconstruction alone shrinks every inner product by {@code
 * <û,u>} (2/π at one bit: the bias TurboQuant's paper notes for its MSE quantizer), which would
 * rank Euclidean neighbours by a distance that favours short vectors. With s, {@code r·r} is
 * estimated exactly. {@link #decode} still returns the MSE-optimal reconstruction (the projection
 * of {@code R·r} on {@code ĉ}, {@code |r|²/(s·|ĉ|²)·ĉ}, from the stored s and {@code |r|²}).
 *
 * <p>A query is scored asymmetrically: it stays float, is centred (Euclid) and rotated once ({@code
 * t' = R·t}), and one table per code byte holds Σ ĉ·t' for every byte value, so a code costs one
 * lookup per byte (D/8 at 1 bit, D/2 at 4 bits), as product quantization's ADC does:
 *
 * <pre>
 *   r·t ≈ s · Σ_j ĉ_j t'_j
 *   Euclid: -|x - q|² = -(|r|² + |t|² - 2 r·t)      (t = q - mean; |r|² stored per vector)
 *   Dot, Cosine: x·q = r·q + mean·q                  (t = q)
 * </pre>
 *
 * Manhattan is not rotation-invariant, so these codes cannot estimate it: refused. Thread-safe for
 * reads; the scorers are not.
 */
public final class TurboVectors implements QuantizedVectors {

  private final TurboBits bits;
  private final HadamardRotation rotation;
  private final float[] centroids;
  private final float[] mean;
  private final Distance distance;
  private final int size;
  private final int bytes;
  private final byte[] codes;

  /** s per vector: r·t ≈ s·Σ ĉ_j (R·t)_j. */
  private final float[] scale;

  /** |r|² per vector. */
  private final float[] normSq;

  private TurboVectors(
      TurboBits bits,
      HadamardRotation rotation,
      float[] centroids,
      float[] mean,
      Distance distance,
      int size,
      byte[] codes,
      float[] scale,
      float[] normSq) {
    this.bits = bits;
    this.rotation = rotation;
    this.centroids = centroids;
    this.mean = mean;
    this.distance = distance;
    this.size = size;
    this.bytes = bits.codeBytes(rotation.paddedDimension());
    this.codes = codes;
    this.scale = scale;
    this.normSq = normSq;
  }

  /**
   * Encodes every vector of {@code vectors} at {@code bits} with the rotation of {@code seed}. Two
   * passes (the mean, then the codes), {@code O(D log D)} per vector.
   *
   * @throws IllegalArgumentException for Manhattan
   */
  public static TurboVectors quantize(FloatVectors vectors, TurboBits bits, long seed) {
    if (vectors.distance() == Distance.MANHATTAN) {
      throw new IllegalArgumentException(
          "turbo quantization supports Euclid, Dot and Cosine, not Manhattan");
    }
    int dim = vectors.dimension();
    int size = vectors.size();
    float[] v = new float[dim];
    double[] sum = new double[dim];
    for (int i = 0; i < size; i++) {
      vectors.copyPrepared(i, v);
      for (int d = 0; d < dim; d++) {
        sum[d] += v[d];
      }
    }
    float[] mean = new float[dim];
    for (int d = 0; d < dim; d++) {
      mean[d] = (float) (sum[d] / Math.max(1, size));
    }
    HadamardRotation rotation = new HadamardRotation(dim, seed);
    GaussianCodebook codebook = bits.codebook();
    int bytes = bits.codeBytes(rotation.paddedDimension());
    byte[] codes = new byte[Math.multiplyExact(size, bytes)];
    float[] scale = new float[size];
    float[] normSq = new float[size];
    Encoder encoder = new Encoder(bits, rotation, codebook, mean);
    for (int i = 0; i < size; i++) {
      vectors.copyPrepared(i, v);
      encoder.encode(v, codes, i * bytes);
      scale[i] = encoder.scale;
      normSq[i] = encoder.normSq;
    }
    return new TurboVectors(
        bits, rotation, codebook.centroids(), mean, vectors.distance(), size, codes, scale, normSq);
  }

  /** Encodes one vector; holds the per-vector outputs of its last call (reused scratch). */
  private static final class Encoder {
    private final TurboBits bits;
    private final HadamardRotation rotation;
    private final GaussianCodebook codebook;
    private final float[] mean;
    private final float[] centred;
    private final float[] rotated;
    float scale;
    float normSq;

    Encoder(TurboBits bits, HadamardRotation rotation, GaussianCodebook codebook, float[] mean) {
      this.bits = bits;
      this.rotation = rotation;
      this.codebook = codebook;
      this.mean = mean;
      this.centred = new float[mean.length];
      this.rotated = new float[rotation.paddedDimension()];
    }

    void encode(float[] v, byte[] out, int at) {
      double sq = 0;
      for (int d = 0; d < v.length; d++) {
        centred[d] = v[d] - mean[d];
        sq += (double) centred[d] * centred[d];
      }
      normSq = (float) sq;
      rotation.rotate(centred, rotated);
      int padded = rotation.paddedDimension();
      double norm = Math.sqrt(sq);
      float toUnit = norm == 0 ? 0f : (float) (Math.sqrt(padded) / norm);
      int levels = bits.levels();
      int perByte = bits.perByte();
      double dotZc = 0;
      for (int b = 0, j = 0; j < padded; b++) {
        int code = 0;
        int weight = 1;
        for (int k = 0; k < perByte && j < padded; k++, j++) {
          float z = rotated[j] * toUnit;
          int level = codebook.quantize(z);
          float c = codebook.centroid(level);
          dotZc += (double) z * c;
          code += level * weight;
          weight *= levels;
        }
        out[at + b] = (byte) code;
      }
      // s = |r|·√D / Σ ĉ·z (z = u·√D): r·t ≈ s·Σ ĉ_j t'_j, exact for t = r. Σ ĉ·z > 0: a
      // coordinate's nearest centroid has its sign or is 0.
      scale = norm == 0 || dotZc <= 0 ? 0f : (float) (norm * Math.sqrt(padded) / dotZc);
    }
  }

  public TurboBits bits() {
    return bits;
  }

  /** The rotation the codes were made with (its seed is stored with them). */
  public HadamardRotation rotation() {
    return rotation;
  }

  @Override
  public int size() {
    return size;
  }

  /** The vector code {@code ord} stands for (its reconstruction), in the prepared space. */
  public float[] decode(int ord) {
    float[] rotated = new float[rotation.paddedDimension()];
    decodeRotated(ord, rotated);
    float[] out = new float[mean.length];
    rotation.rotateBack(rotated, out);
    for (int d = 0; d < out.length; d++) {
      out[d] += mean[d];
    }
    return out;
  }

  /**
   * The MSE-optimal centred reconstruction of vector {@code ord} in the rotated space (D values):
   * the projection of R·r on ĉ, {@code (R·r·ĉ)/|ĉ|² · ĉ = |r|²/(s·|ĉ|²) · ĉ}.
   */
  private void decodeRotated(int ord, float[] out) {
    int levels = bits.levels();
    int perByte = bits.perByte();
    int padded = rotation.paddedDimension();
    int at = ord * bytes;
    double cc = 0;
    for (int b = 0, j = 0; j < padded; b++) {
      int code = codes[at + b] & 0xff;
      for (int k = 0; k < perByte && j < padded; k++, j++) {
        out[j] = centroids[code % levels];
        cc += (double) out[j] * out[j];
        code /= levels;
      }
    }
    float coefficient = scale[ord] == 0 || cc == 0 ? 0f : (float) (normSq[ord] / (scale[ord] * cc));
    for (int j = 0; j < padded; j++) {
      out[j] *= coefficient;
    }
  }

  void writeTo(java.io.DataOutput out) throws java.io.IOException {
    QuantizedVectorsFormat.writeHeader(QuantizedVectorsFormat.TURBO, distance, size, out);
    out.writeInt(mean.length);
    out.writeByte(bits.ordinal());
    out.writeLong(rotation.seed());
    out.writeInt(centroids.length);
    QuantizedVectorsFormat.writeFloats(centroids, out);
    QuantizedVectorsFormat.writeFloats(mean, out);
    out.write(codes);
    QuantizedVectorsFormat.writeFloats(scale, out);
    QuantizedVectorsFormat.writeFloats(normSq, out);
  }

  static TurboVectors readFrom(java.io.DataInput in, Distance distance, int size)
      throws java.io.IOException {
    int dim = QuantizedVectorsFormat.readDim(in);
    int b = in.readByte();
    if (b < 0 || b >= TurboBits.values().length) {
      throw new java.io.IOException("corrupt turbo codes: bits " + b);
    }
    TurboBits bits = TurboBits.values()[b];
    HadamardRotation rotation = new HadamardRotation(dim, in.readLong());
    int levels = in.readInt();
    if (levels != bits.levels()) {
      throw new java.io.IOException("corrupt turbo codes: " + levels + " centroids for " + bits);
    }
    float[] centroids = QuantizedVectorsFormat.readFloats(in, levels);
    float[] mean = QuantizedVectorsFormat.readFloats(in, dim);
    byte[] codes =
        QuantizedVectorsFormat.readBytes(
            in, Math.multiplyExact(size, bits.codeBytes(rotation.paddedDimension())));
    float[] scale = QuantizedVectorsFormat.readFloats(in, size);
    float[] normSq = QuantizedVectorsFormat.readFloats(in, size);
    return new TurboVectors(bits, rotation, centroids, mean, distance, size, codes, scale, normSq);
  }

  @Override
  public VectorScorer scorer(float[] query) {
    boolean euclid = distance == Distance.EUCLID;
    float[] t = new float[mean.length];
    double extra = 0;
    for (int d = 0; d < t.length; d++) {
      if (euclid) {
        t[d] = query[d] - mean[d];
        extra += (double) t[d] * t[d];
      } else {
        t[d] = query[d];
        extra += (double) mean[d] * query[d];
      }
    }
    float[] rotated = new float[rotation.paddedDimension()];
    rotation.rotate(t, rotated);
    Scorer scorer = new Scorer(new float[bytes << 8]);
    scorer.reset(rotated, (float) extra);
    return scorer;
  }

  @Override
  public VectorScorerSupplier supplier() {
    return new Supplier();
  }

  @Override
  public long heapBytes() {
    return codes.length + 8L * size + 4L * (mean.length + centroids.length);
  }

  /**
   * Fills {@code table[(b << 8) | v]} with Σ_k ĉ(digit k of v)·t'[b·perByte + k] for every code
   * byte b and byte value v (digits base {@code levels}; coordinates past D count 0). Built digit
   * by digit: about 256 additions per code byte.
   */
  private void fillTable(float[] rotated, float[] table) {
    int levels = bits.levels();
    int perByte = bits.perByte();
    int padded = rotation.paddedDimension();
    for (int b = 0; b < bytes; b++) {
      int base = b << 8;
      table[base] = 0f;
      int filled = 1;
      for (int k = 0; k < perByte; k++) {
        int j = b * perByte + k;
        float t = j < padded ? rotated[j] : 0f;
        for (int l = levels - 1; l >= 0; l--) {
          float add = centroids[l] * t;
          int to = base + l * filled;
          for (int e = filled - 1; e >= 0; e--) {
            table[to + e] = table[base + e] + add;
          }
        }
        filled *= levels;
      }
    }
  }

  private final class Scorer implements VectorScorer {
    private final float[] table;

    /** |t|² (Euclid) or mean·q (Dot, Cosine). */
    private float extra;

    Scorer(float[] table) {
      this.table = table;
    }

    void reset(float[] rotated, float extra) {
      fillTable(rotated, table);
      this.extra = extra;
    }

    @Override
    public float score(int ord) {
      int at = ord * bytes;
      float s0 = 0;
      float s1 = 0;
      int b = 0;
      for (; b + 1 < bytes; b += 2) {
        s0 += table[(b << 8) | (codes[at + b] & 0xff)];
        s1 += table[((b + 1) << 8) | (codes[at + b + 1] & 0xff)];
      }
      if (b < bytes) {
        s0 += table[(b << 8) | (codes[at + b] & 0xff)];
      }
      float rt = scale[ord] * (s0 + s1);
      return distance == Distance.EUCLID ? -(normSq[ord] + extra - 2 * rt) : rt + extra;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public boolean isExact() {
      return false;
    }
  }

  /**
   * Stored code against stored code (a graph built over the codes): the stored vector's
   * reconstruction in the rotated space is the query.
   */
  private final class Supplier implements VectorScorerSupplier {
    private final float[] rotated = new float[rotation.paddedDimension()];
    private final float[] rotatedMean;
    private final float meanSq;
    private final Scorer scorer = new Scorer(new float[bytes << 8]);

    Supplier() {
      rotatedMean = new float[rotation.paddedDimension()];
      rotation.rotate(mean, rotatedMean);
      double sq = 0;
      for (float m : mean) {
        sq += (double) m * m;
      }
      meanSq = (float) sq;
    }

    @Override
    public VectorScorer scorer(int ord) {
      decodeRotated(ord, rotated);
      float extra;
      if (distance == Distance.EUCLID) {
        extra = normSq[ord];
      } else { // mean·x = |mean|² + (R·mean)·(R·r)
        double md = meanSq;
        for (int j = 0; j < rotated.length; j++) {
          md += (double) rotatedMean[j] * rotated[j];
        }
        extra = (float) md;
      }
      scorer.reset(rotated, extra);
      return scorer;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public VectorScorerSupplier copy() {
      return new Supplier();
    }
  }
}
