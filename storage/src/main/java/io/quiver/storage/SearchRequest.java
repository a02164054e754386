package io.quiver.storage;

import io.quiver.storage.filter.Filter;
import java.util.Objects;

/**
 * A nearest-neighbour query against one vector of a shard. {@code limit} is the number of hits the
 * shard returns; the router asks every shard for {@code offset + limit} and cuts after merging.
 * {@code scoreThreshold} (nullable) drops hits worse than it; {@code filter} (nullable) keeps only
 * the points it matches.
 */
public record SearchRequest(
    String vectorName, float[] vector, int limit, boolean withPayload, boolean withVector, Float scoreThreshold,
    Filter filter) {

  /** The largest number of hits one request may ask for. */
  public static final int MAX_LIMIT = 100_000;

  /** A request without a filter. */
  public SearchRequest(String vectorName, float[] vector, int limit, boolean withPayload, boolean withVector, Float scoreThreshold) {
    this(vectorName, vector, limit, withPayload, withVector, scoreThreshold, null);
  }

  public SearchRequest {
    Objects.requireNonNull(vectorName, "vectorName");
    Objects.requireNonNull(vector, "vector");
    if (limit < 0 || limit > MAX_LIMIT) {
      throw new BadRequestException("limit must be in [0, " + MAX_LIMIT + "], got " + limit);
    }
  }
}
