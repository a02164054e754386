package io.quiver.consensus.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Vectors in the log keep their byte format: the array codec writes what {@code
 * DataOutput.writeFloat} wrote one float at a time.
 */
class PointCodecFloatsTest {

  private static final float[] EDGES = {
    0f,
    -0f,
    1f,
    -1f,
    Float.MIN_VALUE,
    -Float.MIN_VALUE,
    Float.MIN_NORMAL,
    Float.MAX_VALUE,
    -Float.MAX_VALUE,
    0.1f,
    3.4028235e38f,
    1.17549435e-38f,
    65504f,
    1e-7f
  };

  @Test
  void floatsAreWrittenAsOneFloatAtATimeWasAndReadBack() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    for (int length : new int[] {0, 1, 3, 4, 7, 128, 784, 1536}) {
      float[] v = new float[length];
      for (int i = 0; i < length; i++) {
        v[i] =
            i < EDGES.length
                ? EDGES[i]
                : (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-20, 20)));
      }
      ByteArrayOutputStream old = new ByteArrayOutputStream();
      DataOutputStream oldOut = new DataOutputStream(old);
      oldOut.writeInt(v.length);
      for (float x : v) {
        oldOut.writeFloat(x);
      }
      ByteArrayOutputStream now = new ByteArrayOutputStream();
      PointCodec.writeFloats(v, new DataOutputStream(now));
      assertArrayEquals(old.toByteArray(), now.toByteArray(), "bytes of " + length + " floats");
      float[] read =
          PointCodec.readFloats(new DataInputStream(new ByteArrayInputStream(old.toByteArray())));
      assertArrayEquals(v, read, "floats read back from the old bytes");
    }
  }
}
