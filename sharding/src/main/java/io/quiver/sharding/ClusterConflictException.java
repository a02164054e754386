package io.quiver.sharding;

/**
 * A cluster change that the current cluster does not allow (answered 409): removing a node that
 * holds the only copy of a shard, draining a node whose replicas have nowhere to go. The message
 * says why and what to do instead.
 */
public final class ClusterConflictException extends RuntimeException {
  public ClusterConflictException(String message) {
    super(message);
  }
}
