package io.quiver.router.query;

import io.quiver.storage.PointId;

/** A point a query refers to by id does not exist (HTTP 404, Qdrant's message). */
public final class PointNotFoundException extends RuntimeException {
  public PointNotFoundException(PointId id) {
    super("Not found: No point with id " + id + " found");
  }
}
