package io.quiver.storage;

import io.quiver.index.sparse.SparseVector;
import java.util.Map;

/**
 * A stored point as read back: payload and vectors are null when the caller did not ask for them.
 * {@code version} is the Raft log index of the write that produced this copy. {@code orderValue} is
 * the value the point was ordered by in an {@code order_by} scroll, null otherwise. {@code sparse}
 * holds the sparse vectors the point has (null when vectors were not asked for).
 */
public record PointRecord(
    PointId id,
    long version,
    Payload payload,
    Map<String, float[]> vectors,
    OrderValue orderValue,
    Map<String, SparseVector> sparse) {

  /** A record read without an ordering. */
  public PointRecord(PointId id, long version, Payload payload, Map<String, float[]> vectors) {
    this(id, version, payload, vectors, null, null);
  }

  /** A record without sparse vectors. */
  public PointRecord(
      PointId id,
      long version,
      Payload payload,
      Map<String, float[]> vectors,
      OrderValue orderValue) {
    this(id, version, payload, vectors, orderValue, null);
  }

  /** The same record with these sparse vectors. */
  public PointRecord withSparse(Map<String, SparseVector> newSparse) {
    return new PointRecord(id, version, payload, vectors, orderValue, newSparse);
  }
}
