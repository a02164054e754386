package io.quiver.index.quant;

import io.quiver.index.vector.Distance;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The binary form of {@link QuantizedVectors}, written beside a graph so that codes are built once
 * per segment, not at every open. Big-endian header fields, little-endian arrays:
 *
 * <pre>
 *   kind (byte: 1 int8, 2 binary, 3 product, 4 turbo), distance (byte, Distance ordinal), size (int), then
 *   int8:    dim (int), lower (float), alpha (float), codes (size * dim bytes), code sums (size ints)
 *   binary:  dim (int), mean (dim floats), codes (size * ceil(dim / 64) longs),
 *            |x'|² (size floats), scale (size floats), set bits (size ints)
 *   product: dim (int), m (int), subspace starts (m + 1 ints), codebooks (256 * width(s) floats each),
 *            codes (size * m bytes)
 *   turbo:   dim (int), bits (byte, {@link TurboBits} ordinal), rotation seed (long), levels (int),
 *            centroids (levels floats), mean (dim floats), codes (size * codeBytes(D) bytes),
 *            scale (size floats), |x - mean|² (size floats)
 * </pre>
 *
 * The caller frames it (magic, version, checksum): this is one part of a larger file.
 */
public final class QuantizedVectorsFormat {

  static final byte INT8 = 1;
  static final byte BINARY = 2;
  static final byte PRODUCT = 3;
  static final byte TURBO = 4;
  private static final int CHUNK = 1 << 16;

  private QuantizedVectorsFormat() {}

  public static void write(QuantizedVectors codes, DataOutput out) throws IOException {
    switch (codes) {
      case Int8Vectors v -> v.writeTo(out);
      case BinaryVectors v -> v.writeTo(out);
      case PqVectors v -> v.writeTo(out);
      case TurboVectors v -> v.writeTo(out);
      default ->
          throw new IllegalArgumentException(
              "no file format for " + codes.getClass().getSimpleName());
    }
  }

  public static QuantizedVectors read(DataInput in) throws IOException {
    byte kind = in.readByte();
    int distance = in.readByte();
    if (distance < 0 || distance >= Distance.values().length) {
      throw new IOException("corrupt quantized vectors: distance " + distance);
    }
    int size = in.readInt();
    if (size < 0) {
      throw new IOException("corrupt quantized vectors: size " + size);
    }
    Distance d = Distance.values()[distance];
    return switch (kind) {
      case INT8 -> Int8Vectors.readFrom(in, d, size);
      case BINARY -> BinaryVectors.readFrom(in, d, size);
      case PRODUCT -> PqVectors.readFrom(in, d, size);
      case TURBO -> TurboVectors.readFrom(in, d, size);
      default -> throw new IOException("corrupt quantized vectors: kind " + kind);
    };
  }

  static void writeHeader(byte kind, Distance distance, int size, DataOutput out)
      throws IOException {
    out.writeByte(kind);
    out.writeByte(distance.ordinal());
    out.writeInt(size);
  }

  static int readDim(DataInput in) throws IOException {
    int dim = in.readInt();
    if (dim < 1 || dim > 1 << 20) {
      throw new IOException("corrupt quantized vectors: dimension " + dim);
    }
    return dim;
  }

  static void writeFloats(float[] a, DataOutput out) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(CHUNK * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < a.length; i += CHUNK) {
      int n = Math.min(CHUNK, a.length - i);
      buf.clear();
      buf.asFloatBuffer().put(a, i, n);
      out.write(buf.array(), 0, n * Float.BYTES);
    }
  }

  static float[] readFloats(DataInput in, int n) throws IOException {
    float[] a = new float[n];
    byte[] bytes = new byte[CHUNK * Float.BYTES];
    for (int i = 0; i < n; i += CHUNK) {
      int m = Math.min(CHUNK, n - i);
      in.readFully(bytes, 0, m * Float.BYTES);
      ByteBuffer.wrap(bytes, 0, m * Float.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .get(a, i, m);
    }
    return a;
  }

  static void writeInts(int[] a, DataOutput out) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(CHUNK * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < a.length; i += CHUNK) {
      int n = Math.min(CHUNK, a.length - i);
      buf.clear();
      buf.asIntBuffer().put(a, i, n);
      out.write(buf.array(), 0, n * Integer.BYTES);
    }
  }

  static int[] readInts(DataInput in, int n) throws IOException {
    int[] a = new int[n];
    byte[] bytes = new byte[CHUNK * Integer.BYTES];
    for (int i = 0; i < n; i += CHUNK) {
      int m = Math.min(CHUNK, n - i);
      in.readFully(bytes, 0, m * Integer.BYTES);
      ByteBuffer.wrap(bytes, 0, m * Integer.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asIntBuffer()
          .get(a, i, m);
    }
    return a;
  }

  static void writeLongs(long[] a, DataOutput out) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(CHUNK * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < a.length; i += CHUNK) {
      int n = Math.min(CHUNK, a.length - i);
      buf.clear();
      buf.asLongBuffer().put(a, i, n);
      out.write(buf.array(), 0, n * Long.BYTES);
    }
  }

  static long[] readLongs(DataInput in, int n) throws IOException {
    long[] a = new long[n];
    byte[] bytes = new byte[CHUNK * Long.BYTES];
    for (int i = 0; i < n; i += CHUNK) {
      int m = Math.min(CHUNK, n - i);
      in.readFully(bytes, 0, m * Long.BYTES);
      ByteBuffer.wrap(bytes, 0, m * Long.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asLongBuffer()
          .get(a, i, m);
    }
    return a;
  }

  static byte[] readBytes(DataInput in, int n) throws IOException {
    byte[] a = new byte[n];
    in.readFully(a);
    return a;
  }
}
