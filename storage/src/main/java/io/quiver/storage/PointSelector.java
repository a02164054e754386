package io.quiver.storage;

import io.quiver.storage.filter.Filter;
import java.util.List;
import java.util.Objects;

/** Which points an operation applies to: a list of ids, or every point a filter matches. */
public sealed interface PointSelector {

  /** These ids (absent ones are ignored). */
  record Ids(List<PointId> ids) implements PointSelector {
    public Ids {
      ids = List.copyOf(ids);
    }
  }

  /**
   * Every point the filter matches when the operation is applied (on each replica, in log order).
   */
  record ByFilter(Filter filter) implements PointSelector {
    public ByFilter {
      Objects.requireNonNull(filter, "filter");
    }
  }
}
