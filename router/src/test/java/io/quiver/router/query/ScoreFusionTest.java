package io.quiver.router.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.storage.BadRequestException;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: fusion equals Qdrant's. Oracles: Qdrant's own RRF test values (reciprocal_rank_fusion.rs),
 * and a naive double-precision DBSF over random lists.
 */
@Timeout(30)
class ScoreFusionTest {

  private static ScoredPoint p(long id, float score) {
    return new ScoredPoint(PointId.of(id), 1, score, null, null);
  }

  @Test
  void rrfMatchesQdrantsExample() {
    List<List<ScoredPoint>> lists =
        List.of(
            List.of(p(2, 0.9f), p(1, 0.8f)),
            List.of(p(1, 0.7f), p(2, 0.6f), p(3, 0.5f)),
            List.of(p(5, 0.9f), p(3, 0.5f), p(1, 0.4f)));
    List<ScoredPoint> fused = ScoreFusion.rrf(lists, ScoreFusion.DEFAULT_RRF_K, null);
    assertEquals(
        List.of(PointId.of(1), PointId.of(2), PointId.of(3), PointId.of(5)),
        fused.stream().map(ScoredPoint::id).toList());
    assertEquals(1.0833334f, fused.get(0).score());
    assertEquals(0.8333334f, fused.get(1).score());
    assertEquals(0.5833334f, fused.get(2).score());
    assertEquals(0.5f, fused.get(3).score());
  }

  @Test
  void weightedRrf() {
    List<List<ScoredPoint>> lists =
        List.of(List.of(p(1, 0.9f), p(2, 0.8f)), List.of(p(2, 0.9f), p(1, 0.8f)));
    List<ScoredPoint> equal = ScoreFusion.rrf(lists, 2, null);
    assertEquals(equal.get(0).score(), equal.get(1).score());
    List<ScoredPoint> weighted = ScoreFusion.rrf(lists, 2, List.of(3f, 1f));
    assertEquals(PointId.of(2), weighted.get(0).id());
    List<ScoredPoint> zero =
        ScoreFusion.rrf(List.of(List.of(p(1, 1)), List.of(p(2, 1))), 2, List.of(1f, 0f));
    assertEquals(0.5f, zero.get(0).score());
    assertEquals(0f, zero.get(1).score());
    assertThrows(BadRequestException.class, () -> ScoreFusion.rrf(lists, 2, List.of(1f)));
  }

  @Test
  void dbsfEqualsANaiveComputation() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    for (int round = 0; round < 50; round++) {
      List<List<ScoredPoint>> lists = new ArrayList<>();
      Map<Long, Double> expected = new HashMap<>();
      for (int l = 0; l < 1 + random.nextInt(3); l++) {
        List<ScoredPoint> list = new ArrayList<>();
        int size = 1 + random.nextInt(20);
        for (int i = 0; i < size; i++) {
          list.add(p(random.nextInt(30), random.nextFloat() * 10 - 5));
        }
        list =
            list.stream()
                .collect(
                    java.util.stream.Collectors.toMap(
                        ScoredPoint::id, x -> x, (a, b) -> a, java.util.LinkedHashMap::new))
                .values()
                .stream()
                .toList();
        lists.add(list);
        double mean = list.stream().mapToDouble(ScoredPoint::score).average().orElseThrow();
        double variance =
            list.size() < 2
                ? 0
                : list.stream().mapToDouble(x -> Math.pow(x.score() - mean, 2)).sum()
                    / (list.size() - 1);
        double lo = mean - 3 * Math.sqrt(variance);
        double hi = mean + 3 * Math.sqrt(variance);
        for (ScoredPoint x : list) {
          double normalized = list.size() == 1 || lo == hi ? 0.5 : (x.score() - lo) / (hi - lo);
          expected.merge(x.id().number(), normalized, Double::sum);
        }
      }
      List<ScoredPoint> fused = ScoreFusion.dbsf(lists);
      assertEquals(expected.size(), fused.size());
      for (int i = 0; i < fused.size(); i++) {
        assertEquals(
            expected.get(fused.get(i).id().number()), fused.get(i).score(), 1e-4, "seed " + seed);
        if (i > 0) {
          assertEquals(
              true, fused.get(i - 1).score() >= fused.get(i).score(), "sorted, seed " + seed);
        }
      }
    }
  }
}
