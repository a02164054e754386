package io.quiver.router.query;

import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoreScale;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.scoring.ScoreRequest;
import io.quiver.storage.scoring.Scorer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Qdrant's distance matrix ({@code points/search/matrix/pairs} and {@code /offsets}):
 *
 * <pre>
 *  1. a uniform random sample of {@code sample} points matching the filter, with their vectors
 *  2. fewer than 2: an empty matrix; else the sample sorted by id
 *  3. for each sampled point, its {@code limit + 1} nearest among the sample (a has_id filter),
 *     itself removed, or the last dropped when it was not among them
 * </pre>
 *
 * Thread-safe.
 */
public final class SearchMatrix {

  /**
   * The sampled ids (sorted) and each one's nearest sampled neighbours, best first, scored as
   * similarities that {@code scale} turns into the scores Qdrant reports.
   */
  public record Result(List<PointId> ids, List<List<ScoredPoint>> nearest, ScoreScale scale) {}

  private final PointsRouter router;

  public SearchMatrix(PointsRouter router) {
    this.router = router;
  }

  public CompletableFuture<Result> compute(
      CollectionDescriptor collection,
      String using,
      Filter filter,
      int sample,
      int limit,
      ReadConsistency consistency) {
    if (collection.config().vectors().get(using) == null) {
      throw new io.quiver.storage.BadRequestException(
          "Wrong input: Not existing vector name error: " + using);
    }
    ScoreScale scale = ScoreScale.of(collection.config().vectors(), using);
    // Only points that have the vector (a point may omit a named vector): they are the matrix's
    // rows.
    Condition hasVector = new Condition.HasVector(using);
    Filter sampleFilter =
        filter == null ? Filter.allOf(hasVector) : Filter.allOf(filter, hasVector);
    ScoreRequest sampling =
        new ScoreRequest(
            using,
            new Scorer.Random<>(ThreadLocalRandom.current().nextLong()),
            sample,
            null,
            sampleFilter,
            false,
            true);
    return router
        .score(collection, sampling, 0, consistency)
        .thenCompose(
            sampled -> {
              if (sampled.size() < 2) {
                return CompletableFuture.completedFuture(new Result(List.of(), List.of(), scale));
              }
              List<ScoredPoint> points = new ArrayList<>(sampled);
              points.sort((a, b) -> a.id().compareTo(b.id()));
              Set<PointId> ids = new LinkedHashSet<>();
              points.forEach(p -> ids.add(p.id()));
              Filter onlySample = Filter.allOf(new Condition.HasId(ids));
              List<CompletableFuture<List<ScoredPoint>>> searches = new ArrayList<>();
              for (ScoredPoint p : points) {
                SearchRequest search =
                    new SearchRequest(
                        using, p.vectors().get(using), limit + 1, false, false, null, onlySample);
                searches.add(
                    router
                        .search(collection, search, 0, consistency)
                        .thenApply(hits -> withoutSelf(hits, p.id(), limit)));
              }
              return CompletableFuture.allOf(searches.toArray(CompletableFuture[]::new))
                  .thenApply(
                      ignored -> {
                        List<List<ScoredPoint>> nearest = new ArrayList<>();
                        searches.forEach(s -> nearest.add(s.join()));
                        return new Result(new ArrayList<>(ids), nearest, scale);
                      });
            });
  }

  private static List<ScoredPoint> withoutSelf(List<ScoredPoint> hits, PointId self, int limit) {
    List<ScoredPoint> out = new ArrayList<>(hits.size());
    hits.forEach(
        h -> {
          if (!h.id().equals(self)) {
            out.add(h);
          }
        });
    if (out.size() == limit + 1) {
      out.removeLast();
    }
    return out;
  }
}
