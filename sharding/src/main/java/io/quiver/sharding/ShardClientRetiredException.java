package io.quiver.sharding;

/**
 * A shard could not answer through this node's client of it because that client can no longer be
 * used: the replica it asked does not host the shard's group (a replica only joining, or one just
 * dropped), and the client closed itself. The client is replaced at once, so a read or another
 * idempotent request may be sent again through a new one (HTTP 503 when it is not).
 */
public final class ShardClientRetiredException extends ShardUnavailableException {
  public ShardClientRetiredException(String message, Throwable cause) {
    super(message, cause);
  }
}
