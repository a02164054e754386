package io.quiver.index.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: sparse search is exact. Oracle: brute force over every live, accepted vector sharing a
 * dimension with the query, ranked by score then by the tie order. Recall must be exactly 1.0 and
 * scores equal to the bit, through filters, deletions, compaction and the mapped file format; the
 * pruning must also skip work (fewer ords scored than candidates). Seeded: -Dtests.seed replays.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SparseSearchTest {

  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  @TempDir Path dir;

  @Test
  void vectorsAreSortedUniqueAndUnsigned() {
    SparseVector v = SparseVector.of(new int[] {7, -1, 3}, new float[] {1f, 2f, 3f});
    assertArrayEquals(new int[] {3, 7, -1}, v.indices(), "u32 order: 4294967295 sorts last");
    assertArrayEquals(new float[] {3f, 1f, 2f}, v.values());
    assertEquals(2f, v.valueAt(-1));
    assertEquals(0f, v.valueAt(4));
    assertThrows(
        IllegalArgumentException.class,
        () -> SparseVector.of(new int[] {1, 2, 1}, new float[] {1, 2, 3}));
    assertThrows(
        IllegalArgumentException.class, () -> SparseVector.of(new int[] {1, 2}, new float[] {1}));
    assertThrows(
        IllegalArgumentException.class,
        () -> SparseVector.of(new int[] {1}, new float[] {Float.NaN}));
    SparseVector q = SparseVector.of(new int[] {-1, 3, 9}, new float[] {1f, 1f, 5f});
    assertEquals(3f + 2f, v.dot(q));
    assertTrue(v.overlaps(q));
  }

  @Test
  void randomSearchesEqualBruteForce() throws IOException {
    SplittableRandom random = new SplittableRandom(SEED);
    for (int round = 0; round < 6; round++) {
      int vocabulary = 20 + random.nextInt(round % 2 == 0 ? 60 : 2000);
      int count = 200 + random.nextInt(3000);
      List<SparseVector> vectors = new ArrayList<>();
      GrowingSparseIndex index = new GrowingSparseIndex();
      int[] rank = permutation(random, count); // the tie order, as storage's point ids would give
      for (int ord = 0; ord < count; ord++) {
        SparseVector v = randomVector(random, vocabulary, random.nextInt(12), round % 3 == 0);
        vectors.add(v);
        index.add(ord, v);
      }
      BitSet deleted = new BitSet();
      for (int i = random.nextInt(count / 3); i > 0; i--) {
        int ord = random.nextInt(count);
        deleted.set(ord);
        index.delete(ord);
      }
      OrdTieOrder tieOrder = (a, b) -> Integer.compare(rank[a], rank[b]);
      long scored = 0;
      long candidates = 0;
      for (int q = 0; q < 60; q++) {
        SparseVector query =
            randomVector(random, vocabulary, 1 + random.nextInt(8), random.nextInt(4) == 0);
        int k = new int[] {1, 3, 10, 50, 500}[random.nextInt(5)];
        BitSet allowed =
            random.nextBoolean()
                ? null
                : randomBits(random, count, 0.05 + random.nextDouble() * 0.9);
        OrdFilter accept = allowed == null ? OrdFilter.ALL : allowed::get;
        TopHits hits = SparseSearcher.search(index, query, k, accept, tieOrder);
        Expected expected = bruteForce(vectors, deleted, allowed, query, k, rank);
        String where = "seed=" + SEED + " round " + round + " query " + q + " k " + k + " " + query;
        assertArrayEquals(expected.ords, hits.ords(), where);
        assertArrayEquals(expected.scores, hits.scores(), where);
        scored += hits.visited();
        candidates += expected.candidates;
      }
      if (round % 2 == 1) {
        assertTrue(
            scored < candidates,
            "seed=" + SEED + ": pruning scored " + scored + " of " + candidates);
      }
      checkMappedEqualsHeap(random, index, vectors, deleted, rank);
      checkCompactedEqualsHeap(random, index, vectors, deleted, rank);
    }
  }

  private void checkMappedEqualsHeap(
      SplittableRandom random,
      GrowingSparseIndex index,
      List<SparseVector> vectors,
      BitSet deleted,
      int[] rank)
      throws IOException {
    Path file = dir.resolve("sparse-" + random.nextInt(1 << 30) + ".qsp");
    SparseIndexFormat.write(file, index);
    try (MappedSparseIndex mapped = SparseIndexFormat.open(file)) {
      assertEquals(index.ordBound(), mapped.ordBound());
      for (int q = 0; q < 30; q++) {
        SparseVector query = randomVector(random, 100, 1 + random.nextInt(6), false);
        int k = 1 + random.nextInt(40);
        OrdTieOrder tieOrder = (a, b) -> Integer.compare(rank[a], rank[b]);
        Expected expected = bruteForce(vectors, deleted, null, query, k, rank);
        TopHits hits = SparseSearcher.search(mapped, query, k, OrdFilter.ALL, tieOrder);
        assertArrayEquals(expected.ords, hits.ords(), "seed=" + SEED + " mapped " + query);
        assertArrayEquals(expected.scores, hits.scores(), "seed=" + SEED + " mapped " + query);
      }
      assertNull(mapped.postings(-7));
    }
  }

  private void checkCompactedEqualsHeap(
      SplittableRandom random,
      GrowingSparseIndex index,
      List<SparseVector> vectors,
      BitSet deleted,
      int[] rank) {
    int[] remap = index.compact();
    assertEquals(0, index.deletedCount());
    List<SparseVector> live = new ArrayList<>();
    int[] liveRank = new int[index.ordBound()];
    for (int ord = 0; ord < remap.length; ord++) {
      if (remap[ord] >= 0) {
        assertEquals(live.size(), remap[ord], "seed=" + SEED + ": compaction keeps the order");
        liveRank[remap[ord]] = rank[ord];
        live.add(vectors.get(ord));
      }
    }
    for (int q = 0; q < 20; q++) {
      SparseVector query = randomVector(random, 100, 1 + random.nextInt(6), false);
      int k = 1 + random.nextInt(40);
      Expected expected = bruteForce(live, new BitSet(), null, query, k, liveRank);
      TopHits hits =
          SparseSearcher.search(
              index, query, k, OrdFilter.ALL, (a, b) -> Integer.compare(liveRank[a], liveRank[b]));
      assertArrayEquals(expected.ords, hits.ords(), "seed=" + SEED + " compacted " + query);
    }
  }

  @Test
  void damagedFileIsRefused() throws IOException {
    GrowingSparseIndex index = new GrowingSparseIndex();
    index.add(0, SparseVector.of(new int[] {1, 2}, new float[] {1f, 2f}));
    Path file = dir.resolve("bad.qsp");
    SparseIndexFormat.write(file, index);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(SparseIndexFormat.HEADER_BYTES + 4);
      raf.write(9);
    }
    IOException e = assertThrows(IOException.class, () -> SparseIndexFormat.open(file));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  private record Expected(int[] ords, float[] scores, int candidates) {}

  private static Expected bruteForce(
      List<SparseVector> vectors,
      BitSet deleted,
      BitSet allowed,
      SparseVector query,
      int k,
      int[] rank) {
    List<int[]> hits = new ArrayList<>(); // ord
    List<Float> scores = new ArrayList<>();
    int candidates = 0;
    for (int ord = 0; ord < vectors.size(); ord++) {
      if (vectors.get(ord).overlaps(query)) {
        candidates++;
        if (!deleted.get(ord) && (allowed == null || allowed.get(ord))) {
          hits.add(new int[] {ord});
          scores.add(vectors.get(ord).dot(query));
        }
      }
    }
    Integer[] order = new Integer[hits.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) -> {
          int c = Float.compare(scores.get(b), scores.get(a));
          return c != 0 ? c : Integer.compare(rank[hits.get(a)[0]], rank[hits.get(b)[0]]);
        });
    int n = Math.min(k, order.length);
    int[] ords = new int[n];
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      ords[i] = hits.get(order[i])[0];
      out[i] = scores.get(order[i]);
    }
    return new Expected(ords, out, candidates);
  }

  /**
   * Dimensions skewed towards small ones (frequent terms); values from a small set half the time
   * (ties).
   */
  static SparseVector randomVector(
      SplittableRandom random, int vocabulary, int size, boolean negatives) {
    int[] indices = new int[size];
    float[] values = new float[size];
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (int i = 0; i < size; i++) {
      int d;
      do {
        double u = random.nextDouble();
        d = (int) (vocabulary * u * u * u);
      } while (!used.add(d));
      indices[i] = d;
      float magnitude =
          random.nextBoolean()
              ? new float[] {0.5f, 1f, 2f}[random.nextInt(3)]
              : (float) random.nextDouble(0.01, 3);
      values[i] = negatives && random.nextInt(3) == 0 ? -magnitude : magnitude;
    }
    return SparseVector.of(indices, values);
  }

  private static int[] permutation(SplittableRandom random, int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static BitSet randomBits(SplittableRandom random, int n, double fraction) {
    BitSet bits = new BitSet(n);
    for (int i = 0; i < n; i++) {
      if (random.nextDouble() < fraction) {
        bits.set(i);
      }
    }
    return bits;
  }
}
