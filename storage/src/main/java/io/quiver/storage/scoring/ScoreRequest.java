package io.quiver.storage.scoring;

import io.quiver.storage.BadRequestException;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.filter.Filter;
import java.util.Objects;

/**
 * An exact scan of one shard's points scored by a {@link Scorer}: the best {@code limit} by score
 * (higher first, ties by id ascending), keeping only points the {@code filter} (nullable) matches
 * and, when {@code scoreThreshold} is given, whose score is at least the threshold. {@code
 * vectorName} names the vector the scorer reads: a dense vector or a multivector (examples {@code
 * float[]}, a multivector's rows flat) or a sparse vector (examples {@code SparseVector}).
 */
public record ScoreRequest(
    String vectorName,
    Scorer<?> scorer,
    int limit,
    Float scoreThreshold,
    Filter filter,
    boolean withPayload,
    boolean withVector) {

  public ScoreRequest {
    Objects.requireNonNull(vectorName, "vectorName");
    Objects.requireNonNull(scorer, "scorer");
    if (limit < 0 || limit > SearchRequest.MAX_LIMIT) {
      throw new BadRequestException(
          "limit must be in [0, " + SearchRequest.MAX_LIMIT + "], got " + limit);
    }
  }

  /** This request with another filter (the router restricts a shard to the points it owns). */
  public ScoreRequest withFilter(Filter newFilter) {
    return new ScoreRequest(
        vectorName, scorer, limit, scoreThreshold, newFilter, withPayload, withVector);
  }

  public ScoreRequest withLimit(int newLimit) {
    return new ScoreRequest(
        vectorName, scorer, newLimit, scoreThreshold, filter, withPayload, withVector);
  }

  /** This request with another scorer (the same one with its examples weighted, say). */
  public ScoreRequest withScorer(Scorer<?> newScorer) {
    return new ScoreRequest(
        vectorName, newScorer, limit, scoreThreshold, filter, withPayload, withVector);
  }
}
