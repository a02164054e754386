package io.quiver.index.multivector;

import io.quiver.index.vector.Distance;
import java.util.Arrays;

/**
 * Growing heap store of multivectors, one per ordinal {@code 0 .. size()-1}: every row of every
 * multivector in one flat float array (ord's rows at {@code [start(ord), start(ord) + count(ord) * dim)}),
 * so scoring one point reads one contiguous run. Rows must be prepared for the distance.
 *
 * <p>Appends are single-threaded; readers may run concurrently with appends only for ords below a
 * {@link #size()} they read after the append returned (the arrays are replaced, never shrunk in place).
 */
public final class MultiVectors {

  private final int dim;
  private final Distance distance;
  private float[] data = new float[0];
  private long[] starts = new long[16];
  private int[] counts = new int[16];
  private int floats;
  private volatile int size;

  public MultiVectors(int dim, Distance distance) {
    if (dim <= 0) {
      throw new IllegalArgumentException("dim must be positive, got " + dim);
    }
    this.dim = dim;
    this.distance = distance;
  }

  /** Appends a prepared flat multivector (length a positive multiple of dim); returns its ord. */
  public int add(float[] flat) {
    if (flat.length == 0 || flat.length % dim != 0) {
      throw new IllegalArgumentException("a multivector of " + flat.length + " floats is not rows of " + dim);
    }
    int ord = size;
    if (ord == counts.length) {
      starts = Arrays.copyOf(starts, ord * 2);
      counts = Arrays.copyOf(counts, ord * 2);
    }
    if (floats + flat.length > data.length) {
      long capacity = Math.max((long) floats + flat.length, Math.max(1024L, data.length * 3L / 2));
      data = Arrays.copyOf(data, (int) Math.min(capacity, Integer.MAX_VALUE - 16));
    }
    System.arraycopy(flat, 0, data, floats, flat.length);
    starts[ord] = floats;
    counts[ord] = flat.length / dim;
    floats += flat.length;
    size = ord + 1;
    return ord;
  }

  public int size() {
    return size;
  }

  public int dim() {
    return dim;
  }

  public Distance distance() {
    return distance;
  }

  /** The number of rows of {@code ord}. */
  public int count(int ord) {
    return counts[ord];
  }

  /** The flat rows of {@code ord} (a copy). */
  public float[] get(int ord) {
    int start = (int) starts[ord];
    return Arrays.copyOfRange(data, start, start + counts[ord] * dim);
  }

  /** Total rows held. */
  public long rowCount() {
    return floats / dim;
  }

  /** The MaxSim score (as Qdrant reports it) of the query rows against {@code ord}. */
  public float score(float[][] query, int ord) {
    return MaxSim.score(distance, query, data, (int) starts[ord], counts[ord], dim);
  }

  /** The MaxSim similarity (higher is better) of the query rows against {@code ord}. */
  public float similarity(float[][] query, int ord) {
    return MaxSim.similarity(distance, query, data, (int) starts[ord], counts[ord], dim);
  }
}
