package io.quiver.storage.filter;

import io.quiver.storage.PointId;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One clause of a {@link Filter}: Qdrant's {@code Condition}. Every implementation is an immutable
 * value (equals by content) and thread-safe. A {@link Filter} is itself a condition, which is how
 * filters nest.
 */
public sealed interface Condition
    permits Filter,
        Condition.Field,
        Condition.IsEmpty,
        Condition.IsNull,
        Condition.HasId,
        Condition.HasVector,
        Condition.Nested,
        Condition.Slice,
        Condition.OwnedBy {

  /** {@code {"key": ..., "match"|"range"|...: ...}}: a test of the values found at {@code key}. */
  record Field(JsonPath key, FieldPredicate predicate) implements Condition {
    public Field {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(predicate, "predicate");
    }
  }

  /**
   * {@code {"is_empty": {"key": ...}}}: the key is missing, {@code null} or {@code []} (every
   * value, if several).
   */
  record IsEmpty(JsonPath key) implements Condition {
    public IsEmpty {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * {@code {"is_null": {"key": ...}}}: some value at the key is {@code null} or an array holding a
   * {@code null}.
   */
  record IsNull(JsonPath key) implements Condition {
    public IsNull {
      Objects.requireNonNull(key, "key");
    }
  }

  /** {@code {"has_id": [...]}}: the point's id is one of these. */
  record HasId(Set<PointId> ids) implements Condition {
    public HasId {
      ids = Set.copyOf(ids);
    }
  }

  /**
   * {@code {"has_vector": "name"}}: the point has this named vector ({@code ""} is the unnamed
   * one).
   */
  record HasVector(String vector) implements Condition {
    public HasVector {
      Objects.requireNonNull(vector, "vector");
    }
  }

  /**
   * {@code {"nested": {"key": ..., "filter": ...}}}: some object of the array at {@code key}
   * matches {@code filter} on its own, keys inside the filter being relative to that object. {@link
   * #key()} is stored as given; evaluation appends {@code []} when it does not already end with
   * one.
   */
  record Nested(JsonPath key, Filter filter) implements Condition {
    public Nested {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(filter, "filter");
    }
  }

  /**
   * {@code {"slice": {"index": i, "total": n}}}: the point falls in slice {@code i} of {@code n}
   * disjoint slices of the id space: {@code siphash24(zero key, canonical id bytes) mod n == i}.
   */
  record Slice(int index, int total) implements Condition {
    public Slice {
      if (total < 1 || index < 0 || index >= total) {
        throw new IllegalArgumentException("slice index " + index + " out of [0, " + total + ")");
      }
    }
  }

  /**
   * The point belongs to shard {@code shard} of {@code shards} under {@code hashing}. Not part of
   * Qdrant's filter language: the router adds it while a collection is resharded, so that each
   * shard answers only for the points it owns (a shard may hold copies of points moving to or from
   * it), and a shard's cleanup deletes what it does not own.
   */
  record OwnedBy(io.quiver.storage.PointHashing hashing, int shard, int shards)
      implements Condition {
    public OwnedBy {
      Objects.requireNonNull(hashing, "hashing");
      if (shards < 1 || shard < 0 || shard >= shards) {
        throw new IllegalArgumentException("shard " + shard + " out of [0, " + shards + ")");
      }
    }
  }

  /** {@code min_should}: at least {@code minCount} of {@code conditions} match. */
  record MinShould(List<Condition> conditions, int minCount) {
    public MinShould {
      conditions = List.copyOf(conditions);
      if (minCount < 1) {
        throw new IllegalArgumentException("min_count must be >= 1, got " + minCount);
      }
    }
  }
}
