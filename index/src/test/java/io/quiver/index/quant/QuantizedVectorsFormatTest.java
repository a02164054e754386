package io.quiver.index.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.index.scorer.HeapFloatVectors;
import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.vector.Distance;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Goal: the file form of every kind of codes reads back into codes that score exactly as the
 * written ones (write -> read -> equal scores for random queries), and a truncated form is refused.
 * Oracle: the codes before writing. Seeded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuantizedVectorsFormatTest {

  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  enum Kind {
    INT8,
    BINARY,
    PRODUCT,
    TURBO
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void writtenCodesReadBackScoringTheSame(Kind kind) throws IOException {
    SplittableRandom random = new SplittableRandom(SEED + kind.ordinal());
    int dim = 1 + random.nextInt(150);
    float[][] data = new float[300][dim];
    for (float[] v : data) {
      for (int d = 0; d < dim; d++) {
        v[d] = (float) random.nextGaussian();
      }
    }
    // Product and turbo codes do not take Manhattan (the last distance).
    int distances = kind == Kind.PRODUCT || kind == Kind.TURBO ? 3 : Distance.values().length;
    Distance distance = Distance.values()[random.nextInt(distances)];
    HeapFloatVectors vectors = HeapFloatVectors.of(data, distance);
    QuantizedVectors codes =
        switch (kind) {
          case INT8 -> Int8Vectors.quantize(vectors, ScalarQuantizer.fit(vectors, 0.99, SEED));
          case BINARY -> BinaryVectors.quantize(vectors);
          case PRODUCT ->
              PqVectors.quantize(
                  vectors, ProductQuantizer.train(vectors, Math.max(1, dim / 4), 300, 3, SEED));
          case TURBO ->
              TurboVectors.quantize(
                  vectors, TurboBits.values()[random.nextInt(TurboBits.values().length)], SEED);
        };
    byte[] bytes = bytesOf(codes);
    QuantizedVectors read =
        QuantizedVectorsFormat.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    assertEquals(codes.size(), read.size());
    for (int q = 0; q < 5; q++) {
      float[] query = distance.prepare(data[random.nextInt(data.length)].clone());
      VectorScorer a = codes.scorer(query);
      VectorScorer b = read.scorer(query);
      for (int ord = 0; ord < codes.size(); ord++) {
        assertEquals(a.score(ord), b.score(ord), "seed=" + SEED + " " + kind + " ord " + ord);
      }
    }
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    assertThrows(
        IOException.class,
        () ->
            QuantizedVectorsFormat.read(new DataInputStream(new ByteArrayInputStream(truncated))));
  }

  @Test
  void binaryHammingQueryRanksTheVectorItselfFirst() {
    float[][] data = {{1, 2, 3, 4}, {-1, -2, -3, -4}, {1, -2, 3, -4}};
    BinaryVectors codes = BinaryVectors.quantize(HeapFloatVectors.of(data, Distance.EUCLID));
    VectorScorer scorer = codes.hammingScorer(data[2]);
    assertEquals(0f, Math.abs(scorer.score(2)));
    assertEquals(true, scorer.score(2) > scorer.score(1));
  }

  private static byte[] bytesOf(QuantizedVectors codes) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    QuantizedVectorsFormat.write(codes, out);
    out.flush();
    return bytes.toByteArray();
  }
}
