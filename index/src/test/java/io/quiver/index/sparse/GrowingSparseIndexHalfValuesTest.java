package io.quiver.index.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: an index holding its values as halves (float16 sparse vectors) reads back every value
 * exactly as added and searches exactly like a float index of the same vectors, through deletes and
 * compaction, in less heap; a value that is not a half is refused. Oracle: a float32 {@link
 * GrowingSparseIndex} fed the same vectors (itself checked against brute force by {@code
 * SparseSearchTest}): postings, hits and scores equal.
 */
@Timeout(60)
class GrowingSparseIndexHalfValuesTest {

  @Test
  void halvesReadBackAndSearchLikeFloats() {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    Random random = new Random(seed);
    GrowingSparseIndex halves = new GrowingSparseIndex(true);
    GrowingSparseIndex floats = new GrowingSparseIndex();
    for (int ord = 0; ord < 3_000; ord++) {
      SparseVector v = randomHalves(random);
      halves.add(ord, v);
      floats.add(ord, v);
      if (random.nextInt(3) == 0) {
        int dead = random.nextInt(ord + 1);
        halves.delete(dead);
        floats.delete(dead);
      }
    }
    assertTrue(
        halves.heapBytes() < floats.heapBytes(), halves.heapBytes() + " vs " + floats.heapBytes());
    for (int round = 0; round < 2; round++) {
      for (int q = 0; q < 50; q++) {
        SparseVector query = randomHalves(random);
        TopHits a = SparseSearcher.search(halves, query, 10, OrdFilter.ALL, Integer::compare);
        TopHits b = SparseSearcher.search(floats, query, 10, OrdFilter.ALL, Integer::compare);
        assertArrayEquals(b.ords(), a.ords(), "seed " + seed);
        assertArrayEquals(b.scores(), a.scores(), "seed " + seed);
      }
      for (int d = 0; d < 50; d++) {
        PostingList h = halves.postings(d);
        PostingList f = floats.postings(d);
        assertEquals(f == null, h == null);
        for (int i = 0; f != null && i < f.size(); i++) {
          assertEquals(f.ord(i), h.ord(i));
          assertEquals(f.value(i), h.value(i), 0f, "seed " + seed + " dim " + d + " posting " + i);
        }
        if (f != null) {
          assertEquals(f.maxValue(), h.maxValue(), 0f);
          assertEquals(f.minValue(), h.minValue(), 0f);
        }
      }
      assertArrayEquals(floats.compact(), halves.compact(), "seed " + seed);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> halves.add(halves.ordBound(), SparseVector.of(new int[] {1}, new float[] {0.1f})));
  }

  private static SparseVector randomHalves(Random random) {
    int size = 1 + random.nextInt(8);
    int[] indices = new int[size];
    float[] values = new float[size];
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (int i = 0; i < size; i++) {
      int d;
      do {
        d = random.nextInt(50);
      } while (!used.add(d));
      indices[i] = d;
      values[i] = Float.float16ToFloat(Float.floatToFloat16((float) random.nextGaussian() * 10));
    }
    return SparseVector.of(indices, values);
  }
}
