package io.quiver.sharding;

/** The named alias does not exist (HTTP 404). */
public class AliasNotFoundException extends RuntimeException {
  public AliasNotFoundException(String alias) {
    super("Not found: Alias `" + alias + "` doesn't exist!");
  }
}
