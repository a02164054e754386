package io.quiver.storage;

import java.math.BigDecimal;

/**
 * The value a point is ordered by in an {@code order_by} scroll or query (Qdrant's {@code
 * OrderValue}): a 64-bit integer (integer and datetime indexes; a datetime is its UTC microseconds)
 * or a double (float indexes). Integers and doubles compare by their exact numeric value; NaN is
 * above every number, as in Qdrant. Immutable.
 */
public final class OrderValue implements Comparable<OrderValue> {

  private final boolean integer;
  private final long longValue;
  private final double doubleValue;

  private OrderValue(boolean integer, long longValue, double doubleValue) {
    this.integer = integer;
    this.longValue = longValue;
    this.doubleValue = doubleValue;
  }

  public static OrderValue of(long value) {
    return new OrderValue(true, value, 0);
  }

  /** A double value; {@code -0.0} is taken as {@code 0.0} (they are equal payload values). */
  public static OrderValue of(double value) {
    return new OrderValue(false, 0, value + 0.0);
  }

  /**
   * True for an integer value ({@link #longValue()}), false for a double ({@link #doubleValue()}).
   */
  public boolean isInteger() {
    return integer;
  }

  public long longValue() {
    if (!integer) {
      throw new IllegalStateException("not an integer order value: " + this);
    }
    return longValue;
  }

  public double doubleValue() {
    return integer ? longValue : doubleValue;
  }

  @Override
  public int compareTo(OrderValue other) {
    if (integer && other.integer) {
      return Long.compare(longValue, other.longValue);
    }
    if (!integer && !other.integer) {
      return Double.compare(doubleValue, other.doubleValue);
    }
    return integer
        ? compareExact(longValue, other.doubleValue)
        : -compareExact(other.longValue, doubleValue);
  }

  /**
   * A long against a double by exact value: NaN is above everything, infinities beyond every long.
   */
  private static int compareExact(long a, double b) {
    if (Double.isNaN(b) || b == Double.POSITIVE_INFINITY) {
      return -1;
    }
    if (b == Double.NEGATIVE_INFINITY) {
      return 1;
    }
    return BigDecimal.valueOf(a).compareTo(new BigDecimal(b));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OrderValue v && compareTo(v) == 0 && integer == v.integer;
  }

  @Override
  public int hashCode() {
    return integer ? Long.hashCode(longValue) : Double.hashCode(doubleValue);
  }

  @Override
  public String toString() {
    return integer ? Long.toString(longValue) : Double.toString(doubleValue);
  }
}
