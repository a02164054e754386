package io.quiver.sharding;

/** A shard cannot answer now: no leader, no majority, or the deadline passed (HTTP 503). */
public class ShardUnavailableException extends RuntimeException {
  public ShardUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
