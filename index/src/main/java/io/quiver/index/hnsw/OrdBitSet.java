package io.quiver.index.hnsw;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-size set of ordinals, e.g. the deleted ones of a sealed segment. {@link #set(int)} is
 * atomic and may race with readers; a reader sees a set bit no later than the next happens-before
 * edge with the writer (the segment's usual publication).
 */
public final class OrdBitSet {

  private final AtomicLongArray words;
  private final int size;

  public OrdBitSet(int size) {
    this.size = size;
    this.words = new AtomicLongArray((size + 63) >>> 6);
  }

  /** The number of ordinals this set covers. */
  public int size() {
    return size;
  }

  /** Adds {@code ord}; returns true if it was absent. */
  public boolean set(int ord) {
    long mask = 1L << ord;
    int w = ord >>> 6;
    long old = words.getAndUpdate(w, x -> x | mask);
    return (old & mask) == 0;
  }

  /** True when {@code ord} is in the set. */
  public boolean get(int ord) {
    return (words.getPlain(ord >>> 6) & (1L << ord)) != 0;
  }

  /** The number of ordinals in the set. O(size / 64). */
  public int cardinality() {
    int n = 0;
    for (int i = 0; i < words.length(); i++) {
      n += Long.bitCount(words.get(i));
    }
    return n;
  }

  /** A filter accepting the ordinals NOT in this set. */
  public OrdFilter absent() {
    return ord -> !get(ord);
  }

  /** A filter accepting the ordinals in this set. */
  public OrdFilter present() {
    return this::get;
  }
}
