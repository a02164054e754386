package io.quiver.sharding;

/** The peer a request names in its path is not a member of the cluster (HTTP 404). */
public class PeerNotFoundException extends RuntimeException {
  public PeerNotFoundException(String message) {
    super(message);
  }
}
