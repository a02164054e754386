package io.quiver.index.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Plain Java kernels: the reference for tests and the fallback where the Vector API is absent. */
final class ScalarVectorKernels implements VectorKernels {

  static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      sum += q[i] * data[offset + i];
    }
    return sum;
  }

  @Override
  public float squareDistance(float[] q, float[] data, int offset) {
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      float diff = q[i] - data[offset + i];
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public float l1Distance(float[] q, float[] data, int offset) {
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      sum += Math.abs(q[i] - data[offset + i]);
    }
    return sum;
  }

  @Override
  public float dot(float[] q, MemorySegment data, long byteOffset) {
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      sum += q[i] * data.get(LE_FLOAT, byteOffset + 4L * i);
    }
    return sum;
  }

  @Override
  public float squareDistance(float[] q, MemorySegment data, long byteOffset) {
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      float diff = q[i] - data.get(LE_FLOAT, byteOffset + 4L * i);
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public float l1Distance(float[] q, MemorySegment data, long byteOffset) {
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      sum += Math.abs(q[i] - data.get(LE_FLOAT, byteOffset + 4L * i));
    }
    return sum;
  }

  static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private static float half(MemorySegment data, long byteOffset, int i) {
    return Float.float16ToFloat(data.get(LE_SHORT, byteOffset + 2L * i));
  }

  private static float unsignedByte(MemorySegment data, long byteOffset, int i) {
    return data.get(ValueLayout.JAVA_BYTE, byteOffset + i) & 0xFF;
  }

  @Override
  public float dotFloat16(float[] q, MemorySegment data, long byteOffset) {
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      sum += q[i] * half(data, byteOffset, i);
    }
    return sum;
  }

  @Override
  public float squareDistanceFloat16(float[] q, MemorySegment data, long byteOffset) {
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      float diff = q[i] - half(data, byteOffset, i);
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public float l1DistanceFloat16(float[] q, MemorySegment data, long byteOffset) {
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      sum += Math.abs(q[i] - half(data, byteOffset, i));
    }
    return sum;
  }

  @Override
  public float dotUint8(float[] q, MemorySegment data, long byteOffset) {
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      sum += q[i] * unsignedByte(data, byteOffset, i);
    }
    return sum;
  }

  @Override
  public float squareDistanceUint8(float[] q, MemorySegment data, long byteOffset) {
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      float diff = q[i] - unsignedByte(data, byteOffset, i);
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public float l1DistanceUint8(float[] q, MemorySegment data, long byteOffset) {
    float sum = 0f;
    for (int i = 0; i < q.length; i++) {
      sum += Math.abs(q[i] - unsignedByte(data, byteOffset, i));
    }
    return sum;
  }

  @Override
  public float cosineUint8(float[] q, MemorySegment data, long byteOffset) {
    float dot = 0f;
    float norm = 0f;
    for (int i = 0; i < q.length; i++) {
      float v = unsignedByte(data, byteOffset, i);
      dot += q[i] * v;
      norm += v * v;
    }
    return norm == 0f ? 0f : dot / (float) Math.sqrt(norm);
  }

  @Override
  public float cosine(float[] q, float[] data, int offset) {
    float dot = 0f;
    float norm = 0f;
    for (int i = 0; i < q.length; i++) {
      float v = data[offset + i];
      dot += q[i] * v;
      norm += v * v;
    }
    return norm == 0f ? 0f : dot / (float) Math.sqrt(norm);
  }

  @Override
  public int dotInt8(byte[] a, byte[] data, int offset) {
    int sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * data[offset + i];
    }
    return sum;
  }

  @Override
  public int squareDistanceInt8(byte[] a, byte[] data, int offset) {
    int sum = 0;
    for (int i = 0; i < a.length; i++) {
      int diff = a[i] - data[offset + i];
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public int l1DistanceInt8(byte[] a, byte[] data, int offset) {
    int sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs(a[i] - data[offset + i]);
    }
    return sum;
  }

  @Override
  public int dotInt8(byte[] a, MemorySegment data, long byteOffset) {
    int sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * data.get(ValueLayout.JAVA_BYTE, byteOffset + i);
    }
    return sum;
  }

  @Override
  public int squareDistanceInt8(byte[] a, MemorySegment data, long byteOffset) {
    int sum = 0;
    for (int i = 0; i < a.length; i++) {
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
    int sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Long.bitCount(a[i] ^ data[offset + i]);
    }
    return sum;
  }

  @Override
  public void dot4(float[] q, float[] data, int o0, int o1, int o2, int o3, float[] out, int at) {
    out[at] = dot(q, data, o0);
    out[at + 1] = dot(q, data, o1);
    out[at + 2] = dot(q, data, o2);
    out[at + 3] = dot(q, data, o3);
  }

  @Override
  public void squareDistance4(
      float[] q, float[] data, int o0, int o1, int o2, int o3, float[] out, int at) {
    out[at] = squareDistance(q, data, o0);
    out[at + 1] = squareDistance(q, data, o1);
    out[at + 2] = squareDistance(q, data, o2);
    out[at + 3] = squareDistance(q, data, o3);
  }

  @Override
  public void dot4(
      float[] q, MemorySegment data, long o0, long o1, long o2, long o3, float[] out, int at) {
    out[at] = dot(q, data, o0);
    out[at + 1] = dot(q, data, o1);
    out[at + 2] = dot(q, data, o2);
    out[at + 3] = dot(q, data, o3);
  }

  @Override
  public void squareDistance4(
      float[] q, MemorySegment data, long o0, long o1, long o2, long o3, float[] out, int at) {
    out[at] = squareDistance(q, data, o0);
    out[at + 1] = squareDistance(q, data, o1);
    out[at + 2] = squareDistance(q, data, o2);
    out[at + 3] = squareDistance(q, data, o3);
  }

  @Override
  public void dotInt8x4(byte[] a, byte[] data, int o0, int o1, int o2, int o3, int[] out, int at) {
    out[at] = dotInt8(a, data, o0);
    out[at + 1] = dotInt8(a, data, o1);
    out[at + 2] = dotInt8(a, data, o2);
    out[at + 3] = dotInt8(a, data, o3);
  }

  @Override
  public void squareDistanceInt8x4(
      byte[] a, byte[] data, int o0, int o1, int o2, int o3, int[] out, int at) {
    out[at] = squareDistanceInt8(a, data, o0);
    out[at + 1] = squareDistanceInt8(a, data, o1);
    out[at + 2] = squareDistanceInt8(a, data, o2);
    out[at + 3] = squareDistanceInt8(a, data, o3);
  }
}
