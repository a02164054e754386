package io.quiver.index.sparse;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * An inverted index on the heap that grows as vectors are added: per dimension, parallel arrays of
 * ords and values (8 bytes a posting, 6 with half-precision values, plus array growth slack),
 * appended in ord order; deletes set a bit. {@link #compact()} drops deleted postings and renumbers
 * the live ords densely, keeping their order.
 *
 * <p>Not thread-safe: one writer, and readers that the caller keeps from running during a write
 * (storage holds its shard's read/write lock). Views returned by {@link #postings} are only valid
 * until the next write.
 */
public final class GrowingSparseIndex implements SparsePostings {

  private final Map<Integer, GrowingList> lists = new HashMap<>();
  private final boolean halfValues;
  private final BitSet deleted = new BitSet();
  private int ordBound;
  private int liveCount;
  private int deletedCount;
  private long postingCount;

  /** An index holding float32 values. */
  public GrowingSparseIndex() {
    this(false);
  }

  /**
   * An index holding its values as IEEE halves ({@code halfValues}: 2 bytes a value instead of 4)
   * or as floats. With halves, every value added must be a half already (the caller rounds them
   * when they are stored): values read back exactly as added.
   */
  public GrowingSparseIndex(boolean halfValues) {
    this.halfValues = halfValues;
  }

  /**
   * Adds the vector of {@code ord}, which must be at least {@link #ordBound()} (ords are appended
   * in increasing order). An empty vector only advances the bound.
   */
  public void add(int ord, SparseVector vector) {
    if (ord < ordBound) {
      throw new IllegalArgumentException("ord " + ord + " is below the index's bound " + ordBound);
    }
    for (int i = 0; i < vector.size(); i++) {
      float value = vector.value(i);
      if (halfValues && Float.float16ToFloat(Float.floatToFloat16(value)) != value) {
        throw new IllegalArgumentException(
            "value "
                + value
                + " of index "
                + Integer.toUnsignedString(vector.index(i))
                + " is not a half-precision value");
      }
    }
    for (int i = 0; i < vector.size(); i++) {
      lists
          .computeIfAbsent(vector.index(i), d -> new GrowingList(halfValues))
          .append(ord, vector.value(i));
    }
    postingCount += vector.size();
    ordBound = ord + 1;
    liveCount++;
  }

  /** Marks {@code ord} deleted (its postings stay until {@link #compact()}). Idempotent. */
  public void delete(int ord) {
    if (ord < 0 || ord >= ordBound) {
      throw new IllegalArgumentException(
          "ord " + ord + " is not in the index (bound " + ordBound + ")");
    }
    if (!deleted.get(ord)) {
      deleted.set(ord);
      liveCount--;
      deletedCount++;
    }
  }

  @Override
  public PostingList postings(int index) {
    return lists.get(index);
  }

  @Override
  public boolean isDeleted(int ord) {
    return deleted.get(ord);
  }

  @Override
  public int ordBound() {
    return ordBound;
  }

  /** The number of ords added and not deleted. */
  public int liveCount() {
    return liveCount;
  }

  /** The number of ords deleted and not yet compacted away. */
  public int deletedCount() {
    return deletedCount;
  }

  /** The number of postings held, deleted ones included. */
  public long postingCount() {
    return postingCount;
  }

  /** The number of dimensions with at least one posting. */
  public int dimensionCount() {
    return lists.size();
  }

  @Override
  public void forEachDimension(IntConsumer consumer) {
    for (Integer d : lists.keySet()) {
      consumer.accept(d);
    }
  }

  /** Bytes of heap the posting arrays take (capacity, not size). */
  public long heapBytes() {
    long bytes = deleted.size() / 8;
    for (GrowingList l : lists.values()) {
      bytes += (l.halves != null ? 6L : 8L) * l.ords.length + 48;
    }
    return bytes;
  }

  /**
   * Drops the postings of deleted ords and renumbers the live ords 0..liveCount-1 in their old
   * order. Returns the old-to-new map ({@code -1} for a deleted ord), for the caller's id map.
   */
  public int[] compact() {
    int[] remap = new int[ordBound];
    int next = 0;
    for (int ord = 0; ord < ordBound; ord++) {
      remap[ord] = deleted.get(ord) ? -1 : next++;
    }
    postingCount = 0;
    var it = lists.values().iterator();
    while (it.hasNext()) {
      GrowingList l = it.next();
      l.retainRenumbered(remap);
      if (l.size == 0) {
        it.remove();
      }
      postingCount += l.size;
    }
    deleted.clear();
    deletedCount = 0;
    ordBound = next;
    liveCount = next;
    return remap;
  }

  /**
   * One dimension's postings: ords increasing, with the list's value range; values as floats or
   * halves.
   */
  private static final class GrowingList implements PostingList {
    private int[] ords = new int[4];
    private float[] values; // null when the values are halves
    private short[] halves; // null when the values are floats
    private int size;
    private float max = Float.NEGATIVE_INFINITY;
    private float min = Float.POSITIVE_INFINITY;

    GrowingList(boolean halfValues) {
      if (halfValues) {
        halves = new short[4];
      } else {
        values = new float[4];
      }
    }

    void append(int ord, float value) {
      assert size == 0 || ords[size - 1] < ord : "ords must increase";
      if (size == ords.length) {
        int capacity = size + (size >> 1) + 1;
        ords = Arrays.copyOf(ords, capacity);
        resizeValues(capacity);
      }
      ords[size] = ord;
      set(size, value);
      size++;
      max = Math.max(max, value);
      min = Math.min(min, value);
    }

    void retainRenumbered(int[] remap) {
      int n = 0;
      max = Float.NEGATIVE_INFINITY;
      min = Float.POSITIVE_INFINITY;
      for (int i = 0; i < size; i++) {
        int to = remap[ords[i]];
        if (to >= 0) {
          float value = value(i);
          ords[n] = to;
          set(n, value);
          max = Math.max(max, value);
          min = Math.min(min, value);
          n++;
        }
      }
      size = n;
      if (ords.length > 2 * n + 4) {
        ords = Arrays.copyOf(ords, n);
        resizeValues(n);
      }
    }

    private void set(int i, float value) {
      if (halves != null) {
        halves[i] = Float.floatToFloat16(value);
      } else {
        values[i] = value;
      }
    }

    private void resizeValues(int capacity) {
      if (halves != null) {
        halves = Arrays.copyOf(halves, capacity);
      } else {
        values = Arrays.copyOf(values, capacity);
      }
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public int ord(int i) {
      return ords[i];
    }

    @Override
    public float value(int i) {
      return halves != null ? Float.float16ToFloat(halves[i]) : values[i];
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
