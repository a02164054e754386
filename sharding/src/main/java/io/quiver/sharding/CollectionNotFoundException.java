package io.quiver.sharding;

/** The named collection does not exist (HTTP 404). */
public class CollectionNotFoundException extends RuntimeException {
  public CollectionNotFoundException(String name) {
    super("Not found: Collection `" + name + "` doesn't exist!");
  }
}
