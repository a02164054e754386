package io.quiver.index.quant;

import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.scorer.VectorScorerSupplier;
import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorKernels;
import io.quiver.index.vector.VectorizationProvider;

/**
 * One bit per dimension: bit d is set when {@code x[d] > mean[d]} (centering first makes the bits
 * informative for data that is not zero-centred, like pixels). Codes are {@code ceil(dim/64)} longs
 * per vector in one flat array (1/32 of the float32 bytes), plus two floats and an int per vector.
 * A coarse filter, always followed by exact rescoring.
 *
 * <p>Queries are scored asymmetrically, as RaBitQ and Lucene's BBQ do: the query keeps 4 bits per
 * dimension, and the centred data vector {@code x' = x - mean} is estimated from its signs {@code
 * s} (±1) by {@code x' ≈ c·s} with {@code c = |x'|² / Σ|x'_d|}, the scale that keeps {@code x'·s}
 * exact. Then, with {@code t} the query (centred for Euclid):
 *
 * <pre>
 *   x'·t  ≈ c · s·t,    s·t = 2·Σ_{bit d set} t_d - Σ_d t_d       (t in 4 bits: popcounts of bit planes)
 *   Euclid: -|x - q|² = -(|x'|² + |t|² - 2·x'·t)                    (|x'|² stored per vector)
 *   Dot:     x·q      = x'·q + mean·q
 * </pre>
 *
 * Manhattan is ranked by the Euclidean estimate. Far better ordering than Hamming distance between
 * two sign codes (which loses every magnitude), at 4 popcounts per code word. {@link #supplier()}
 * (stored code against stored code) still uses Hamming distance.
 */
public final class BinaryVectors implements QuantizedVectors {

  private static final VectorKernels KERNELS = VectorizationProvider.kernels();

  /** Bits per dimension of a quantized query. */
  static final int QUERY_BITS = 4;

  private final float[] mean;
  private final Distance distance;
  private final int words;
  private final int size;
  private final long[] codes;

  /** |x'|² per vector. */
  private final float[] normSq;

  /** |x'|² / Σ|x'_d| per vector (0 for x' = 0). */
  private final float[] scale;

  /** Set bits per vector. */
  private final int[] ones;

  private BinaryVectors(
      float[] mean,
      Distance distance,
      int size,
      long[] codes,
      float[] normSq,
      float[] scale,
      int[] ones) {
    this.mean = mean;
    this.distance = distance;
    this.words = (mean.length + 63) >>> 6;
    this.size = size;
    this.codes = codes;
    this.normSq = normSq;
    this.scale = scale;
    this.ones = ones;
  }

  /** Computes the per-dimension mean of {@code vectors} and encodes every vector. Two passes. */
  public static BinaryVectors quantize(FloatVectors vectors) {
    int dim = vectors.dimension();
    int size = vectors.size();
    double[] sum = new double[dim];
    float[] v = new float[dim];
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
    int words = (dim + 63) >>> 6;
    long[] codes = new long[Math.multiplyExact(size, words)];
    float[] normSq = new float[size];
    float[] scale = new float[size];
    int[] ones = new int[size];
    long[] code = new long[words];
    for (int i = 0; i < size; i++) {
      vectors.copyPrepared(i, v);
      encode(v, mean, code);
      System.arraycopy(code, 0, codes, i * words, words);
      double sq = 0;
      double abs = 0;
      for (int d = 0; d < dim; d++) {
        double c = v[d] - mean[d];
        sq += c * c;
        abs += Math.abs(c);
      }
      normSq[i] = (float) sq;
      scale[i] = abs == 0 ? 0f : (float) (sq / abs);
      int n = 0;
      for (long w : code) {
        n += Long.bitCount(w);
      }
      ones[i] = n;
    }
    return new BinaryVectors(mean, vectors.distance(), size, codes, normSq, scale, ones);
  }

  private static void encode(float[] v, float[] mean, long[] out) {
    java.util.Arrays.fill(out, 0L);
    for (int d = 0; d < v.length; d++) {
      if (v[d] > mean[d]) {
        out[d >>> 6] |= 1L << d;
      }
    }
  }

  @Override
  public int size() {
    return size;
  }

  void writeTo(java.io.DataOutput out) throws java.io.IOException {
    QuantizedVectorsFormat.writeHeader(QuantizedVectorsFormat.BINARY, distance, size, out);
    out.writeInt(mean.length);
    QuantizedVectorsFormat.writeFloats(mean, out);
    QuantizedVectorsFormat.writeLongs(codes, out);
    QuantizedVectorsFormat.writeFloats(normSq, out);
    QuantizedVectorsFormat.writeFloats(scale, out);
    QuantizedVectorsFormat.writeInts(ones, out);
  }

  static BinaryVectors readFrom(java.io.DataInput in, Distance distance, int size)
      throws java.io.IOException {
    int dim = QuantizedVectorsFormat.readDim(in);
    float[] mean = QuantizedVectorsFormat.readFloats(in, dim);
    long[] codes = QuantizedVectorsFormat.readLongs(in, Math.multiplyExact(size, (dim + 63) >>> 6));
    float[] normSq = QuantizedVectorsFormat.readFloats(in, size);
    float[] scale = QuantizedVectorsFormat.readFloats(in, size);
    int[] ones = QuantizedVectorsFormat.readInts(in, size);
    return new BinaryVectors(mean, distance, size, codes, normSq, scale, ones);
  }

  @Override
  public VectorScorer scorer(float[] query) {
    return new QueryScorer(query);
  }

  @Override
  public VectorScorerSupplier supplier() {
    return new Supplier();
  }

  /**
   * A scorer that encodes the query to sign bits too and ranks by Hamming distance (Qdrant's {@code
   * query_encoding: binary}): cheaper than {@link #scorer(float[])}, far coarser.
   */
  public VectorScorer hammingScorer(float[] query) {
    long[] code = new long[words];
    encode(query, mean, code);
    return new HammingScorer(code);
  }

  @Override
  public long heapBytes() {
    return 8L * codes.length + 4L * mean.length + 12L * size;
  }

  /** A float query against the codes: the asymmetric estimate of the class comment. */
  private final class QueryScorer implements VectorScorer {
    private final long[] planes = new long[QUERY_BITS * words];
    private final boolean dot;

    /** t_d ≈ low + step · u_d with u_d in [0, 2^QUERY_BITS). */
    private final float low;

    private final float step;

    /** Σ_d t_d of the quantized t, and |t|² (Euclid) or mean·q (dot). */
    private final float sumT;

    private final float extra;

    QueryScorer(float[] query) {
      int dim = mean.length;
      dot = distance == Distance.DOT || distance == Distance.COSINE;
      float[] t = new float[dim];
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      double tNormSq = 0;
      double meanDot = 0;
      for (int d = 0; d < dim; d++) {
        t[d] = dot ? query[d] : query[d] - mean[d];
        min = Math.min(min, t[d]);
        max = Math.max(max, t[d]);
        tNormSq += (double) t[d] * t[d];
        meanDot += (double) mean[d] * query[d];
      }
      int levels = (1 << QUERY_BITS) - 1;
      low = min;
      step = max > min ? (max - min) / levels : 0f;
      long uSum = 0;
      for (int d = 0; d < dim; d++) {
        int u = step == 0 ? 0 : Math.round((t[d] - min) / step);
        u = Math.max(0, Math.min(levels, u));
        uSum += u;
        for (int p = 0; p < QUERY_BITS; p++) {
          if ((u >>> p & 1) != 0) {
            planes[p * words + (d >>> 6)] |= 1L << d;
          }
        }
      }
      sumT = (float) (low * dim + step * uSum);
      extra = (float) (dot ? meanDot : tNormSq);
    }

    @Override
    public float score(int ord) {
      float setSum =
          low * ones[ord] + step * KERNELS.bitPlaneDot(planes, QUERY_BITS, codes, ord * words);
      float xt = scale[ord] * (2 * setSum - sumT);
      return dot ? xt + extra : -(normSq[ord] + extra - 2 * xt);
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

  /** Stored code against stored code: negated Hamming distance. */
  private final class HammingScorer implements VectorScorer {
    private final long[] query;

    HammingScorer(long[] query) {
      this.query = query;
    }

    @Override
    public float score(int ord) {
      return -KERNELS.hamming(query, codes, ord * words);
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

  private final class Supplier implements VectorScorerSupplier {
    private final long[] buffer = new long[words];
    private final HammingScorer scorer = new HammingScorer(buffer);

    @Override
    public VectorScorer scorer(int ord) {
      System.arraycopy(codes, ord * words, buffer, 0, words);
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
