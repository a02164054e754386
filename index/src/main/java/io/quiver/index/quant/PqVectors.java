package io.quiver.index.quant;

import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.scorer.VectorScorerSupplier;
import io.quiver.index.vector.Distance;

/**
 * Product-quantized codes ({@link ProductQuantizer}): {@code m} bytes per vector in one flat array.
 * A query scorer precomputes a 256-entry similarity table per subspace, so scoring a code is m
 * table lookups (asymmetric distance computation) and reads m bytes instead of 4 * dim. Manhattan
 * is not supported.
 */
public final class PqVectors implements QuantizedVectors {

  private final ProductQuantizer pq;
  private final boolean euclid;
  private final int m;
  private final int size;
  private final byte[] codes;

  private PqVectors(ProductQuantizer pq, boolean euclid, int size, byte[] codes) {
    this.pq = pq;
    this.euclid = euclid;
    this.m = pq.subspaces();
    this.size = size;
    this.codes = codes;
  }

  /** Encodes every vector of {@code vectors} with a trained quantizer. */
  public static PqVectors quantize(FloatVectors vectors, ProductQuantizer pq) {
    if (vectors.distance() == Distance.MANHATTAN) {
      throw new IllegalArgumentException(
          "product quantization supports Euclid, Dot and Cosine, not Manhattan");
    }
    int m = pq.subspaces();
    byte[] codes = new byte[Math.multiplyExact(vectors.size(), m)];
    float[] v = new float[vectors.dimension()];
    for (int i = 0; i < vectors.size(); i++) {
      vectors.copyPrepared(i, v);
      pq.encode(v, codes, i * m);
    }
    return new PqVectors(pq, vectors.distance() == Distance.EUCLID, vectors.size(), codes);
  }

  @Override
  public int size() {
    return size;
  }

  void writeTo(java.io.DataOutput out) throws java.io.IOException {
    QuantizedVectorsFormat.writeHeader(
        QuantizedVectorsFormat.PRODUCT, euclid ? Distance.EUCLID : Distance.DOT, size, out);
    pq.writeTo(out);
    out.write(codes);
  }

  static PqVectors readFrom(java.io.DataInput in, Distance distance, int size)
      throws java.io.IOException {
    ProductQuantizer pq = ProductQuantizer.readFrom(in);
    byte[] codes = QuantizedVectorsFormat.readBytes(in, Math.multiplyExact(size, pq.subspaces()));
    return new PqVectors(pq, distance == Distance.EUCLID, size, codes);
  }

  @Override
  public VectorScorer scorer(float[] query) {
    float[] table = new float[m * ProductQuantizer.CENTROIDS];
    pq.similarityTable(query, euclid, table);
    return new Scorer(table);
  }

  @Override
  public VectorScorerSupplier supplier() {
    return new Supplier();
  }

  @Override
  public long heapBytes() {
    return codes.length;
  }

  private final class Scorer implements VectorScorer {
    private final float[] table;

    Scorer(float[] table) {
      this.table = table;
    }

    @Override
    public float score(int ord) {
      int at = ord * m;
      float sum = 0;
      for (int s = 0; s < m; s++) {
        sum += table[(s << 8) | (codes[at + s] & 0xff)];
      }
      return sum;
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

  /** Decodes the stored vector and builds its table: the symmetric scorer a graph build needs. */
  private final class Supplier implements VectorScorerSupplier {
    private final float[] decoded = new float[pq.dimension()];
    private final float[] table = new float[m * ProductQuantizer.CENTROIDS];
    private final Scorer scorer = new Scorer(table);

    @Override
    public VectorScorer scorer(int ord) {
      pq.decode(codes, ord * m, decoded);
      pq.similarityTable(decoded, euclid, table);
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
