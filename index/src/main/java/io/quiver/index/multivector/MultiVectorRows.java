package io.quiver.index.multivector;

import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.scorer.VectorScorerSupplier;
import io.quiver.index.vector.Distance;

/**
 * The rows of a {@link MultiVectors} (typically a frozen {@link MultiVectors#range} view) as one
 * {@link FloatVectors}: row ord {@code firstRow(ord) + r} is row {@code r} of multivector {@code
 * ord}, in ord order. What the quantizers of {@code io.quiver.index.quant} train on and encode, so
 * a multivector's rows are quantized by the same code as dense vectors (Qdrant quantizes each row).
 *
 * <p>Random access ({@link #copyVector}) finds the multivector by binary search over the first rows
 * (O(log size)); the quantizers' sequential passes and samples are far from the hot path.
 * Thread-safe for reads, as the view it wraps; its scorers are not.
 */
public final class MultiVectorRows implements FloatVectors {

  private final MultiVectors vectors;

  /** Row ord of each multivector's first row, and the total rows at index {@code size}. */
  private final int[] firstRow;

  /**
   * @throws IllegalArgumentException when the view holds more than {@code Integer.MAX_VALUE} rows
   */
  public MultiVectorRows(MultiVectors vectors) {
    this.vectors = vectors;
    this.firstRow = new int[vectors.size() + 1];
    long rows = 0;
    for (int ord = 0; ord < vectors.size(); ord++) {
      firstRow[ord] = (int) rows;
      rows += vectors.count(ord);
      if (rows > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("more than " + Integer.MAX_VALUE + " rows to quantize");
      }
    }
    firstRow[vectors.size()] = (int) rows;
  }

  /**
   * The row ord of multivector {@code ord}'s first row; {@code firstRow(size())} is the number of
   * rows.
   */
  public int firstRow(int ord) {
    return firstRow[ord];
  }

  /** The first row ords of every multivector, then the number of rows (shared, do not change). */
  public int[] firstRows() {
    return firstRow;
  }

  @Override
  public int size() {
    return firstRow[vectors.size()];
  }

  @Override
  public int dimension() {
    return vectors.dim();
  }

  @Override
  public Distance distance() {
    return vectors.distance();
  }

  @Override
  public void copyVector(int row, float[] out) {
    int lo = 0;
    int hi = vectors.size() - 1;
    while (lo < hi) { // the last multivector whose first row is <= row
      int mid = (lo + hi + 1) >>> 1;
      if (firstRow[mid] <= row) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    vectors.copyRow(lo, row - firstRow[lo], out);
  }

  /**
   * A scorer of one prepared row against every row (copies each row: for tests and training, not
   * search).
   */
  @Override
  public VectorScorer scorer(float[] query) {
    Distance distance = vectors.distance();
    float[] row = new float[vectors.dim()];
    return new VectorScorer() {
      @Override
      public float score(int ord) {
        copyVector(ord, row);
        return distance.similarity(query, row);
      }

      @Override
      public int size() {
        return MultiVectorRows.this.size();
      }
    };
  }

  @Override
  public VectorScorerSupplier supplier() {
    return new VectorScorerSupplier() {
      private final float[] row = new float[vectors.dim()];

      @Override
      public VectorScorer scorer(int ord) {
        copyVector(ord, row);
        return MultiVectorRows.this.scorer(row);
      }

      @Override
      public int size() {
        return MultiVectorRows.this.size();
      }

      @Override
      public VectorScorerSupplier copy() {
        return supplier();
      }
    };
  }

  /** The first-row table only: the rows stay where the wrapped store keeps them. */
  @Override
  public long heapBytes() {
    return 4L * firstRow.length;
  }

  @Override
  public long offHeapBytes() {
    return 0;
  }
}
