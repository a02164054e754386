package io.quiver.index.sparse;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An immutable inverted index read in place from a mapped {@link SparseIndexFormat} file (or from a
 * copy of it in native memory, {@link SparseIndexFormat#load}): a dimension's list is found by
 * binary search in the directory, its postings are read straight from the mapping. Holds no deleted
 * ords (callers filter with an {@link io.quiver.index.hnsw.OrdFilter}). Thread-safe; {@link
 * #close()} unmaps (or frees the copy), after which it must not be used.
 */
public final class MappedSparseIndex implements SparsePostings, AutoCloseable {

  private final MemorySegment seg;
  private final Arena arena;
  private final int ordBound;
  private final int dimCount;
  private final long postingCount;
  private final long ordsOffset;
  private final long valuesOffset;

  MappedSparseIndex(MemorySegment seg, Arena arena) {
    this.seg = seg;
    this.arena = arena;
    this.ordBound = seg.get(SparseIndexFormat.LE_INT, 8);
    this.dimCount = seg.get(SparseIndexFormat.LE_INT, 12);
    this.postingCount = seg.get(SparseIndexFormat.LE_LONG, 16);
    this.ordsOffset = SparseIndexFormat.ordsOffset(dimCount);
    this.valuesOffset = SparseIndexFormat.valuesOffset(dimCount, postingCount);
  }

  @Override
  public PostingList postings(int index) {
    int lo = 0;
    int hi = dimCount - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long entry =
          SparseIndexFormat.HEADER_BYTES + (long) mid * SparseIndexFormat.DIRECTORY_ENTRY_BYTES;
      int c = Integer.compareUnsigned(seg.get(SparseIndexFormat.LE_INT, entry), index);
      if (c == 0) {
        return new MappedList(
            seg.get(SparseIndexFormat.LE_INT, entry + 4),
            seg.get(SparseIndexFormat.LE_LONG, entry + 8),
            seg.get(SparseIndexFormat.LE_FLOAT, entry + 16),
            seg.get(SparseIndexFormat.LE_FLOAT, entry + 20));
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return null;
  }

  @Override
  public boolean isDeleted(int ord) {
    return false;
  }

  @Override
  public int ordBound() {
    return ordBound;
  }

  @Override
  public void forEachDimension(java.util.function.IntConsumer consumer) {
    for (int d = 0; d < dimCount; d++) {
      consumer.accept(
          seg.get(
              SparseIndexFormat.LE_INT,
              SparseIndexFormat.HEADER_BYTES + (long) d * SparseIndexFormat.DIRECTORY_ENTRY_BYTES));
    }
  }

  /**
   * Reads every page of the index once (pre-loads a mapped file into the page cache); returns a sum
   * of what it read, so that the reads are not optimized away.
   */
  public long readThrough() {
    long sum = 0;
    for (long at = 0; at < seg.byteSize(); at += 4096) {
      sum += seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at);
    }
    return sum;
  }

  /**
   * True when the index was copied into process memory at open, false when it is read from a
   * mapping.
   */
  public boolean inMemory() {
    return !seg.isMapped();
  }

  /** The number of postings in the file. */
  public long postingCount() {
    return postingCount;
  }

  /** The number of dimensions with postings. */
  public int dimensionCount() {
    return dimCount;
  }

  /** The size of the mapped file in bytes. */
  public long fileBytes() {
    return seg.byteSize();
  }

  @Override
  public void close() {
    arena.close();
  }

  /** Aligned little-endian elements (the arrays start 64-aligned in the file and in memory). */
  private static final java.lang.foreign.ValueLayout.OfInt ORD =
      java.lang.foreign.ValueLayout.JAVA_INT.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  private static final java.lang.foreign.ValueLayout.OfFloat VALUE =
      java.lang.foreign.ValueLayout.JAVA_FLOAT.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  /** One list: a window (its own slice) of the ords and values arrays. */
  private final class MappedList implements PostingList {
    private final int size;
    private final MemorySegment ords;
    private final MemorySegment values;
    private final float max;
    private final float min;

    MappedList(int size, long first, float max, float min) {
      this.size = size;
      this.ords = seg.asSlice(ordsOffset + first * Integer.BYTES, (long) size * Integer.BYTES);
      this.values = seg.asSlice(valuesOffset + first * Float.BYTES, (long) size * Float.BYTES);
      this.max = max;
      this.min = min;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public int ord(int i) {
      return ords.getAtIndex(ORD, i);
    }

    @Override
    public float value(int i) {
      return values.getAtIndex(VALUE, i);
    }

    @Override
    public float maxValue() {
      return max;
    }

    @Override
    public float minValue() {
      return min;
    }
  }
}
