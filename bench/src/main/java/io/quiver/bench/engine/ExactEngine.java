package io.quiver.bench.engine;

import io.quiver.bench.Dataset;
import io.quiver.index.scorer.SegmentFloatVectors;
import io.quiver.index.scorer.VectorScorer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Exact search: a SIMD scan of every base vector, read from off-heap memory (a {@link
 * MemorySegment}, as a mapped vector file would be), keeping the best k. Long vectors (at least
 * {@value #BULK_MIN_DIM} dims) are scored in blocks of consecutive vectors through the scorer's
 * bulk path (four vectors per kernel call, one pass over the query per four vectors); short ones
 * one at a time (the single-vector kernel's four accumulators: at 128 dims it scanned at ~20 GB/s
 * where the bulk path reached ~10, at 784 dims the bulk path ~13-14 GB/s against ~11 in a
 * microbenchmark; in the benchmark at 784 dims 61-66% of the bandwidth against 41-42% one at a
 * time). The top-k heap is touched only by scores better than its worst.
 */
public final class ExactEngine implements Engine {

  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  static final int BULK_MIN_DIM = 256;

  private Arena arena;
  private SegmentFloatVectors vectors;

  @Override
  public String name() {
    return "exact";
  }

  @Override
  public boolean exact() {
    return true;
  }

  @Override
  public void build(Dataset data, int threads) {
    close();
    arena = Arena.ofShared();
    MemorySegment segment = arena.allocate((long) data.base().length * Float.BYTES, 64);
    MemorySegment.copy(data.base(), 0, segment, LE_FLOAT, 0, data.base().length);
    vectors = new SegmentFloatVectors(segment, 0, data.size(), data.dim(), data.distance());
  }

  /** The scanned vectors (for the bandwidth measurement). */
  public SegmentFloatVectors vectors() {
    return vectors;
  }

  @Override
  public Searcher searcher() {
    TopKScan top = new TopKScan();
    boolean bulk = vectors.dimension() >= BULK_MIN_DIM;
    return (query, k, ef) -> top.scan(vectors.scorer(query), vectors.size(), k, bulk);
  }

  @Override
  public long heapBytes() {
    return 0;
  }

  @Override
  public long offHeapBytes() {
    return vectors.offHeapBytes();
  }

  @Override
  public void close() {
    if (arena != null) {
      arena.close();
      arena = null;
    }
  }

  /** A reusable bounded min-heap scan. */
  private static final class TopKScan {
    private static final int BLOCK = 256;
    private final int[] blockOrds = new int[BLOCK];
    private final float[] blockScores = new float[BLOCK];
    private float[] scores = new float[0];
    private int[] ids = new int[0];

    int[] scan(VectorScorer scorer, int n, int k, boolean bulk) {
      if (scores.length != k) {
        scores = new float[k];
        ids = new int[k];
      }
      int size = 0;
      if (!bulk) {
        for (int i = 0; i < n; i++) {
          size = offer(scorer.score(i), i, size, k);
        }
        return sortedBestFirst(size);
      }
      for (int start = 0; start < n; start += BLOCK) {
        int count = Math.min(BLOCK, n - start);
        for (int j = 0; j < count; j++) {
          blockOrds[j] = start + j;
        }
        scorer.bulkScore(blockOrds, count, blockScores);
        for (int j = 0; j < count; j++) {
          size = offer(blockScores[j], start + j, size, k);
        }
      }
      return sortedBestFirst(size);
    }

    /** Offers one score to the min-heap of at most k; returns the new heap size. */
    private int offer(float s, int i, int size, int k) {
      if (size < k) {
        int j = size++;
        while (j > 0 && scores[(j - 1) >>> 1] > s) {
          scores[j] = scores[(j - 1) >>> 1];
          ids[j] = ids[(j - 1) >>> 1];
          j = (j - 1) >>> 1;
        }
        scores[j] = s;
        ids[j] = i;
      } else if (s > scores[0]) {
        int j = 0;
        while (true) {
          int c = 2 * j + 1;
          if (c >= size) {
            break;
          }
          if (c + 1 < size && scores[c + 1] < scores[c]) {
            c++;
          }
          if (s <= scores[c]) {
            break;
          }
          scores[j] = scores[c];
          ids[j] = ids[c];
          j = c;
        }
        scores[j] = s;
        ids[j] = i;
      }
      return size;
    }

    private int[] sortedBestFirst(int size) {
      // Heap order is enough for recall; sort best first for a faithful result.
      Integer[] order = new Integer[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      float[] sc = scores;
      java.util.Arrays.sort(order, (a, b) -> Float.compare(sc[b], sc[a]));
      int[] out = new int[size];
      for (int i = 0; i < size; i++) {
        out[i] = ids[order[i]];
      }
      return out;
    }
  }
}
