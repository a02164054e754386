package io.quiver.storage.filter;

import io.quiver.storage.PointId;

/**
 * SipHash-2-4 (Aumasson and Bernstein), the hash of Qdrant's {@code slice} condition: a zero key
 * over the canonical id bytes, 8 little-endian bytes for an integer id and the 16 RFC 4122 bytes
 * for a UUID.
 */
final class SipHash {

  private SipHash() {}

  /** The slice hash of a point id; allocates nothing. */
  static long ofPointId(PointId id) {
    if (id.isUuid()) {
      // RFC 4122 bytes are the UUID's big-endian halves; SipHash reads each 8-byte block
      // little-endian.
      return words(
          0,
          0,
          Long.reverseBytes(id.uuid().getMostSignificantBits()),
          Long.reverseBytes(id.uuid().getLeastSignificantBits()),
          2);
    }
    return words(0, 0, id.number(), 0, 1);
  }

  /** SipHash-2-4 of a message of exactly {@code count} (1 or 2) 8-byte words. */
  static long words(long k0, long k1, long w0, long w1, int count) {
    long[] v = init(k0, k1);
    compress(v, w0);
    if (count == 2) {
      compress(v, w1);
    }
    compress(v, ((long) (count * 8)) << 56);
    return finish(v);
  }

  /** SipHash-2-4 of any byte string (the reference form, used by the tests). */
  static long bytes(long k0, long k1, byte[] data) {
    long[] v = init(k0, k1);
    int blocks = data.length / 8;
    for (int b = 0; b < blocks; b++) {
      long m = 0;
      for (int i = 7; i >= 0; i--) {
        m = (m << 8) | (data[b * 8 + i] & 0xFF);
      }
      compress(v, m);
    }
    long last = ((long) data.length) << 56;
    for (int i = data.length - 1; i >= blocks * 8; i--) {
      last |= ((long) (data[i] & 0xFF)) << (8 * (i - blocks * 8));
    }
    compress(v, last);
    return finish(v);
  }

  private static long[] init(long k0, long k1) {
    return new long[] {
      k0 ^ 0x736f6d6570736575L,
      k1 ^ 0x646f72616e646f6dL,
      k0 ^ 0x6c7967656e657261L,
      k1 ^ 0x7465646279746573L
    };
  }

  private static void compress(long[] v, long m) {
    v[3] ^= m;
    round(v);
    round(v);
    v[0] ^= m;
  }

  private static long finish(long[] v) {
    v[2] ^= 0xff;
    for (int i = 0; i < 4; i++) {
      round(v);
    }
    return v[0] ^ v[1] ^ v[2] ^ v[3];
  }

  private static void round(long[] v) {
    v[0] += v[1];
    v[1] = Long.rotateLeft(v[1], 13);
    v[1] ^= v[0];
    v[0] = Long.rotateLeft(v[0], 32);
    v[2] += v[3];
    v[3] = Long.rotateLeft(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = Long.rotateLeft(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = Long.rotateLeft(v[1], 17);
    v[1] ^= v[2];
    v[2] = Long.rotateLeft(v[2], 32);
  }
}
