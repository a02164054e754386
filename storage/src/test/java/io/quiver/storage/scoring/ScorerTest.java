package io.quiver.storage.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.storage.PointId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: the custom scores equal Qdrant's formulas. Oracle: Qdrant's own test cases (reco_query.rs,
 * discover_query.rs, context_query.rs), replayed with one-dimensional Dot vectors so that the
 * similarity of example x to the point [1] is x itself.
 */
@Timeout(30)
class ScorerTest {

  private static final float[] POINT = {1f};
  private static final PointId ID = PointId.of(1);

  private static float[] v(float x) {
    return new float[] {x};
  }

  private static List<float[]> vs(float... xs) {
    List<float[]> out = new ArrayList<>();
    for (float x : xs) {
      out.add(v(x));
    }
    return out;
  }

  /** The score of {@code POINT}-like dense vector {@code point} by {@code scorer}. */
  private static float score(Scorer<float[]> scorer, PointId id, float[] point, Distance distance) {
    return Scorer.scoreDense(scorer, id, point, distance);
  }

  private static float bestScore(float[] positives, float[] negatives) {
    return score(
        new Scorer.RecommendBestScore<>(vs(positives), vs(negatives)), ID, POINT, Distance.DOT);
  }

  @Test
  void bestScoreChoosesTheBetterSideThroughASigmoid() {
    assertEquals(Scorer.scaledFastSigmoid(42), bestScore(new float[] {42}, new float[] {4}));
    assertEquals(-Scorer.scaledFastSigmoid(42), bestScore(new float[] {4}, new float[] {42}));
    assertEquals(-Scorer.scaledFastSigmoid(0), bestScore(new float[] {-1}, new float[] {0}));
    assertEquals(Scorer.scaledFastSigmoid(0), bestScore(new float[] {0}, new float[] {-1}));
    assertEquals(Scorer.scaledFastSigmoid(-42), bestScore(new float[] {-42}, new float[] {-84}));
    assertEquals(-Scorer.scaledFastSigmoid(-42), bestScore(new float[] {-84}, new float[] {-42}));
    assertEquals(
        -Scorer.scaledFastSigmoid(6), bestScore(new float[] {1, 2, 3}, new float[] {4, 5, 6}));
    assertEquals(
        Scorer.scaledFastSigmoid(10), bestScore(new float[] {10, 2, 3}, new float[] {4, 5, 6}));
    // equal best scores choose the negative side, as `max_positive > max_negative` is false
    assertEquals(-Scorer.scaledFastSigmoid(5), bestScore(new float[] {5}, new float[] {5}));
    assertEquals(0.75f, Scorer.scaledFastSigmoid(1f));
  }

  @Test
  void sumScoresSubtractsNegatives() {
    var scorer = new Scorer.RecommendSumScores<>(vs(1, 2, 3), vs(4));
    assertEquals(2f, score(scorer, ID, POINT, Distance.DOT));
  }

  @Test
  void discoverRanksByContextThenTarget() {
    record Case(float[][] pairs, int rank) {}
    List<Case> cases =
        List.of(
            new Case(new float[][] {}, 0),
            new Case(new float[][] {{10, 4}}, 1),
            new Case(new float[][] {{4, 10}}, -1),
            new Case(new float[][] {{11, 11}}, 0),
            new Case(new float[][] {{10, 4}, {4, 10}}, 0),
            new Case(new float[][] {{10, 4}, {4, 2}}, 2),
            new Case(new float[][] {{4, 10}, {2, 4}}, -2),
            new Case(new float[][] {{1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {0, 4}}, 4));
    for (Case c : cases) {
      List<Scorer.Pair<float[]>> pairs = new ArrayList<>();
      for (float[] p : c.pairs()) {
        pairs.add(new Scorer.Pair<>(v(p[0]), v(p[1])));
      }
      float score = score(new Scorer.Discover<>(v(42), pairs), ID, POINT, Distance.DOT);
      assertEquals(c.rank() + Scorer.scaledFastSigmoid(42), score, 1e-6);
    }
    // a bad target with a good context beats a good target with a worse context
    float good =
        score(
            new Scorer.Discover<>(
                v(-1000),
                List.of(
                    new Scorer.Pair<>(v(1), v(0)),
                    new Scorer.Pair<>(v(1), v(0)),
                    new Scorer.Pair<>(v(1), v(0)))),
            ID,
            POINT,
            Distance.DOT);
    float bad =
        score(
            new Scorer.Discover<>(
                v(1000), List.of(new Scorer.Pair<>(v(1), v(0)), new Scorer.Pair<>(v(0), v(1)))),
            ID,
            POINT,
            Distance.DOT);
    assertTrue(good > 2.5f && bad < 2.5f);
  }

  @Test
  void contextLossIsZeroInsideAndBetweenMinusOneAndZeroOutside() {
    Random random = new Random(7);
    for (int i = 0; i < 1000; i++) {
      float p = random.nextFloat() * 200 - 100;
      float n = random.nextFloat() * 200 - 100;
      float loss =
          score(
              new Scorer.Context<>(List.of(new Scorer.Pair<>(v(p), v(n)))),
              ID,
              POINT,
              Distance.DOT);
      assertTrue(loss <= 0f && loss > -1f, p + " " + n + " -> " + loss);
      if (p - n > 1e-3f) {
        assertEquals(0f, loss);
      }
    }
    float loss =
        score(
            new Scorer.Context<>(List.of(new Scorer.Pair<>(v(0), v(1)))), ID, POINT, Distance.DOT);
    assertEquals(Scorer.fastSigmoid(-1f - Math.ulp(1f)), loss);
  }

  @Test
  void euclidComparesByNegatedSquaredDistance() {
    // point [1]; positive [3] is at squared distance 4, negative [0] at 1: the negative is nearer
    float score = score(new Scorer.RecommendBestScore<>(vs(3), vs(0)), ID, POINT, Distance.EUCLID);
    assertEquals(-Scorer.scaledFastSigmoid(-1f), score);
  }

  @Test
  void randomScoresAreSeededAndSpread() {
    Scorer<float[]> a = new Scorer.Random<>(1);
    Scorer<float[]> b = new Scorer.Random<>(2);
    int differ = 0;
    for (long id = 0; id < 100; id++) {
      float sa = score(a, PointId.of(id), null, Distance.DOT);
      assertEquals(sa, score(a, PointId.of(id), null, Distance.DOT));
      assertTrue(sa >= 0f && sa < 1f);
      if (sa != score(b, PointId.of(id), null, Distance.DOT)) {
        differ++;
      }
    }
    assertTrue(differ > 95);
  }
}
