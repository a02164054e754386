package io.quiver.storage.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Evaluates a {@link Filter} against one point by reading its payload tree: the no-index path of
 * Qdrant's {@code check_payload} (lib/segment/src/payload_storage/query_checker.rs). Stateless,
 * thread-safe, and allocation-free apart from what a {@code has_vector} predicate or a {@code
 * slice} hash does.
 *
 * <pre>
 *   Filter ── must / should / must_not / min_should ──▶ Condition
 *     Field(key, predicate) ──▶ values at key ──▶ any value passes predicate (missing: see below)
 *     IsEmpty / IsNull     ──▶ values at key ──▶ all empty / any null-ish
 *     Nested(key, filter)  ──▶ objects at key[] ──▶ any object passes filter (as a payload root)
 *     HasId / HasVector / Slice ──▶ the point's id and vectors
 * </pre>
 */
public final class FilterEvaluator {

  /** No values exist at the path. */
  private static final int ABSENT = 0;

  /** Values exist, none passed the test. */
  private static final int NO_MATCH = 1;

  /** At least one value passed. */
  private static final int MATCH = 2;

  private static final ValueTest NOT_EMPTY = v -> !(v.isNull() || (v.isArray() && v.isEmpty()));
  private static final ValueTest NULLISH = FilterEvaluator::isNullish;
  private static final Predicate<String> NO_VECTORS = name -> false;

  private FilterEvaluator() {}

  /**
   * Whether the point passes the filter.
   *
   * @param id the point's id, for {@code has_id} and {@code slice}
   * @param payload the point's payload ({@link Payload#EMPTY} when it has none)
   * @param hasVector whether the point has the named vector, for {@code has_vector}; called only
   *     when the filter has such a condition, from the calling thread
   */
  public static boolean matches(
      Filter filter, PointId id, Payload payload, Predicate<String> hasVector) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(hasVector, "hasVector");
    return matches(filter, id, payload.tree(), hasVector);
  }

  /** {@code id == null} inside {@code nested}, where Qdrant does not support id conditions. */
  private static boolean matches(
      Filter filter, PointId id, ObjectNode root, Predicate<String> hasVector) {
    List<Condition> should = filter.should();
    if (should != null && !any(should, id, root, hasVector)) {
      return false;
    }
    Condition.MinShould minShould = filter.minShould();
    if (minShould != null
        && !atLeast(minShould.conditions(), minShould.minCount(), id, root, hasVector)) {
      return false;
    }
    List<Condition> must = filter.must();
    for (int i = 0, n = must.size(); i < n; i++) {
      if (!check(must.get(i), id, root, hasVector)) {
        return false;
      }
    }
    List<Condition> mustNot = filter.mustNot();
    for (int i = 0, n = mustNot.size(); i < n; i++) {
      if (check(mustNot.get(i), id, root, hasVector)) {
        return false;
      }
    }
    return true;
  }

  private static boolean any(
      List<Condition> conditions, PointId id, ObjectNode root, Predicate<String> hasVector) {
    for (int i = 0, n = conditions.size(); i < n; i++) {
      if (check(conditions.get(i), id, root, hasVector)) {
        return true;
      }
    }
    return false;
  }

  private static boolean atLeast(
      List<Condition> conditions,
      int count,
      PointId id,
      ObjectNode root,
      Predicate<String> hasVector) {
    int matched = 0;
    for (int i = 0, n = conditions.size(); i < n && matched < count; i++) {
      if (check(conditions.get(i), id, root, hasVector)) {
        matched++;
      }
    }
    return matched >= count;
  }

  private static boolean check(
      Condition condition, PointId id, ObjectNode root, Predicate<String> hasVector) {
    return switch (condition) {
      case Filter f -> matches(f, id, root, hasVector);
      case Condition.Field f -> checkField(f, root);
      // Empty: every value is null or [] (a missing key has none, so it is empty).
      case Condition.IsEmpty e -> visit(e.key(), root, NOT_EMPTY) != MATCH;
      case Condition.IsNull n -> visit(n.key(), root, NULLISH) == MATCH;
      case Condition.HasId h -> id != null && h.ids().contains(id);
      case Condition.HasVector v -> hasVector.test(v.vector());
      case Condition.Slice s ->
          id != null && Long.remainderUnsigned(SipHash.ofPointId(id), s.total()) == s.index();
      case Condition.OwnedBy o -> id != null && o.hashing().shardOf(id, o.shards()) == o.shard();
      case Condition.Nested n -> checkNested(n, root);
    };
  }

  private static boolean checkField(Condition.Field field, ObjectNode root) {
    FieldPredicate predicate = field.predicate();
    int result = visit(field.key(), root, predicate);
    if (result == ABSENT) {
      // Qdrant's check_empty: only values_count has an opinion about a missing key (count 0).
      return predicate instanceof FieldPredicate.ValuesCount count && count.testCount(0);
    }
    return result == MATCH;
  }

  private static boolean checkNested(Condition.Nested nested, ObjectNode root) {
    JsonPath path = nested.key().arrayKey();
    Filter inner = nested.filter();
    // Each object element is a payload root of its own; has_id and has_vector never match inside.
    ValueTest test = v -> v.isObject() && matches(inner, null, (ObjectNode) v, NO_VECTORS);
    return visit(path, root, test) == MATCH;
  }

  /** A value that is null, or an array holding a null (qdrant/qdrant#10101). */
  private static boolean isNullish(JsonNode v) {
    if (v.isNull()) {
      return true;
    }
    if (v.isArray()) {
      for (int i = 0, n = v.size(); i < n; i++) {
        if (v.get(i).isNull()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Applies {@code test} to every value at {@code path}, stopping at the first that passes.
   * Navigation follows Qdrant's {@code value_get}: {@code .key} steps into objects only, {@code
   * [n]} and {@code []} into arrays only; anything else yields no value. An explicit {@code null}
   * at the end of the path is a value.
   *
   * @return {@link #ABSENT}, {@link #NO_MATCH} or {@link #MATCH}
   */
  private static int visit(JsonPath path, ObjectNode root, ValueTest test) {
    JsonNode first = root.get(path.firstKey());
    if (first == null) {
      return ABSENT;
    }
    return visit(path.rest(), 0, first, test);
  }

  private static int visit(List<JsonPath.Step> steps, int at, JsonNode node, ValueTest test) {
    if (at == steps.size()) {
      return test.test(node) ? MATCH : NO_MATCH;
    }
    return switch (steps.get(at)) {
      case JsonPath.Key k -> {
        JsonNode child = node.isObject() ? node.get(k.name()) : null;
        yield child == null ? ABSENT : visit(steps, at + 1, child, test);
      }
      case JsonPath.Index i -> {
        JsonNode child = node.isArray() ? node.get(i.index()) : null;
        yield child == null ? ABSENT : visit(steps, at + 1, child, test);
      }
      case JsonPath.Wildcard w -> {
        int result = ABSENT;
        if (node.isArray()) {
          for (int i = 0, n = node.size(); i < n && result != MATCH; i++) {
            result = Math.max(result, visit(steps, at + 1, node.get(i), test));
          }
        }
        yield result;
      }
    };
  }
}
