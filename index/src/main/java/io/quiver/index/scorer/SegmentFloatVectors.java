package io.quiver.index.scorer;

import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorKernels;
import io.quiver.index.vector.VectorizationProvider;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Float32 vectors read in place from a {@link MemorySegment} (typically a mapped file): little
 * endian, contiguous, vector {@code ord} at byte {@code base + ord * dim * 4}. Nothing is copied to
 * the heap on the scoring path; the segment's owner (its arena) decides when it is unmapped, and
 * scoring after that throws {@link IllegalStateException}.
 */
public final class SegmentFloatVectors implements FloatVectors {

  private static final VectorKernels KERNELS = VectorizationProvider.kernels();
  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment segment;
  private final long base;
  private final int dim;
  private final int size;
  private final long stride;
  private final Distance distance;

  /** Views {@code size} vectors of {@code dim} floats starting at byte {@code base} of segment. */
  public SegmentFloatVectors(
      MemorySegment segment, long base, int size, int dim, Distance distance) {
    long need = base + (long) size * dim * Float.BYTES;
    if (need > segment.byteSize()) {
      throw new IllegalArgumentException(
          "segment of "
              + segment.byteSize()
              + " bytes is too small for "
              + size
              + " x "
              + dim
              + " floats at "
              + base);
    }
    this.segment = segment;
    this.base = base;
    this.dim = dim;
    this.size = size;
    this.stride = (long) dim * Float.BYTES;
    this.distance = distance;
  }

  @Override
  public int size() {
    return size;
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
    MemorySegment.copy(segment, LE_FLOAT, base + ord * stride, out, 0, dim);
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
    return 0;
  }

  @Override
  public long offHeapBytes() {
    return stride * size;
  }

  private final class Scorer implements VectorScorer {
    private final float[] query;

    Scorer(float[] query) {
      this.query = query;
    }

    @Override
    public float score(int ord) {
      long offset = base + ord * stride;
      return switch (distance) {
        case COSINE, DOT -> KERNELS.dot(query, segment, offset);
        case EUCLID -> -KERNELS.squareDistance(query, segment, offset);
        case MANHATTAN -> -KERNELS.l1Distance(query, segment, offset);
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
                segment,
                base + ords[i] * stride,
                base + ords[i + 1] * stride,
                base + ords[i + 2] * stride,
                base + ords[i + 3] * stride,
                scores,
                i);
          }
          for (int j = 0; j < i; j++) {
            scores[j] = -scores[j];
          }
        }
        case COSINE, DOT -> {
          for (; i + 4 <= count; i += 4) {
            KERNELS.dot4(
                query,
                segment,
                base + ords[i] * stride,
                base + ords[i + 1] * stride,
                base + ords[i + 2] * stride,
                base + ords[i + 3] * stride,
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
  }

  /** Copies the stored query vector to a reused heap buffer, read by the scorer it returns. */
  private final class Supplier implements VectorScorerSupplier {
    private final float[] buffer = new float[dim];
    private final Scorer scorer = new Scorer(buffer);

    @Override
    public VectorScorer scorer(int ord) {
      copyVector(ord, buffer);
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
