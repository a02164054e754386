package io.quiver.storage.scoring;

import io.quiver.index.vector.Distance;
import io.quiver.storage.PointId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A score for every point of a shard that is not "distance to one query vector": Qdrant's custom
 * search objectives (recommend {@code best_score} and {@code sum_scores}, {@code discover}, {@code
 * context}) and the two orders that ignore vectors ({@code sample: random}, and id order for a
 * query without a query). Higher is always better; ties are broken by id ascending by the caller,
 * so {@link ById} (every score 0) yields points in id order.
 *
 * <p>The formulas are Qdrant's ({@code lib/segment/src/vector_storage/query/*.rs}). They see the
 * point only through a {@link Similarity}: the similarity of each example to it, as the vector's
 * kind compares (the caller supplies it). {@code V} is the examples' type: {@code float[]} for a
 * dense vector and for a multivector (its rows flat), {@link io.quiver.index.sparse.SparseVector}
 * for a sparse vector. The similarities are Qdrant's internal ones: for a dense vector those of
 * {@link Distance#similarity} (the dot product for Cosine, vectors normalized, and Dot; the negated
 * squared distance for Euclid; the negated L1 distance for Manhattan); for a multivector the sum
 * over the example's rows of the best such row similarity among the point's rows; for a sparse
 * vector the dot product over shared dimensions (0 when none). Custom scores are reported as they
 * are (Qdrant does not post-process them into distances).
 *
 * <p>Immutable and thread-safe once its examples are prepared ({@link #map}).
 */
public sealed interface Scorer<V> {

  /** The similarity of one example to the point being scored: higher is better. */
  @FunctionalInterface
  interface Similarity<V> {
    float of(V example);
  }

  /**
   * The score of point {@code id}; {@code similarity} compares an example with it (null for
   * vector-free scorers).
   */
  float score(PointId id, Similarity<V> similarity);

  /** Whether {@link #score} reads the point's vector. */
  default boolean usesVector() {
    return true;
  }

  /**
   * This scorer with every example replaced by {@code prepare(example)} (normalized for Cosine,
   * say).
   */
  Scorer<V> map(UnaryOperator<V> prepare);

  /** All example vectors, for checks of their kind and dimension. */
  List<V> examples();

  /**
   * The score of a point whose (prepared) dense vector is {@code vector}, compared by {@code
   * distance}.
   */
  static float scoreDense(Scorer<float[]> scorer, PointId id, float[] vector, Distance distance) {
    return scorer.score(
        id, vector == null ? null : example -> distance.similarity(example, vector));
  }

  /** A positive and a negative example: the point should be nearer the positive. */
  record Pair<V>(V positive, V negative) {
    public Pair {
      Objects.requireNonNull(positive, "positive");
      Objects.requireNonNull(negative, "negative");
    }

    Pair<V> map(UnaryOperator<V> prepare) {
      return new Pair<>(prepare.apply(positive), prepare.apply(negative));
    }

    /**
     * Qdrant's context loss of one pair: {@code fast_sigmoid(min(sim(p) - sim(n) - EPSILON, 0))}, 0
     * inside the positive half-space, in (-1, 0) outside.
     */
    float loss(Similarity<V> similarity) {
      float difference = similarity.of(positive) - similarity.of(negative) - Math.ulp(1f);
      return fastSigmoid(Math.min(difference, 0f));
    }

    /**
     * +1 when nearer the positive, -1 when nearer the negative, 0 on a tie (Rust's total_cmp as
     * i32).
     */
    int rank(Similarity<V> similarity) {
      return Integer.signum(Float.compare(similarity.of(positive), similarity.of(negative)));
    }
  }

  /**
   * {@code best_score}: the best similarity to any positive when it beats the best similarity to
   * any negative, as {@code scaled_fast_sigmoid(max_pos)}; otherwise {@code
   * -scaled_fast_sigmoid(max_neg)}. So every point nearer a positive ranks above every point nearer
   * a negative.
   */
  record RecommendBestScore<V>(List<V> positives, List<V> negatives) implements Scorer<V> {
    public RecommendBestScore {
      positives = List.copyOf(positives);
      negatives = List.copyOf(negatives);
    }

    @Override
    public float score(PointId id, Similarity<V> similarity) {
      float maxPositive = Float.NEGATIVE_INFINITY;
      for (V p : positives) {
        maxPositive = Math.max(maxPositive, similarity.of(p));
      }
      float maxNegative = Float.NEGATIVE_INFINITY;
      for (V n : negatives) {
        maxNegative = Math.max(maxNegative, similarity.of(n));
      }
      return maxPositive > maxNegative
          ? scaledFastSigmoid(maxPositive)
          : -scaledFastSigmoid(maxNegative);
    }

    @Override
    public Scorer<V> map(UnaryOperator<V> prepare) {
      return new RecommendBestScore<>(mapAll(positives, prepare), mapAll(negatives, prepare));
    }

    @Override
    public List<V> examples() {
      return concat(positives, negatives);
    }
  }

  /**
   * {@code sum_scores}: the sum of similarities to the positives minus the sum to the negatives.
   */
  record RecommendSumScores<V>(List<V> positives, List<V> negatives) implements Scorer<V> {
    public RecommendSumScores {
      positives = List.copyOf(positives);
      negatives = List.copyOf(negatives);
    }

    @Override
    public float score(PointId id, Similarity<V> similarity) {
      float positive = 0f;
      for (V p : positives) {
        positive += similarity.of(p);
      }
      float negative = 0f;
      for (V n : negatives) {
        negative += similarity.of(n);
      }
      return positive - negative;
    }

    @Override
    public Scorer<V> map(UnaryOperator<V> prepare) {
      return new RecommendSumScores<>(mapAll(positives, prepare), mapAll(negatives, prepare));
    }

    @Override
    public List<V> examples() {
      return concat(positives, negatives);
    }
  }

  /**
   * {@code discover}: the rank (sum over pairs of +1 nearer the positive, -1 nearer the negative, 0
   * on a tie) plus {@code scaled_fast_sigmoid(sim(target))}, so the context decides the zone and
   * the target orders points inside it.
   */
  record Discover<V>(V target, List<Pair<V>> pairs) implements Scorer<V> {
    public Discover {
      Objects.requireNonNull(target, "target");
      pairs = List.copyOf(pairs);
    }

    @Override
    public float score(PointId id, Similarity<V> similarity) {
      int rank = 0;
      for (Pair<V> pair : pairs) {
        rank += pair.rank(similarity);
      }
      return rank + scaledFastSigmoid(similarity.of(target));
    }

    @Override
    public Scorer<V> map(UnaryOperator<V> prepare) {
      List<Pair<V>> out = new ArrayList<>(pairs.size());
      pairs.forEach(p -> out.add(p.map(prepare)));
      return new Discover<>(prepare.apply(target), out);
    }

    @Override
    public List<V> examples() {
      List<V> all = new ArrayList<>();
      all.add(target);
      pairs.forEach(
          p -> {
            all.add(p.positive());
            all.add(p.negative());
          });
      return all;
    }
  }

  /**
   * {@code context}: the sum of the pairs' losses (0 for a point on the positive side of every
   * pair).
   */
  record Context<V>(List<Pair<V>> pairs) implements Scorer<V> {
    public Context {
      pairs = List.copyOf(pairs);
    }

    @Override
    public float score(PointId id, Similarity<V> similarity) {
      float sum = 0f;
      for (Pair<V> pair : pairs) {
        sum += pair.loss(similarity);
      }
      return sum;
    }

    @Override
    public Scorer<V> map(UnaryOperator<V> prepare) {
      List<Pair<V>> out = new ArrayList<>(pairs.size());
      pairs.forEach(p -> out.add(p.map(prepare)));
      return new Context<>(out);
    }

    @Override
    public List<V> examples() {
      List<V> all = new ArrayList<>();
      pairs.forEach(
          p -> {
            all.add(p.positive());
            all.add(p.negative());
          });
      return all;
    }
  }

  /**
   * A uniformly random order: the score is a hash of the point id with {@code seed}, in [0, 1). The
   * router sends one seed to every shard, so the merged order is one random permutation.
   */
  record Random<V>(long seed) implements Scorer<V> {
    @Override
    public float score(PointId id, Similarity<V> similarity) {
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
    public Scorer<V> map(UnaryOperator<V> prepare) {
      return this;
    }

    @Override
    public List<V> examples() {
      return List.of();
    }
  }

  /** Every point scores 0: with ties broken by id, the points come in id order. */
  record ById<V>() implements Scorer<V> {
    @Override
    public float score(PointId id, Similarity<V> similarity) {
      return 0f;
    }

    @Override
    public boolean usesVector() {
      return false;
    }

    @Override
    public Scorer<V> map(UnaryOperator<V> prepare) {
      return this;
    }

    @Override
    public List<V> examples() {
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

  private static <V> List<V> mapAll(List<V> vectors, UnaryOperator<V> prepare) {
    List<V> out = new ArrayList<>(vectors.size());
    vectors.forEach(v -> out.add(prepare.apply(v)));
    return out;
  }

  private static <V> List<V> concat(List<V> a, List<V> b) {
    List<V> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
