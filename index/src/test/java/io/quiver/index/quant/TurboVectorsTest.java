package io.quiver.index.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.hnsw.HnswBuilder;
import io.quiver.index.hnsw.HnswGraph;
import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.scorer.HeapFloatVectors;
import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.vector.Distance;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: the parts of TurboQuant do what the method needs — the rotation is orthogonal, the
 * codebooks are the Lloyd-Max quantizers of N(0,1), the codes' distortion is near the codebook's
 * error and falls with the bits, and a graph search over the codes with exact rescoring finds the
 * brute-force top 10. Oracles: float math (norms, dot products), published Lloyd-Max values, brute
 * force over the float32 vectors. Seeded; the seed is in every failure message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TurboVectorsTest {

  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  private static final int K = 10;

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 13, 64, 100, 207, 702})
  void rotationPreservesNormsAndDotProductsAndInverts(int dim) {
    SplittableRandom random = new SplittableRandom(SEED + dim);
    HadamardRotation rotation = new HadamardRotation(dim, random.nextLong());
    assertTrue(
        rotation.paddedDimension() >= dim && Integer.bitCount(rotation.paddedDimension()) == 1);
    for (int n = 0; n < 20; n++) {
      float[] x = gaussian(random, dim);
      float[] y = gaussian(random, dim);
      float[] rx = new float[rotation.paddedDimension()];
      float[] ry = new float[rotation.paddedDimension()];
      rotation.rotate(x, rx);
      rotation.rotate(y, ry);
      double tolerance = 1e-4 * dim;
      assertEquals(dot(x, x), dot(rx, rx), tolerance, "seed=" + SEED + " norm, dim " + dim);
      assertEquals(dot(x, y), dot(rx, ry), tolerance, "seed=" + SEED + " dot, dim " + dim);
      float[] back = new float[dim];
      rotation.rotateBack(rx, back);
      for (int d = 0; d < dim; d++) {
        assertEquals(x[d], back[d], 1e-4, "seed=" + SEED + " inverse, dim " + dim);
      }
    }
  }

  @Test
  void rotationIsRebuiltFromItsSeed() {
    float[] x = gaussian(new SplittableRandom(SEED), 50);
    float[] a = new float[64];
    float[] b = new float[64];
    new HadamardRotation(50, 7).rotate(x, a);
    new HadamardRotation(50, 7).rotate(x, b);
    assertTrue(Arrays.equals(a, b));
  }

  /** Lloyd-Max quantizers of N(0,1) (Max 1960): centroids and mean squared errors. */
  @Test
  void codebooksAreTheLloydMaxQuantizersOfTheNormal() {
    assertCodebook(TurboBits.BITS1, new float[] {-0.7979f, 0.7979f}, 0.3634);
    assertCodebook(TurboBits.BITS1_5, new float[] {-1.2240f, 0f, 1.2240f}, 0.1902);
    assertCodebook(TurboBits.BITS2, new float[] {-1.5104f, -0.4528f, 0.4528f, 1.5104f}, 0.1175);
    GaussianCodebook four = TurboBits.BITS4.codebook();
    assertEquals(16, four.levels());
    assertEquals(2.7326, four.centroid(15), 1e-3);
    assertEquals(0.1284, four.centroid(8), 1e-3);
    assertEquals(0.009497, four.meanSquaredError(), 2e-5);
    for (TurboBits bits : TurboBits.values()) {
      GaussianCodebook c = bits.codebook();
      for (int l = 0; l < c.levels(); l++) {
        assertEquals(-c.centroid(l), c.centroid(c.levels() - 1 - l), 0f, bits + " symmetric");
        if (l > 0) {
          assertTrue(c.centroid(l - 1) < c.centroid(l), bits + " sorted");
        }
        assertEquals(l, c.quantize(c.centroid(l)), bits + " a centroid quantizes to itself");
      }
      assertEquals(0, c.quantize(-100f));
      assertEquals(c.levels() - 1, c.quantize(100f));
    }
  }

  private static void assertCodebook(TurboBits bits, float[] expected, double mse) {
    GaussianCodebook c = bits.codebook();
    assertEquals(expected.length, c.levels(), bits.name());
    for (int l = 0; l < expected.length; l++) {
      assertEquals(expected[l], c.centroid(l), 1e-3, bits + " centroid " + l);
    }
    assertEquals(mse, c.meanSquaredError(), 1e-3, bits + " mse");
  }

  /**
   * The relative squared error |x̂ - x|² / |x - mean|² of the decoded codes, averaged over random
   * vectors, is at most the codebook's error on N(0,1) (what TurboQuant's analysis predicts for a
   * rotated unit vector; the projection scale only lowers it) plus 10% for the finite dimension,
   * and falls strictly with every step in bits.
   */
  @Test
  void distortionIsBelowTheCodebookErrorAndFallsWithBits() {
    SplittableRandom random = new SplittableRandom(SEED + 101);
    int dim = 200;
    float[][] data = new float[500][];
    for (int i = 0; i < data.length; i++) {
      data[i] = gaussian(random, dim);
      data[i][0] += 5; // an offset the centring removes
    }
    HeapFloatVectors vectors = HeapFloatVectors.of(data, Distance.EUCLID);
    double previous = Double.POSITIVE_INFINITY;
    for (TurboBits bits : TurboBits.values()) {
      TurboVectors codes = TurboVectors.quantize(vectors, bits, SEED);
      float[] mean = new float[dim];
      for (float[] v : data) {
        for (int d = 0; d < dim; d++) {
          mean[d] += v[d] / data.length;
        }
      }
      double total = 0;
      for (int i = 0; i < data.length; i++) {
        float[] decoded = codes.decode(i);
        double err = 0;
        double norm = 0;
        for (int d = 0; d < dim; d++) {
          err += (decoded[d] - data[i][d]) * (decoded[d] - data[i][d]);
          norm += (data[i][d] - mean[d]) * (data[i][d] - mean[d]);
        }
        total += err / norm;
      }
      double distortion = total / data.length;
      double bound = bits.codebook().meanSquaredError() * 1.1;
      System.out.println(
          "turbo "
              + bits
              + " relative distortion "
              + distortion
              + " (codebook "
              + bits.codebook().meanSquaredError()
              + ")");
      assertTrue(
          distortion <= bound,
          "seed=" + SEED + " " + bits + " distortion " + distortion + " > " + bound);
      assertTrue(
          distortion < previous,
          "seed=" + SEED + " " + bits + " distortion " + distortion + " >= " + previous);
      previous = distortion;
    }
  }

  /**
   * Graph (float32, M 16) search with turbo scores, exact rescoring: recall@10 against brute force
   * at ef 64, for each bit width and distance, oversampling 10 (as binary quantization's test).
   * Seen: 1 bit 0.89–0.97, 1.5 bits 0.96–0.97, 2 bits 0.97–0.98, 4 bits 0.97–1.0 (Dot is capped
   * near 0.97 by the float32 graph itself); the bounds sit below those lows. These clusters are
   * hard for a data-oblivious code: the within-cluster spread that ranks neighbours is ~9% of |x -
   * mean|², below the 2-bit codebook's 12% error, hence the oversampling.
   */
  @ParameterizedTest
  @EnumSource(
      value = Distance.class,
      names = {"EUCLID", "DOT", "COSINE"})
  void searchWithRescoringMatchesBruteForce(Distance distance) {
    SplittableRandom random = new SplittableRandom(SEED + 31 + distance.ordinal());
    HeapFloatVectors vectors = HeapFloatVectors.of(clustered(random, 3000, 128), distance);
    HnswGraph graph = HnswBuilder.build(vectors.supplier(), new HnswParams(16, 100, SEED, 2));
    for (TurboBits bits : TurboBits.values()) {
      TurboVectors codes = TurboVectors.quantize(vectors, bits, SEED);
      int oversample = 10;
      double recall =
          meanRecall(
              new SplittableRandom(SEED),
              vectors,
              new RescoringSearch(graph, codes, vectors, oversample),
              64);
      double min =
          switch (bits) {
            case BITS1 -> 0.8;
            case BITS1_5 -> 0.88;
            case BITS2 -> 0.9;
            case BITS4 -> 0.95;
          };
      System.out.println(
          "turbo " + bits + " " + distance + " recall@10 " + recall + " seed=" + SEED);
      assertTrue(
          recall >= min,
          "seed=" + SEED + " " + bits + " " + distance + " recall " + recall + " < " + min);
    }
  }

  /**
   * The turbo scores themselves (no rescoring) order candidates nearly as the exact ones at 4 bits.
   */
  @ParameterizedTest
  @EnumSource(
      value = Distance.class,
      names = {"EUCLID", "DOT", "COSINE"})
  void fourBitScoresTrackExactScores(Distance distance) {
    SplittableRandom random = new SplittableRandom(SEED + 41 + distance.ordinal());
    HeapFloatVectors vectors = HeapFloatVectors.of(clustered(random, 500, 64), distance);
    TurboVectors codes = TurboVectors.quantize(vectors, TurboBits.BITS4, SEED);
    float[] query = distance.prepare(gaussian(random, 64));
    VectorScorer exact = vectors.scorer(query);
    VectorScorer approx = codes.scorer(query);
    double errSq = 0;
    double varSq = 0;
    double meanScore = 0;
    for (int i = 0; i < vectors.size(); i++) {
      meanScore += exact.score(i) / vectors.size();
    }
    for (int i = 0; i < vectors.size(); i++) {
      errSq += Math.pow(exact.score(i) - approx.score(i), 2);
      varSq += Math.pow(exact.score(i) - meanScore, 2);
    }
    // The estimate's error is a small fraction of the spread of the scores it must rank.
    assertTrue(
        errSq < 0.05 * varSq,
        "seed=" + SEED + " " + distance + " error " + errSq + " vs spread " + varSq);
    // A stored code scored against itself by the graph-build supplier is the best of a few.
    var supplier = codes.supplier();
    VectorScorer self = supplier.scorer(3);
    assertTrue(self.score(3) >= self.score(4) || distance != Distance.EUCLID, "seed=" + SEED);
  }

  /**
   * The scale makes r·t unbiased and r·r exact, so a stored vector asked as the query scores itself
   * at Euclidean distance 0 at every width (the MSE reconstruction alone would not: it shrinks r·t
   * by the codebook's u·û, 2/π at one bit).
   */
  @ParameterizedTest
  @EnumSource(TurboBits.class)
  void aVectorScoresItselfAtDistanceZero(TurboBits bits) {
    SplittableRandom random = new SplittableRandom(SEED + 53 + bits.ordinal());
    float[][] data = clustered(random, 200, 100);
    HeapFloatVectors vectors = HeapFloatVectors.of(data, Distance.EUCLID);
    TurboVectors codes = TurboVectors.quantize(vectors, bits, SEED);
    for (int i = 0; i < 20; i++) {
      float self = codes.scorer(data[i]).score(i);
      assertEquals(
          0f,
          self,
          1e-3f * Math.abs(vectors.scorer(data[i]).score((i + 1) % data.length)),
          "seed=" + SEED + " " + bits + " vector " + i);
    }
  }

  @Test
  void manhattanIsRefused() {
    HeapFloatVectors vectors =
        HeapFloatVectors.of(new float[][] {{1, 2}, {3, 4}}, Distance.MANHATTAN);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TurboVectors.quantize(vectors, TurboBits.BITS4, SEED));
    assertTrue(e.getMessage().contains("Manhattan"));
  }

  @Test
  void codesHaveTheStatedSize() {
    HeapFloatVectors vectors =
        HeapFloatVectors.of(clustered(new SplittableRandom(SEED), 100, 128), Distance.DOT);
    assertEquals(16, TurboBits.BITS1.codeBytes(128));
    assertEquals(26, TurboBits.BITS1_5.codeBytes(128));
    assertEquals(32, TurboBits.BITS2.codeBytes(128));
    assertEquals(64, TurboBits.BITS4.codeBytes(128));
    TurboVectors codes = TurboVectors.quantize(vectors, TurboBits.BITS4, SEED);
    assertTrue(
        codes.heapBytes() * 6 < vectors.heapBytes(),
        "4 bits per dimension plus 8 bytes per vector: ~1/7 of float32");
  }

  private static float[] gaussian(SplittableRandom random, int dim) {
    float[] v = new float[dim];
    for (int d = 0; d < dim; d++) {
      v[d] = (float) random.nextGaussian();
    }
    return v;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static float[][] clustered(SplittableRandom random, int n, int dim) {
    float[][] centres = new float[20][dim];
    for (float[] c : centres) {
      for (int d = 0; d < dim; d++) {
        c[d] = (float) (random.nextDouble() * 2 - 1);
      }
    }
    float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int d = 0; d < dim; d++) {
        out[i][d] = c[d] + (float) (random.nextDouble() - 0.5) * 0.6f;
      }
    }
    return out;
  }

  private static double meanRecall(
      SplittableRandom random, HeapFloatVectors vectors, RescoringSearch search, int ef) {
    double total = 0;
    int queries = 100;
    float[] q = new float[vectors.dimension()];
    for (int i = 0; i < queries; i++) {
      vectors.copyVector(random.nextInt(vectors.size()), q);
      for (int d = 0; d < q.length; d++) {
        q[d] += (float) (random.nextDouble() - 0.5) * 0.2f;
      }
      float[] query = vectors.distance().prepare(q.clone());
      TopHits hits = search.search(query, K, ef, OrdFilter.ALL);
      VectorScorer scorer = vectors.scorer(query);
      Integer[] ords = new Integer[vectors.size()];
      float[] scores = new float[vectors.size()];
      for (int o = 0; o < ords.length; o++) {
        ords[o] = o;
        scores[o] = scorer.score(o);
      }
      Arrays.sort(ords, (a, b) -> Float.compare(scores[b], scores[a]));
      int found = 0;
      for (int t = 0; t < K; t++) {
        for (int h : hits.ords()) {
          found += h == ords[t] ? 1 : 0;
        }
      }
      total += found / (double) K;
    }
    return total / queries;
  }
}
