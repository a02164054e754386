package io.quiver.router.query;

import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fusion of several ranked lists into one, as Qdrant computes it ({@code
 * lib/segment/src/common/reciprocal_rank_fusion.rs}, {@code score_fusion.rs}). Results are sorted
 * by fused score descending, ties by id ascending. Pure functions.
 */
public final class ScoreFusion {

  /** Qdrant's default RRF constant. */
  public static final int DEFAULT_RRF_K = 2;

  private ScoreFusion() {}

  /**
   * Reciprocal Rank Fusion: a point at 0-based position {@code pos} of a list with weight {@code w}
   * gains {@code 1 / ((pos + 1) / w + k - 1)} (with {@code w = 1}: {@code 1 / (pos + k)}); a weight
   * of 0 or less contributes nothing. Input scores are ignored; only the order counts.
   *
   * @param weights one per list, or null for all 1
   */
  public static List<ScoredPoint> rrf(List<List<ScoredPoint>> lists, int k, List<Float> weights) {
    if (weights != null && weights.size() != lists.size()) {
      throw new io.quiver.storage.BadRequestException(
          "Bad request: Number of weights in RRF should match number of "
              + "pre-fetches: got "
              + weights.size()
              + ", expected "
              + lists.size());
    }
    Map<PointId, ScoredPoint> fused = new LinkedHashMap<>();
    Map<PointId, Float> scores = new LinkedHashMap<>();
    for (int l = 0; l < lists.size(); l++) {
      float weight = weights == null ? 1f : weights.get(l);
      List<ScoredPoint> list = lists.get(l);
      for (int pos = 0; pos < list.size(); pos++) {
        float gain = weight <= 0f ? 0f : 1f / ((pos + 1) / weight + k - 1f);
        ScoredPoint p = list.get(pos);
        fused.putIfAbsent(p.id(), p);
        scores.merge(p.id(), gain, Float::sum);
      }
    }
    return sorted(fused, scores);
  }

  /**
   * Distribution-Based Score Fusion: each list's scores are normalized to [0, 1] between {@code
   * mean - 3 sigma} and {@code mean + 3 sigma} (sample standard deviation; a single point scores
   * 0.5, and so does every point when the bounds coincide), then summed per point.
   */
  public static List<ScoredPoint> dbsf(List<List<ScoredPoint>> lists) {
    Map<PointId, ScoredPoint> fused = new LinkedHashMap<>();
    Map<PointId, Float> scores = new LinkedHashMap<>();
    for (List<ScoredPoint> list : lists) {
      float[] normalized = distributionNormalized(list);
      for (int i = 0; i < list.size(); i++) {
        ScoredPoint p = list.get(i);
        fused.putIfAbsent(p.id(), p);
        scores.merge(p.id(), normalized[i], Float::sum);
      }
    }
    return sorted(fused, scores);
  }

  /** Qdrant's {@code distr_norm}: Welford mean and sample variance in float, bounds at 3 sigma. */
  static float[] distributionNormalized(List<ScoredPoint> list) {
    float[] out = new float[list.size()];
    if (list.size() < 2) {
      if (list.size() == 1) {
        out[0] = 0.5f;
      }
      return out;
    }
    float mean = 0f;
    float aggregate = 0f;
    for (int i = 0; i < list.size(); i++) {
      float score = list.get(i).score();
      float oldDelta = score - mean;
      mean += oldDelta / (i + 1);
      aggregate += oldDelta * (score - mean);
    }
    float stdDev = (float) Math.sqrt(aggregate / (list.size() - 1f));
    float min = mean - 3f * stdDev;
    float max = mean + 3f * stdDev;
    for (int i = 0; i < out.length; i++) {
      out[i] = min == max ? 0.5f : (list.get(i).score() - min) / (max - min);
    }
    return out;
  }

  private static List<ScoredPoint> sorted(
      Map<PointId, ScoredPoint> points, Map<PointId, Float> scores) {
    List<ScoredPoint> out = new ArrayList<>(points.size());
    points.forEach(
        (id, p) ->
            out.add(
                new ScoredPoint(
                    id, p.version(), scores.get(id), p.payload(), p.vectors(), null, p.sparse())));
    out.sort(ScoredPoint.HIGHER_FIRST);
    return out;
  }
}
