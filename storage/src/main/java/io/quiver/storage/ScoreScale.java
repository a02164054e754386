package io.quiver.storage;

import io.quiver.index.vector.Distance;

/**
 * How the score a search works with becomes the score Qdrant reports. Inside storage and the router
 * every score is a similarity, higher is better (so a merge has one direction and needs no {@link
 * Distance}); the node converts a hit's score with its list's scale only when it writes the reply.
 * A user's {@code score_threshold} stays as given and is compared as Qdrant reports scores ({@link
 * #passes}).
 *
 * <ul>
 *   <li>{@link #SIMILARITY}: reported as it is: Cosine and Dot (the dot product), sparse vectors
 *       (the dot product), Cosine and Dot multivectors (MaxSim), and every score that is not a
 *       distance to one query (custom objectives, fusion, order and sample);
 *   <li>{@link #NEGATED_DISTANCE}: the similarity is the negated distance, reported as the
 *       distance: Manhattan (the negated L1 distance), and Euclid and Manhattan multivectors (the
 *       negated sum over query rows of the smallest row distance);
 *   <li>{@link #NEGATED_SQUARED_DISTANCE}: the similarity is the negated squared distance (what the
 *       Euclid kernels compute), reported as the distance: Euclid.
 * </ul>
 */
public enum ScoreScale {
  SIMILARITY,
  NEGATED_DISTANCE,
  NEGATED_SQUARED_DISTANCE;

  /**
   * The scale of searches of vector {@code name} of {@code config} (a missing name: SIMILARITY).
   */
  public static ScoreScale of(VectorsConfig config, String name) {
    VectorParams dense = config.get(name);
    if (dense != null) {
      return switch (dense.distance()) {
        case COSINE, DOT -> SIMILARITY;
        case EUCLID -> NEGATED_SQUARED_DISTANCE;
        case MANHATTAN -> NEGATED_DISTANCE;
      };
    }
    MultiVectorParams multi = config.getMulti(name);
    if (multi != null) {
      return multi.distance().higherIsBetter() ? SIMILARITY : NEGATED_DISTANCE;
    }
    return SIMILARITY;
  }

  /** The score Qdrant reports for {@code similarity}. */
  public float reported(float similarity) {
    return switch (this) {
      case SIMILARITY -> similarity;
      case NEGATED_DISTANCE -> -similarity;
      case NEGATED_SQUARED_DISTANCE -> Distance.EUCLID.toQdrantScore(similarity);
    };
  }

  /**
   * Whether a hit of {@code similarity} passes a {@code score_threshold} given as Qdrant reports
   * scores: a similarity at least the threshold, a distance at most it (compared as reported, so a
   * hit exactly at the threshold passes whatever the rounding of a square root).
   */
  public boolean passes(float similarity, float threshold) {
    float reported = reported(similarity);
    return this == SIMILARITY ? reported >= threshold : reported <= threshold;
  }

  /**
   * The similarity of a score as Qdrant reports it: the inverse of {@link #reported(float)} (for
   * hits from a node of an older build, which sent reported scores).
   */
  public float similarity(float reported) {
    return switch (this) {
      case SIMILARITY -> reported;
      case NEGATED_DISTANCE -> -reported;
      case NEGATED_SQUARED_DISTANCE -> -(reported * reported);
    };
  }

  /** The hit with its score as a similarity, from the score Qdrant reports. */
  public ScoredPoint similarity(ScoredPoint hit) {
    return this == SIMILARITY ? hit : hit.withScore(similarity(hit.score()));
  }

  /** The hit with its score as Qdrant reports it. */
  public ScoredPoint reported(ScoredPoint hit) {
    return this == SIMILARITY ? hit : hit.withScore(reported(hit.score()));
  }
}
