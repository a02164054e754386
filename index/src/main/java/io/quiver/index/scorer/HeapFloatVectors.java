package io.quiver.index.scorer;

import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorKernels;
import io.quiver.index.vector.VectorizationProvider;

/**
 * Float32 vectors in one flat heap array, vector {@code ord} at {@code [ord * dim, (ord+1) * dim)}:
 * contiguous, so a vector is one run of cache lines and no per-vector object header is chased.
 * Capacity is {@code 2^31 - 1} floats; larger sets belong in a {@link SegmentFloatVectors}. Cosine
 * vectors may be held as given ({@link #storedAsGiven()}: the values of a uint8 vector before it is
 * sealed), scored by {@link VectorKernels#cosine(float[], float[], int)}.
 */
public final class HeapFloatVectors implements FloatVectors {

  private static final VectorKernels KERNELS = VectorizationProvider.kernels();

  private final float[] data;
  private final int dim;
  private final int size;
  private final Distance distance;
  private final boolean asGiven;

  /** Wraps {@code data} (not copied), whose vectors must already be prepared for the distance. */
  public HeapFloatVectors(float[] data, int dim, Distance distance) {
    this(data, dim, distance, false);
  }

  /**
   * Wraps {@code data} (not copied); with {@code storedAsGiven} (Cosine only) its vectors are not
   * normalized and the scorers divide by their norms, else they must be prepared for the distance.
   */
  public HeapFloatVectors(float[] data, int dim, Distance distance, boolean storedAsGiven) {
    if (storedAsGiven && distance != Distance.COSINE) {
      throw new IllegalArgumentException(
          "only Cosine vectors are stored as given, not " + distance.qdrantName());
    }
    this.asGiven = storedAsGiven;
    if (dim <= 0 || data.length % dim != 0) {
      throw new IllegalArgumentException(
          "data length " + data.length + " is not a multiple of dim " + dim);
    }
    this.data = data;
    this.dim = dim;
    this.size = data.length / dim;
    this.distance = distance;
  }

  /** Copies and prepares the given vectors into a new flat store. */
  public static HeapFloatVectors of(float[][] vectors, Distance distance) {
    int dim = vectors[0].length;
    float[] flat = new float[Math.multiplyExact(vectors.length, dim)];
    for (int i = 0; i < vectors.length; i++) {
      if (vectors[i].length != dim) {
        throw new IllegalArgumentException(
            "vector " + i + " has " + vectors[i].length + " dims, expected " + dim);
      }
      System.arraycopy(distance.prepare(vectors[i]), 0, flat, i * dim, dim);
    }
    return new HeapFloatVectors(flat, dim, distance);
  }

  /** The backing array (not a copy). */
  public float[] data() {
    return data;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean storedAsGiven() {
    return asGiven;
  }

  @Override
  public int dimension() {
    return dim;
  }

  @Override
  public Distance distance() {
    return distance;
  }

  @Override
  public void copyVector(int ord, float[] out) {
    System.arraycopy(data, ord * dim, out, 0, dim);
  }

  @Override
  public VectorScorer scorer(float[] query) {
    assert query.length == dim : query.length + " != " + dim;
    return new Scorer(query);
  }

  @Override
  public VectorScorerSupplier supplier() {
    return new Supplier();
  }

  @Override
  public long heapBytes() {
    return 4L * data.length;
  }

  @Override
  public long offHeapBytes() {
    return 0;
  }

  private final class Scorer implements VectorScorer {
    private int touched; // sink of the touching loads, so that the JIT keeps them
    private final float[] query;

    Scorer(float[] query) {
      this.query = query;
    }

    @Override
    public float score(int ord) {
      int offset = ord * dim;
      return switch (distance) {
        case COSINE ->
            asGiven ? KERNELS.cosine(query, data, offset) : KERNELS.dot(query, data, offset);
        case DOT -> KERNELS.dot(query, data, offset);
        case EUCLID -> -KERNELS.squareDistance(query, data, offset);
        case MANHATTAN -> -KERNELS.l1Distance(query, data, offset);
      };
    }

    @Override
    public int size() {
      return size;
    }

    /** Scores four vectors per kernel call so that their cache misses overlap. */
    @Override
    public void bulkScore(int[] ords, int count, float[] scores) {
      int i = 0;
      switch (distance) {
        case EUCLID -> {
          for (; i + 4 <= count; i += 4) {
            KERNELS.squareDistance4(
                query,
                data,
                ords[i] * dim,
                ords[i + 1] * dim,
                ords[i + 2] * dim,
                ords[i + 3] * dim,
                scores,
                i);
          }
          for (int j = 0; j < i; j++) {
            scores[j] = -scores[j];
          }
        }
        case COSINE, DOT -> {
          for (; !asGiven && i + 4 <= count; i += 4) {
            KERNELS.dot4(
                query,
                data,
                ords[i] * dim,
                ords[i + 1] * dim,
                ords[i + 2] * dim,
                ords[i + 3] * dim,
                scores,
                i);
          }
        }
        case MANHATTAN -> {}
      }
      for (; i < count; i++) {
        scores[i] = score(ords[i]);
      }
    }

    /**
     * Reads one float per cache line (16 floats) of each vector, so that all their misses overlap
     * (the rescoring of quantized candidates reads a few dozen vectors scattered over the heap);
     * the sum keeps the loads alive.
     */
    @Override
    public void prefetch(int[] ords, int count) {
      int t = 0;
      for (int j = 0; j < count; j++) {
        int o = ords[j] * dim;
        for (int x = 0; x < dim; x += 16) {
          t += Float.floatToRawIntBits(data[o + x]);
        }
      }
      touched += t;
    }
  }

  /**
   * Copies the query vector, prepared, into a reused buffer: the scorer it returns reads that
   * buffer.
   */
  private final class Supplier implements VectorScorerSupplier {
    private final float[] buffer = new float[dim];
    private final Scorer scorer = new Scorer(buffer);

    @Override
    public VectorScorer scorer(int ord) {
      System.arraycopy(data, ord * dim, buffer, 0, dim);
      if (asGiven) {
        FloatVectors.normalizeInPlace(buffer);
      }
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
