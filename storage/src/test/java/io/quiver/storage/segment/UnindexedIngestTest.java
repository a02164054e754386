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
 * Goal: with indexing disabled ({@code indexing_threshold: 0}, what Qdrant advises for a bulk
 * upload), the heap does not hold every vector: the appendable segment is still flushed to plain
 * segments at {@link OptimizersConfig#UNINDEXED_FLUSH_KB}, no graph is built, the status settles
 * (nothing pending), searches stay exact, and everything is there after a reopen. A 1 GiB upload
 * into such a collection ran a node with a 2 GiB heap out of memory before. Then indexing is
 * enabled again and the optimizer indexes the plain segments.
 */
@Timeout(180)
class UnindexedIngestTest {

  private static final int DIM = 256;

  /** 30 MB of vectors: three flushes' worth. */
  private static final int N = 30_000;

  @TempDir Path dir;

  @Test
  void withIndexingDisabledTheHeapHoldsOneFlushAndNoGraphIsBuilt() throws Exception {
    OptimizersConfig disabled = new OptimizersConfig(0.2, 1000, 2, null, 0, 0);
    ShardConfig config =
        new ShardConfig(
            VectorsConfig.single(new VectorParams(DIM, Distance.DOT, true)),
            new HnswConfig(16, 64, 0, true),
            disabled);
    long flushPoints = OptimizersConfig.UNINDEXED_FLUSH_KB * 1024 / config.bytesPerPoint();
    Random random = new Random(5);
    TreeMap<PointId, float[]> model = new TreeMap<>();
    long maxAppendable = 0;
    try (Shard shard = Shard.openOrCreate(dir.resolve("s"), config)) {
      long index = 0;
      for (int first = 0; first < N; first += 1000) {
        List<Point> batch = new ArrayList<>();
        for (int id = first; id < first + 1000; id++) {
          float[] v = vector(random);
          batch.add(new Point(PointId.of(id), Map.of(VectorsConfig.DEFAULT, v), Payload.EMPTY));
          model.put(PointId.of(id), v);
        }
        shard.upsert(batch, ++index);
        maxAppendable = Math.max(maxAppendable, shard.segmentsInfo().appendablePoints());
      }
      awaitSettled(shard);
      SegmentsInfo info = shard.segmentsInfo();
      assertTrue(info.plainSegments() >= 2, "flushed to plain segments: " + info);
      assertEquals(
          0, info.indexedVectors(), "no graph is built while indexing is disabled: " + info);
      assertTrue(
          maxAppendable <= 4 * flushPoints + 1000,
          "heap backlog " + maxAppendable + " points, flush at " + flushPoints);
      assertExactSearchEqualsModel(shard, model, random);
    }
    ShardConfig enabled =
        new ShardConfig(
            config.vectors(), config.hnsw(), new OptimizersConfig(0.2, 1000, 2, null, 10_000, 0));
    try (Shard shard = Shard.openOrCreate(dir.resolve("s"), config)) {
      assertExactSearchEqualsModel(shard, model, random);
      shard.updateConfig(enabled, 100); // the owner reopens the shard to take it
    }
    try (Shard shard = Shard.openOrCreate(dir.resolve("s"), enabled)) {
      awaitSettled(shard);
      SegmentsInfo info = shard.segmentsInfo();
      assertEquals(
          0,
          info.plainSegments(),
          "indexing enabled again: the plain segments are indexed " + info);
      assertEquals(N - info.appendablePoints(), info.indexedVectors(), info.toString());
      assertExactSearchEqualsModel(shard, model, random);
    }
  }

  private static void awaitSettled(Shard shard) throws InterruptedException {
    long deadline = System.nanoTime() + 150_000_000_000L;
    while (shard.info().optimizing()) {
      assertTrue(System.nanoTime() < deadline, "still optimizing: " + shard.segmentsInfo());
      Thread.sleep(50);
    }
  }

  private static void assertExactSearchEqualsModel(
      Shard shard, TreeMap<PointId, float[]> model, Random random) {
    assertEquals(model.size(), shard.count());
    for (int q = 0; q < 3; q++) {
      float[] query = vector(random);
      List<ScoredPoint> hits =
          shard.search(
              new SearchRequest(
                  VectorsConfig.DEFAULT, query, 10, false, false, null, null, null, true));
      Comparator<PointId> bySimilarity =
          Comparator.comparingDouble(id -> Distance.DOT.similarity(query, model.get(id)));
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
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }
}
