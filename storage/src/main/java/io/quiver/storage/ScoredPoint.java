package io.quiver.storage;

import java.util.Comparator;
import java.util.Map;

/**
 * A search hit, its {@code score} higher-is-better (a search's similarity, which the node reports
 * with the search's {@link ScoreScale}); payload and vectors (dense and {@code sparse}) are null
 * when the caller did not ask for them. {@code orderValue} is the payload value an {@code order_by}
 * query ordered the point by, null for every other query.
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

  /** The same hit with another score. */
  public ScoredPoint withScore(float newScore) {
    return new ScoredPoint(id, version, newScore, payload, vectors, orderValue, sparse);
  }

  /** The same hit with these sparse vectors (null: not asked for). */
  public ScoredPoint withSparse(Map<String, io.quiver.index.sparse.SparseVector> newSparse) {
    return new ScoredPoint(id, version, score, payload, vectors, orderValue, newSparse);
  }

  /**
   * Best first: higher score first, ties by id ascending. Every score inside Quiver is higher-is-
   * better (a search's is a similarity, see {@link ScoreScale}), so this is the only order.
   */
  public static final Comparator<ScoredPoint> HIGHER_FIRST =
      Comparator.comparing(ScoredPoint::score, Comparator.reverseOrder())
          .thenComparing(ScoredPoint::id);
}
