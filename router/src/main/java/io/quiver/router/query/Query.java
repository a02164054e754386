package io.quiver.router.query;

import java.util.List;
import java.util.Objects;

/**
 * What one stage of a Query API request scores its candidates by (Qdrant's {@code Query}). A stage
 * without a query ({@code null}) returns points in id order.
 */
public sealed interface Query {

  /** Nearest to a vector; with {@code mmr}, re-ranked for diversity. */
  record Nearest(VectorInput vector, Mmr mmr) implements Query {
    public Nearest {
      Objects.requireNonNull(vector, "vector");
    }
  }

  /**
   * Maximal Marginal Relevance: {@code diversity} in [0, 1]; {@code candidatesLimit} null means the
   * stage limit.
   */
  record Mmr(float diversity, Integer candidatesLimit) {}

  enum Strategy {
    AVERAGE_VECTOR,
    BEST_SCORE,
    SUM_SCORES
  }

  record Recommend(List<VectorInput> positive, List<VectorInput> negative, Strategy strategy)
      implements Query {
    public Recommend {
      positive = List.copyOf(positive);
      negative = List.copyOf(negative);
      Objects.requireNonNull(strategy, "strategy");
    }
  }

  record Pair(VectorInput positive, VectorInput negative) {}

  record Discover(VectorInput target, List<Pair> context) implements Query {
    public Discover {
      Objects.requireNonNull(target, "target");
      context = List.copyOf(context);
    }
  }

  record Context(List<Pair> pairs) implements Query {
    public Context {
      pairs = List.copyOf(pairs);
    }
  }

  enum FusionMethod {
    RRF,
    DBSF
  }

  /**
   * Fuses the results of the stage's prefetches; {@code k} and {@code weights} (nullable) apply to
   * RRF.
   */
  record Fusion(FusionMethod method, int k, List<Float> weights) implements Query {
    public Fusion {
      Objects.requireNonNull(method, "method");
      weights = weights == null ? null : List.copyOf(weights);
    }
  }

  /**
   * Rescores the points of the stage's prefetches by a formula ({@link ScoreFormula}), highest
   * first.
   */
  record Formula(ScoreFormula.Expression expression, ScoreFormula.Defaults defaults)
      implements Query {
    public Formula {
      Objects.requireNonNull(expression, "expression");
      Objects.requireNonNull(defaults, "defaults");
    }
  }

  /**
   * Points in the order of a payload key's values (Qdrant's {@code order_by} query), each with its
   * order value; scores are 0. Over prefetches it orders the prefetched points.
   */
  record OrderBy(io.quiver.storage.OrderBy ordering) implements Query {
    public OrderBy {
      Objects.requireNonNull(ordering, "ordering");
    }
  }

  /** A uniformly random sample. */
  record Sample() implements Query {}
}
