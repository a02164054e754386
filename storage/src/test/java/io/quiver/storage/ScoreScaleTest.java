package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoreScaleTest {

  private static VectorParams dense(Distance distance) {
    return new VectorParams(3, distance, false);
  }

  @Test
  void eachVectorKindHasTheScaleOfItsDistance() {
    VectorsConfig config =
        new VectorsConfig(
            Map.of(
                "cos", dense(Distance.COSINE),
                "dot", dense(Distance.DOT),
                "l2", dense(Distance.EUCLID),
                "l1", dense(Distance.MANHATTAN)),
            Map.of("text", SparseVectorParams.DEFAULT),
            Map.of(
                "multi-l2",
                new MultiVectorParams(dense(Distance.EUCLID), MultiVectorParams.Comparator.MAX_SIM),
                "multi-dot",
                new MultiVectorParams(dense(Distance.DOT), MultiVectorParams.Comparator.MAX_SIM)));
    assertEquals(ScoreScale.SIMILARITY, ScoreScale.of(config, "cos"));
    assertEquals(ScoreScale.SIMILARITY, ScoreScale.of(config, "dot"));
    assertEquals(ScoreScale.NEGATED_SQUARED_DISTANCE, ScoreScale.of(config, "l2"));
    assertEquals(ScoreScale.NEGATED_DISTANCE, ScoreScale.of(config, "l1"));
    assertEquals(ScoreScale.SIMILARITY, ScoreScale.of(config, "text"));
    // A multivector's Euclid score is a sum of row distances, not of squares.
    assertEquals(ScoreScale.NEGATED_DISTANCE, ScoreScale.of(config, "multi-l2"));
    assertEquals(ScoreScale.SIMILARITY, ScoreScale.of(config, "multi-dot"));
  }

  @Test
  void theReportedScoreIsQdrantsAndTheOrderIsKept() {
    assertEquals(0.25f, ScoreScale.SIMILARITY.reported(0.25f));
    assertEquals(3f, ScoreScale.NEGATED_DISTANCE.reported(-3f));
    assertEquals(5f, ScoreScale.NEGATED_SQUARED_DISTANCE.reported(-25f));
    // Rounding below zero (a point at distance 0) reports 0, never NaN.
    assertEquals(0f, ScoreScale.NEGATED_SQUARED_DISTANCE.reported(1e-7f));
    float nearer = -4f;
    float farther = -9f;
    for (ScoreScale scale : ScoreScale.values()) {
      boolean distance = scale != ScoreScale.SIMILARITY;
      assertEquals(
          distance,
          scale.reported(nearer) < scale.reported(farther),
          scale + ": a higher similarity is a smaller distance");
    }
  }

  @Test
  void aThresholdIsComparedAsQdrantReportsScores() {
    assertTrue(ScoreScale.SIMILARITY.passes(0.5f, 0.5f));
    assertFalse(ScoreScale.SIMILARITY.passes(0.49f, 0.5f));
    // A distance passes when at most the threshold, exactly at it included.
    assertTrue(ScoreScale.NEGATED_SQUARED_DISTANCE.passes(-4f, 2f));
    assertFalse(ScoreScale.NEGATED_SQUARED_DISTANCE.passes(-4.0001f, 2f));
    assertTrue(ScoreScale.NEGATED_DISTANCE.passes(-2f, 2f));
    assertFalse(ScoreScale.NEGATED_DISTANCE.passes(-2.5f, 2f));
    // sqrt(2) as a float squares to slightly more than 2; the hit at distance sqrt(2) still passes
    // a threshold of the same float.
    float root2 = (float) Math.sqrt(2);
    assertTrue(ScoreScale.NEGATED_SQUARED_DISTANCE.passes(-2f, root2));
  }
}
