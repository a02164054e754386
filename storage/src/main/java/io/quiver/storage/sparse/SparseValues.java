package io.quiver.storage.sparse;

import io.quiver.index.sparse.SparseVector;
import io.quiver.index.vector.VectorDatatype;

/**
 * The values a sparse vector is stored with under its index's {@code datatype} (Qdrant's {@code
 * sparse_vectors.NAME.index.datatype}). Applied once, when a point is written: RocksDB, the
 * inverted index, search and retrieve all see the stored values, so exact search over the index
 * equals brute force over what points read back.
 *
 * <ul>
 *   <li>{@code float32}: unchanged;
 *   <li>{@code float16}: each value rounded to the nearest half (values must fit: |x| &le; 65,504);
 *   <li>{@code uint8}: each vector quantized to 256 levels between its own smallest and largest
 *       value ({@code min + round((x - min) / step) * step}, {@code step = (max - min) / 255}), so
 *       any finite values are accepted, as Qdrant accepts them. Qdrant quantizes per posting list
 *       at indexing time instead (its stored vectors keep float32); per vector keeps the stored
 *       value fixed from the write on, identical on every replica and through every rebuild.
 * </ul>
 *
 * Both are idempotent (snapshot recovery writes stored values again): float16 trivially; uint8
 * keeps min and max, and a level's float is either within less than half a step of the level (steps
 * wider than an ulp) or the float nearest every level within half a step of it. Stateless and
 * thread-safe.
 */
public final class SparseValues {

  /** Levels of the uint8 quantization. */
  private static final int UINT8_STEPS = 255;

  private SparseValues() {}

  /** The vector as {@code datatype} stores it (the same object when nothing changes). */
  public static SparseVector stored(VectorDatatype datatype, SparseVector v) {
    if (datatype == VectorDatatype.FLOAT32 || v.size() == 0) {
      return v;
    }
    float[] values = v.values(); // a copy
    if (datatype == VectorDatatype.FLOAT16) {
      datatype.roundInPlace(values);
    } else {
      quantizeUint8(values);
    }
    return SparseVector.of(v.indices(), values);
  }

  /**
   * The position of the first value {@code datatype} cannot store (float16: not a finite half), or
   * -1.
   */
  public static int firstUnstorable(VectorDatatype datatype, SparseVector v) {
    if (datatype != VectorDatatype.FLOAT16) {
      return -1;
    }
    for (int i = 0; i < v.size(); i++) {
      if (!datatype.canStore(v.value(i))) {
        return i;
      }
    }
    return -1;
  }

  private static void quantizeUint8(float[] values) {
    float min = values[0];
    float max = values[0];
    for (float x : values) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    if (min == max) {
      return; // one level holds them all exactly
    }
    double step = ((double) max - min) / UINT8_STEPS;
    for (int i = 0; i < values.length; i++) {
      long level = Math.round((values[i] - (double) min) / step);
      values[i] = level == UINT8_STEPS ? max : (float) (min + level * step);
    }
  }
}
