package io.quiver.index.multivector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.quant.BinaryVectors;
import io.quiver.index.quant.Int8Vectors;
import io.quiver.index.quant.QuantizedVectors;
import io.quiver.index.quant.ScalarQuantizer;
import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.vector.Distance;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: the rows of a set of multivectors (a range view too) read back as one vector set in ord
 * order, and MaxSim over their int8 codes approximates float MaxSim closely enough to rank: per
 * point the error stays within 0.03 per query row (Cosine rows in [-1, 1], int8 steps of ~1/128),
 * the sign convention is the graph's (negated distances for Euclid), and the approximate top 10
 * overlaps the exact top 10 in at least 8 of 10. Binary codes (one bit per dimension, far coarser)
 * still rank the exact best point in their top 10 %. Oracle: {@link MultiVectors}' float MaxSim.
 * Seeded ({@code tests.seed}).
 */
@Timeout(60)
class QuantizedMaxSimTest {

  private static final int DIM = 48;

  @Test
  void rowsReadBackInOrdOrderAlsoThroughARangeView() {
    Random random = new Random(Long.getLong("tests.seed", 3));
    MultiVectors store = store(random, Distance.DOT, 120);
    for (MultiVectors view : new MultiVectors[] {store, store.range(30, 90)}) {
      MultiVectorRows rows = new MultiVectorRows(view);
      assertEquals(view.rowCount(), rows.size());
      float[] row = new float[DIM];
      int at = 0;
      for (int ord = 0; ord < view.size(); ord++) {
        assertEquals(at, rows.firstRow(ord));
        float[] flat = view.get(ord);
        for (int r = 0; r < view.count(ord); r++, at++) {
          rows.copyVector(at, row);
          assertArrayEquals(
              Arrays.copyOfRange(flat, r * DIM, (r + 1) * DIM), row, "row " + r + " of ord " + ord);
        }
      }
      assertEquals(at, rows.firstRow(view.size()));
    }
    assertThrows(
        IndexOutOfBoundsException.class, () -> store.copyRow(0, store.count(0), new float[DIM]));
  }

  @Test
  void int8MaxSimApproximatesFloatMaxSim() {
    for (Distance distance : new Distance[] {Distance.COSINE, Distance.EUCLID}) {
      Random random = new Random(Long.getLong("tests.seed", 5));
      MultiVectors store = store(random, distance, 400);
      MultiVectorRows rows = new MultiVectorRows(store);
      QuantizedVectors codes = Int8Vectors.quantize(rows, ScalarQuantizer.fit(rows, 1.0, 42));
      QuantizedMaxSim quantized = new QuantizedMaxSim(codes, rows.firstRows(), distance);
      assertEquals(store.size(), quantized.size());
      int overlap = 0;
      for (int t = 0; t < 20; t++) {
        float[][] query =
            MaxSim.rows(MaxSim.prepare(distance, near(random, 1 + random.nextInt(4)), DIM), DIM);
        VectorScorer approximate = quantized.scorer(query);
        assertFalse(approximate.isExact());
        float[] exact = new float[store.size()];
        float[] approx = new float[store.size()];
        for (int ord = 0; ord < store.size(); ord++) {
          exact[ord] = store.similarity(query, ord);
          approx[ord] = approximate.score(ord);
          float tolerance = 0.03f * query.length * (distance == Distance.EUCLID ? 4 : 1);
          assertEquals(exact[ord], approx[ord], tolerance, distance + " ord " + ord);
        }
        overlap += overlap(top(exact, 10), top(approx, 10));
      }
      assertTrue(overlap >= 8 * 20, distance + ": top-10 overlap " + overlap + " of 200");
    }
  }

  @Test
  void binaryMaxSimRanksTheBestPointHigh() {
    Random random = new Random(Long.getLong("tests.seed", 7));
    MultiVectors store = store(random, Distance.COSINE, 400);
    MultiVectorRows rows = new MultiVectorRows(store);
    QuantizedMaxSim quantized =
        new QuantizedMaxSim(BinaryVectors.quantize(rows), rows.firstRows(), Distance.COSINE);
    for (int t = 0; t < 20; t++) {
      float[][] query = MaxSim.rows(MaxSim.prepare(Distance.COSINE, near(random, 2), DIM), DIM);
      VectorScorer approximate = quantized.scorer(query);
      float[] exact = new float[store.size()];
      float[] approx = new float[store.size()];
      for (int ord = 0; ord < store.size(); ord++) {
        exact[ord] = store.similarity(query, ord);
        approx[ord] = approximate.score(ord);
      }
      int best = top(exact, 1)[0];
      int[] candidates = top(approx, store.size() / 10);
      assertTrue(
          IntStream.of(candidates).anyMatch(c -> c == best),
          "query " + t + ": the best point in the top 10 %");
    }
  }

  private static int overlap(int[] a, int[] b) {
    return (int) IntStream.of(a).filter(x -> IntStream.of(b).anyMatch(y -> y == x)).count();
  }

  private static int[] top(float[] scores, int k) {
    return IntStream.range(0, scores.length)
        .boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> scores[i]).reversed())
        .limit(k)
        .mapToInt(i -> i)
        .toArray();
  }

  private static float[][] centres;

  private static MultiVectors store(Random random, Distance distance, int points) {
    centres = new float[30][];
    for (int c = 0; c < centres.length; c++) {
      centres[c] = new float[DIM];
      for (int x = 0; x < DIM; x++) {
        centres[c][x] = (float) random.nextGaussian();
      }
    }
    MultiVectors store = new MultiVectors(DIM, distance);
    for (int p = 0; p < points; p++) {
      store.add(MaxSim.prepare(distance, near(random, 1 + random.nextInt(6)), DIM));
    }
    return store;
  }

  private static float[] near(Random random, int rows) {
    float[] out = new float[rows * DIM];
    for (int r = 0; r < rows; r++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int x = 0; x < DIM; x++) {
        out[r * DIM + x] = c[x] + (float) random.nextGaussian() * 0.5f;
      }
    }
    return out;
  }
}
