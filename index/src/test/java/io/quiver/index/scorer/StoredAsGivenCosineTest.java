package io.quiver.index.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: Cosine vectors stored as given (uint8 bytes in a segment, the same integers in a heap
 * array: not normalized) are scored as Qdrant scores uint8 Cosine, {@code dot(q, v) / sqrt(|q|^2
 * |v|^2)} (0 for a zero vector), by the query scorer, the build supplier (stored vector against
 * stored vector, both ways) and bulk scoring; {@code copyVector} gives the bytes and {@code
 * copyPrepared} their normalized form; an HNSW graph built over them finds the brute-force
 * neighbours. Oracle: that formula in double precision over the stored integers. Seeded ({@code
 * -Dtests.seed}); recall threshold 0.9 (measured ~0.99 at this size).
 */
@Timeout(120)
class StoredAsGivenCosineTest {

  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  private static final int N = 1_000;
  private static final int DIM = 37; // odd: vector loops and the scalar tail

  @Test
  void scoresCopiesAndGraphFollowQdrantsFormula() throws Exception {
    Random random = new Random(SEED);
    String where = "seed=" + SEED;
    int[][] stored = new int[N][DIM];
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment bytes = arena.allocate((long) N * DIM + 3);
      float[] heap = new float[N * DIM];
      for (int i = 0; i < N; i++) {
        for (int d = 0; d < DIM; d++) {
          // point 0 is the zero vector (score 0 against everything)
          stored[i][d] =
              i == 0 ? 0 : random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(16);
          bytes.set(ValueLayout.JAVA_BYTE, 3 + (long) i * DIM + d, (byte) stored[i][d]);
          heap[i * DIM + d] = stored[i][d];
        }
      }
      FloatVectors narrow =
          new SegmentNarrowVectors(bytes, 3, N, DIM, Distance.COSINE, VectorDatatype.UINT8);
      FloatVectors onHeap = new HeapFloatVectors(heap, DIM, Distance.COSINE, true);
      assertTrue(narrow.storedAsGiven() && onHeap.storedAsGiven(), where);
      assertFalse(
          new SegmentNarrowVectors(bytes, 3, N, DIM, Distance.DOT, VectorDatatype.UINT8)
              .storedAsGiven());
      assertThrows(
          IllegalArgumentException.class,
          () -> new HeapFloatVectors(heap, DIM, Distance.DOT, true));

      float[] copy = new float[DIM];
      float[] prepared = new float[DIM];
      narrow.copyVector(7, copy);
      narrow.copyPrepared(7, prepared);
      double norm = Math.sqrt(dot(stored[7], stored[7]));
      for (int d = 0; d < DIM; d++) {
        assertEquals(stored[7][d], copy[d], 0f, where + " copyVector gives the bytes");
        assertEquals(stored[7][d] / norm, prepared[d], 1e-6, where + " copyPrepared normalizes");
      }

      for (int round = 0; round < 20; round++) {
        int[] rawQuery = new int[DIM];
        for (int d = 0; d < DIM; d++) {
          rawQuery[d] = random.nextInt(16);
        }
        rawQuery[0] = 1 + random.nextInt(15); // never the zero vector
        float[] q = Distance.COSINE.prepare(toFloats(rawQuery));
        VectorScorer narrowScorer = narrow.scorer(q);
        VectorScorer heapScorer = onHeap.scorer(q);
        int[] ords = new int[N];
        float[] bulk = new float[N];
        for (int i = 0; i < N; i++) {
          ords[i] = i;
        }
        heapScorer.bulkScore(ords, N, bulk);
        double[] truth = new double[N];
        for (int i = 0; i < N; i++) {
          truth[i] = qdrantCosine(rawQuery, stored[i]);
          assertEquals(truth[i], narrowScorer.score(i), 1e-5, where + " narrow ord " + i);
          assertEquals(truth[i], heapScorer.score(i), 1e-5, where + " heap ord " + i);
          assertEquals(truth[i], bulk[i], 1e-5, where + " heap bulk ord " + i);
        }
        assertEquals(0f, narrowScorer.score(0), 0f, where + " zero vector");
      }

      // The build supplier compares stored vectors with each other: symmetric, Qdrant's formula.
      VectorScorerSupplier supplier = narrow.supplier();
      VectorScorerSupplier heapSupplier = onHeap.supplier();
      for (int round = 0; round < 50; round++) {
        int a = 1 + random.nextInt(N - 1);
        int b = random.nextInt(N);
        double expected = qdrantCosine(stored[a], stored[b]);
        assertEquals(
            expected, supplier.scorer(a).score(b), 1e-5, where + " supplier " + a + "," + b);
        assertEquals(
            expected, supplier.scorer(b).score(a), 1e-5, where + " supplier " + b + "," + a);
        assertEquals(
            expected,
            heapSupplier.scorer(a).score(b),
            1e-5,
            where + " heap supplier " + a + "," + b);
      }

      try (HnswIndex index = HnswIndex.build(narrow, new HnswParams(16, 100, 42L, 1))) {
        int found = 0;
        int queries = 30;
        for (int round = 0; round < queries; round++) {
          int[] rawQuery = stored[1 + random.nextInt(N - 1)].clone();
          rawQuery[random.nextInt(DIM)] ^= 3; // near a stored point, not on it
          rawQuery[0] = Math.max(rawQuery[0], 1); // never the zero vector
          float[] q = Distance.COSINE.prepare(toFloats(rawQuery));
          Integer[] byScore = new Integer[N];
          for (int i = 0; i < N; i++) {
            byScore[i] = i;
          }
          Arrays.sort(
              byScore,
              (x, y) ->
                  Double.compare(
                      qdrantCosine(rawQuery, stored[y]), qdrantCosine(rawQuery, stored[x])));
          Set<Integer> top = new HashSet<>(Arrays.asList(byScore).subList(0, 10));
          TopHits hits = index.search(q, 10, 64, OrdFilter.ALL);
          for (int i = 0; i < hits.size(); i++) {
            found += top.contains(hits.ords()[i]) ? 1 : 0;
          }
        }
        double recall = found / (queries * 10.0);
        System.out.printf("%s: uint8 Cosine graph recall@10 %.3f%n", where, recall);
        assertTrue(recall >= 0.9, where + " recall@10 " + recall);
      }
    }
  }

  private static double qdrantCosine(int[] a, int[] b) {
    double aa = dot(a, a);
    double bb = dot(b, b);
    return aa == 0 || bb == 0 ? 0 : dot(a, b) / Math.sqrt(aa * bb);
  }

  private static double dot(int[] a, int[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static float[] toFloats(int[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
