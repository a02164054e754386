package io.quiver.index.scorer;

import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;
import io.quiver.index.vector.VectorKernels;
import io.quiver.index.vector.VectorizationProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Float16 or uint8 vectors read in place from a {@link MemorySegment} (typically a mapped file):
 * contiguous, vector {@code ord} at byte {@code base + ord * dim * bytesPerDimension}; halves are
 * little endian. Scorers take a float32 query and score the stored vectors at their width through
 * the kernels ({@link VectorKernels#dotFloat16}, {@link VectorKernels#dotUint8}, ...): nothing is
 * widened into a float array on the scoring path. As for {@link SegmentFloatVectors}, the segment's
 * owner decides when it is unmapped.
 *
 * <p>Uint8 Cosine vectors are stored as given ({@link #storedAsGiven()}: integers cannot be
 * normalized), as Qdrant stores them: the scorer takes a normalized query and computes {@code
 * dot(q, v) / |v|} in one pass ({@link VectorKernels#cosineUint8}), which is Qdrant's {@code dot(a,
 * b) / sqrt(|a|^2 |b|^2)} over the bytes (0 for a zero vector).
 */
public final class SegmentNarrowVectors implements FloatVectors {

  private static final VectorKernels KERNELS = VectorizationProvider.kernels();
  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment segment;
  private final long base;
  private final int dim;
  private final int size;
  private final long stride;
  private final Distance distance;
  private final VectorDatatype datatype;

  /**
   * Views {@code size} vectors of {@code dim} elements of {@code datatype} from byte {@code base}
   * of segment.
   */
  public SegmentNarrowVectors(
      MemorySegment segment,
      long base,
      int size,
      int dim,
      Distance distance,
      VectorDatatype datatype) {
    if (datatype == VectorDatatype.FLOAT32) {
      throw new IllegalArgumentException("float32 vectors belong in a SegmentFloatVectors");
    }
    this.stride = (long) dim * datatype.bytesPerDimension();
    if (base + stride * size > segment.byteSize()) {
      throw new IllegalArgumentException(
          "segment of "
              + segment.byteSize()
              + " bytes is too small for "
              + size
              + " x "
              + dim
              + " "
              + datatype.qdrantName()
              + " at "
              + base);
    }
    this.segment = segment;
    this.base = base;
    this.dim = dim;
    this.size = size;
    this.distance = distance;
    this.datatype = datatype;
  }

  /**
   * A copy of these vectors in native memory of {@code arena} (for vectors kept in RAM rather than
   * served from their file). Native like a reinterpreted mapping, so the kernels' loads stay
   * specialized on one segment class.
   */
  public SegmentNarrowVectors copyTo(Arena arena) {
    MemorySegment copy = arena.allocate(Math.max(1, stride * size), 64);
    MemorySegment.copy(segment, base, copy, 0, stride * size);
    return new SegmentNarrowVectors(copy, 0, size, dim, distance, datatype);
  }

  @Override
  public VectorDatatype datatype() {
    return datatype;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean storedAsGiven() {
    return datatype == VectorDatatype.UINT8 && distance == Distance.COSINE;
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
    long offset = base + ord * stride;
    if (datatype == VectorDatatype.FLOAT16) {
      for (int i = 0; i < dim; i++) {
        out[i] = Float.float16ToFloat(segment.get(LE_SHORT, offset + 2L * i));
      }
    } else {
      for (int i = 0; i < dim; i++) {
        out[i] = segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF;
      }
    }
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
      if (datatype == VectorDatatype.FLOAT16) {
        return switch (distance) {
          case COSINE, DOT -> KERNELS.dotFloat16(query, segment, offset);
          case EUCLID -> -KERNELS.squareDistanceFloat16(query, segment, offset);
          case MANHATTAN -> -KERNELS.l1DistanceFloat16(query, segment, offset);
        };
      }
      return switch (distance) {
        case COSINE -> KERNELS.cosineUint8(query, segment, offset);
        case DOT -> KERNELS.dotUint8(query, segment, offset);
        case EUCLID -> -KERNELS.squareDistanceUint8(query, segment, offset);
        case MANHATTAN -> -KERNELS.l1DistanceUint8(query, segment, offset);
      };
    }

    @Override
    public int size() {
      return size;
    }
  }

  /**
   * Decodes the stored query vector, prepared ({@link #copyPrepared}), into a reused heap buffer,
   * read by the scorer it returns.
   */
  private final class Supplier implements VectorScorerSupplier {
    private final float[] buffer = new float[dim];
    private final Scorer scorer = new Scorer(buffer);

    @Override
    public VectorScorer scorer(int ord) {
      copyPrepared(ord, buffer);
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
