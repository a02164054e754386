package io.quiver.storage.sparse;

import io.quiver.index.sparse.SparseVector;
import java.nio.ByteBuffer;

/**
 * A 64-bit hash of a sparse vector's content (its dimensions and the bits of its values), the same
 * whether computed from the vector or from its encoded form in the shard's store (n little-endian
 * ints, then n floats). A sealed sparse part records it per ord: at open, an ord is live iff the
 * store holds the same content for that point and name, so a part file stays valid whatever the
 * store went through (restarts, snapshot installs from replicas that assigned ords differently, a
 * name dropped and added again), and a stale one is never trusted.
 */
final class SparseFingerprint {

  private static final long MUL = 0x9E3779B97F4A7C15L;

  private SparseFingerprint() {}

  static long of(SparseVector v) {
    long h = v.size();
    for (int i = 0; i < v.size(); i++) {
      h = step(h, v.index(i), Float.floatToRawIntBits(v.value(i)));
    }
    return finish(h);
  }

  /**
   * The fingerprint of the encoded vector of {@code n} dimensions at {@code at} in {@code le}
   * (little endian).
   */
  static long of(ByteBuffer le, int at, int n) {
    long h = n;
    for (int i = 0; i < n; i++) {
      h = step(h, le.getInt(at + 4 * i), le.getInt(at + 4 * (n + i)));
    }
    return finish(h);
  }

  private static long step(long h, int index, int valueBits) {
    h = (h ^ Integer.toUnsignedLong(index)) * MUL;
    return Long.rotateLeft(h, 29) ^ (valueBits * MUL);
  }

  private static long finish(long h) { // murmur3's fmix64
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
