package io.quiver.router.query;

import java.util.Objects;

/**
 * Where ids in a query are looked up: another {@code collection}, and its {@code vector} (null: the
 * stage's {@code using}).
 */
public record LookupLocation(String collection, String vector) {
  public LookupLocation {
    Objects.requireNonNull(collection, "collection");
  }
}
