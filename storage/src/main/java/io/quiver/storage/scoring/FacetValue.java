package io.quiver.storage.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;

/**
 * One value a facet counts: a string, an integer or a boolean (Qdrant's {@code FacetValue}).
 * Exactly one of the three is meaningful, as {@link #kind} says. Ordered as Qdrant orders facet
 * values of equal count: by kind (string, integer, boolean), then by value.
 */
public record FacetValue(Kind kind, long integer, String string, boolean bool)
    implements Comparable<FacetValue> {

  public enum Kind {
    STRING,
    INTEGER,
    BOOL
  }

  private static final Comparator<FacetValue> ORDER =
      Comparator.comparing(FacetValue::kind)
          .thenComparingLong(FacetValue::integer)
          .thenComparing(FacetValue::string, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(FacetValue::bool);

  public static FacetValue of(long integer) {
    return new FacetValue(Kind.INTEGER, integer, null, false);
  }

  public static FacetValue of(String string) {
    return new FacetValue(Kind.STRING, 0, string, false);
  }

  public static FacetValue of(boolean bool) {
    return new FacetValue(Kind.BOOL, 0, null, bool);
  }

  /**
   * The facet value of a payload value, or null for values facets do not count (floats, objects,
   * null).
   */
  public static FacetValue of(JsonNode value) {
    if (value.isTextual()) {
      return of(value.asText());
    }
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return of(value.longValue());
    }
    if (value.isBoolean()) {
      return of(value.booleanValue());
    }
    return null;
  }

  @Override
  public int compareTo(FacetValue other) {
    return ORDER.compare(this, other);
  }
}
