package io.quiver.index.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: the float16 and uint8 kernels (scalar and Panama) compute the dot product, squared L2 and
 * L1 distance of a float32 query with a stored vector of that width, on lengths that exercise the
 * two-accumulator loop, the single-vector loop and the scalar tail, at unaligned offsets. Oracle: a
 * double-precision loop over the stored values decoded one by one with {@link Float#float16ToFloat}
 * or {@code b & 0xFF} (a relative tolerance covers the float summation order). Float16 inputs
 * include subnormals, signed zeros and the largest finite half. Seeded; the seed is in every
 * failure message ({@code -Dtests.seed}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NarrowVectorKernelsTest {

  private static final VectorKernels[] KERNELS = {
    VectorizationProvider.scalarKernels(), new PanamaVectorKernels()
  };
  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final long BASE_SEED = Long.getLong("tests.seed", System.nanoTime());

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 8, 13, 16, 17, 207, 702, 1536})
  void float16KernelsMatchDecodedReference(int length) {
    long seed = BASE_SEED + length;
    SplittableRandom random = new SplittableRandom(seed);
    try (Arena arena = Arena.ofConfined()) {
      for (int round = 0; round < 20; round++) {
        float[] q = randomFloats(random, length);
        short[] halves = new short[length];
        for (int i = 0; i < length; i++) {
          halves[i] = randomHalf(random);
        }
        long offset = random.nextInt(7); // deliberately unaligned
        MemorySegment seg = arena.allocate(offset + 2L * length);
        float[] decoded = new float[length];
        for (int i = 0; i < length; i++) {
          seg.set(LE_SHORT, offset + 2L * i, halves[i]);
          decoded[i] = Float.float16ToFloat(halves[i]);
        }
        String where = "seed=" + seed + " length=" + length + " round=" + round;
        for (VectorKernels k : KERNELS) {
          assertClose(
              dot(q, decoded),
              absDot(q, decoded),
              k.dotFloat16(q, seg, offset),
              length,
              where + " dot " + k);
          assertClose(
              l2(q, decoded),
              l2(q, decoded),
              k.squareDistanceFloat16(q, seg, offset),
              length,
              where + " l2 " + k);
          assertClose(
              l1(q, decoded),
              l1(q, decoded),
              k.l1DistanceFloat16(q, seg, offset),
              length,
              where + " l1 " + k);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 8, 13, 16, 17, 207, 702, 1536})
  void uint8KernelsMatchDecodedReference(int length) {
    long seed = BASE_SEED + 31L * length;
    SplittableRandom random = new SplittableRandom(seed);
    try (Arena arena = Arena.ofConfined()) {
      for (int round = 0; round < 20; round++) {
        float[] q = randomFloats(random, length);
        for (int i = 0; i < length; i++) {
          q[i] *= 255f;
        }
        long offset = random.nextInt(7);
        MemorySegment seg = arena.allocate(offset + length);
        float[] decoded = new float[length];
        for (int i = 0; i < length; i++) {
          // Values above 127 are negative as Java bytes: the kernels must read them unsigned.
          int value = round == 0 ? 255 : random.nextInt(256);
          seg.set(ValueLayout.JAVA_BYTE, offset + i, (byte) value);
          decoded[i] = value;
        }
        String where = "seed=" + seed + " length=" + length + " round=" + round;
        for (VectorKernels k : KERNELS) {
          assertClose(
              dot(q, decoded),
              absDot(q, decoded),
              k.dotUint8(q, seg, offset),
              length,
              where + " dot " + k);
          assertClose(
              l2(q, decoded),
              l2(q, decoded),
              k.squareDistanceUint8(q, seg, offset),
              length,
              where + " l2 " + k);
          assertClose(
              l1(q, decoded),
              l1(q, decoded),
              k.l1DistanceUint8(q, seg, offset),
              length,
              where + " l1 " + k);
        }
      }
    }
  }

  /**
   * The cosine kernels over vectors stored as given (uint8 bytes, and the same integers as floats
   * on the heap) against Qdrant's formula in double precision over the integers: {@code dot(a, b) /
   * sqrt(|a|^2 |b|^2)}, 0 when a norm is 0. The query is the integer vector normalized (as the
   * shard prepares a Cosine query). Round 0 stores all 255s, round 1 all zeros (score 0).
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 8, 13, 16, 17, 207, 702, 1536})
  void cosineKernelsMatchQdrantsFormulaOverTheIntegers(int length) {
    long seed = BASE_SEED + 57L * length;
    SplittableRandom random = new SplittableRandom(seed);
    try (Arena arena = Arena.ofConfined()) {
      for (int round = 0; round < 20; round++) {
        float[] rawQuery = new float[length];
        for (int i = 0; i < length; i++) {
          rawQuery[i] = random.nextInt(256);
        }
        float[] q = Distance.COSINE.prepare(rawQuery);
        long offset = random.nextInt(7);
        MemorySegment seg = arena.allocate(offset + length);
        float[] heap = new float[(int) offset + length];
        float[] stored = new float[length];
        for (int i = 0; i < length; i++) {
          int value = round == 0 ? 255 : round == 1 ? 0 : random.nextInt(256);
          seg.set(ValueLayout.JAVA_BYTE, offset + i, (byte) value);
          heap[(int) offset + i] = value;
          stored[i] = value;
        }
        double qq = dot(rawQuery, rawQuery);
        double vv = dot(stored, stored);
        double expected = qq == 0 || vv == 0 ? 0 : dot(rawQuery, stored) / Math.sqrt(qq * vv);
        String where = "seed=" + seed + " length=" + length + " round=" + round;
        for (VectorKernels k : KERNELS) {
          // Cosines are at most 1; float sums of n non-negative terms err by ~n * 2^-24 relative.
          assertEquals(
              expected, k.cosineUint8(q, seg, offset), 1e-6 * length + 1e-6, where + " uint8 " + k);
          assertEquals(
              expected,
              k.cosine(q, heap, (int) offset),
              1e-6 * length + 1e-6,
              where + " heap " + k);
        }
      }
    }
  }

  /**
   * Every one of the 63,488 finite halves decodes in the Panama lanes as Float.float16ToFloat does.
   */
  @Test
  void panamaDecodesEveryFiniteHalfExactly() {
    VectorKernels panama = new PanamaVectorKernels();
    int lanes = 64; // several vector steps, no tail
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate(2L * lanes);
      for (int start = 0; start < 65536; start += lanes) {
        for (int j = 0; j < lanes; j++) {
          seg.set(LE_SHORT, 2L * j, (short) (start + j));
        }
        for (int j = 0; j < lanes; j++) {
          short bits = (short) (start + j);
          float expected = Float.float16ToFloat(bits);
          if (!Float.isFinite(expected)) {
            continue;
          }
          float[] unit = new float[lanes];
          unit[j] = 1f;
          // dot with a unit vector selects one lane; -0.0 + 0.0 sums to 0.0, so compare values
          assertEquals(
              expected,
              panama.dotFloat16(unit, seg, 0),
              0f,
              "half 0x" + Integer.toHexString(bits & 0xFFFF));
        }
      }
    }
  }

  private static short randomHalf(SplittableRandom random) {
    return switch (random.nextInt(10)) {
      case 0 -> (short) random.nextInt(0x400); // subnormal (or +0)
      case 1 -> (short) (0x8000 | random.nextInt(0x400)); // negative subnormal (or -0)
      case 2 -> random.nextBoolean() ? (short) 0x7BFF : (short) 0xFBFF; // +-65504
      default -> Float.floatToFloat16((float) (random.nextDouble() * 8 - 4));
    };
  }

  private static float[] randomFloats(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return v;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static double l2(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return s;
  }

  private static double l1(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += Math.abs((double) a[i] - b[i]);
    }
    return s;
  }

  private static double absDot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += Math.abs((double) a[i] * b[i]);
    }
    return s;
  }

  /**
   * A float sum of n terms (summed in another order) errs by at most about n * 2^-24 times the sum
   * of the terms' magnitudes ({@code absSum}); 1e-6 * n is a little above that bound.
   */
  private static void assertClose(
      double expected, double absSum, float actual, int n, String message) {
    assertEquals(expected, actual, 1e-6 * n * absSum + 1e-30, message);
  }
}
