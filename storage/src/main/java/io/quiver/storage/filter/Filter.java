package io.quiver.storage.filter;

import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import java.util.List;
import java.util.function.Predicate;

/**
 * Qdrant's {@code Filter}: a point matches when every {@code must} condition matches, no {@code
 * must_not} condition matches, at least one {@code should} condition matches (when {@code should}
 * is given at all) and at least {@code min_count} of the {@code min_should} conditions match (when
 * given). A filter is also a {@link Condition}, so filters nest.
 *
 * <p>{@code should == null} means "not given" and is not the same as an empty list: Qdrant keeps an
 * explicit {@code "should": []} and then matches nothing (qdrant/qdrant#554, closed as intended).
 * {@code must} and {@code mustNot} are never null; an empty list constrains nothing.
 *
 * <p>Immutable and thread-safe.
 */
public record Filter(
    List<Condition> must,
    List<Condition> should,
    List<Condition> mustNot,
    Condition.MinShould minShould)
    implements Condition {

  /** The filter with no conditions: matches every point. */
  public static final Filter ALL = new Filter(List.of(), null, List.of(), null);

  public Filter {
    must = must == null ? List.of() : List.copyOf(must);
    should = should == null ? null : List.copyOf(should);
    mustNot = mustNot == null ? List.of() : List.copyOf(mustNot);
  }

  /** {@code filter} (null: none) and {@code condition} (null: none) together. */
  public static Filter and(Filter filter, Condition condition) {
    if (condition == null) {
      return filter;
    }
    return filter == null ? allOf(condition) : allOf(filter, condition);
  }

  /** {@code must}: all of these. */
  public static Filter allOf(Condition... conditions) {
    return new Filter(List.of(conditions), null, List.of(), null);
  }

  /** {@code should}: at least one of these (none if empty). */
  public static Filter anyOf(Condition... conditions) {
    return new Filter(List.of(), List.of(conditions), List.of(), null);
  }

  /** {@code must_not}: none of these. */
  public static Filter noneOf(Condition... conditions) {
    return new Filter(List.of(), null, List.of(conditions), null);
  }

  /** {@code min_should}: at least {@code minCount} of these. */
  public static Filter atLeast(int minCount, Condition... conditions) {
    return new Filter(List.of(), null, List.of(), new MinShould(List.of(conditions), minCount));
  }

  /**
   * Whether the point passes this filter; see {@link FilterEvaluator#matches}. Thread-safe, pure.
   *
   * @param hasVector whether the point has the named vector (for {@code has_vector})
   */
  /**
   * True when some condition of this filter reads the payload; false when it tests only ids and
   * vectors ({@code has_id}, {@code slice}, ownership, {@code has_vector}), so that a caller need
   * not load the payload.
   */
  public boolean readsPayload() {
    return readsPayload(must)
        || (should != null && readsPayload(should))
        || readsPayload(mustNot)
        || (minShould != null && readsPayload(minShould.conditions()));
  }

  private static boolean readsPayload(List<Condition> conditions) {
    for (Condition c : conditions) {
      boolean reads =
          switch (c) {
            case Filter f -> f.readsPayload();
            case Condition.HasId h -> false;
            case Condition.HasVector v -> false;
            case Condition.Slice s -> false;
            case Condition.OwnedBy o -> false;
            default -> true;
          };
      if (reads) {
        return true;
      }
    }
    return false;
  }

  public boolean matches(PointId id, Payload payload, Predicate<String> hasVector) {
    return FilterEvaluator.matches(this, id, payload, hasVector);
  }
}
