package io.quiver.storage.scoring;

import io.quiver.index.vector.Distance;
import io.quiver.storage.PointId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A score for every point of a shard that is not "distance to one query vector": Qdrant's custom
 * search objectives (recommend {@code best_score} and {@code sum_scores}, {@code discover},
 * {@code context}) and the two orders that ignore vectors ({@code sample: random}, and id order
 * for a query without a query). Higher is always better; ties are broken by id ascending by the
 * caller, so {@link ById} (every score 0) yields points in id order.
 *
 * <p>The formulas are Qdrant's ({@code lib/segment/src/vector_storage/query/*.rs}). Every
 * comparison of two vectors uses the internal similarity of {@link Distance#similarity}: the dot
 * product for Cosine (vectors normalized) and Dot, the negated squared distance for Euclid, the
 * negated L1 distance for Manhattan. Custom scores are reported as they are (Qdrant does not
 * post-process them into distances).
 *
 * <p>Immutable and thread-safe once {@link #prepared prepared}.
 */
public sealed interface Scorer {

  /** The score of one point; {@code vector} is the point's stored (prepared) vector, null for vector-free scorers. */
  float score(PointId id, float[] vector, Distance distance);

  /** Whether {@link #score} reads the point's vector. */
  default boolean usesVector() {
    return true;
  }

  /** This scorer with every example vector prepared for {@code distance} (normalized for Cosine). */
  Scorer prepared(Distance distance);

  /** All example vectors, for dimension checks. */
  List<float[]> examples();

  /** A positive and a negative example: the point should be nearer the positive. */
  record Pair(float[] positive, float[] negative) {
    public Pair {
      Objects.requireNonNull(positive, "positive");
      Objects.requireNonNull(negative, "negative");
    }

    Pair prepared(Distance distance) {
      return new Pair(distance.prepare(positive), distance.prepare(negative));
    }

    /**
     * Qdrant's context loss of one pair: {@code fast_sigmoid(min(sim(p) - sim(n) - EPSILON, 0))},
     * 0 inside the positive half-space, in (-1, 0) outside.
     */
    float loss(float[] vector, Distance distance) {
      float difference = distance.similarity(positive, vector) - distance.similarity(negative, vector) - Math.ulp(1f);
      return fastSigmoid(Math.min(difference, 0f));
    }

    /** +1 when nearer the positive, -1 when nearer the negative, 0 on a tie (Rust's total_cmp as i32). */
    int rank(float[] vector, Distance distance) {
      return Integer.signum(Float.compare(distance.similarity(positive, vector), distance.similarity(negative, vector)));
    }
  }

  /**
   * {@code best_score}: the best similarity to any positive when it beats the best similarity to
   * any negative, as {@code scaled_fast_sigmoid(max_pos)}; otherwise {@code -scaled_fast_sigmoid(max_neg)}.
   * So every point nearer a positive ranks above every point nearer a negative.
   */
  record RecommendBestScore(List<float[]> positives, List<float[]> negatives) implements Scorer {
    public RecommendBestScore {
      positives = List.copyOf(positives);
      negatives = List.copyOf(negatives);
    }

    @Override
    public float score(PointId id, float[] vector, Distance distance) {
      float maxPositive = Float.NEGATIVE_INFINITY;
      for (float[] p : positives) {
        maxPositive = Math.max(maxPositive, distance.similarity(p, vector));
      }
      float maxNegative = Float.NEGATIVE_INFINITY;
      for (float[] n : negatives) {
        maxNegative = Math.max(maxNegative, distance.similarity(n, vector));
      }
      return maxPositive > maxNegative ? scaledFastSigmoid(maxPositive) : -scaledFastSigmoid(maxNegative);
    }

    @Override
    public Scorer prepared(Distance distance) {
      return new RecommendBestScore(prepare(positives, distance), prepare(negatives, distance));
    }

    @Override
    public List<float[]> examples() {
      return concat(positives, negatives);
    }
  }

  /** {@code sum_scores}: the sum of similarities to the positives minus the sum to the negatives. */
  record RecommendSumScores(List<float[]> positives, List<float[]> negatives) implements Scorer {
    public RecommendSumScores {
      positives = List.copyOf(positives);
      negatives = List.copyOf(negatives);
    }

    @Override
    public float score(PointId id, float[] vector, Distance distance) {
      float positive = 0f;
      for (float[] p : positives) {
        positive += distance.similarity(p, vector);
      }
      float negative = 0f;
      for (float[] n : negatives) {
        negative += distance.similarity(n, vector);
      }
      return positive - negative;
    }

    @Override
    public Scorer prepared(Distance distance) {
      return new RecommendSumScores(prepare(positives, distance), prepare(negatives, distance));
    }

    @Override
    public List<float[]> examples() {
      return concat(positives, negatives);
    }
  }

  /**
   * {@code discover}: the rank (sum over pairs of +1 nearer the positive, -1 nearer the negative,
   * 0 on a tie) plus {@code scaled_fast_sigmoid(sim(target))}, so the context decides the zone
   * and the target orders points inside it.
   */
  record Discover(float[] target, List<Pair> pairs) implements Scorer {
    public Discover {
      Objects.requireNonNull(target, "target");
      pairs = List.copyOf(pairs);
    }

    @Override
    public float score(PointId id, float[] vector, Distance distance) {
      int rank = 0;
      for (Pair pair : pairs) {
        rank += pair.rank(vector, distance);
      }
      return rank + scaledFastSigmoid(distance.similarity(target, vector));
    }

    @Override
    public Scorer prepared(Distance distance) {
      List<Pair> out = new ArrayList<>(pairs.size());
      pairs.forEach(p -> out.add(p.prepared(distance)));
      return new Discover(distance.prepare(target), out);
    }

    @Override
    public List<float[]> examples() {
      List<float[]> all = new ArrayList<>();
      all.add(target);
      pairs.forEach(p -> {
        all.add(p.positive());
        all.add(p.negative());
      });
      return all;
    }
  }

  /** {@code context}: the sum of the pairs' losses (0 for a point on the positive side of every pair). */
  record Context(List<Pair> pairs) implements Scorer {
    public Context {
      pairs = List.copyOf(pairs);
    }

    @Override
    public float score(PointId id, float[] vector, Distance distance) {
      float sum = 0f;
      for (Pair pair : pairs) {
        sum += pair.loss(vector, distance);
      }
      return sum;
    }

    @Override
    public Scorer prepared(Distance distance) {
      List<Pair> out = new ArrayList<>(pairs.size());
      pairs.forEach(p -> out.add(p.prepared(distance)));
      return new Context(out);
    }

    @Override
    public List<float[]> examples() {
      List<float[]> all = new ArrayList<>();
      pairs.forEach(p -> {
        all.add(p.positive());
        all.add(p.negative());
      });
      return all;
    }
  }

  /**
   * A uniformly random order: the score is a hash of the point id with {@code seed}, in [0, 1).
   * The router sends one seed to every shard, so the merged order is one random permutation.
   */
  record Random(long seed) implements Scorer {
    @Override
    public float score(PointId id, float[] vector, Distance distance) {
      long h = mix(id.stableHash() ^ mix(seed));
      return (h >>> 40) / (float) (1L << 24);
    }

    private static long mix(long z) { // SplitMix64's finalizer
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      return z ^ (z >>> 31);
    }

    @Override
    public boolean usesVector() {
      return false;
    }

    @Override
    public Scorer prepared(Distance distance) {
      return this;
    }

    @Override
    public List<float[]> examples() {
      return List.of();
    }
  }

  /** Every point scores 0: with ties broken by id, the points come in id order. */
  record ById() implements Scorer {
    @Override
    public float score(PointId id, float[] vector, Distance distance) {
      return 0f;
    }

    @Override
    public boolean usesVector() {
      return false;
    }

    @Override
    public Scorer prepared(Distance distance) {
      return this;
    }

    @Override
    public List<float[]> examples() {
      return List.of();
    }
  }

  /** Qdrant's {@code fast_sigmoid}: {@code x / (1 + |x|)}, in (-1, 1). */
  static float fastSigmoid(float x) {
    return x / (1f + Math.abs(x));
  }

  /** Qdrant's {@code scaled_fast_sigmoid}: {@code 0.5 * (fast_sigmoid(x) + 1)}, in (0, 1). */
  static float scaledFastSigmoid(float x) {
    return 0.5f * (fastSigmoid(x) + 1f);
  }

  private static List<float[]> prepare(List<float[]> vectors, Distance distance) {
    List<float[]> out = new ArrayList<>(vectors.size());
    vectors.forEach(v -> out.add(distance.prepare(v)));
    return out;
  }

  private static List<float[]> concat(List<float[]> a, List<float[]> b) {
    List<float[]> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
