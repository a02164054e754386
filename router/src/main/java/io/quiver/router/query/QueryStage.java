package io.quiver.router.query;

import io.quiver.storage.filter.Filter;
import java.util.List;
import java.util.Objects;

/**
 * One stage of a Query API request: the root or a prefetch. Its {@code prefetches} run first and
 * their points are the candidates this stage's {@code query} scores; a stage without prefetches
 * scores the whole collection. {@code filter}, {@code scoreThreshold} and {@code lookupFrom} are
 * nullable; {@code query} is null for "id order".
 */
public record QueryStage(
    List<QueryStage> prefetches, Query query, String using, Filter filter, Float scoreThreshold, int limit,
    LookupLocation lookupFrom) {

  public QueryStage {
    prefetches = List.copyOf(prefetches);
    Objects.requireNonNull(using, "using");
  }

  QueryStage withFilter(Filter newFilter) {
    return new QueryStage(prefetches, query, using, newFilter, scoreThreshold, limit, lookupFrom);
  }

  QueryStage withLimit(int newLimit) {
    return new QueryStage(prefetches, query, using, filter, scoreThreshold, newLimit, lookupFrom);
  }
}
