package io.quiver.storage.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.storage.PointId;
import java.awt.geom.Path2D;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deliberately plain model of Qdrant's filter semantics for the randomized tests: it converts the
 * payload to java.util maps and lists, collects all values at a path into a list, and applies each
 * rule as written in the package documentation, with java.time for date/times and {@link Path2D}
 * for polygons. It shares no evaluation code with {@link FilterEvaluator}.
 */
final class Oracle {

  /** JSON null (a present value, unlike a missing key). */
  static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  private Oracle() {}

  static Object plain(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(v -> list.add(plain(v)));
      return list;
    }
    if (node.isNull()) {
      return NULL;
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return node.textValue();
  }

  @SuppressWarnings("unchecked")
  static boolean matches(
      Filter f, PointId id, Map<String, Object> root, Set<String> vectors, boolean nested) {
    boolean must = f.must().stream().allMatch(c -> check(c, id, root, vectors, nested));
    boolean mustNot = f.mustNot().stream().noneMatch(c -> check(c, id, root, vectors, nested));
    boolean should =
        f.should() == null
            || f.should().stream().anyMatch(c -> check(c, id, root, vectors, nested));
    boolean minShould =
        f.minShould() == null
            || f.minShould().conditions().stream()
                    .filter(c -> check(c, id, root, vectors, nested))
                    .count()
                >= f.minShould().minCount();
    return must && mustNot && should && minShould;
  }

  @SuppressWarnings("unchecked")
  private static boolean check(
      Condition c, PointId id, Map<String, Object> root, Set<String> vectors, boolean nested) {
    if (c instanceof Filter f) {
      return matches(f, id, root, vectors, nested);
    } else if (c instanceof Condition.Field f) {
      List<Object> values = values(root, f.key());
      if (f.predicate() instanceof FieldPredicate.ValuesCount count) {
        return values.isEmpty()
            ? count.testCount(0)
            : values.stream().anyMatch(v -> count.testCount(countOf(v)));
      }
      return values.stream()
          .anyMatch(
              v ->
                  v instanceof List<?> l
                      ? l.stream().anyMatch(e -> test(f.predicate(), e))
                      : test(f.predicate(), v));
    } else if (c instanceof Condition.IsEmpty e) {
      return values(root, e.key()).stream()
          .allMatch(v -> v == NULL || (v instanceof List<?> l && l.isEmpty()));
    } else if (c instanceof Condition.IsNull n) {
      return values(root, n.key()).stream()
          .anyMatch(v -> v == NULL || (v instanceof List<?> l && l.contains(NULL)));
    } else if (c instanceof Condition.HasId h) {
      return !nested && h.ids().contains(id);
    } else if (c instanceof Condition.HasVector v) {
      return !nested && vectors.contains(v.vector());
    } else if (c instanceof Condition.Slice s) {
      return !nested
          && Long.remainderUnsigned(SipHash.bytes(0, 0, idBytes(id)), s.total()) == s.index();
    } else if (c instanceof Condition.Nested n) {
      return values(root, n.key().arrayKey()).stream()
          .anyMatch(
              v ->
                  v instanceof Map<?, ?> m
                      && matches(n.filter(), id, (Map<String, Object>) m, vectors, true));
    }
    throw new AssertionError(c);
  }

  static List<Object> values(Map<String, Object> root, JsonPath path) {
    List<Object> current =
        root.containsKey(path.firstKey()) ? List.of(root.get(path.firstKey())) : List.of();
    for (JsonPath.Step step : path.rest()) {
      List<Object> next = new ArrayList<>();
      for (Object v : current) {
        if (step instanceof JsonPath.Key k && v instanceof Map<?, ?> m && m.containsKey(k.name())) {
          next.add(m.get(k.name()));
        } else if (step instanceof JsonPath.Index i
            && v instanceof List<?> l
            && i.index() < l.size()) {
          next.add(l.get(i.index()));
        } else if (step instanceof JsonPath.Wildcard && v instanceof List<?> l) {
          next.addAll(l);
        }
      }
      current = next;
    }
    return current;
  }

  private static int countOf(Object v) {
    return v == NULL ? 0 : v instanceof List<?> l ? l.size() : 1;
  }

  private static boolean test(FieldPredicate p, Object v) {
    return switch (p) {
      case FieldPredicate.MatchKeyword m -> m.value().equals(v);
      case FieldPredicate.MatchInteger m -> v instanceof Long l && l == m.value();
      case FieldPredicate.MatchBool m -> v instanceof Boolean b && b == m.value();
      case FieldPredicate.MatchAnyKeywords m -> v instanceof String s && m.values().contains(s);
      case FieldPredicate.MatchAnyIntegers m ->
          v instanceof Long l && Arrays.stream(m.values()).anyMatch(x -> x == l);
      case FieldPredicate.MatchExceptKeywords m ->
          v != NULL && !(v instanceof String s && m.values().contains(s));
      case FieldPredicate.MatchExceptIntegers m ->
          v != NULL && !(v instanceof Long l && Arrays.stream(m.values()).anyMatch(x -> x == l));
      case FieldPredicate.MatchText m -> v instanceof String s && s.contains(m.text());
      case FieldPredicate.MatchPhrase m -> v instanceof String s && s.contains(m.phrase());
      case FieldPredicate.MatchTextAny m ->
          v instanceof String s
              && Arrays.stream(m.textAny().split("\\s+"))
                  .filter(t -> !t.isEmpty())
                  .anyMatch(s::contains);
      case FieldPredicate.MatchPrefix m -> v instanceof String s && s.startsWith(m.prefix());
      case FieldPredicate.IndexedText m -> v instanceof String s && m.test().test(s);
      case FieldPredicate.NumberRange r ->
          number(v) != null && inRange(number(v), r.gt(), r.gte(), r.lt(), r.lte());
      case FieldPredicate.DatetimeRange r -> {
        Long micros = v instanceof String s ? datetime(s) : null;
        yield micros != null
            && (r.gt() == null || micros > r.gt())
            && (r.gte() == null || micros >= r.gte())
            && (r.lt() == null || micros < r.lt())
            && (r.lte() == null || micros <= r.lte());
      }
      case FieldPredicate.GeoBoundingBox b -> {
        double[] g = geo(v);
        if (g == null) {
          yield false;
        }
        boolean crosses = b.topLeft().lon() > b.bottomRight().lon();
        boolean lon =
            crosses
                ? (g[1] > b.topLeft().lon() || g[1] < b.bottomRight().lon())
                : (g[1] > b.topLeft().lon() && g[1] < b.bottomRight().lon());
        yield lon && g[0] > b.bottomRight().lat() && g[0] < b.topLeft().lat();
      }
      case FieldPredicate.GeoRadius r -> {
        double[] g = geo(v);
        yield g != null
            && haversine(r.center().lat(), r.center().lon(), g[0], g[1]) < r.radiusMeters();
      }
      case FieldPredicate.GeoPolygon poly -> {
        double[] g = geo(v);
        if (g == null) {
          yield false;
        }
        Path2D.Double path = new Path2D.Double(Path2D.WIND_EVEN_ODD);
        addRing(path, poly.exterior());
        poly.interiors().forEach(ring -> addRing(path, ring));
        yield path.contains(g[1], g[0]);
      }
      case FieldPredicate.ValuesCount c -> c.testCount(countOf(v));
    };
  }

  private static Double number(Object v) {
    if (v instanceof Long l) {
      return l.doubleValue();
    }
    if (v instanceof BigInteger b) {
      return b.doubleValue();
    }
    return v instanceof Double x ? x : null;
  }

  private static boolean inRange(double x, Double gt, Double gte, Double lt, Double lte) {
    return (gt == null || x > gt)
        && (gte == null || x >= gte)
        && (lt == null || x < lt)
        && (lte == null || x <= lte);
  }

  private static double[] geo(Object v) {
    if (v instanceof Map<?, ?> m && number(m.get("lat")) != null && number(m.get("lon")) != null) {
      return new double[] {number(m.get("lat")), number(m.get("lon"))};
    }
    return null;
  }

  private static void addRing(Path2D.Double path, List<GeoPoint> ring) {
    path.moveTo(ring.getFirst().lon(), ring.getFirst().lat());
    ring.stream().skip(1).forEach(p -> path.lineTo(p.lon(), p.lat()));
    path.closePath();
  }

  static double haversine(double lat1, double lon1, double lat2, double lon2) {
    double dLat = Math.toRadians(lat2 - lat1);
    double dLon = Math.toRadians(lon2 - lon1);
    double a =
        Math.pow(Math.sin(dLat / 2), 2)
            + Math.cos(Math.toRadians(lat1))
                * Math.cos(Math.toRadians(lat2))
                * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
  }

  private static final Pattern DATETIME =
      Pattern.compile(
          "(\\d{4}-\\d{2}-\\d{2})(?:([Tt ])(\\d{2}:\\d{2})(?::(\\d{2})(\\.\\d{1,9})?(Z|z|[+-]\\d{2}(?::?\\d{2})?)?)?)?");

  /** The date/time forms of the package documentation, via java.time; null when not one. */
  static Long datetime(String s) {
    Matcher m = DATETIME.matcher(s);
    if (!m.matches()) {
      return null;
    }
    try {
      if (m.group(2) == null) {
        return LocalDate.parse(m.group(1)).toEpochDay() * 86_400_000_000L;
      }
      String sep = m.group(2);
      if (m.group(4) == null && !sep.equals(" ")) {
        return null;
      }
      String zone = m.group(6);
      if (sep.equals("t")
          && zone != null
          && !zone.equalsIgnoreCase("z")
          && !zone.matches("[+-]\\d{2}:\\d{2}")) {
        return null;
      }
      String time =
          m.group(3)
              + ":"
              + (m.group(4) == null ? "00" : m.group(4))
              + (m.group(5) == null ? "" : m.group(5));
      LocalDateTime local = LocalDateTime.parse(m.group(1) + "T" + time);
      ZoneOffset offset =
          zone == null || zone.equalsIgnoreCase("z") ? ZoneOffset.UTC : ZoneOffset.of(zone);
      var instant = local.toInstant(offset);
      return Math.addExact(
          Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static byte[] idBytes(PointId id) {
    if (id.isUuid()) {
      return ByteBuffer.allocate(16)
          .putLong(id.uuid().getMostSignificantBits())
          .putLong(id.uuid().getLeastSignificantBits())
          .array();
    }
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(id.number()).array();
  }
}
