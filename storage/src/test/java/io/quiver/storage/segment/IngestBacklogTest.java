package io.quiver.storage.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.storage.HnswConfig;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.Shard;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.ShardInfo;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: when ingest outruns indexing, the points held on the heap (appendable segment plus the
 * frozen one being flushed) stay near the indexing threshold instead of growing with the ingest:
 * full appendable segments are flushed to plain segments while the optimizer builds; meanwhile the
 * status is "optimizing" and indexed_vectors_count counts only points in indexed segments; in the
 * end every point but fewer than a threshold's worth (the appendable segment) is indexed, the plain
 * segments are gone, and exact searches and counts equal the model's at every step. Oracle: a
 * TreeMap model (exact top 10 by brute force) and the {@link SegmentsInfo} after every batch.
 *
 * <p>Writes stall (at most 1 s each) once the heap holds 4 thresholds, so the backlog stays below 4
 * thresholds plus a batch unless a stall times out; the bound asserted, an eighth of the points
 * (7.8 thresholds), leaves room for a few timeouts on a loaded machine and is still far below what
 * the heap held before plain segments (the whole ingest after the first seal).
 */
@Timeout(180)
class IngestBacklogTest {

  private static final int N = 80_000;
  private static final int DIM = 16;
  private static final int BATCH = 500;

  /** 80 KB: 1,280 points of 16 dimensions. */
  private static final long THRESHOLD_KB = 80;

  @TempDir Path dir;

  @Test
  void ingestFasterThanIndexingKeepsTheHeapBacklogBoundedAndTheInfoTruthful() throws Exception {
    ShardConfig config =
        new ShardConfig(
            VectorsConfig.single(new VectorParams(DIM, Distance.COSINE, true)),
            new HnswConfig(16, 200, 0, true),
            new OptimizersConfig(0.2, 1000, 2, null, THRESHOLD_KB, 0));
    long thresholdPoints = THRESHOLD_KB * 1024 / config.bytesPerPoint();
    Random random = new Random(21);
    TreeMap<PointId, float[]> model = new TreeMap<>();
    long maxBacklog = 0;
    boolean sawPlainWhileIndexing = false;
    try (Shard shard = Shard.openOrCreate(dir.resolve("s"), config)) {
      long index = 0;
      for (int first = 0; first < N; first += BATCH) {
        List<Point> batch = new ArrayList<>();
        for (int id = first; id < first + BATCH; id++) {
          float[] v = vector(random);
          batch.add(new Point(PointId.of(id), Map.of(VectorsConfig.DEFAULT, v), Payload.EMPTY));
          model.put(PointId.of(id), Distance.COSINE.prepare(v));
        }
        shard.upsert(batch, ++index);
        SegmentsInfo info = shard.segmentsInfo();
        maxBacklog = Math.max(maxBacklog, info.appendablePoints());
        if (info.plainSegments() > 0) {
          sawPlainWhileIndexing = true;
          assertTrue(info.optimizing(), "plain segments wait: the status is yellow " + info);
          assertTrue(
              info.indexedVectors() <= first + BATCH - thresholdPoints,
              "indexed_vectors_count does not count a plain segment's points " + info);
        }
        if (first % 20_000 == 0) {
          assertExactSearchEqualsModel(shard, model, random);
        }
      }
      assertTrue(sawPlainWhileIndexing, "ingest outran indexing: plain segments were flushed");
      assertTrue(
          maxBacklog <= N / 8,
          "heap backlog " + maxBacklog + " points (threshold " + thresholdPoints + ")");

      long deadline = System.nanoTime() + 150_000_000_000L;
      while (shard.info().optimizing()) {
        assertTrue(System.nanoTime() < deadline, "still optimizing: " + shard.segmentsInfo());
        Thread.sleep(50);
      }
      ShardInfo info = shard.info();
      SegmentsInfo segments = shard.segmentsInfo();
      assertEquals(N, info.points());
      // As Qdrant: fewer than a threshold's worth may stay unindexed in the appendable segment.
      assertTrue(segments.appendablePoints() < thresholdPoints, segments.toString());
      assertEquals(
          N - segments.appendablePoints(),
          info.indexedVectors(),
          "every other point indexed: " + segments);
      assertEquals(0, segments.plainSegments(), segments.toString());
      assertExactSearchEqualsModel(shard, model, random);
    }
  }

  private static void assertExactSearchEqualsModel(
      Shard shard, TreeMap<PointId, float[]> model, Random random) {
    assertEquals(model.size(), shard.count());
    for (int q = 0; q < 3; q++) {
      float[] raw = vector(random);
      float[] query = Distance.COSINE.prepare(raw);
      List<ScoredPoint> hits =
          shard.search(
              new SearchRequest(
                  VectorsConfig.DEFAULT, raw, 10, false, false, null, null, null, true));
      Comparator<PointId> bySimilarity =
          Comparator.comparingDouble(id -> Distance.COSINE.similarity(query, model.get(id)));
      List<PointId> truth =
          model.keySet().stream()
              .sorted(bySimilarity.reversed().thenComparing(id -> id))
              .limit(10)
              .toList();
      assertEquals(truth, hits.stream().map(ScoredPoint::id).toList());
    }
  }

  private static float[] vector(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return v;
  }
}
