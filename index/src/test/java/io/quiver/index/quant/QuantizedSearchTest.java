package io.quiver.index.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * Goal: searching quantized codes and rescoring exactly finds what a brute-force float32 scan
 * finds, for int8 (graph built over the codes), binary (graph built over floats, heavy
 * oversampling) and product quantization (graph built over floats); and int8 is lossless on 8-bit
 * data. Oracle: brute force over the float32 vectors. Seeded Gaussian mixtures; the seed is in
 * every failure message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuantizedSearchTest {

  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  private static final int N = 3000;
  private static final int DIM = 32;
  private static final int K = 10;

  /** Int8 + rescoring (oversample 3) recall@10 at ef = 64. */
  private static final double MIN_INT8_RECALL = 0.95;

  /**
   * Binary (128 bits) + rescoring (oversample 10) recall@10 at ef = 100 on the float32 graph. The
   * seed changes every run; seen lows are 0.828 and 0.846 (0.85 failed 1 seed in 8), so the bound
   * sits below them rather than at the top of the range.
   */
  private static final double MIN_BINARY_RECALL = 0.80;

  /**
   * PQ (2 dims per subspace) + rescoring (oversample 10) recall@10 at ef = 64 on the float32 graph.
   */
  private static final double MIN_PQ_RECALL = 0.9;

  @ParameterizedTest
  @EnumSource(Distance.class)
  void int8WithRescoringMatchesBruteForce(Distance distance) {
    SplittableRandom random = new SplittableRandom(SEED + distance.ordinal());
    HeapFloatVectors vectors = HeapFloatVectors.of(clustered(random, DIM), distance);
    Int8Vectors codes = Int8Vectors.quantize(vectors, ScalarQuantizer.fit(vectors, 0.999, SEED));
    assertTrue(
        codes.heapBytes() * 3 < vectors.heapBytes(), "int8 codes are about a quarter of float32");
    HnswGraph graph = HnswBuilder.build(codes.supplier(), new HnswParams(16, 100, SEED, 2));
    RescoringSearch search = new RescoringSearch(graph, codes, vectors, 3);
    double recall = meanRecall(random, vectors, search, 64);
    assertTrue(
        recall >= MIN_INT8_RECALL, "seed=" + SEED + " " + distance + " int8 recall " + recall);
  }

  @ParameterizedTest
  @EnumSource(
      value = Distance.class,
      names = {"EUCLID", "DOT", "COSINE"})
  void binaryWithOversampledRescoringMatchesBruteForce(Distance distance) {
    SplittableRandom random = new SplittableRandom(SEED + 11 + distance.ordinal());
    // One bit per dimension needs enough dimensions to rank: 128 bits here.
    HeapFloatVectors vectors = HeapFloatVectors.of(clustered(random, 128), distance);
    BinaryVectors codes = BinaryVectors.quantize(vectors);
    assertTrue(
        codes.heapBytes() * 12 < vectors.heapBytes(),
        "binary codes are 1/32 of float32, rounded up to whole 64-bit words");
    HnswGraph graph = HnswBuilder.build(vectors.supplier(), new HnswParams(16, 100, SEED, 2));
    RescoringSearch search = new RescoringSearch(graph, codes, vectors, 10);
    double recall = meanRecall(random, vectors, search, 100);
    System.out.println("binary " + distance + " recall " + recall + " seed=" + SEED);
    assertTrue(
        recall >= MIN_BINARY_RECALL, "seed=" + SEED + " " + distance + " binary recall " + recall);
  }

  @ParameterizedTest
  @EnumSource(
      value = Distance.class,
      names = {"EUCLID", "DOT", "COSINE"})
  void productQuantizationWithRescoringMatchesBruteForce(Distance distance) {
    SplittableRandom random = new SplittableRandom(SEED + 17 + distance.ordinal());
    HeapFloatVectors vectors = HeapFloatVectors.of(clustered(random, DIM), distance);
    ProductQuantizer pq = ProductQuantizer.train(vectors, DIM / 2, 2000, 5, SEED);
    PqVectors codes = PqVectors.quantize(vectors, pq);
    assertTrue(codes.heapBytes() * 7 < vectors.heapBytes(), "2 dims per byte: 1/8 of float32");
    HnswGraph graph = HnswBuilder.build(vectors.supplier(), new HnswParams(16, 100, SEED, 2));
    RescoringSearch search = new RescoringSearch(graph, codes, vectors, 10);
    double recall = meanRecall(random, vectors, search, 64);
    assertTrue(recall >= MIN_PQ_RECALL, "seed=" + SEED + " " + distance + " PQ recall " + recall);
  }

  @Test
  void int8IsLosslessOnEightBitData() {
    SplittableRandom random = new SplittableRandom(SEED + 3);
    float[][] pixels = new float[200][DIM];
    for (float[] p : pixels) {
      for (int d = 0; d < DIM; d++) {
        p[d] = random.nextInt(256);
      }
    }
    pixels[0][0] = 0;
    pixels[1][0] = 255;
    HeapFloatVectors vectors = HeapFloatVectors.of(pixels, Distance.EUCLID);
    Int8Vectors codes = Int8Vectors.quantize(vectors, ScalarQuantizer.fit(vectors, 1.0, SEED));
    for (int q = 0; q < 20; q++) {
      float[] query = pixels[random.nextInt(pixels.length)];
      VectorScorer exact = vectors.scorer(query);
      VectorScorer approx = codes.scorer(query);
      for (int i = 0; i < pixels.length; i++) {
        assertEquals(
            exact.score(i),
            approx.score(i),
            1e-3f * Math.abs(exact.score(i)),
            "seed=" + SEED + " vector " + i);
      }
    }
  }

  private static float[][] clustered(SplittableRandom random, int dim) {
    float[][] centres = new float[20][dim];
    for (float[] c : centres) {
      for (int d = 0; d < dim; d++) {
        c[d] = (float) (random.nextDouble() * 2 - 1);
      }
    }
    float[][] out = new float[N][dim];
    for (int i = 0; i < N; i++) {
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
      int[] truth = bruteForce(vectors, query);
      int found = 0;
      for (int t : truth) {
        for (int h : hits.ords()) {
          found += h == t ? 1 : 0;
        }
      }
      total += found / (double) K;
    }
    return total / queries;
  }

  private static int[] bruteForce(HeapFloatVectors vectors, float[] query) {
    VectorScorer scorer = vectors.scorer(query);
    Integer[] ords = new Integer[vectors.size()];
    float[] scores = new float[vectors.size()];
    for (int i = 0; i < ords.length; i++) {
      ords[i] = i;
      scores[i] = scorer.score(i);
    }
    Arrays.sort(ords, (a, b) -> Float.compare(scores[b], scores[a]));
    int[] top = new int[K];
    for (int i = 0; i < K; i++) {
      top[i] = ords[i];
    }
    return top;
  }
}
