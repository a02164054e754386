package io.quiver.index.vector;

import java.lang.foreign.MemorySegment;

/**
 * The distance kernels every other part of Quiver calls. Implementations are stateless and
 * thread-safe; they do not check that the two vectors have the same length beyond an assert:
 * callers validate dimensions once, at the edge.
 *
 * <p>Element types: float32 (on the heap, in a flat heap array at an offset, or in a {@link
 * MemorySegment} as little-endian floats, e.g. a mapped file), float16 and uint8 stored vectors in
 * a segment (scored against a float32 query), int8 (quantized vectors, signed bytes) and binary
 * (one bit per dimension packed into {@code long} words).
 *
 * <p>Obtain the implementation chosen for this JVM from {@link VectorizationProvider#kernels()}.
 */
public interface VectorKernels {

  /** Sum of {@code a[i] * b[i]}. */
  float dot(float[] a, float[] b);

  /** Sum of {@code (a[i] - b[i])^2}: the squared Euclidean distance. */
  float squareDistance(float[] a, float[] b);

  /** Sum of {@code |a[i] - b[i]|}: the Manhattan (L1) distance. */
  float l1Distance(float[] a, float[] b);

  /** {@link #dot(float[], float[])} of {@code q} and {@code data[offset .. offset + q.length)}. */
  float dot(float[] q, float[] data, int offset);

  /** {@link #squareDistance(float[], float[])} of {@code q} and {@code data[offset ..)}. */
  float squareDistance(float[] q, float[] data, int offset);

  /** {@link #l1Distance(float[], float[])} of {@code q} and {@code data[offset ..)}. */
  float l1Distance(float[] q, float[] data, int offset);

  /**
   * Dot product of {@code q} and the {@code q.length} little-endian floats at byte offset {@code
   * byteOffset} of {@code data}. The segment may be mapped from a file; no alignment is required.
   */
  float dot(float[] q, MemorySegment data, long byteOffset);

  /** Squared Euclidean distance against little-endian floats in a segment (see dot). */
  float squareDistance(float[] q, MemorySegment data, long byteOffset);

  /** Manhattan distance against little-endian floats in a segment (see dot). */
  float l1Distance(float[] q, MemorySegment data, long byteOffset);

  /**
   * Dot product of {@code q} and the {@code q.length} little-endian IEEE half-precision floats
   * (binary16, {@link Float#float16ToFloat}) at byte offset {@code byteOffset} of {@code data}. The
   * stored halves are converted lane by lane inside the kernel, never into a float array. Stored
   * values must be finite (infinities and NaNs are not decoded as such).
   */
  float dotFloat16(float[] q, MemorySegment data, long byteOffset);

  /** Squared Euclidean distance against little-endian halves in a segment (see dotFloat16). */
  float squareDistanceFloat16(float[] q, MemorySegment data, long byteOffset);

  /** Manhattan distance against little-endian halves in a segment (see dotFloat16). */
  float l1DistanceFloat16(float[] q, MemorySegment data, long byteOffset);

  /**
   * Dot product of {@code q} and the {@code q.length} unsigned bytes (0..255) at byte offset {@code
   * byteOffset} of {@code data}, converted lane by lane inside the kernel.
   */
  float dotUint8(float[] q, MemorySegment data, long byteOffset);

  /** Squared Euclidean distance against unsigned bytes in a segment (see dotUint8). */
  float squareDistanceUint8(float[] q, MemorySegment data, long byteOffset);

  /** Manhattan distance against unsigned bytes in a segment (see dotUint8). */
  float l1DistanceUint8(float[] q, MemorySegment data, long byteOffset);

  /**
   * The cosine of a unit (or zero) query {@code q} and the {@code q.length} unsigned bytes at byte
   * offset {@code byteOffset} of {@code data}, which are not normalized: {@code dot(q, v) / |v|}, 0
   * when {@code v} is zero (Qdrant's Cosine over uint8 vectors). One pass accumulates the dot
   * product and the stored vector's squared norm.
   */
  float cosineUint8(float[] q, MemorySegment data, long byteOffset);

  /**
   * The cosine of a unit (or zero) query {@code q} and the unnormalized float vector at {@code
   * data[offset .. offset + q.length)}: {@code dot(q, v) / |v|}, 0 when {@code v} is zero (see
   * cosineUint8).
   */
  float cosine(float[] q, float[] data, int offset);

  /** Sum of {@code a[i] * data[offset + i]} over signed bytes, exact in int arithmetic. */
  int dotInt8(byte[] a, byte[] data, int offset);

  /** Sum of {@code (a[i] - data[offset + i])^2} over signed bytes, exact. */
  int squareDistanceInt8(byte[] a, byte[] data, int offset);

  /** Sum of {@code |a[i] - data[offset + i]|} over signed bytes, exact. */
  int l1DistanceInt8(byte[] a, byte[] data, int offset);

  /** {@link #dotInt8(byte[], byte[], int)} against the bytes at {@code byteOffset} of a segment. */
  int dotInt8(byte[] a, MemorySegment data, long byteOffset);

  /** {@link #squareDistanceInt8(byte[], byte[], int)} against the bytes of a segment. */
  int squareDistanceInt8(byte[] a, MemorySegment data, long byteOffset);

  /**
   * Hamming distance (number of differing bits) of {@code a} and the {@code a.length} words at
   * {@code data[offset ..)}.
   */
  int hamming(long[] a, long[] data, int offset);

  /**
   * The dot product of a query quantized to unsigned {@code planeCount}-bit integers, stored as bit
   * planes, with a bit vector: {@code sum over p of 2^p * popcount(planes[p] & data[offset ..])}.
   * Plane {@code p} occupies {@code planes[p * words .. (p + 1) * words)} with {@code words =
   * planes.length / planeCount}; the bit vector is {@code data[offset .. offset + words)}. Equals
   * {@code sum over set bits d of u[d]}, where {@code u[d]} is the query's integer in dimension d.
   */
  int bitPlaneDot(long[] planes, int planeCount, long[] data, int offset);

  /**
   * Four dot products of {@code q} with the vectors at {@code data[o0..]}, {@code data[o1..]},
   * {@code data[o2..]}, {@code data[o3..]}, written to {@code out[at .. at + 4)}. Same results as
   * four single calls up to float rounding; SIMD implementations read the four vectors in one loop,
   * which overlaps their cache misses (the cost of a graph search is memory latency).
   */
  void dot4(float[] q, float[] data, int o0, int o1, int o2, int o3, float[] out, int at);

  /**
   * Four squared Euclidean distances, as {@link #dot4(float[], float[], int, int, int, int,
   * float[], int)}.
   */
  void squareDistance4(
      float[] q, float[] data, int o0, int o1, int o2, int o3, float[] out, int at);

  /** Four dot products against little-endian floats at byte offsets of a segment (see dot4). */
  void dot4(float[] q, MemorySegment data, long o0, long o1, long o2, long o3, float[] out, int at);

  /** Four squared Euclidean distances against a segment (see dot4). */
  void squareDistance4(
      float[] q, MemorySegment data, long o0, long o1, long o2, long o3, float[] out, int at);

  /**
   * Four {@link #dotInt8(byte[], byte[], int)} at once, into {@code out[at .. at + 4)} (see dot4).
   */
  void dotInt8x4(byte[] a, byte[] data, int o0, int o1, int o2, int o3, int[] out, int at);

  /**
   * Four {@link #squareDistanceInt8(byte[], byte[], int)} at once, into {@code out[at .. at + 4)}.
   */
  void squareDistanceInt8x4(
      byte[] a, byte[] data, int o0, int o1, int o2, int o3, int[] out, int at);
}
