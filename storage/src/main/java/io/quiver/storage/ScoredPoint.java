package io.quiver.storage;

import java.util.Comparator;
import java.util.Map;

/** A search hit; payload and vectors are null when the caller did not ask for them. */
public record ScoredPoint(PointId id, long version, float score, Payload payload, Map<String, float[]> vectors) {

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
