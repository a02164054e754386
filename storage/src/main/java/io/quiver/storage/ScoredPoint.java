package io.quiver.storage;

import java.util.Comparator;
import java.util.Map;

/**
 * A search hit; payload and vectors are null when the caller did not ask for them. {@code orderValue}
 * is the payload value an {@code order_by} query ordered the point by, null for every other query.
 */
public record ScoredPoint(PointId id, long version, float score, Payload payload, Map<String, float[]> vectors,
    OrderValue orderValue) {

  /** A hit of a query that is not an {@code order_by}. */
  public ScoredPoint(PointId id, long version, float score, Payload payload, Map<String, float[]> vectors) {
    this(id, version, score, payload, vectors, null);
  }

  /** Best first for a similarity (higher score first), ties by id ascending. */
  public static final Comparator<ScoredPoint> HIGHER_FIRST =
      Comparator.comparing(ScoredPoint::score, Comparator.reverseOrder()).thenComparing(ScoredPoint::id);

  /** Best first for a distance (lower score first), ties by id ascending. */
  public static final Comparator<ScoredPoint> LOWER_FIRST =
      Comparator.comparing(ScoredPoint::score).thenComparing(ScoredPoint::id);

  public static Comparator<ScoredPoint> bestFirst(boolean higherIsBetter) {
    return higherIsBetter ? HIGHER_FIRST : LOWER_FIRST;
  }
}
