package io.quiver.index.quant;

import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.scorer.VectorScorerSupplier;
import io.quiver.index.vector.VectorKernels;
import io.quiver.index.vector.VectorizationProvider;

/**
 * One bit per dimension: bit d is set when {@code x[d] > mean[d]} (centering first makes the
 * bits informative for data that is not zero-centred, like pixels). Scored by negated Hamming
 * distance; a coarse filter, always followed by exact rescoring. Codes are {@code ceil(dim/64)}
 * longs per vector in one flat array: 1/32 of the float32 bytes.
 */
public final class BinaryVectors implements QuantizedVectors {

  private static final VectorKernels KERNELS = VectorizationProvider.kernels();

  private final float[] mean;
  private final int words;
  private final int size;
  private final long[] codes;

  private BinaryVectors(float[] mean, int size, long[] codes) {
    this.mean = mean;
    this.words = (mean.length + 63) >>> 6;
    this.size = size;
    this.codes = codes;
  }

  /** Computes the per-dimension mean of {@code vectors} and encodes every vector. */
  public static BinaryVectors quantize(FloatVectors vectors) {
    int dim = vectors.dimension();
    int size = vectors.size();
    double[] sum = new double[dim];
    float[] v = new float[dim];
    for (int i = 0; i < size; i++) {
      vectors.copyVector(i, v);
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
    long[] code = new long[words];
    for (int i = 0; i < size; i++) {
      vectors.copyVector(i, v);
      encode(v, mean, code);
      System.arraycopy(code, 0, codes, i * words, words);
    }
    return new BinaryVectors(mean, size, codes);
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

  @Override
  public VectorScorer scorer(float[] query) {
    long[] code = new long[words];
    encode(query, mean, code);
    return new Scorer(code);
  }

  @Override
  public VectorScorerSupplier supplier() {
    return new Supplier();
  }

  @Override
  public long heapBytes() {
    return 8L * codes.length + 4L * mean.length;
  }

  private final class Scorer implements VectorScorer {
    private final long[] query;

    Scorer(long[] query) {
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
    private final Scorer scorer = new Scorer(buffer);

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
