package io.quiver.index.multivector;

import io.quiver.index.vector.Distance;
import java.util.Arrays;

/**
 * Growing heap store of multivectors, one per ordinal {@code 0 .. size()-1}: every row of every
 * multivector in one flat float array (ord's rows at {@code [start(ord), start(ord) + count(ord) *
 * dim)}), so scoring one point reads one contiguous run. Rows must be prepared for the distance.
 *
 * <p>Appends are single-threaded; readers may run concurrently with appends only for ords below a
 * {@link #size()} they read after the append returned (the arrays are replaced, never shrunk in
 * place).
 *
 * <p>A store made by {@link #mapped} keeps its rows in memory-mapped scratch files instead ({@link
 * MappedRows}; {@code start(ord)} is then a position there), for {@code on_disk} multivectors;
 * everything else is the same.
 *
 * <p>{@link #range} gives a frozen view of some ords without copying: appends never write below the
 * store's current end, so the view's rows never change while the store grows (a background graph
 * build reads them without locks).
 */
public final class MultiVectors {

  private final int dim;
  private final Distance distance;
  private float[] data = new float[0];
  private long[] starts = new long[16];
  private int[] counts = new int[16];
  private int floats;
  private volatile int size;

  /** For a {@link #range} view: the store's ord of this view's ord 0; 0 for a store. */
  private final int base;

  private final boolean frozen;

  /** The rows when they are mapped ({@link #mapped}); null: in {@link #data}. */
  private final MappedRows mapped;

  public MultiVectors(int dim, Distance distance) {
    this(dim, distance, null);
  }

  private MultiVectors(int dim, Distance distance, MappedRows mapped) {
    if (dim <= 0) {
      throw new IllegalArgumentException("dim must be positive, got " + dim);
    }
    this.dim = dim;
    this.distance = distance;
    this.base = 0;
    this.frozen = false;
    this.mapped = mapped;
  }

  /**
   * A store whose rows live in memory-mapped scratch files in {@code dir} (named {@code
   * <prefix><n>.rows}, unlinked as soon as they are mapped; chunks of {@code chunkBytes}) instead
   * of the heap: only two numbers per ord stay on the heap.
   */
  public static MultiVectors mapped(
      int dim, Distance distance, java.nio.file.Path dir, String prefix, long chunkBytes) {
    return new MultiVectors(dim, distance, new MappedRows(dir, prefix, chunkBytes));
  }

  /** True when the rows are in mapped files ({@link #mapped}). */
  public boolean isMapped() {
    return mapped != null;
  }

  private MultiVectors(MultiVectors of, int from, int to) {
    this.dim = of.dim;
    this.distance = of.distance;
    this.data = of.data;
    this.starts = of.starts;
    this.counts = of.counts;
    this.floats = of.floats;
    this.base = of.base + from;
    this.size = to - from;
    this.frozen = true;
    this.mapped = of.mapped;
  }

  /**
   * A frozen view of ords {@code [from, to)} of this store, renumbered from 0 (its ord {@code i} is
   * this store's {@code from + i}), sharing the rows (no copy). Call it from the appending thread,
   * or under the lock appends take, so the view sees the rows; it may then be read from any thread
   * while appends go on. Views cannot be appended to.
   */
  public MultiVectors range(int from, int to) {
    if (from < 0 || to < from || to > size) {
      throw new IllegalArgumentException(
          "range [" + from + ", " + to + ") of " + size + " multivectors");
    }
    return new MultiVectors(this, from, to);
  }

  /** Appends a prepared flat multivector (length a positive multiple of dim); returns its ord. */
  public int add(float[] flat) {
    if (frozen) {
      throw new IllegalStateException("a range view of multivectors cannot be appended to");
    }
    if (flat.length == 0 || flat.length % dim != 0) {
      throw new IllegalArgumentException(
          "a multivector of " + flat.length + " floats is not rows of " + dim);
    }
    int ord = size;
    if (ord == counts.length) {
      starts = Arrays.copyOf(starts, ord * 2);
      counts = Arrays.copyOf(counts, ord * 2);
    }
    if (mapped != null) {
      starts[ord] = mapped.append(flat);
      counts[ord] = flat.length / dim;
      floats += flat.length;
      size = ord + 1;
      return ord;
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
    return counts[base + ord];
  }

  /** The flat rows of {@code ord} (a copy). */
  public float[] get(int ord) {
    if (mapped != null) {
      long position = starts[base + ord];
      float[] out = new float[counts[base + ord] * dim];
      java.lang.foreign.MemorySegment.copy(
          mapped.chunk(position),
          MappedRows.LE_FLOAT,
          MappedRows.offset(position),
          out,
          0,
          out.length);
      return out;
    }
    int start = (int) starts[base + ord];
    return Arrays.copyOfRange(data, start, start + counts[base + ord] * dim);
  }

  /** Copies row {@code row} of {@code ord} into {@code out} (length {@link #dim()}). */
  public void copyRow(int ord, int row, float[] out) {
    if (row < 0 || row >= counts[base + ord]) {
      throw new IndexOutOfBoundsException(
          "row " + row + " of " + counts[base + ord] + " of ord " + ord);
    }
    long start = starts[base + ord];
    if (mapped != null) {
      java.lang.foreign.MemorySegment.copy(
          mapped.chunk(start),
          MappedRows.LE_FLOAT,
          MappedRows.offset(start) + (long) row * dim * Float.BYTES,
          out,
          0,
          dim);
      return;
    }
    System.arraycopy(data, (int) start + row * dim, out, 0, dim);
  }

  /** True when {@code ord}'s rows are exactly {@code flat} (same length, bitwise equal floats). */
  public boolean rowsEqual(int ord, float[] flat) {
    if (mapped != null) {
      return counts[base + ord] * dim == flat.length && Arrays.equals(get(ord), flat);
    }
    int start = (int) starts[base + ord];
    int length = counts[base + ord] * dim;
    return length == flat.length && Arrays.equals(data, start, start + length, flat, 0, length);
  }

  /** Total rows held (of a store; of a view, the rows of its ords). */
  public long rowCount() {
    if (!frozen) {
      return floats / dim;
    }
    if (mapped != null) {
      long rows = 0;
      for (int ord = 0; ord < size; ord++) {
        rows += counts[base + ord];
      }
      return rows;
    }
    if (size == 0) {
      return 0;
    }
    int last = base + size - 1;
    return (starts[last] + (long) counts[last] * dim - starts[base]) / dim;
  }

  /** The MaxSim score (as Qdrant reports it) of the query rows against {@code ord}. */
  public float score(float[][] query, int ord) {
    if (mapped != null) {
      long position = starts[base + ord];
      return MaxSim.score(
          distance,
          query,
          mapped.chunk(position),
          MappedRows.offset(position),
          counts[base + ord],
          dim);
    }
    return MaxSim.score(distance, query, data, (int) starts[base + ord], counts[base + ord], dim);
  }

  /** The MaxSim similarity (higher is better) of the query rows against {@code ord}. */
  public float similarity(float[][] query, int ord) {
    if (mapped != null) {
      float s = score(query, ord);
      return distance.higherIsBetter() ? s : -s;
    }
    return MaxSim.similarity(
        distance, query, data, (int) starts[base + ord], counts[base + ord], dim);
  }

  /**
   * {@link MaxSim#nodeSimilarity} of rows {@code a} and {@code ord} ({@code columns}: scratch of at
   * least {@code count(ord)} floats).
   */
  public float nodeSimilarity(float[][] a, int ord, float[] columns) {
    if (mapped != null) {
      long position = starts[base + ord];
      return MaxSim.nodeSimilarity(
          distance,
          a,
          mapped.chunk(position),
          MappedRows.offset(position),
          counts[base + ord],
          dim,
          columns);
    }
    return MaxSim.nodeSimilarity(
        distance, a, data, (int) starts[base + ord], counts[base + ord], dim, columns);
  }

  /**
   * {@link MaxSim#exampleSimilarity} of prepared example rows to {@code ord} (custom objectives'
   * comparator).
   */
  public float exampleSimilarity(float[][] example, int ord) {
    if (mapped != null) {
      long position = starts[base + ord];
      return MaxSim.exampleSimilarity(
          distance,
          example,
          mapped.chunk(position),
          MappedRows.offset(position),
          counts[base + ord],
          dim);
    }
    return MaxSim.exampleSimilarity(
        distance, example, data, (int) starts[base + ord], counts[base + ord], dim);
  }
}
