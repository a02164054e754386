package io.quiver.storage.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link Condition.Field} asks of the values at its key: one of Qdrant's {@code match},
 * {@code range}, {@code geo_*} or {@code values_count} clauses. {@link #test} is applied to each
 * value found at the key; except for {@link ValuesCount}, a value that is an array is tested
 * element by element (one level), and the condition holds if any element passes — Qdrant's {@code
 * ValueChecker::_check} (lib/segment/src/payload_storage/condition_checker.rs).
 *
 * <p>All implementations are immutable and thread-safe; {@link #test} allocates nothing.
 */
public sealed interface FieldPredicate extends ValueTest {

  /** Tests one value that is not itself flattened any further. */
  boolean testScalar(JsonNode value);

  /** Tests one value found at the key: any element of an array, or the value itself. */
  @Override
  default boolean test(JsonNode value) {
    if (value.isArray()) {
      for (int i = 0, n = value.size(); i < n; i++) {
        if (testScalar(value.get(i))) {
          return true;
        }
      }
      return false;
    }
    return testScalar(value);
  }

  /** {@code match: {value: "text"}}: a string equal to this one. */
  record MatchKeyword(String value) implements FieldPredicate {
    public MatchKeyword {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public boolean testScalar(JsonNode v) {
      return v.isTextual() && v.textValue().equals(value);
    }
  }

  /**
   * {@code match: {value: 42}}: an integer equal to this one (a float such as 42.0 never matches).
   */
  record MatchInteger(long value) implements FieldPredicate {
    @Override
    public boolean testScalar(JsonNode v) {
      return isInt64(v) && v.longValue() == value;
    }
  }

  /** {@code match: {value: true}}. */
  record MatchBool(boolean value) implements FieldPredicate {
    @Override
    public boolean testScalar(JsonNode v) {
      return v.isBoolean() && v.booleanValue() == value;
    }
  }

  /** {@code match: {any: ["a", "b"]}}: a string among these. */
  record MatchAnyKeywords(Set<String> values) implements FieldPredicate {
    public MatchAnyKeywords {
      values = Set.copyOf(values);
    }

    @Override
    public boolean testScalar(JsonNode v) {
      return v.isTextual() && values.contains(v.textValue());
    }
  }

  /** {@code match: {any: [1, 2]}}: an integer among these. */
  record MatchAnyIntegers(long[] values) implements FieldPredicate {
    public MatchAnyIntegers {
      values = sortedDistinct(values);
    }

    @Override
    public boolean testScalar(JsonNode v) {
      return isInt64(v) && Arrays.binarySearch(values, v.longValue()) >= 0;
    }

    /** A copy, sorted and without duplicates. */
    @Override
    public long[] values() {
      return values.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MatchAnyIntegers m && Arrays.equals(values, m.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "MatchAnyIntegers" + Arrays.toString(values);
    }
  }

  /**
   * {@code match: {except: ["a", "b"]}}: a value that is not one of these strings. As in Qdrant, a
   * {@code null} never matches and any non-string value (number, bool, object, nested array) does.
   */
  record MatchExceptKeywords(Set<String> values) implements FieldPredicate {
    public MatchExceptKeywords {
      values = Set.copyOf(values);
    }

    @Override
    public boolean testScalar(JsonNode v) {
      if (v.isTextual()) {
        return !values.contains(v.textValue());
      }
      return !v.isNull();
    }
  }

  /**
   * {@code match: {except: [1, 2]}}: a value that is not one of these integers; {@code null} never
   * matches, any other non-integer value does.
   */
  record MatchExceptIntegers(long[] values) implements FieldPredicate {
    public MatchExceptIntegers {
      values = sortedDistinct(values);
    }

    @Override
    public boolean testScalar(JsonNode v) {
      if (isInt64(v)) {
        return Arrays.binarySearch(values, v.longValue()) < 0;
      }
      return !v.isNull();
    }

    /** A copy, sorted and without duplicates. */
    @Override
    public long[] values() {
      return values.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MatchExceptIntegers m && Arrays.equals(values, m.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "MatchExceptIntegers" + Arrays.toString(values);
    }
  }

  /**
   * {@code match: {text: "..."}}: without a full-text index, a string containing this substring.
   */
  record MatchText(String text) implements FieldPredicate {
    public MatchText {
      Objects.requireNonNull(text, "text");
    }

    @Override
    public boolean testScalar(JsonNode v) {
      return v.isTextual() && v.textValue().contains(text);
    }
  }

  /** {@code match: {phrase: "..."}}: without a full-text index, the same substring test as text. */
  record MatchPhrase(String phrase) implements FieldPredicate {
    public MatchPhrase {
      Objects.requireNonNull(phrase, "phrase");
    }

    @Override
    public boolean testScalar(JsonNode v) {
      return v.isTextual() && v.textValue().contains(phrase);
    }
  }

  /**
   * {@code match: {text_any: "..."}}: without an index, a string containing at least one of the
   * whitespace-separated tokens of the query (none if the query is blank).
   */
  record MatchTextAny(String textAny, List<String> tokens) implements FieldPredicate {
    public MatchTextAny(String textAny) {
      this(textAny, null);
    }

    /** {@code tokens} is always derived from {@code textAny}; the argument is ignored. */
    public MatchTextAny {
      tokens = tokenize(Objects.requireNonNull(textAny, "textAny"));
    }

    @Override
    public boolean testScalar(JsonNode v) {
      if (!v.isTextual()) {
        return false;
      }
      String s = v.textValue();
      for (int i = 0, n = tokens.size(); i < n; i++) {
        if (s.contains(tokens.get(i))) {
          return true;
        }
      }
      return false;
    }

    /** Splits on Unicode whitespace, as Rust's {@code str::split_whitespace}. */
    static List<String> tokenize(String text) {
      List<String> out = new ArrayList<>();
      int start = -1;
      for (int i = 0; i < text.length(); ) {
        int cp = text.codePointAt(i);
        boolean space = isWhiteSpace(cp);
        if (space && start >= 0) {
          out.add(text.substring(start, i));
          start = -1;
        } else if (!space && start < 0) {
          start = i;
        }
        i += Character.charCount(cp);
      }
      if (start >= 0) {
        out.add(text.substring(start));
      }
      return List.copyOf(out);
    }

    /** The Unicode White_Space property, which Rust's {@code char::is_whitespace} tests. */
    static boolean isWhiteSpace(int cp) {
      return (cp >= 0x09 && cp <= 0x0D)
          || cp == 0x20
          || cp == 0x85
          || cp == 0xA0
          || cp == 0x1680
          || (cp >= 0x2000 && cp <= 0x200A)
          || cp == 0x2028
          || cp == 0x2029
          || cp == 0x202F
          || cp == 0x205F
          || cp == 0x3000;
    }
  }

  /**
   * A full-text predicate ({@code text}, {@code text_any} or {@code phrase}, the {@code source})
   * decided as the field's full-text index decides it: {@code test} compares the value's tokens
   * with the query's after the index's analysis. The payload indexes build it to verify points when
   * they answer a filter only in part, so a point's result never depends on whether the index or
   * the verification decided it. Never encoded: the codec writes the {@code source}.
   */
  record IndexedText(FieldPredicate source, java.util.function.Predicate<String> test)
      implements FieldPredicate {
    public IndexedText {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(test, "test");
    }

    @Override
    public boolean testScalar(JsonNode v) {
      return v.isTextual() && test.test(v.textValue());
    }
  }

  /** {@code match: {prefix: "..."}}: a string starting with this prefix (case-sensitive). */
  record MatchPrefix(String prefix) implements FieldPredicate {
    public MatchPrefix {
      Objects.requireNonNull(prefix, "prefix");
    }

    @Override
    public boolean testScalar(JsonNode v) {
      return v.isTextual() && v.textValue().startsWith(prefix);
    }
  }

  /**
   * {@code range} over numbers; a null bound is absent. Integers and floats both compare as
   * doubles.
   */
  record NumberRange(Double gt, Double gte, Double lt, Double lte) implements FieldPredicate {
    public NumberRange {
      for (Double b : new Double[] {gt, gte, lt, lte}) {
        if (b != null && b.isNaN()) {
          throw new IllegalArgumentException("range bound is NaN");
        }
      }
    }

    @Override
    public boolean testScalar(JsonNode v) {
      if (!v.isNumber()) {
        return false;
      }
      double x = v.doubleValue();
      return (gt == null || x > gt)
          && (gte == null || x >= gte)
          && (lt == null || x < lt)
          && (lte == null || x <= lte);
    }
  }

  /**
   * {@code range} over date/times, bounds in microseconds since the epoch (UTC); a null bound is
   * absent. Matches string values that {@link Datetimes#parseMicros} reads.
   */
  record DatetimeRange(Long gt, Long gte, Long lt, Long lte) implements FieldPredicate {
    @Override
    public boolean testScalar(JsonNode v) {
      if (!v.isTextual()) {
        return false;
      }
      long x = Datetimes.parseMicros(v.textValue());
      if (x == Datetimes.INVALID) {
        return false;
      }
      return (gt == null || x > gt)
          && (gte == null || x >= gte)
          && (lt == null || x < lt)
          && (lte == null || x <= lte);
    }
  }

  /**
   * {@code geo_bounding_box}: a {@code {lat, lon}} object strictly inside the box. When {@code
   * topLeft.lon > bottomRight.lon} the box crosses the antimeridian, as in Qdrant.
   */
  record GeoBoundingBox(GeoPoint topLeft, GeoPoint bottomRight) implements FieldPredicate {
    public GeoBoundingBox {
      Objects.requireNonNull(topLeft, "topLeft");
      Objects.requireNonNull(bottomRight, "bottomRight");
    }

    @Override
    public boolean testScalar(JsonNode v) {
      if (!isGeo(v)) {
        return false;
      }
      double lat = v.get("lat").doubleValue();
      double lon = v.get("lon").doubleValue();
      boolean lonOk =
          topLeft.lon() > bottomRight.lon()
              ? lon > topLeft.lon() || lon < bottomRight.lon()
              : topLeft.lon() < lon && lon < bottomRight.lon();
      return lonOk && bottomRight.lat() < lat && lat < topLeft.lat();
    }
  }

  /**
   * {@code geo_radius}: a {@code {lat, lon}} object whose haversine distance to the center is below
   * the radius (meters).
   */
  record GeoRadius(GeoPoint center, double radiusMeters) implements FieldPredicate {
    public GeoRadius {
      Objects.requireNonNull(center, "center");
      if (Double.isNaN(radiusMeters)) {
        throw new IllegalArgumentException("radius is NaN");
      }
    }

    @Override
    public boolean testScalar(JsonNode v) {
      return isGeo(v)
          && Geo.haversineMeters(
                  center.lat(),
                  center.lon(),
                  v.get("lat").doubleValue(),
                  v.get("lon").doubleValue())
              < radiusMeters;
    }
  }

  /**
   * {@code geo_polygon}: a {@code {lat, lon}} object strictly inside the exterior ring and outside
   * every interior ring (planar, lon as x). Each ring has at least 4 points and is closed (first
   * point equals last).
   */
  record GeoPolygon(
      List<GeoPoint> exterior,
      List<List<GeoPoint>> interiors,
      double[] exteriorRing,
      List<double[]> interiorRings)
      implements FieldPredicate {

    public GeoPolygon(List<GeoPoint> exterior, List<List<GeoPoint>> interiors) {
      this(exterior, interiors, null, null);
    }

    /** The two ring arrays are always derived from the point lists; those arguments are ignored. */
    public GeoPolygon {
      exterior = List.copyOf(exterior);
      interiors = interiors.stream().map(List::copyOf).toList();
      validateRing(exterior, "exterior");
      for (List<GeoPoint> interior : interiors) {
        validateRing(interior, "interior");
      }
      exteriorRing = ring(exterior);
      interiorRings = interiors.stream().map(GeoPolygon::ring).toList();
    }

    /** Qdrant's {@code GeoPolygon::validate_line_string}. */
    static void validateRing(List<GeoPoint> ring, String what) {
      if (ring.size() < 4) {
        throw new IllegalArgumentException(
            "polygon invalid: the "
                + what
                + " ring must have at least 4 points, got "
                + ring.size());
      }
      GeoPoint first = ring.getFirst();
      GeoPoint last = ring.getLast();
      if (Math.abs(first.lat() - last.lat()) > Math.ulp(1.0)
          || Math.abs(first.lon() - last.lon()) > Math.ulp(1.0)) {
        throw new IllegalArgumentException(
            "polygon invalid: the first and the last points of the "
                + what
                + " ring should be the same to form a closed line");
      }
    }

    private static double[] ring(List<GeoPoint> points) {
      double[] out = new double[points.size() * 2];
      for (int i = 0; i < points.size(); i++) {
        out[2 * i] = points.get(i).lat();
        out[2 * i + 1] = points.get(i).lon();
      }
      return out;
    }

    /** A copy: lat, lon pairs of the exterior ring. */
    @Override
    public double[] exteriorRing() {
      return exteriorRing.clone();
    }

    /** A copy: lat, lon pairs of each interior ring. */
    @Override
    public List<double[]> interiorRings() {
      return interiorRings.stream().map(double[]::clone).toList();
    }

    @Override
    public boolean testScalar(JsonNode v) {
      return isGeo(v)
          && Geo.polygonContains(
              exteriorRing, interiorRings, v.get("lat").doubleValue(), v.get("lon").doubleValue());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof GeoPolygon p
          && exterior.equals(p.exterior)
          && interiors.equals(p.interiors);
    }

    @Override
    public int hashCode() {
      return 31 * exterior.hashCode() + interiors.hashCode();
    }

    @Override
    public String toString() {
      return "GeoPolygon[exterior=" + exterior + ", interiors=" + interiors + "]";
    }
  }

  /**
   * {@code values_count}: the number of values of one value found at the key — the length of an
   * array, 0 for {@code null}, 1 for anything else; a missing key counts 0 (qdrant/qdrant#9607).
   * Null bounds are absent.
   */
  record ValuesCount(Integer gt, Integer gte, Integer lt, Integer lte) implements FieldPredicate {
    public ValuesCount {
      for (Integer b : new Integer[] {gt, gte, lt, lte}) {
        if (b != null && b < 0) {
          throw new IllegalArgumentException("values_count bound must be >= 0, got " + b);
        }
      }
    }

    public boolean testCount(int count) {
      return (gt == null || count > gt)
          && (gte == null || count >= gte)
          && (lt == null || count < lt)
          && (lte == null || count <= lte);
    }

    @Override
    public boolean test(JsonNode v) {
      return testScalar(v);
    }

    @Override
    public boolean testScalar(JsonNode v) {
      return testCount(v.isNull() ? 0 : v.isArray() ? v.size() : 1);
    }
  }

  private static boolean isInt64(JsonNode v) {
    return v.isIntegralNumber() && v.canConvertToLong();
  }

  private static boolean isGeo(JsonNode v) {
    if (!v.isObject()) {
      return false;
    }
    JsonNode lat = v.get("lat");
    JsonNode lon = v.get("lon");
    return lat != null && lon != null && lat.isNumber() && lon.isNumber();
  }

  private static long[] sortedDistinct(long[] values) {
    return Arrays.stream(values).sorted().distinct().toArray();
  }
}
