package io.quiver.index.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.scorer.HeapFloatVectors;
import io.quiver.index.vector.Distance;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: a graph build stops at the first node after its caller cancels it, on one thread or many,
 * and leaves no builder thread behind. Oracle: the cancellation supplier counts how often it is
 * asked; after it first says true each worker asks at most once more (it stops then), so the count
 * ends at most {@code threads} past the cancelling call, far below the node count.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HnswBuildCancellationTest {

  private static final int N = 20_000;

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4})
  void cancelledBuildStopsAtTheNextNodeAndLeavesNoThreads(int threads) {
    HeapFloatVectors vectors =
        HeapFloatVectors.of(TestData.clustered(new SplittableRandom(5), N, 16, 8), Distance.EUCLID);
    int cancelAt = 500;
    AtomicInteger asked = new AtomicInteger();
    BuildCancelledException e =
        assertThrows(
            BuildCancelledException.class,
            () ->
                HnswIndex.build(
                    vectors,
                    new HnswParams(8, 32, 1L, threads),
                    () -> asked.incrementAndGet() >= cancelAt));
    assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
    assertTrue(
        asked.get() <= cancelAt + threads,
        "asked " + asked.get() + " times with " + threads + " threads");
    assertEquals(
        0,
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("hnsw-build-") && t.isAlive())
            .count(),
        "no builder thread outlives the build");
  }

  @Test
  void notCancelledBuildAsksBeforeEveryNode() {
    HeapFloatVectors vectors =
        HeapFloatVectors.of(TestData.clustered(new SplittableRandom(6), 2_000, 8, 4), Distance.DOT);
    AtomicInteger asked = new AtomicInteger();
    HnswIndex index =
        HnswIndex.build(vectors, new HnswParams(8, 32, 1L, 2), () -> asked.incrementAndGet() < 0);
    assertEquals(2_000, index.graph().size());
    assertEquals(
        2_000 - 1, asked.get(), "node 0 is the entry point; every other node is asked for once");
  }
}
