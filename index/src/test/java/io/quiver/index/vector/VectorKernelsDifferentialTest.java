package io.quiver.index.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: the Panama kernels compute what the scalar kernels compute, on lengths that exercise the
 * four-accumulator loop, the single-vector loop and the scalar tail. Oracle: the scalar kernels
 * (float results within a relative tolerance, since the summation order differs; int8 and binary
 * results exactly). Inputs are seeded random; the seed is in every failure message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VectorKernelsDifferentialTest {

  private static final VectorKernels SCALAR = VectorizationProvider.scalarKernels();
  private static final VectorKernels PANAMA = new PanamaVectorKernels();
  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final long BASE_SEED = Long.getLong("tests.seed", System.nanoTime());

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 13, 207, 702, 1536})
  void floatKernelsAgree(int length) {
    long seed = BASE_SEED + length;
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < 20; round++) {
      float[] a = randomFloats(random, length);
      int offset = random.nextInt(5);
      float[] data = randomFloats(random, length + offset);
      float[] b = new float[length];
      System.arraycopy(data, offset, b, 0, length);
      String where = "seed=" + seed + " length=" + length + " round=" + round;
      assertClose(SCALAR.dot(a, b), PANAMA.dot(a, b), length, where + " dot");
      assertClose(SCALAR.squareDistance(a, b), PANAMA.squareDistance(a, b), length, where + " l2");
      assertClose(SCALAR.l1Distance(a, b), PANAMA.l1Distance(a, b), length, where + " l1");
      assertClose(SCALAR.dot(a, b), PANAMA.dot(a, data, offset), length, where + " dot@offset");
      assertClose(
          SCALAR.squareDistance(a, b),
          PANAMA.squareDistance(a, data, offset),
          length,
          where + " l2@offset");
      assertClose(
          SCALAR.l1Distance(a, b),
          PANAMA.l1Distance(a, data, offset),
          length,
          where + " l1@offset");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 13, 207, 702, 1536})
  void segmentKernelsAgreeWithHeapKernels(int length) {
    long seed = BASE_SEED + 31L * length;
    SplittableRandom random = new SplittableRandom(seed);
    try (Arena arena = Arena.ofConfined()) {
      for (int round = 0; round < 10; round++) {
        float[] a = randomFloats(random, length);
        float[] b = randomFloats(random, length);
        long byteOffset = random.nextInt(9); // deliberately unaligned
        MemorySegment segment = arena.allocate(byteOffset + 4L * length);
        MemorySegment.copy(b, 0, segment, LE_FLOAT, byteOffset, length);
        String where = "seed=" + seed + " length=" + length + " round=" + round;
        for (VectorKernels k : new VectorKernels[] {SCALAR, PANAMA}) {
          assertClose(SCALAR.dot(a, b), k.dot(a, segment, byteOffset), length, where + " dot " + k);
          assertClose(
              SCALAR.squareDistance(a, b),
              k.squareDistance(a, segment, byteOffset),
              length,
              where + " l2 " + k);
          assertClose(
              SCALAR.l1Distance(a, b),
              k.l1Distance(a, segment, byteOffset),
              length,
              where + " l1 " + k);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 13, 207, 702, 1536})
  void fourWayKernelsAgreeWithSingleKernels(int length) {
    long seed = BASE_SEED + 53L * length;
    SplittableRandom random = new SplittableRandom(seed);
    try (Arena arena = Arena.ofConfined()) {
      float[] q = randomFloats(random, length);
      int vectors = 6;
      float[] data = randomFloats(random, vectors * length + 3);
      MemorySegment segment = arena.allocate(4L * data.length);
      MemorySegment.copy(data, 0, segment, LE_FLOAT, 0, data.length);
      for (int round = 0; round < 10; round++) {
        int[] o = new int[4];
        for (int j = 0; j < 4; j++) {
          o[j] = random.nextInt(vectors) * length + random.nextInt(4);
        }
        String where = "seed=" + seed + " length=" + length + " round=" + round;
        for (VectorKernels k : new VectorKernels[] {SCALAR, PANAMA}) {
          float[] dots = new float[5];
          float[] l2 = new float[5];
          float[] dotsSeg = new float[5];
          float[] l2Seg = new float[5];
          k.dot4(q, data, o[0], o[1], o[2], o[3], dots, 1);
          k.squareDistance4(q, data, o[0], o[1], o[2], o[3], l2, 1);
          k.dot4(q, segment, 4L * o[0], 4L * o[1], 4L * o[2], 4L * o[3], dotsSeg, 1);
          k.squareDistance4(q, segment, 4L * o[0], 4L * o[1], 4L * o[2], 4L * o[3], l2Seg, 1);
          for (int j = 0; j < 4; j++) {
            assertClose(
                SCALAR.dot(q, data, o[j]), dots[1 + j], length, where + " dot4[" + j + "] " + k);
            assertClose(
                SCALAR.squareDistance(q, data, o[j]),
                l2[1 + j],
                length,
                where + " l2x4[" + j + "] " + k);
            assertClose(
                SCALAR.dot(q, data, o[j]),
                dotsSeg[1 + j],
                length,
                where + " dot4 segment[" + j + "] " + k);
            assertClose(
                SCALAR.squareDistance(q, data, o[j]),
                l2Seg[1 + j],
                length,
                where + " l2x4 segment[" + j + "] " + k);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 13, 207, 702, 1536})
  void int8KernelsAgreeExactly(int length) {
    long seed = BASE_SEED + 77L * length;
    SplittableRandom random = new SplittableRandom(seed);
    try (Arena arena = Arena.ofConfined()) {
      for (int round = 0; round < 20; round++) {
        byte[] a = randomBytes(random, length);
        int offset = random.nextInt(7);
        byte[] data = randomBytes(random, length + offset);
        MemorySegment segment = arena.allocate(data.length);
        MemorySegment.copy(data, 0, segment, ValueLayout.JAVA_BYTE, 0, data.length);
        String where = "seed=" + seed + " length=" + length + " round=" + round;
        assertEquals(
            SCALAR.dotInt8(a, data, offset), PANAMA.dotInt8(a, data, offset), where + " dot");
        assertEquals(
            SCALAR.squareDistanceInt8(a, data, offset),
            PANAMA.squareDistanceInt8(a, data, offset),
            where + " l2");
        assertEquals(
            SCALAR.l1DistanceInt8(a, data, offset),
            PANAMA.l1DistanceInt8(a, data, offset),
            where + " l1");
        assertEquals(
            SCALAR.dotInt8(a, data, offset),
            PANAMA.dotInt8(a, segment, offset),
            where + " dot segment");
        assertEquals(
            SCALAR.squareDistanceInt8(a, data, offset),
            PANAMA.squareDistanceInt8(a, segment, offset),
            where + " l2 segment");
        assertEquals(
            SCALAR.dotInt8(a, data, offset),
            SCALAR.dotInt8(a, segment, offset),
            where + " scalar dot segment");
        int[] dots = new int[5];
        int[] l2 = new int[5];
        int o1 = random.nextInt(offset + 1);
        PANAMA.dotInt8x4(a, data, offset, o1, offset, o1, dots, 1);
        PANAMA.squareDistanceInt8x4(a, data, offset, o1, offset, o1, l2, 1);
        for (int j = 0; j < 4; j++) {
          int o = j % 2 == 0 ? offset : o1;
          assertEquals(SCALAR.dotInt8(a, data, o), dots[1 + j], where + " dotInt8x4[" + j + "]");
          assertEquals(
              SCALAR.squareDistanceInt8(a, data, o),
              l2[1 + j],
              where + " squareDistanceInt8x4[" + j + "]");
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 13, 207, 702, 1536})
  void hammingAgreesWithBitLoop(int bits) {
    long seed = BASE_SEED + 13L * bits;
    SplittableRandom random = new SplittableRandom(seed);
    int words = (bits + 63) / 64;
    long[] a = new long[words];
    long[] b = new long[words];
    for (int i = 0; i < words; i++) {
      a[i] = random.nextLong();
      b[i] = random.nextLong();
    }
    int expected = 0;
    for (int bit = 0; bit < words * 64; bit++) {
      if (((a[bit >>> 6] >>> bit) & 1) != ((b[bit >>> 6] >>> bit) & 1)) {
        expected++;
      }
    }
    assertEquals(expected, SCALAR.hamming(a, b, 0), "seed=" + seed);
    assertEquals(expected, PANAMA.hamming(a, b, 0), "seed=" + seed);
    assertEquals(0, PANAMA.hamming(a, a, 0), "seed=" + seed);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 13, 207, 702, 1536})
  void bitPlaneDotAgreesWithIntegerDot(int bits) {
    long seed = BASE_SEED + 17L * bits;
    SplittableRandom random = new SplittableRandom(seed);
    int words = (bits + 63) / 64;
    for (int planeCount : new int[] {1, 4, 8}) {
      int[] u = new int[bits];
      long[] planes = new long[planeCount * words];
      for (int d = 0; d < bits; d++) {
        u[d] = random.nextInt(1 << planeCount);
        for (int p = 0; p < planeCount; p++) {
          if ((u[d] >>> p & 1) != 0) {
            planes[p * words + (d >>> 6)] |= 1L << d;
          }
        }
      }
      int offset = random.nextInt(3);
      long[] data = new long[offset + words];
      int expected = 0;
      for (int d = 0; d < bits; d++) {
        if (random.nextBoolean()) {
          data[offset + (d >>> 6)] |= 1L << d;
          expected += u[d];
        }
      }
      String where = "seed=" + seed + " bits=" + bits + " planes=" + planeCount;
      assertEquals(
          expected, SCALAR.bitPlaneDot(planes, planeCount, data, offset), where + " scalar");
      assertEquals(
          expected, PANAMA.bitPlaneDot(planes, planeCount, data, offset), where + " panama");
    }
  }

  private static void assertClose(float expected, float actual, int length, String message) {
    // Values are in [-1, 1): sums of up to `length` terms, each rounded; allow a few ulps per term.
    float tolerance = 1e-5f * length + 1e-5f * Math.abs(expected);
    assertEquals(expected, actual, tolerance, message);
  }

  private static float[] randomFloats(SplittableRandom random, int length) {
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return v;
  }

  private static byte[] randomBytes(SplittableRandom random, int length) {
    byte[] v = new byte[length];
    for (int i = 0; i < length; i++) {
      v[i] = (byte) random.nextInt(-128, 128);
    }
    return v;
  }
}
