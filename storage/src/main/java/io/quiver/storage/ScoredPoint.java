package io.quiver.storage;

import java.util.Comparator;
import java.util.Map;

/**
 * A search hit; payload and vectors (dense and {@code sparse}) are null when the caller did not ask
 * for them. {@code orderValue} is the payload value an {@code order_by} query ordered the point by,
 * null for every other query.
 */
public record ScoredPoint(
    PointId id,
    long version,
    float score,
    Payload payload,
    Map<String, float[]> vectors,
    OrderValue orderValue,
    Map<String, io.quiver.index.sparse.SparseVector> sparse) {

  /** A hit of a query that is not an {@code order_by}. */
  public ScoredPoint(
      PointId id, long version, float score, Payload payload, Map<String, float[]> vectors) {
    this(id, version, score, payload, vectors, null, null);
  }

  /** A hit without sparse vectors. */
  public ScoredPoint(
      PointId id,
      long version,
      float score,
      Payload payload,
      Map<String, float[]> vectors,
      OrderValue orderValue) {
    this(id, version, score, payload, vectors, orderValue, null);
  }

  /** The same hit with these sparse vectors (null: not asked for). */
  public ScoredPoint withSparse(Map<String, io.quiver.index.sparse.SparseVector> newSparse) {
    return new ScoredPoint(id, version, score, payload, vectors, orderValue, newSparse);
  }

  /** Best first for a similarity (higher score first), ties by id ascending. */
  public static final Comparator<ScoredPoint> HIGHER_FIRST =
      Comparator.comparing(ScoredPoint::score, Comparator.reverseOrder())
          .thenComparing(ScoredPoint::id);

  /** Best first for a distance (lower score first), ties by id ascending. */
  public static final Comparator<ScoredPoint> LOWER_FIRST =
      Comparator.comparing(ScoredPoint::score).thenComparing(ScoredPoint::id);

  public static Comparator<ScoredPoint> bestFirst(boolean higherIsBetter) {
    return higherIsBetter ? HIGHER_FIRST : LOWER_FIRST;
  }
}
