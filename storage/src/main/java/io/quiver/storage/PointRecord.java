package io.quiver.storage;

import java.util.Map;

/**
 * A stored point as read back: payload and vectors are null when the caller did not ask for them.
 * {@code version} is the Raft log index of the write that produced this copy. {@code orderValue}
 * is the value the point was ordered by in an {@code order_by} scroll, null otherwise.
 */
public record PointRecord(PointId id, long version, Payload payload, Map<String, float[]> vectors, OrderValue orderValue) {

  /** A record read without an ordering. */
  public PointRecord(PointId id, long version, Payload payload, Map<String, float[]> vectors) {
    this(id, version, payload, vectors, null);
  }
}
