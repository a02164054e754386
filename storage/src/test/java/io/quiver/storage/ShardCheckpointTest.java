package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a checkpoint of a shard with sealed segments opens as the same shard (same points, versions
 * and exact results), shares the sealed files by hard link, and stays valid when the source shard's
 * optimizer later replaces those files. Oracle: the source shard itself.
 */
@Timeout(60)
class ShardCheckpointTest {

  @TempDir Path dir;

  @Test
  void checkpointOpensAsTheSameShard() throws Exception {
    Random random = new Random(7);
    ShardConfig config = SegmentedShardModelTest.tinySegments(Distance.COSINE);
    try (Shard shard = Shard.openOrCreate(dir.resolve("s"), config)) {
      long index = 0;
      for (int batch = 0; batch < 20; batch++) {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          points.add(
              new Point(
                  PointId.of(random.nextInt(500)),
                  Map.of(
                      "a",
                      SegmentedShardModelTest.randomVector(random, 4),
                      "b",
                      SegmentedShardModelTest.randomVector(random, 2)),
                  Payload.EMPTY));
        }
        shard.upsert(points, ++index);
      }
      SegmentedShardModelTest.awaitOptimized(shard);
      assertTrue(shard.info().indexedVectors() > 0, "sealed segments exist: " + shard.info());
      shard.checkpoint(dir.resolve("cp"));
      try (Stream<Path> files = Files.list(dir.resolve("cp").resolve(Shard.SEGMENTS_DIR))) {
        assertTrue(
            files.anyMatch(f -> f.toString().endsWith(".hnsw")),
            "sealed files are in the checkpoint");
      }
      // Change the source afterwards: the checkpoint must not see it.
      shard.delete(
          shard
              .retrieve(List.of(PointId.of(1), PointId.of(2), PointId.of(3)), false, false)
              .stream()
              .map(PointRecord::id)
              .toList(),
          ++index);
      List<PointId> all = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        all.add(PointId.of(i));
      }
      try (Shard copy = Shard.open(dir.resolve("cp"))) {
        assertEquals(index - 1, copy.appliedIndex());
        List<PointRecord> expected = shard.retrieve(all, false, true);
        List<PointRecord> actual = copy.retrieve(all, false, true);
        assertTrue(actual.size() >= expected.size());
        float[] q = SegmentedShardModelTest.randomVector(random, 4);
        var request = new SearchRequest("a", q, 10, false, false, null, null, null, true);
        List<PointId> fromCopy = copy.search(request).stream().map(ScoredPoint::id).toList();
        List<PointId> fromSource = shard.search(request).stream().map(ScoredPoint::id).toList();
        // Equal except for the (at most 3) points deleted from the source after the checkpoint.
        assertTrue(
            fromCopy.containsAll(fromSource.subList(0, Math.min(fromSource.size(), 7))),
            fromCopy + " vs " + fromSource);
      }
    }
  }
}
