package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
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
 * Goal: with an optimizer that seals, merges and vacuums all the time (tiny thresholds), a shard
 * still behaves exactly like a map from id to vector across random upserts, deletes and restarts
 * (some while the optimizer is mid-job): exact search, retrieve and count equal the model's, and
 * HNSW search returns only live points with their true scores and finds most true neighbours.
 * Oracle: a TreeMap model and a brute-force ranking of it (scores compared to 1e-4).
 */
@Timeout(120)
class SegmentedShardModelTest {

  private static final int DIM = 4;

  @TempDir Path dir;

  static ShardConfig tinySegments(Distance distance) {
    return new ShardConfig(
        new VectorsConfig(
            Map.of(
                "a",
                new VectorParams(DIM, distance, true),
                "b",
                new VectorParams(2, Distance.DOT, false, new HnswConfig(4, 16, 0, true)))),
        new HnswConfig(8, 32, 0, false),
        new OptimizersConfig(0.1, 2, 2, 3L, 1, 0));
  }

  /**
   * {@link #tinySegments} with memory placements picked by {@code random} (none given included):
   * vectors "a" copied into memory (neither given), mapped (cold, or on_disk) or mapped and read
   * through (cached); each graph cold, cached or pinned (copied into native memory). The results
   * must not depend on them.
   */
  static ShardConfig tinySegments(Distance distance, Random random) {
    Memory[] vectorPlacements = {null, Memory.COLD, Memory.CACHED};
    Memory[] graphPlacements = {null, Memory.COLD, Memory.CACHED, Memory.PINNED};
    ShardConfig c = tinySegments(distance);
    Memory a = vectorPlacements[random.nextInt(vectorPlacements.length)];
    HnswConfig h = c.hnsw();
    HnswConfig b = c.vectors().get("b").hnsw();
    return new ShardConfig(
        new VectorsConfig(
            Map.of(
                "a",
                new VectorParams(DIM, distance, random.nextBoolean(), null, null, null, a),
                "b",
                c.vectors()
                    .get("b")
                    .withHnsw(
                        new HnswConfig(
                            b.m(),
                            b.efConstruct(),
                            b.fullScanThresholdKb(),
                            b.onDisk(),
                            graphPlacements[random.nextInt(graphPlacements.length)])))),
        new HnswConfig(
            h.m(),
            h.efConstruct(),
            h.fullScanThresholdKb(),
            h.onDisk(),
            graphPlacements[random.nextInt(graphPlacements.length)]),
        c.optimizers());
  }

  @Test
  void randomOperationsWithOptimizerAndRestartsMatchTheModel() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    System.out.println("seed " + seed);
    Distance distance = Distance.values()[random.nextInt(Distance.values().length)];
    ShardConfig config = tinySegments(distance, random);
    System.out.println(
        "placements: vectors a "
            + config.vectors().get("a").placement()
            + ", graph a "
            + config.hnswOf("a").placement()
            + ", graph b "
            + config.hnswOf("b").placement());
    TreeMap<PointId, Map<String, float[]>> model = new TreeMap<>();
    long index = 0;
    int found = 0;
    int expected = 0;
    Shard shard = Shard.openOrCreate(dir.resolve("s"), config);
    try {
      for (int step = 0; step < 1500; step++) {
        String at = "seed " + seed + " step " + step + " " + distance;
        int op = random.nextInt(100);
        if (op < 55) {
          List<Point> batch = new ArrayList<>();
          for (int i = 1 + random.nextInt(20); i > 0; i--) {
            batch.add(
                new Point(
                    PointId.of(random.nextInt(400)),
                    Map.of("a", randomVector(random, DIM), "b", randomVector(random, 2)),
                    Payload.EMPTY));
          }
          shard.upsert(batch, ++index);
          for (Point p : batch) {
            model.put(
                p.id(),
                Map.of("a", distance.prepare(p.vectors().get("a")), "b", p.vectors().get("b")));
          }
        } else if (op < 70) {
          List<PointId> ids = new ArrayList<>();
          for (int i = random.nextInt(30); i > 0; i--) {
            ids.add(PointId.of(random.nextInt(400)));
          }
          shard.delete(ids, ++index);
          ids.forEach(model::remove);
        } else if (op < 73) {
          if (random.nextBoolean()) {
            awaitOptimized(shard);
          }
          shard.close();
          shard = Shard.open(dir.resolve("s"));
          assertEquals(index == 0 ? -1 : index, shard.appliedIndex(), at);
        } else if (op < 90) {
          float[] q = randomVector(random, DIM);
          int k = 1 + random.nextInt(10);
          List<ScoredPoint> hits =
              ReportedScores.search(
                  shard, new SearchRequest("a", q, k, false, false, null, null, null, true));
          List<PointId> truth = truth(model, distance, distance.prepare(q), k);
          assertEquals(truth, hits.stream().map(ScoredPoint::id).toList(), at);
          for (ScoredPoint h : hits) {
            assertClose(
                distance.score(distance.prepare(q), model.get(h.id()).get("a")), h.score(), at);
          }
        } else if (op < 98) {
          float[] q = randomVector(random, DIM);
          int k = 1 + random.nextInt(10);
          List<ScoredPoint> hits =
              ReportedScores.search(
                  shard, new SearchRequest("a", q, k, false, true, null, null, 64, false));
          List<PointId> truth = truth(model, distance, distance.prepare(q), k);
          for (ScoredPoint h : hits) {
            assertTrue(model.containsKey(h.id()), at + ": hit " + h.id() + " is not live");
            assertClose(
                distance.score(distance.prepare(q), model.get(h.id()).get("a")), h.score(), at);
            assertArrayEquals(model.get(h.id()).get("a"), h.vectors().get("a"), 1e-6f, at);
            found += truth.contains(h.id()) ? 1 : 0;
          }
          expected += truth.size();
        } else {
          List<PointId> ids =
              List.of(PointId.of(random.nextInt(400)), PointId.of(random.nextInt(400)));
          for (PointRecord r : shard.retrieve(ids, false, true)) {
            assertArrayEquals(model.get(r.id()).get("b"), r.vectors().get("b"), at);
          }
          assertEquals(
              ids.stream().distinct().filter(model::containsKey).count(),
              shard.retrieve(ids.stream().distinct().toList(), false, false).size(),
              at);
        }
        assertEquals(model.size(), shard.count(), at);
      }
      awaitOptimized(shard);
      ShardInfo info = shard.info();
      assertEquals(model.size(), info.points());
      // Merged down to the target of 2 sealed segments, unless max_segment_size (3 KB: 128 points)
      // forbids it.
      long bound = 1 + Math.max(2, (model.size() + 127) / 128 + 1);
      assertTrue(
          info.segments() <= bound, "seed " + seed + ": merged towards the target, got " + info);
      assertTrue(
          model.size() < 100 || info.indexedVectors() >= model.size(),
          "seed " + seed + ": sealed and indexed, got " + info);
    } finally {
      shard.close();
    }
    // Graph search with ef 64 on segments of a few hundred points: nearly exact.
    assertTrue(
        expected == 0 || found >= 0.9 * expected,
        "seed " + seed + ": recall " + found + "/" + expected);
  }

  static void awaitOptimized(Shard shard) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (shard.info().optimizing()) {
      assertTrue(System.nanoTime() < deadline, "optimizer still busy after 20 s: " + shard.info());
      Thread.sleep(5);
    }
  }

  static List<PointId> truth(
      Map<PointId, Map<String, float[]>> model, Distance distance, float[] q, int k) {
    Comparator<PointId> byScore =
        Comparator.comparingDouble(id -> distance.similarity(q, model.get(id).get("a")));
    return model.keySet().stream()
        .sorted(byScore.reversed().thenComparing(id -> id))
        .limit(k)
        .toList();
  }

  private static void assertClose(float expected, float actual, String message) {
    assertEquals(expected, actual, 1e-4f * Math.max(1, Math.abs(expected)), message);
  }

  static float[] randomVector(Random random, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return v;
  }
}
