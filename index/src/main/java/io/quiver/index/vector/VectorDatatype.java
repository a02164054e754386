package io.quiver.index.vector;

/**
 * The element type vectors are stored with (Qdrant's {@code datatype}). Queries are always float32;
 * stored vectors are scored at their own width by the {@link VectorKernels} without being widened
 * into a float array first.
 *
 * <ul>
 *   <li>{@code FLOAT32}: 4 bytes per dimension, IEEE single precision;
 *   <li>{@code FLOAT16}: 2 bytes, IEEE half precision (binary16, {@link Float#floatToFloat16});
 *       values are rounded to nearest-even on the way in, and must stay finite (|x| &le; 65,504);
 *   <li>{@code UINT8}: 1 byte, an unsigned integer 0..255; values must be integers in that range.
 * </ul>
 *
 * Ordinals are part of on-disk formats: only append.
 */
public enum VectorDatatype {
  FLOAT32("float32", 4),
  FLOAT16("float16", 2),
  UINT8("uint8", 1);

  private final String qdrantName;
  private final int bytesPerDimension;

  VectorDatatype(String qdrantName, int bytesPerDimension) {
    this.qdrantName = qdrantName;
    this.bytesPerDimension = bytesPerDimension;
  }

  /** The name Qdrant's API uses: {@code float32}, {@code float16}, {@code uint8}. */
  public String qdrantName() {
    return qdrantName;
  }

  /** Parses Qdrant's name; null for a name Quiver does not know. */
  public static VectorDatatype fromQdrantName(String name) {
    for (VectorDatatype d : values()) {
      if (d.qdrantName.equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** Bytes one dimension of a stored vector takes. */
  public int bytesPerDimension() {
    return bytesPerDimension;
  }

  /** True when {@code x} can be stored: finite, and for uint8 an integer in 0..255. */
  public boolean canStore(float x) {
    return switch (this) {
      case FLOAT32 -> Float.isFinite(x);
      case FLOAT16 ->
          Float.isFinite(x) && Float.isFinite(Float.float16ToFloat(Float.floatToFloat16(x)));
      case UINT8 -> x >= 0f && x <= 255f && x == Math.rint(x);
    };
  }

  /** The value {@code x} (which {@link #canStore} accepts) reads back as once stored. */
  public float round(float x) {
    return this == FLOAT16 ? Float.float16ToFloat(Float.floatToFloat16(x)) : x;
  }

  /** {@link #round} of every element, in place; returns {@code vector}. */
  public float[] roundInPlace(float[] vector) {
    if (this == FLOAT16) {
      for (int i = 0; i < vector.length; i++) {
        vector[i] = Float.float16ToFloat(Float.floatToFloat16(vector[i]));
      }
    }
    return vector;
  }

  /**
   * Puts {@code x} (which {@link #canStore} accepts) at this width into {@code out}, in its byte
   * order (files use little endian).
   */
  public void put(float x, java.nio.ByteBuffer out) {
    switch (this) {
      case FLOAT32 -> out.putFloat(x);
      case FLOAT16 -> out.putShort(Float.floatToFloat16(x));
      case UINT8 -> out.put((byte) (int) x);
    }
  }
}
