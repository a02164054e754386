package io.quiver.storage;

import java.util.Objects;

/**
 * A nearest-neighbour query against one vector of a shard. {@code limit} is the number of hits the
 * shard returns; the router asks every shard for {@code offset + limit} and cuts after merging.
 * {@code scoreThreshold} (nullable) drops hits worse than it.
 */
public record SearchRequest(
    String vectorName, float[] vector, int limit, boolean withPayload, boolean withVector, Float scoreThreshold) {

  /** The largest number of hits one request may ask for. */
  public static final int MAX_LIMIT = 100_000;

  public SearchRequest {
    Objects.requireNonNull(vectorName, "vectorName");
    Objects.requireNonNull(vector, "vector");
    if (limit < 0 || limit > MAX_LIMIT) {
      throw new BadRequestException("limit must be in [0, " + MAX_LIMIT + "], got " + limit);
    }
  }
}
