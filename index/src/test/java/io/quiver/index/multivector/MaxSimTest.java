package io.quiver.index.multivector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.hnsw.HnswBuilder;
import io.quiver.index.hnsw.HnswGraph;
import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.hnsw.HnswSearcher;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.vector.Distance;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: MaxSim scores equal a plain double-precision MaxSim for every distance and awkward
 * dimensions (the SIMD kernels' tails), and HNSW over multivectors (a node per point, MaxSim
 * between nodes) finds the brute-force top 10. Oracle: scores computed here; brute-force top-k.
 * Recall threshold 0.9 at ef 100 on 1,500 clustered points: the graph search is approximate,
 * and MaxSim is not a metric (not symmetric), so it is lower than for single vectors.
 */
@Timeout(120)
class MaxSimTest {

  @Test
  void scoresEqualPlainMaxSim() {
    Random random = new Random(Long.getLong("tests.seed", 1));
    for (Distance distance : Distance.values()) {
      for (int dim : new int[] {1, 3, 13, 33, 128}) {
        float[] q = random(random, (1 + random.nextInt(4)) * dim);
        float[] d = random(random, (1 + random.nextInt(6)) * dim);
        float[] pq = MaxSim.prepare(distance, q, dim);
        float[] pd = MaxSim.prepare(distance, d, dim);
        double expected = plain(distance, pq, pd, dim);
        assertEquals(expected, MaxSim.score(distance, pq, pd, dim), 1e-4 * Math.max(1, Math.abs(expected)),
            distance + " dim " + dim);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> MaxSim.rows(new float[5], 2));
    assertThrows(IllegalArgumentException.class, () -> MaxSim.rows(new float[0], 2));
  }

  @Test
  void hnswOverMultivectorsFindsTheBruteForceTopTen() {
    Random random = new Random(Long.getLong("tests.seed", 2));
    int dim = 16;
    float[][] centres = new float[40][];
    for (int c = 0; c < centres.length; c++) {
      centres[c] = random(random, dim);
    }
    MultiVectors store = new MultiVectors(dim, Distance.COSINE);
    for (int p = 0; p < 1500; p++) {
      store.add(MaxSim.prepare(Distance.COSINE, near(random, centres, 2 + random.nextInt(6), dim), dim));
    }
    HnswGraph graph = HnswBuilder.build(new MaxSimScorerSupplier(store), new HnswParams(16, 100, 42L, 1));
    HnswSearcher searcher = new HnswSearcher();
    double recall = 0;
    int queries = 50;
    for (int i = 0; i < queries; i++) {
      float[][] q = MaxSim.rows(MaxSim.prepare(Distance.COSINE, near(random, centres, 1 + random.nextInt(4), dim), dim), dim);
      int[] truth = bruteForce(store, q, 10);
      TopHits hits = searcher.search(graph, MaxSimScorerSupplier.scorer(store, q), 10, 100, ord -> true);
      int found = 0;
      for (int t : truth) {
        found += Arrays.stream(hits.ords()).anyMatch(o -> o == t) ? 1 : 0;
      }
      recall += found / 10.0;
      for (int h = 1; h < hits.size(); h++) {
        assertTrue(hits.scores()[h - 1] >= hits.scores()[h], "best first");
      }
    }
    recall /= queries;
    System.out.println("HNSW over multivectors: recall@10 " + recall);
    assertTrue(recall >= 0.9, "recall@10 " + recall);
  }

  @Test
  void aRangeViewScoresTheStoresRowsWhileTheStoreGrows() {
    Random random = new Random(Long.getLong("tests.seed", 3));
    int dim = 5;
    MultiVectors store = new MultiVectors(dim, Distance.DOT);
    for (int p = 0; p < 50; p++) {
      store.add(random(random, (1 + random.nextInt(4)) * dim));
    }
    MultiVectors view = store.range(10, 40);
    long rows = 0;
    for (int ord = 10; ord < 40; ord++) {
      rows += store.count(ord);
    }
    for (int p = 0; p < 2000; p++) { // the store's arrays are replaced many times
      store.add(random(random, (1 + random.nextInt(4)) * dim));
    }
    assertEquals(30, view.size());
    assertEquals(rows, view.rowCount());
    float[][] q = MaxSim.rows(random(random, 2 * dim), dim);
    for (int i = 0; i < view.size(); i++) {
      assertEquals(store.score(q, 10 + i), view.score(q, i));
      assertEquals(store.similarity(q, 10 + i), view.similarity(q, i));
      assertTrue(Arrays.equals(store.get(10 + i), view.get(i)));
    }
    assertEquals(store.score(q, 15), view.range(5, 6).score(q, 0));
    assertThrows(IllegalStateException.class, () -> view.add(new float[dim]));
    assertThrows(IllegalArgumentException.class, () -> view.range(0, 31));
  }

  private static int[] bruteForce(MultiVectors store, float[][] q, int k) {
    Integer[] ords = new Integer[store.size()];
    for (int i = 0; i < ords.length; i++) {
      ords[i] = i;
    }
    Arrays.sort(ords, (a, b) -> Float.compare(store.similarity(q, b), store.similarity(q, a)));
    return Arrays.stream(ords).limit(k).mapToInt(Integer::intValue).toArray();
  }

  private static double plain(Distance distance, float[] q, float[] d, int dim) {
    double sum = 0;
    for (int i = 0; i < q.length; i += dim) {
      double best = distance.higherIsBetter() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      for (int j = 0; j < d.length; j += dim) {
        double s = 0;
        for (int x = 0; x < dim; x++) {
          double a = q[i + x];
          double b = d[j + x];
          s += switch (distance) {
            case COSINE, DOT -> a * b;
            case EUCLID -> (a - b) * (a - b);
            case MANHATTAN -> Math.abs(a - b);
          };
        }
        if (distance == Distance.EUCLID) {
          s = Math.sqrt(s);
        }
        best = distance.higherIsBetter() ? Math.max(best, s) : Math.min(best, s);
      }
      sum += best;
    }
    return sum;
  }

  private static float[] near(Random random, float[][] centres, int rows, int dim) {
    float[] out = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int x = 0; x < dim; x++) {
        out[r * dim + x] = c[x] + (float) random.nextGaussian() * 0.3f;
      }
    }
    return out;
  }

  private static float[] random(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return v;
  }
}
