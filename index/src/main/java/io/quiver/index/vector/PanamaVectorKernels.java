package io.quiver.index.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the JDK's Vector API. Float loops keep four accumulators in vector registers (an FMA
 * has a latency of ~4 cycles, so one accumulator would stall the pipeline on long vectors) and
 * reduce once at the end; the tail (length not a multiple of the species) runs as scalar code. Int8
 * loops widen a quarter-width byte vector to a full-width int vector, so the arithmetic is exact.
 * Float16 and uint8 stored vectors are loaded at their width (a half-size short vector, a
 * quarter-size byte vector) and converted in registers to one full float vector per step.
 */
final class PanamaVectorKernels implements VectorKernels {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final VectorSpecies<Integer> INT_SPECIES = IntVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Byte> BYTE_SPECIES =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(INT_SPECIES.length() * Byte.SIZE));
  private static final int BYTE_LANES = BYTE_SPECIES.length();

  /** As many halves as SPECIES has floats (half its bit size): one load feeds one float vector. */
  private static final VectorSpecies<Short> HALF_SPECIES =
      VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * Short.SIZE));

  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  static String describe() {
    return SPECIES.vectorBitSize() + "-bit (" + LANES + " floats)";
  }

  @Override
  public float dot(float[] a, float[] b) {
    assert a.length == b.length : a.length + " != " + b.length;
    return dot(a, b, 0);
  }

  @Override
  public float squareDistance(float[] a, float[] b) {
    assert a.length == b.length : a.length + " != " + b.length;
    return squareDistance(a, b, 0);
  }

  @Override
  public float l1Distance(float[] a, float[] b) {
    assert a.length == b.length : a.length + " != " + b.length;
    return l1Distance(a, b, 0);
  }

  @Override
  public float dot(float[] q, float[] data, int offset) {
    int n = q.length;
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES);
    FloatVector acc3 = FloatVector.zero(SPECIES);
    for (int bound4 = n - 4 * LANES; i <= bound4; i += 4 * LANES) {
      acc0 =
          FloatVector.fromArray(SPECIES, q, i)
              .fma(FloatVector.fromArray(SPECIES, data, offset + i), acc0);
      acc1 =
          FloatVector.fromArray(SPECIES, q, i + LANES)
              .fma(FloatVector.fromArray(SPECIES, data, offset + i + LANES), acc1);
      acc2 =
          FloatVector.fromArray(SPECIES, q, i + 2 * LANES)
              .fma(FloatVector.fromArray(SPECIES, data, offset + i + 2 * LANES), acc2);
      acc3 =
          FloatVector.fromArray(SPECIES, q, i + 3 * LANES)
              .fma(FloatVector.fromArray(SPECIES, data, offset + i + 3 * LANES), acc3);
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      acc0 =
          FloatVector.fromArray(SPECIES, q, i)
              .fma(FloatVector.fromArray(SPECIES, data, offset + i), acc0);
    }
    float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += q[i] * data[offset + i];
    }
    return sum;
  }

  @Override
  public float squareDistance(float[] q, float[] data, int offset) {
    int n = q.length;
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES);
    FloatVector acc3 = FloatVector.zero(SPECIES);
    for (int bound4 = n - 4 * LANES; i <= bound4; i += 4 * LANES) {
      FloatVector d0 =
          FloatVector.fromArray(SPECIES, q, i)
              .sub(FloatVector.fromArray(SPECIES, data, offset + i));
      FloatVector d1 =
          FloatVector.fromArray(SPECIES, q, i + LANES)
              .sub(FloatVector.fromArray(SPECIES, data, offset + i + LANES));
      FloatVector d2 =
          FloatVector.fromArray(SPECIES, q, i + 2 * LANES)
              .sub(FloatVector.fromArray(SPECIES, data, offset + i + 2 * LANES));
      FloatVector d3 =
          FloatVector.fromArray(SPECIES, q, i + 3 * LANES)
              .sub(FloatVector.fromArray(SPECIES, data, offset + i + 3 * LANES));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
      acc2 = d2.fma(d2, acc2);
      acc3 = d3.fma(d3, acc3);
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      FloatVector d =
          FloatVector.fromArray(SPECIES, q, i)
              .sub(FloatVector.fromArray(SPECIES, data, offset + i));
      acc0 = d.fma(d, acc0);
    }
    float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float diff = q[i] - data[offset + i];
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public float l1Distance(float[] q, float[] data, int offset) {
    int n = q.length;
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    for (int bound2 = n - 2 * LANES; i <= bound2; i += 2 * LANES) {
      acc0 =
          acc0.add(
              FloatVector.fromArray(SPECIES, q, i)
                  .sub(FloatVector.fromArray(SPECIES, data, offset + i))
                  .abs());
      acc1 =
          acc1.add(
              FloatVector.fromArray(SPECIES, q, i + LANES)
                  .sub(FloatVector.fromArray(SPECIES, data, offset + i + LANES))
                  .abs());
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      acc0 =
          acc0.add(
              FloatVector.fromArray(SPECIES, q, i)
                  .sub(FloatVector.fromArray(SPECIES, data, offset + i))
                  .abs());
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += Math.abs(q[i] - data[offset + i]);
    }
    return sum;
  }

  @Override
  public float dot(float[] q, MemorySegment data, long byteOffset) {
    int n = q.length;
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES);
    FloatVector acc3 = FloatVector.zero(SPECIES);
    for (int bound4 = n - 4 * LANES; i <= bound4; i += 4 * LANES) {
      long o = byteOffset + 4L * i;
      acc0 =
          FloatVector.fromArray(SPECIES, q, i)
              .fma(FloatVector.fromMemorySegment(SPECIES, data, o, LE), acc0);
      acc1 =
          FloatVector.fromArray(SPECIES, q, i + LANES)
              .fma(FloatVector.fromMemorySegment(SPECIES, data, o + 4L * LANES, LE), acc1);
      acc2 =
          FloatVector.fromArray(SPECIES, q, i + 2 * LANES)
              .fma(FloatVector.fromMemorySegment(SPECIES, data, o + 8L * LANES, LE), acc2);
      acc3 =
          FloatVector.fromArray(SPECIES, q, i + 3 * LANES)
              .fma(FloatVector.fromMemorySegment(SPECIES, data, o + 12L * LANES, LE), acc3);
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      acc0 =
          FloatVector.fromArray(SPECIES, q, i)
              .fma(FloatVector.fromMemorySegment(SPECIES, data, byteOffset + 4L * i, LE), acc0);
    }
    float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += q[i] * data.get(ScalarVectorKernels.LE_FLOAT, byteOffset + 4L * i);
    }
    return sum;
  }

  @Override
  public float squareDistance(float[] q, MemorySegment data, long byteOffset) {
    int n = q.length;
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES);
    FloatVector acc3 = FloatVector.zero(SPECIES);
    for (int bound4 = n - 4 * LANES; i <= bound4; i += 4 * LANES) {
      long o = byteOffset + 4L * i;
      FloatVector d0 =
          FloatVector.fromArray(SPECIES, q, i)
              .sub(FloatVector.fromMemorySegment(SPECIES, data, o, LE));
      FloatVector d1 =
          FloatVector.fromArray(SPECIES, q, i + LANES)
              .sub(FloatVector.fromMemorySegment(SPECIES, data, o + 4L * LANES, LE));
      FloatVector d2 =
          FloatVector.fromArray(SPECIES, q, i + 2 * LANES)
              .sub(FloatVector.fromMemorySegment(SPECIES, data, o + 8L * LANES, LE));
      FloatVector d3 =
          FloatVector.fromArray(SPECIES, q, i + 3 * LANES)
              .sub(FloatVector.fromMemorySegment(SPECIES, data, o + 12L * LANES, LE));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
      acc2 = d2.fma(d2, acc2);
      acc3 = d3.fma(d3, acc3);
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      FloatVector d =
          FloatVector.fromArray(SPECIES, q, i)
              .sub(FloatVector.fromMemorySegment(SPECIES, data, byteOffset + 4L * i, LE));
      acc0 = d.fma(d, acc0);
    }
    float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float diff = q[i] - data.get(ScalarVectorKernels.LE_FLOAT, byteOffset + 4L * i);
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public float l1Distance(float[] q, MemorySegment data, long byteOffset) {
    int n = q.length;
    int i = 0;
    FloatVector acc = FloatVector.zero(SPECIES);
    for (int bound = n - LANES; i <= bound; i += LANES) {
      acc =
          acc.add(
              FloatVector.fromArray(SPECIES, q, i)
                  .sub(FloatVector.fromMemorySegment(SPECIES, data, byteOffset + 4L * i, LE))
                  .abs());
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += Math.abs(q[i] - data.get(ScalarVectorKernels.LE_FLOAT, byteOffset + 4L * i));
    }
    return sum;
  }

  /**
   * The {@code LANES} halves at {@code byteOffset} as floats, converted in registers: the
   * magnitude's exponent and mantissa bits are moved to float32's positions and rescaled by 2^112
   * (the difference of the exponent biases, 127 - 15), which also turns half subnormals into the
   * right float normals; then the sign bit is put back. Finite halves only.
   */
  private static FloatVector halves(MemorySegment data, long byteOffset) {
    IntVector bits =
        (IntVector)
            ShortVector.fromMemorySegment(HALF_SPECIES, data, byteOffset, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, INT_SPECIES, 0);
    FloatVector magnitude =
        bits.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
    return magnitude
        .reinterpretAsInts()
        .or(bits.and(0x8000).lanewise(VectorOperators.LSHL, 16))
        .reinterpretAsFloats();
  }

  /** The {@code LANES} unsigned bytes at {@code byteOffset} as floats, converted in registers. */
  private static FloatVector unsignedBytes(MemorySegment data, long byteOffset) {
    return (FloatVector)
        ByteVector.fromMemorySegment(BYTE_SPECIES, data, byteOffset, LE)
            .convertShape(VectorOperators.ZERO_EXTEND_B2I, INT_SPECIES, 0)
            .convert(VectorOperators.I2F, 0);
  }

  private static float half(MemorySegment data, long byteOffset, int i) {
    return Float.float16ToFloat(data.get(ScalarVectorKernels.LE_SHORT, byteOffset + 2L * i));
  }

  private static float unsignedByte(MemorySegment data, long byteOffset, int i) {
    return data.get(ValueLayout.JAVA_BYTE, byteOffset + i) & 0xFF;
  }

  @Override
  public float dotFloat16(float[] q, MemorySegment data, long byteOffset) {
    int n = q.length;
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    for (int bound2 = n - 2 * LANES; i <= bound2; i += 2 * LANES) {
      acc0 = FloatVector.fromArray(SPECIES, q, i).fma(halves(data, byteOffset + 2L * i), acc0);
      acc1 =
          FloatVector.fromArray(SPECIES, q, i + LANES)
              .fma(halves(data, byteOffset + 2L * (i + LANES)), acc1);
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      acc0 = FloatVector.fromArray(SPECIES, q, i).fma(halves(data, byteOffset + 2L * i), acc0);
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += q[i] * half(data, byteOffset, i);
    }
    return sum;
  }

  @Override
  public float squareDistanceFloat16(float[] q, MemorySegment data, long byteOffset) {
    int n = q.length;
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    for (int bound2 = n - 2 * LANES; i <= bound2; i += 2 * LANES) {
      FloatVector d0 = FloatVector.fromArray(SPECIES, q, i).sub(halves(data, byteOffset + 2L * i));
      FloatVector d1 =
          FloatVector.fromArray(SPECIES, q, i + LANES)
              .sub(halves(data, byteOffset + 2L * (i + LANES)));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      FloatVector d = FloatVector.fromArray(SPECIES, q, i).sub(halves(data, byteOffset + 2L * i));
      acc0 = d.fma(d, acc0);
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float diff = q[i] - half(data, byteOffset, i);
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public float l1DistanceFloat16(float[] q, MemorySegment data, long byteOffset) {
    int n = q.length;
    int i = 0;
    FloatVector acc = FloatVector.zero(SPECIES);
    for (int bound = n - LANES; i <= bound; i += LANES) {
      acc =
          acc.add(
              FloatVector.fromArray(SPECIES, q, i).sub(halves(data, byteOffset + 2L * i)).abs());
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += Math.abs(q[i] - half(data, byteOffset, i));
    }
    return sum;
  }

  @Override
  public float dotUint8(float[] q, MemorySegment data, long byteOffset) {
    int n = q.length;
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    for (int bound2 = n - 2 * LANES; i <= bound2; i += 2 * LANES) {
      acc0 = FloatVector.fromArray(SPECIES, q, i).fma(unsignedBytes(data, byteOffset + i), acc0);
      acc1 =
          FloatVector.fromArray(SPECIES, q, i + LANES)
              .fma(unsignedBytes(data, byteOffset + i + LANES), acc1);
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      acc0 = FloatVector.fromArray(SPECIES, q, i).fma(unsignedBytes(data, byteOffset + i), acc0);
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += q[i] * unsignedByte(data, byteOffset, i);
    }
    return sum;
  }

  @Override
  public float squareDistanceUint8(float[] q, MemorySegment data, long byteOffset) {
    int n = q.length;
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    for (int bound2 = n - 2 * LANES; i <= bound2; i += 2 * LANES) {
      FloatVector d0 =
          FloatVector.fromArray(SPECIES, q, i).sub(unsignedBytes(data, byteOffset + i));
      FloatVector d1 =
          FloatVector.fromArray(SPECIES, q, i + LANES)
              .sub(unsignedBytes(data, byteOffset + i + LANES));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      FloatVector d = FloatVector.fromArray(SPECIES, q, i).sub(unsignedBytes(data, byteOffset + i));
      acc0 = d.fma(d, acc0);
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float diff = q[i] - unsignedByte(data, byteOffset, i);
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public float l1DistanceUint8(float[] q, MemorySegment data, long byteOffset) {
    int n = q.length;
    int i = 0;
    FloatVector acc = FloatVector.zero(SPECIES);
    for (int bound = n - LANES; i <= bound; i += LANES) {
      acc =
          acc.add(
              FloatVector.fromArray(SPECIES, q, i).sub(unsignedBytes(data, byteOffset + i)).abs());
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += Math.abs(q[i] - unsignedByte(data, byteOffset, i));
    }
    return sum;
  }

  @Override
  public float cosineUint8(float[] q, MemorySegment data, long byteOffset) {
    int n = q.length;
    int i = 0;
    FloatVector dot0 = FloatVector.zero(SPECIES);
    FloatVector dot1 = FloatVector.zero(SPECIES);
    FloatVector norm0 = FloatVector.zero(SPECIES);
    FloatVector norm1 = FloatVector.zero(SPECIES);
    for (int bound2 = n - 2 * LANES; i <= bound2; i += 2 * LANES) {
      FloatVector v0 = unsignedBytes(data, byteOffset + i);
      FloatVector v1 = unsignedBytes(data, byteOffset + i + LANES);
      dot0 = FloatVector.fromArray(SPECIES, q, i).fma(v0, dot0);
      dot1 = FloatVector.fromArray(SPECIES, q, i + LANES).fma(v1, dot1);
      norm0 = v0.fma(v0, norm0);
      norm1 = v1.fma(v1, norm1);
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      FloatVector v = unsignedBytes(data, byteOffset + i);
      dot0 = FloatVector.fromArray(SPECIES, q, i).fma(v, dot0);
      norm0 = v.fma(v, norm0);
    }
    float dot = dot0.add(dot1).reduceLanes(VectorOperators.ADD);
    float norm = norm0.add(norm1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float v = unsignedByte(data, byteOffset, i);
      dot += q[i] * v;
      norm += v * v;
    }
    return norm == 0f ? 0f : dot / (float) Math.sqrt(norm);
  }

  @Override
  public float cosine(float[] q, float[] data, int offset) {
    int n = q.length;
    int i = 0;
    FloatVector dot0 = FloatVector.zero(SPECIES);
    FloatVector dot1 = FloatVector.zero(SPECIES);
    FloatVector norm0 = FloatVector.zero(SPECIES);
    FloatVector norm1 = FloatVector.zero(SPECIES);
    for (int bound2 = n - 2 * LANES; i <= bound2; i += 2 * LANES) {
      FloatVector v0 = FloatVector.fromArray(SPECIES, data, offset + i);
      FloatVector v1 = FloatVector.fromArray(SPECIES, data, offset + i + LANES);
      dot0 = FloatVector.fromArray(SPECIES, q, i).fma(v0, dot0);
      dot1 = FloatVector.fromArray(SPECIES, q, i + LANES).fma(v1, dot1);
      norm0 = v0.fma(v0, norm0);
      norm1 = v1.fma(v1, norm1);
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      FloatVector v = FloatVector.fromArray(SPECIES, data, offset + i);
      dot0 = FloatVector.fromArray(SPECIES, q, i).fma(v, dot0);
      norm0 = v.fma(v, norm0);
    }
    float dot = dot0.add(dot1).reduceLanes(VectorOperators.ADD);
    float norm = norm0.add(norm1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float v = data[offset + i];
      dot += q[i] * v;
      norm += v * v;
    }
    return norm == 0f ? 0f : dot / (float) Math.sqrt(norm);
  }

  private static IntVector widen(ByteVector v) {
    return (IntVector) v.convertShape(VectorOperators.B2I, INT_SPECIES, 0);
  }

  @Override
  public int dotInt8(byte[] a, byte[] data, int offset) {
    int n = a.length;
    int i = 0;
    IntVector acc = IntVector.zero(INT_SPECIES);
    for (int bound = n - BYTE_LANES; i <= bound; i += BYTE_LANES) {
      IntVector va = widen(ByteVector.fromArray(BYTE_SPECIES, a, i));
      IntVector vb = widen(ByteVector.fromArray(BYTE_SPECIES, data, offset + i));
      acc = acc.add(va.mul(vb));
    }
    int sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += a[i] * data[offset + i];
    }
    return sum;
  }

  @Override
  public int squareDistanceInt8(byte[] a, byte[] data, int offset) {
    int n = a.length;
    int i = 0;
    IntVector acc = IntVector.zero(INT_SPECIES);
    for (int bound = n - BYTE_LANES; i <= bound; i += BYTE_LANES) {
      IntVector d =
          widen(ByteVector.fromArray(BYTE_SPECIES, a, i))
              .sub(widen(ByteVector.fromArray(BYTE_SPECIES, data, offset + i)));
      acc = acc.add(d.mul(d));
    }
    int sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      int diff = a[i] - data[offset + i];
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public int l1DistanceInt8(byte[] a, byte[] data, int offset) {
    int n = a.length;
    int i = 0;
    IntVector acc = IntVector.zero(INT_SPECIES);
    for (int bound = n - BYTE_LANES; i <= bound; i += BYTE_LANES) {
      IntVector d =
          widen(ByteVector.fromArray(BYTE_SPECIES, a, i))
              .sub(widen(ByteVector.fromArray(BYTE_SPECIES, data, offset + i)));
      acc = acc.add(d.abs());
    }
    int sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += Math.abs(a[i] - data[offset + i]);
    }
    return sum;
  }

  @Override
  public int dotInt8(byte[] a, MemorySegment data, long byteOffset) {
    int n = a.length;
    int i = 0;
    IntVector acc = IntVector.zero(INT_SPECIES);
    for (int bound = n - BYTE_LANES; i <= bound; i += BYTE_LANES) {
      IntVector va = widen(ByteVector.fromArray(BYTE_SPECIES, a, i));
      IntVector vb = widen(ByteVector.fromMemorySegment(BYTE_SPECIES, data, byteOffset + i, LE));
      acc = acc.add(va.mul(vb));
    }
    int sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += a[i] * data.get(ValueLayout.JAVA_BYTE, byteOffset + i);
    }
    return sum;
  }

  @Override
  public int squareDistanceInt8(byte[] a, MemorySegment data, long byteOffset) {
    int n = a.length;
    int i = 0;
    IntVector acc = IntVector.zero(INT_SPECIES);
    for (int bound = n - BYTE_LANES; i <= bound; i += BYTE_LANES) {
      IntVector d =
          widen(ByteVector.fromArray(BYTE_SPECIES, a, i))
              .sub(widen(ByteVector.fromMemorySegment(BYTE_SPECIES, data, byteOffset + i, LE)));
      acc = acc.add(d.mul(d));
    }
    int sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      int diff = a[i] - data.get(ValueLayout.JAVA_BYTE, byteOffset + i);
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public int bitPlaneDot(long[] planes, int planeCount, long[] data, int offset) {
    // Long.bitCount is an intrinsic (POPCNT); a binary code is a few words (784 dims = 13).
    int words = planes.length / planeCount;
    int sum = 0;
    for (int p = 0; p < planeCount; p++) {
      int count = 0;
      int base = p * words;
      for (int w = 0; w < words; w++) {
        count += Long.bitCount(planes[base + w] & data[offset + w]);
      }
      sum += count << p;
    }
    return sum;
  }

  @Override
  public int hamming(long[] a, long[] data, int offset) {
    // Long.bitCount is an intrinsic (POPCNT); a vector popcount is no faster for the few words
    // of a binary code (768 dims = 12 words).
    int sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Long.bitCount(a[i] ^ data[offset + i]);
    }
    return sum;
  }

  @Override
  public void dot4(float[] q, float[] data, int o0, int o1, int o2, int o3, float[] out, int at) {
    int n = q.length;
    int i = 0;
    FloatVector a0 = FloatVector.zero(SPECIES);
    FloatVector a1 = FloatVector.zero(SPECIES);
    FloatVector a2 = FloatVector.zero(SPECIES);
    FloatVector a3 = FloatVector.zero(SPECIES);
    for (int bound = n - LANES; i <= bound; i += LANES) {
      FloatVector vq = FloatVector.fromArray(SPECIES, q, i);
      a0 = vq.fma(FloatVector.fromArray(SPECIES, data, o0 + i), a0);
      a1 = vq.fma(FloatVector.fromArray(SPECIES, data, o1 + i), a1);
      a2 = vq.fma(FloatVector.fromArray(SPECIES, data, o2 + i), a2);
      a3 = vq.fma(FloatVector.fromArray(SPECIES, data, o3 + i), a3);
    }
    float s0 = a0.reduceLanes(VectorOperators.ADD);
    float s1 = a1.reduceLanes(VectorOperators.ADD);
    float s2 = a2.reduceLanes(VectorOperators.ADD);
    float s3 = a3.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float x = q[i];
      s0 += x * data[o0 + i];
      s1 += x * data[o1 + i];
      s2 += x * data[o2 + i];
      s3 += x * data[o3 + i];
    }
    out[at] = s0;
    out[at + 1] = s1;
    out[at + 2] = s2;
    out[at + 3] = s3;
  }

  @Override
  public void squareDistance4(
      float[] q, float[] data, int o0, int o1, int o2, int o3, float[] out, int at) {
    int n = q.length;
    int i = 0;
    FloatVector a0 = FloatVector.zero(SPECIES);
    FloatVector a1 = FloatVector.zero(SPECIES);
    FloatVector a2 = FloatVector.zero(SPECIES);
    FloatVector a3 = FloatVector.zero(SPECIES);
    for (int bound = n - LANES; i <= bound; i += LANES) {
      FloatVector vq = FloatVector.fromArray(SPECIES, q, i);
      FloatVector d0 = vq.sub(FloatVector.fromArray(SPECIES, data, o0 + i));
      FloatVector d1 = vq.sub(FloatVector.fromArray(SPECIES, data, o1 + i));
      FloatVector d2 = vq.sub(FloatVector.fromArray(SPECIES, data, o2 + i));
      FloatVector d3 = vq.sub(FloatVector.fromArray(SPECIES, data, o3 + i));
      a0 = d0.fma(d0, a0);
      a1 = d1.fma(d1, a1);
      a2 = d2.fma(d2, a2);
      a3 = d3.fma(d3, a3);
    }
    float s0 = a0.reduceLanes(VectorOperators.ADD);
    float s1 = a1.reduceLanes(VectorOperators.ADD);
    float s2 = a2.reduceLanes(VectorOperators.ADD);
    float s3 = a3.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float x = q[i];
      float d0 = x - data[o0 + i];
      float d1 = x - data[o1 + i];
      float d2 = x - data[o2 + i];
      float d3 = x - data[o3 + i];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    out[at] = s0;
    out[at + 1] = s1;
    out[at + 2] = s2;
    out[at + 3] = s3;
  }

  @Override
  public void dot4(
      float[] q, MemorySegment data, long o0, long o1, long o2, long o3, float[] out, int at) {
    int n = q.length;
    int i = 0;
    FloatVector a0 = FloatVector.zero(SPECIES);
    FloatVector a1 = FloatVector.zero(SPECIES);
    FloatVector a2 = FloatVector.zero(SPECIES);
    FloatVector a3 = FloatVector.zero(SPECIES);
    for (int bound = n - LANES; i <= bound; i += LANES) {
      FloatVector vq = FloatVector.fromArray(SPECIES, q, i);
      long b = 4L * i;
      a0 = vq.fma(FloatVector.fromMemorySegment(SPECIES, data, o0 + b, LE), a0);
      a1 = vq.fma(FloatVector.fromMemorySegment(SPECIES, data, o1 + b, LE), a1);
      a2 = vq.fma(FloatVector.fromMemorySegment(SPECIES, data, o2 + b, LE), a2);
      a3 = vq.fma(FloatVector.fromMemorySegment(SPECIES, data, o3 + b, LE), a3);
    }
    float s0 = a0.reduceLanes(VectorOperators.ADD);
    float s1 = a1.reduceLanes(VectorOperators.ADD);
    float s2 = a2.reduceLanes(VectorOperators.ADD);
    float s3 = a3.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float x = q[i];
      long b = 4L * i;
      s0 += x * data.get(ScalarVectorKernels.LE_FLOAT, o0 + b);
      s1 += x * data.get(ScalarVectorKernels.LE_FLOAT, o1 + b);
      s2 += x * data.get(ScalarVectorKernels.LE_FLOAT, o2 + b);
      s3 += x * data.get(ScalarVectorKernels.LE_FLOAT, o3 + b);
    }
    out[at] = s0;
    out[at + 1] = s1;
    out[at + 2] = s2;
    out[at + 3] = s3;
  }

  @Override
  public void squareDistance4(
      float[] q, MemorySegment data, long o0, long o1, long o2, long o3, float[] out, int at) {
    int n = q.length;
    int i = 0;
    FloatVector a0 = FloatVector.zero(SPECIES);
    FloatVector a1 = FloatVector.zero(SPECIES);
    FloatVector a2 = FloatVector.zero(SPECIES);
    FloatVector a3 = FloatVector.zero(SPECIES);
    for (int bound = n - LANES; i <= bound; i += LANES) {
      FloatVector vq = FloatVector.fromArray(SPECIES, q, i);
      long b = 4L * i;
      FloatVector d0 = vq.sub(FloatVector.fromMemorySegment(SPECIES, data, o0 + b, LE));
      FloatVector d1 = vq.sub(FloatVector.fromMemorySegment(SPECIES, data, o1 + b, LE));
      FloatVector d2 = vq.sub(FloatVector.fromMemorySegment(SPECIES, data, o2 + b, LE));
      FloatVector d3 = vq.sub(FloatVector.fromMemorySegment(SPECIES, data, o3 + b, LE));
      a0 = d0.fma(d0, a0);
      a1 = d1.fma(d1, a1);
      a2 = d2.fma(d2, a2);
      a3 = d3.fma(d3, a3);
    }
    float s0 = a0.reduceLanes(VectorOperators.ADD);
    float s1 = a1.reduceLanes(VectorOperators.ADD);
    float s2 = a2.reduceLanes(VectorOperators.ADD);
    float s3 = a3.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float x = q[i];
      long b = 4L * i;
      float d0 = x - data.get(ScalarVectorKernels.LE_FLOAT, o0 + b);
      float d1 = x - data.get(ScalarVectorKernels.LE_FLOAT, o1 + b);
      float d2 = x - data.get(ScalarVectorKernels.LE_FLOAT, o2 + b);
      float d3 = x - data.get(ScalarVectorKernels.LE_FLOAT, o3 + b);
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    out[at] = s0;
    out[at + 1] = s1;
    out[at + 2] = s2;
    out[at + 3] = s3;
  }

  @Override
  public void dotInt8x4(byte[] a, byte[] data, int o0, int o1, int o2, int o3, int[] out, int at) {
    int n = a.length;
    int i = 0;
    IntVector s0 = IntVector.zero(INT_SPECIES);
    IntVector s1 = IntVector.zero(INT_SPECIES);
    IntVector s2 = IntVector.zero(INT_SPECIES);
    IntVector s3 = IntVector.zero(INT_SPECIES);
    for (int bound = n - BYTE_LANES; i <= bound; i += BYTE_LANES) {
      IntVector va = widen(ByteVector.fromArray(BYTE_SPECIES, a, i));
      s0 = s0.add(va.mul(widen(ByteVector.fromArray(BYTE_SPECIES, data, o0 + i))));
      s1 = s1.add(va.mul(widen(ByteVector.fromArray(BYTE_SPECIES, data, o1 + i))));
      s2 = s2.add(va.mul(widen(ByteVector.fromArray(BYTE_SPECIES, data, o2 + i))));
      s3 = s3.add(va.mul(widen(ByteVector.fromArray(BYTE_SPECIES, data, o3 + i))));
    }
    int r0 = s0.reduceLanes(VectorOperators.ADD);
    int r1 = s1.reduceLanes(VectorOperators.ADD);
    int r2 = s2.reduceLanes(VectorOperators.ADD);
    int r3 = s3.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      int x = a[i];
      r0 += x * data[o0 + i];
      r1 += x * data[o1 + i];
      r2 += x * data[o2 + i];
      r3 += x * data[o3 + i];
    }
    out[at] = r0;
    out[at + 1] = r1;
    out[at + 2] = r2;
    out[at + 3] = r3;
  }

  @Override
  public void squareDistanceInt8x4(
      byte[] a, byte[] data, int o0, int o1, int o2, int o3, int[] out, int at) {
    int n = a.length;
    int i = 0;
    IntVector s0 = IntVector.zero(INT_SPECIES);
    IntVector s1 = IntVector.zero(INT_SPECIES);
    IntVector s2 = IntVector.zero(INT_SPECIES);
    IntVector s3 = IntVector.zero(INT_SPECIES);
    for (int bound = n - BYTE_LANES; i <= bound; i += BYTE_LANES) {
      IntVector va = widen(ByteVector.fromArray(BYTE_SPECIES, a, i));
      IntVector d0 = va.sub(widen(ByteVector.fromArray(BYTE_SPECIES, data, o0 + i)));
      IntVector d1 = va.sub(widen(ByteVector.fromArray(BYTE_SPECIES, data, o1 + i)));
      IntVector d2 = va.sub(widen(ByteVector.fromArray(BYTE_SPECIES, data, o2 + i)));
      IntVector d3 = va.sub(widen(ByteVector.fromArray(BYTE_SPECIES, data, o3 + i)));
      s0 = s0.add(d0.mul(d0));
      s1 = s1.add(d1.mul(d1));
      s2 = s2.add(d2.mul(d2));
      s3 = s3.add(d3.mul(d3));
    }
    int r0 = s0.reduceLanes(VectorOperators.ADD);
    int r1 = s1.reduceLanes(VectorOperators.ADD);
    int r2 = s2.reduceLanes(VectorOperators.ADD);
    int r3 = s3.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      int x = a[i];
      int d0 = x - data[o0 + i];
      int d1 = x - data[o1 + i];
      int d2 = x - data[o2 + i];
      int d3 = x - data[o3 + i];
      r0 += d0 * d0;
      r1 += d1 * d1;
      r2 += d2 * d2;
      r3 += d3 * d3;
    }
    out[at] = r0;
    out[at + 1] = r1;
    out[at + 2] = r2;
    out[at + 3] = r3;
  }
}
