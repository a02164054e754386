package io.quiver.storage;

import java.util.List;

/**
 * A shard's search with the scores Qdrant reports (distances for Euclid and Manhattan; see {@link
 * ScoreScale}), for tests that compare them with brute-force distances.
 */
final class ReportedScores {

  private ReportedScores() {}

  static List<ScoredPoint> search(Shard shard, SearchRequest request) {
    ScoreScale scale = ScoreScale.of(shard.config(), request.vectorName());
    return shard.search(request).stream()
        .map(scale::reported)
        .collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
  }
}
