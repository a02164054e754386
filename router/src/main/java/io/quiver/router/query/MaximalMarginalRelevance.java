package io.quiver.router.query;

import io.quiver.index.vector.Distance;
import io.quiver.storage.ScoredPoint;
import java.util.ArrayList;
import java.util.List;

/**
 * Qdrant's MMR re-ranking ({@code lib/shard/src/query/mmr}): pick the candidate most similar to the
 * query first, then repeatedly the one maximizing {@code lambda * sim(query, c) - (1 - lambda) *
 * max_{s selected} sim(c, s)}, where {@code lambda = 1 - diversity} and {@code sim} is the internal
 * similarity ({@link Distance#similarity}). Points keep their original scores. Pure; O(limit *
 * candidates) similarity computations.
 */
public final class MaximalMarginalRelevance {

  private MaximalMarginalRelevance() {}

  /**
   * @param candidates points with their vector of {@code using} attached, as stored (compared
   *     prepared: a uint8 Cosine vector is stored as given, so each is prepared here)
   * @param query the prepared query vector
   */
  public static List<ScoredPoint> select(
      List<ScoredPoint> candidates,
      String using,
      float[] query,
      Distance distance,
      float diversity,
      int limit) {
    List<ScoredPoint> withVector = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    for (ScoredPoint p : candidates) {
      float[] v = p.vectors() == null ? null : p.vectors().get(using);
      if (v != null) {
        withVector.add(p);
        vectors.add(distance.prepare(v));
      }
    }
    if (withVector.size() < 2) {
      return withVector;
    }
    float lambda = 1f - diversity;
    int n = withVector.size();
    float[] relevance = new float[n];
    for (int i = 0; i < n; i++) {
      relevance[i] = distance.similarity(query, vectors.get(i));
    }
    // maxSimilarity[i]: the largest similarity of candidate i to any selected point so far
    float[] maxSimilarity = new float[n];
    java.util.Arrays.fill(maxSimilarity, Float.NEGATIVE_INFINITY);
    boolean[] selected = new boolean[n];
    List<ScoredPoint> out = new ArrayList<>(Math.min(limit, n));
    for (int round = 0; round < Math.min(limit, n); round++) {
      int best = -1;
      float bestScore = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        if (selected[i]) {
          continue;
        }
        float score =
            round == 0 ? relevance[i] : lambda * relevance[i] - (1f - lambda) * maxSimilarity[i];
        if (best < 0 || score > bestScore) {
          best = i;
          bestScore = score;
        }
      }
      selected[best] = true;
      out.add(withVector.get(best));
      for (int i = 0; i < n; i++) {
        if (!selected[i]) {
          maxSimilarity[i] =
              Math.max(maxSimilarity[i], distance.similarity(vectors.get(i), vectors.get(best)));
        }
      }
    }
    return out;
  }
}
