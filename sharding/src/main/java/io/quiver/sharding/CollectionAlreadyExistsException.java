package io.quiver.sharding;

/** A collection of that name already exists (HTTP 409). */
public class CollectionAlreadyExistsException extends RuntimeException {
  public CollectionAlreadyExistsException(String name) {
    super("Wrong input: Collection `" + name + "` already exists!");
  }
}
