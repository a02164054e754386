package io.quiver.sharding;

/**
 * A shard refused a write because some of its points are not (or no longer) owned by it: the
 * collection is being resharded and the writer routed by a shard map older than the shard's fence.
 * Nothing of the refused log entry was applied; the router routes the write again by a newer map.
 */
public final class PointsMovedException extends RuntimeException {
  public PointsMovedException(String message) {
    super(message);
  }
}
