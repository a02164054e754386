package io.quiver.router;

/**
 * A request did not complete within the {@code timeout} its caller gave (Qdrant's {@code Timeout}
 * error, 408). Work already sent to shards is not recalled: a write may still be applied later, a
 * read still finishes in its shard.
 */
public final class RequestTimeoutException extends RuntimeException {

  public RequestTimeoutException(String message) {
    super(message);
  }
}
