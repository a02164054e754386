package io.quiver.router.query;

import io.quiver.storage.SearchParams;
import io.quiver.storage.filter.Filter;
import java.util.List;
import java.util.Objects;

/**
 * One stage of a Query API request: the root or a prefetch. Its {@code prefetches} run first and
 * their points are the candidates this stage's {@code query} scores; a stage without prefetches
 * scores the whole collection. {@code filter}, {@code scoreThreshold} and {@code lookupFrom} are
 * nullable; {@code query} is null for "id order". {@code params} (hnsw_ef, exact) apply to the
 * stage's nearest-neighbour search.
 */
public record QueryStage(
    List<QueryStage> prefetches,
    Query query,
    String using,
    Filter filter,
    Float scoreThreshold,
    int limit,
    LookupLocation lookupFrom,
    SearchParams params) {

  public QueryStage {
    prefetches = List.copyOf(prefetches);
    Objects.requireNonNull(using, "using");
    Objects.requireNonNull(params, "params");
  }

  /** A stage with the default search params. */
  public QueryStage(
      List<QueryStage> prefetches,
      Query query,
      String using,
      Filter filter,
      Float scoreThreshold,
      int limit,
      LookupLocation lookupFrom) {
    this(prefetches, query, using, filter, scoreThreshold, limit, lookupFrom, SearchParams.DEFAULT);
  }

  QueryStage withFilter(Filter newFilter) {
    return new QueryStage(
        prefetches, query, using, newFilter, scoreThreshold, limit, lookupFrom, params);
  }

  QueryStage withLimit(int newLimit) {
    return new QueryStage(
        prefetches, query, using, filter, scoreThreshold, newLimit, lookupFrom, params);
  }
}
