package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a search running while the optimizer swaps segments sees the old set or the new one, never
 * both (duplicates) nor neither (missing points); checkpoints taken by the writing thread meanwhile
 * (as the apply thread does for Raft snapshots) neither deadlock with swaps nor lose points.
 * Oracle: the shard always holds exactly the ids 0..N-1, so every exact search with a limit above N
 * returns each of them once, and every checkpoint opens with N points.
 */
@Timeout(60)
class SegmentSwapTest {

  private static final int N = 200;

  @TempDir Path dir;

  @Test
  void searchesDuringSwapsSeeExactlyOneCopyOfEveryPoint() throws Exception {
    Random random = new Random(3);
    try (Shard shard =
        Shard.openOrCreate(dir.resolve("s"), SegmentedShardModelTest.tinySegments(Distance.DOT))) {
      long index = 0;
      shard.upsert(points(random, 0, N), ++index);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread reader =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      while (!stop.get()) {
                        float[] q = SegmentedShardModelTest.randomVector(random(), 4);
                        List<ScoredPoint> hits =
                            shard.search(
                                new SearchRequest(
                                    "a", q, N + 10, false, false, null, null, null, true));
                        assertEquals(N, hits.size(), "one copy of every point");
                        assertEquals(
                            N,
                            new HashSet<>(hits.stream().map(ScoredPoint::id).toList()).size(),
                            "no duplicates");
                        assertTrue(
                            shard
                                    .search(
                                        new SearchRequest(
                                            "a", q, 5, false, false, null, null, 16, false))
                                    .size()
                                <= 5);
                      }
                    } catch (Throwable e) {
                      failure.set(e);
                    }
                  });
      int checkpoints = 0;
      for (int round = 0; round < 300 && failure.get() == null; round++) {
        int from = random.nextInt(N - 20);
        shard.upsert(points(random, from, from + 20), ++index);
        if (round % 60 == 59) {
          Path target = dir.resolve("cp" + checkpoints++);
          shard.checkpoint(target);
          try (Shard copy = Shard.open(target)) {
            assertEquals(N, copy.count());
          }
        }
      }
      SegmentedShardModelTest.awaitOptimized(shard);
      stop.set(true);
      reader.join();
      if (failure.get() != null) {
        throw new AssertionError(failure.get());
      }
      assertEquals(N, shard.count());
      assertTrue(shard.info().indexedVectors() > 0, "segments were sealed: " + shard.info());
    }
  }

  private static Random random() {
    return new Random(Thread.currentThread().threadId() ^ System.nanoTime());
  }

  private static List<Point> points(Random random, int from, int to) {
    List<Point> out = new ArrayList<>();
    for (int id = from; id < to; id++) {
      out.add(
          new Point(
              PointId.of(id),
              Map.of(
                  "a",
                  SegmentedShardModelTest.randomVector(random, 4),
                  "b",
                  SegmentedShardModelTest.randomVector(random, 2)),
              Payload.EMPTY));
    }
    return out;
  }
}
