package io.quiver.router.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.index.vector.Distance;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: MMR selects as Qdrant's algorithm does. Oracle: a direct transcription of the MMR
 * definition that recomputes every maximum from scratch each round.
 */
@Timeout(30)
class MaximalMarginalRelevanceTest {

  @Test
  void equalsTheDefinition() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    for (Distance distance : Distance.values()) {
      for (int round = 0; round < 30; round++) {
        List<ScoredPoint> candidates = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 2 + random.nextInt(20); i++) {
          float[] v =
              distance.prepare(
                  new float[] {
                    random.nextFloat() - 0.5f, random.nextFloat() - 0.5f, random.nextFloat() - 0.5f
                  });
          vectors.add(v);
          candidates.add(
              new ScoredPoint(PointId.of(i), 1, random.nextFloat(), null, Map.of("v", v)));
        }
        float[] query =
            distance.prepare(
                new float[] {random.nextFloat(), random.nextFloat(), random.nextFloat()});
        float diversity = random.nextFloat();
        int limit = 1 + random.nextInt(candidates.size());
        List<ScoredPoint> chosen =
            MaximalMarginalRelevance.select(candidates, "v", query, distance, diversity, limit);

        float lambda = 1f - diversity;
        List<Integer> selected = new ArrayList<>();
        while (selected.size() < limit) {
          int best = -1;
          float bestScore = 0;
          for (int i = 0; i < candidates.size(); i++) {
            if (selected.contains(i)) {
              continue;
            }
            float relevance = distance.similarity(query, vectors.get(i));
            float score = relevance;
            if (!selected.isEmpty()) {
              float max = Float.NEGATIVE_INFINITY;
              for (int s : selected) {
                max = Math.max(max, distance.similarity(vectors.get(i), vectors.get(s)));
              }
              score = lambda * relevance - (1 - lambda) * max;
            }
            if (best < 0 || score > bestScore) {
              best = i;
              bestScore = score;
            }
          }
          selected.add(best);
        }
        assertEquals(
            selected.stream().map(i -> PointId.of(i)).toList(),
            chosen.stream().map(ScoredPoint::id).toList(),
            "seed " + seed + " " + distance);
      }
    }
  }
}
