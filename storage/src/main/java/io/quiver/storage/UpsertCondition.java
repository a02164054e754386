package io.quiver.storage;

import io.quiver.storage.filter.Filter;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The condition of an upsert: its {@link UpdateMode} and Qdrant's {@code update_filter}, which an
 * existing point must match to be replaced (a new point is inserted whatever the filter says,
 * unless the mode forbids inserts). {@link Shard#upsert} decides per point when it applies the
 * entry, from the shard's state at that point of the log.
 *
 * @param mode never null
 * @param updateFilter null when there is none
 */
public record UpsertCondition(UpdateMode mode, Filter updateFilter) {

  /** A plain upsert: every point is written. */
  public static final UpsertCondition NONE = new UpsertCondition(UpdateMode.UPSERT, null);

  public UpsertCondition {
    Objects.requireNonNull(mode, "mode");
  }

  /** Whether every point is written whatever the shard holds. */
  public boolean isUnconditional() {
    return mode == UpdateMode.UPSERT && updateFilter == null;
  }

  /**
   * Whether the point {@code id} is written.
   *
   * @param exists whether the shard holds a point with this id before the write
   * @param matchesFilter tests an existing point against {@link #updateFilter}; called only when it
   *     exists, the mode allows updates and there is a filter
   */
  public boolean writes(PointId id, boolean exists, Predicate<PointId> matchesFilter) {
    if (!exists) {
      return mode != UpdateMode.UPDATE_ONLY;
    }
    return mode != UpdateMode.INSERT_ONLY && (updateFilter == null || matchesFilter.test(id));
  }
}
