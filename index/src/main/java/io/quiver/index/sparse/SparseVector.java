package io.quiver.index.sparse;

import java.util.Arrays;
import java.util.Objects;

/**
 * A sparse vector: dimensions (Qdrant's u32 {@code indices}, held in {@code int} and compared
 * unsigned) in strictly increasing unsigned order, each with a finite value. Immutable: the arrays
 * are owned by the vector and must not be changed by callers.
 */
public final class SparseVector {

  /** The vector without dimensions. */
  public static final SparseVector EMPTY = new SparseVector(new int[0], new float[0]);

  private final int[] indices;
  private final float[] values;

  private SparseVector(int[] indices, float[] values) {
    this.indices = indices;
    this.values = values;
  }

  /**
   * The vector with these dimensions and values, in any order. Throws {@link
   * IllegalArgumentException} when the lengths differ, a dimension repeats or a value is not
   * finite. The arrays are copied.
   */
  public static SparseVector of(int[] indices, float[] values) {
    Objects.requireNonNull(indices, "indices");
    Objects.requireNonNull(values, "values");
    if (indices.length != values.length) {
      throw new IllegalArgumentException(
          "indices and values differ in length: " + indices.length + " and " + values.length);
    }
    for (float v : values) {
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException("values contain a non-finite number");
      }
    }
    int n = indices.length;
    long[] keyed =
        new long[n]; // unsigned index above bit 31, position in the low 31 bits: one signed sort
    for (int i = 0; i < n; i++) {
      keyed[i] = (Integer.toUnsignedLong(indices[i]) << 31) | i;
    }
    Arrays.sort(keyed);
    int[] sortedIndices = new int[n];
    float[] sortedValues = new float[n];
    for (int i = 0; i < n; i++) {
      sortedIndices[i] = (int) (keyed[i] >>> 31);
      sortedValues[i] = values[(int) (keyed[i] & 0x7FFF_FFFFL)];
      if (i > 0 && sortedIndices[i] == sortedIndices[i - 1]) {
        throw new IllegalArgumentException(
            "index " + Integer.toUnsignedString(sortedIndices[i]) + " is repeated");
      }
    }
    return new SparseVector(sortedIndices, sortedValues);
  }

  /** The number of dimensions stored. */
  public int size() {
    return indices.length;
  }

  /** The {@code i}-th dimension (unsigned), in increasing order. */
  public int index(int i) {
    return indices[i];
  }

  /** The value of the {@code i}-th dimension. */
  public float value(int i) {
    return values[i];
  }

  /** A copy of the dimensions (unsigned ints), increasing. */
  public int[] indices() {
    return indices.clone();
  }

  /** A copy of the values, in the order of {@link #indices()}. */
  public float[] values() {
    return values.clone();
  }

  /** The value at dimension {@code index}, 0 when absent. */
  public float valueAt(int index) {
    int lo = 0;
    int hi = indices.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Integer.compareUnsigned(indices[mid], index);
      if (c == 0) {
        return values[mid];
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return 0f;
  }

  /** True when the two vectors share at least one dimension. */
  public boolean overlaps(SparseVector other) {
    int i = 0;
    int j = 0;
    while (i < indices.length && j < other.indices.length) {
      int c = Integer.compareUnsigned(indices[i], other.indices[j]);
      if (c == 0) {
        return true;
      }
      if (c < 0) {
        i++;
      } else {
        j++;
      }
    }
    return false;
  }

  /**
   * The dot product over shared dimensions, summed in double and rounded once (as {@link
   * SparseSearcher} scores, so both give the same float).
   */
  public float dot(SparseVector other) {
    double sum = 0;
    int i = 0;
    int j = 0;
    while (i < indices.length && j < other.indices.length) {
      int c = Integer.compareUnsigned(indices[i], other.indices[j]);
      if (c == 0) {
        sum += (double) values[i++] * other.values[j++];
      } else if (c < 0) {
        i++;
      } else {
        j++;
      }
    }
    return (float) sum;
  }

  /** The vector with every value multiplied by {@code weight(index)} (IDF weighting of a query). */
  public SparseVector reweighted(java.util.function.IntToDoubleFunction weight) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) (values[i] * weight.applyAsDouble(indices[i]));
    }
    return new SparseVector(indices, out);
  }

  /** A function of two float values, computed in float arithmetic. */
  @FunctionalInterface
  public interface ValueOperator {
    float apply(float a, float b);
  }

  /**
   * The vector over the union of both vectors' dimensions whose value at each is {@code op(this
   * value, other value)}, a dimension one of them lacks counting 0 there (Qdrant's {@code
   * combine_aggregate}; every dimension of the union is kept, even with value 0). Throws {@link
   * IllegalArgumentException} when a result is not finite.
   */
  public SparseVector combine(SparseVector other, ValueOperator op) {
    int[] outIndices = new int[indices.length + other.indices.length];
    float[] outValues = new float[outIndices.length];
    int n = 0;
    int i = 0;
    int j = 0;
    while (i < indices.length || j < other.indices.length) {
      int c =
          i == indices.length
              ? 1
              : j == other.indices.length
                  ? -1
                  : Integer.compareUnsigned(indices[i], other.indices[j]);
      if (c == 0) {
        outIndices[n] = indices[i];
        outValues[n] = op.apply(values[i++], other.values[j++]);
      } else if (c < 0) {
        outIndices[n] = indices[i];
        outValues[n] = op.apply(values[i++], 0f);
      } else {
        outIndices[n] = other.indices[j];
        outValues[n] = op.apply(0f, other.values[j++]);
      }
      if (!Float.isFinite(outValues[n])) {
        throw new IllegalArgumentException(
            "combining the vectors gives a non-finite value at dimension "
                + Integer.toUnsignedString(outIndices[n]));
      }
      n++;
    }
    return new SparseVector(Arrays.copyOf(outIndices, n), Arrays.copyOf(outValues, n));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SparseVector v
        && Arrays.equals(indices, v.indices)
        && Arrays.equals(values, v.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(indices) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < indices.length; i++) {
      s.append(i == 0 ? "" : ", ")
          .append(Integer.toUnsignedString(indices[i]))
          .append(':')
          .append(values[i]);
    }
    return s.append('}').toString();
  }
}
