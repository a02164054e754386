package io.quiver.storage;

import io.quiver.storage.filter.JsonPath;
import java.util.Objects;

/**
 * Points in the order of the values at a payload key (Qdrant's {@code order_by}): ascending or
 * descending, from {@code startFrom} (inclusive; null: from the lowest value ascending, the highest
 * descending). A point appears once per distinct value it holds at the key (an array of three
 * values: up to three times); ties are broken by point id, ascending for {@link Direction#ASC} and
 * descending for {@link Direction#DESC}, so a descending order is exactly the ascending one
 * reversed. Needs a range-capable payload index on the key (integer with {@code range}, float,
 * datetime).
 */
public record OrderBy(JsonPath key, Direction direction, OrderValue startFrom) {

  public enum Direction {
    ASC,
    DESC
  }

  public OrderBy {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(direction, "direction");
  }

  public boolean descending() {
    return direction == Direction.DESC;
  }

  /** Whether {@code value} lies at or after {@link #startFrom()} in this direction. */
  public boolean admits(OrderValue value) {
    if (startFrom == null) {
      return true;
    }
    int c = value.compareTo(startFrom);
    return descending() ? c <= 0 : c >= 0;
  }

  /**
   * The order of (value, id) pairs this ordering returns: by value, then by id; reversed as a whole
   * when descending.
   */
  public int compare(OrderValue valueA, PointId idA, OrderValue valueB, PointId idB) {
    int c = valueA.compareTo(valueB);
    if (c == 0) {
      c = idA.compareTo(idB);
    }
    return descending() ? -c : c;
  }

  /** Qdrant's message when the key has no range-capable index. */
  public String missingIndexMessage() {
    return "Wrong input: No range index for `order_by` key: `"
        + key
        + "`. Please create one to use `order_by`. "
        + "Check https://qdrant.tech/documentation/concepts/indexing/#payload-index to see which payload schemas "
        + "support Range conditions";
  }
}
