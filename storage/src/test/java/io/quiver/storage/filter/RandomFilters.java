package io.quiver.storage.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.PointId;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Random payloads and filters over small shared vocabularies, so that random conditions hit random
 * payloads often enough to be interesting (both matching and not).
 */
final class RandomFilters {

  static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  static final String[] KEYS = {"a", "b", "c", "d"};
  static final String[] WORDS = {"red", "green", "blue", "dark red", "", "Red", "re", "green tea"};
  static final String[] VECTORS = {"", "image", "text"};
  static final List<PointId> IDS =
      List.of(
          PointId.of(0),
          PointId.of(1),
          PointId.of(2),
          PointId.of(7),
          PointId.of(-1L),
          PointId.of(UUID.fromString("550e8400-e29b-41d4-a716-446655440000")),
          PointId.of(UUID.fromString("00000000-0000-0000-0000-000000000001")));
  static final String[] DATETIMES = {
    "2024-01-01",
    "2024-01-01T00:00:00Z",
    "2024-01-01T10:00:00",
    "2024-01-01 10:00",
    "2024-01-01T10:00:00.5+01:00",
    "2024-01-01T10:00:00-0130",
    "2024-01-01 09:59:59.999999Z",
    "2023-12-31T23:59:59+00",
    "2024-02-29T12:00:00z",
    "2024-01-01t10:00:00Z",
    "2024-06-15T12:30:00.123456789Z",
    "2024-13-01",
    "2023-02-29",
    "2024-01-01T10:00",
    "not a date",
    "2024-01-01T25:00:00Z",
    "2024-01-01T10:00:00+01:"
  };

  private final Random random;

  RandomFilters(Random random) {
    this.random = random;
  }

  // ---- payloads ----

  ObjectNode payload() {
    return object(3);
  }

  private ObjectNode object(int depth) {
    ObjectNode o = JSON.objectNode();
    for (String key : KEYS) {
      if (random.nextInt(3) > 0) {
        o.set(key, value(depth));
      }
    }
    return o;
  }

  private JsonNode value(int depth) {
    int kind = random.nextInt(depth > 0 ? 13 : 10);
    return switch (kind) {
      case 0, 1 -> JSON.numberNode(random.nextInt(7) - 3);
      case 2 ->
          random.nextInt(4) == 0
              ? JSON.numberNode(new BigInteger("18446744073709551615"))
              : JSON.numberNode(random.nextInt(7) - 3 + (random.nextBoolean() ? 0.5 : 0.0));
      case 3, 4 -> JSON.textNode(WORDS[random.nextInt(WORDS.length)]);
      case 5 -> JSON.booleanNode(random.nextBoolean());
      case 6 -> JSON.nullNode();
      case 7 -> geo();
      case 8 -> JSON.textNode(DATETIMES[random.nextInt(DATETIMES.length)]);
      case 9 -> JSON.arrayNode();
      case 10, 11 -> {
        ArrayNode a = JSON.arrayNode();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          a.add(value(depth - 1));
        }
        yield a;
      }
      default -> object(depth - 1);
    };
  }

  private ObjectNode geo() {
    ObjectNode g = JSON.objectNode();
    g.put("lat", 40 + random.nextDouble() * 20);
    g.put("lon", random.nextDouble() * 30);
    return g;
  }

  PointId id() {
    return IDS.get(random.nextInt(IDS.size()));
  }

  Set<String> vectors() {
    Set<String> out = new HashSet<>();
    for (String v : VECTORS) {
      if (random.nextBoolean()) {
        out.add(v);
      }
    }
    return out;
  }

  // ---- filters ----

  Filter filter(int depth) {
    return new Filter(
        random.nextInt(3) == 0 ? List.of() : conditions(depth, 1 + random.nextInt(2)),
        random.nextInt(3) == 0 ? conditions(depth, random.nextInt(3)) : null,
        random.nextInt(3) == 0 ? conditions(depth, 1 + random.nextInt(2)) : List.of(),
        random.nextInt(5) == 0
            ? new Condition.MinShould(conditions(depth, random.nextInt(4)), 1 + random.nextInt(2))
            : null);
  }

  private List<Condition> conditions(int depth, int count) {
    List<Condition> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(condition(depth));
    }
    return out;
  }

  Condition condition(int depth) {
    int kind = random.nextInt(depth > 0 ? 12 : 10);
    return switch (kind) {
      case 0, 1, 2, 3, 4 -> new Condition.Field(path(), predicate());
      case 5 -> new Condition.IsEmpty(path());
      case 6 -> new Condition.IsNull(path());
      case 7 -> {
        Set<PointId> ids = new HashSet<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          ids.add(id());
        }
        yield new Condition.HasId(ids);
      }
      case 8 ->
          random.nextBoolean()
              ? new Condition.HasVector(VECTORS[random.nextInt(VECTORS.length)])
              : slice();
      case 9 -> new Condition.Field(path(), predicate());
      case 10 -> new Condition.Nested(nestedPath(), filter(depth - 1));
      default -> filter(depth - 1);
    };
  }

  private Condition.Slice slice() {
    int total = 1 + random.nextInt(4);
    return new Condition.Slice(random.nextInt(total), total);
  }

  JsonPath path() {
    List<JsonPath.Step> steps = new ArrayList<>();
    int n = random.nextInt(3);
    for (int i = 0; i < n; i++) {
      steps.add(
          switch (random.nextInt(5)) {
            case 0 -> new JsonPath.Wildcard();
            case 1 -> new JsonPath.Index(random.nextInt(2));
            default -> new JsonPath.Key(KEYS[random.nextInt(KEYS.length)]);
          });
    }
    return new JsonPath(KEYS[random.nextInt(KEYS.length)], steps);
  }

  private JsonPath nestedPath() {
    JsonPath p = path();
    return random.nextBoolean() ? p.arrayKey() : p;
  }

  FieldPredicate predicate() {
    return switch (random.nextInt(17)) {
      case 0 -> new FieldPredicate.MatchKeyword(word());
      case 1 -> new FieldPredicate.MatchInteger(random.nextInt(7) - 3);
      case 2 -> new FieldPredicate.MatchBool(random.nextBoolean());
      case 3 -> new FieldPredicate.MatchAnyKeywords(Set.of(word(), word() + "x"));
      case 4 -> new FieldPredicate.MatchAnyIntegers(longs());
      case 5 ->
          new FieldPredicate.MatchExceptKeywords(random.nextBoolean() ? Set.of() : Set.of(word()));
      case 6 -> new FieldPredicate.MatchExceptIntegers(longs());
      case 7 -> new FieldPredicate.MatchText(random.nextBoolean() ? "re" : word());
      case 8 -> new FieldPredicate.MatchPhrase(random.nextBoolean() ? "dark r" : word());
      case 9 ->
          new FieldPredicate.MatchTextAny(random.nextBoolean() ? "tea blu" : word() + " " + word());
      case 10 -> new FieldPredicate.MatchPrefix(random.nextBoolean() ? "gr" : word());
      case 11 -> new FieldPredicate.NumberRange(bound(), bound(), bound(), bound());
      case 12 -> datetimeRange();
      case 13 -> {
        double lat = 40 + random.nextDouble() * 20;
        double lon = random.nextDouble() * 30;
        // Sometimes reversed longitudes: the box then crosses the antimeridian.
        yield new FieldPredicate.GeoBoundingBox(
            new GeoPoint(Math.min(60, lat + random.nextDouble() * 15), lon),
            new GeoPoint(
                lat,
                random.nextInt(4) == 0 ? lon - 5 : Math.min(180, lon + random.nextDouble() * 20)));
      }
      case 14 ->
          new FieldPredicate.GeoRadius(
              new GeoPoint(40 + random.nextDouble() * 20, random.nextDouble() * 30),
              random.nextDouble() * 2_000_000);
      case 15 -> polygon();
      default -> new FieldPredicate.ValuesCount(count(), count(), count(), count());
    };
  }

  private String word() {
    return WORDS[random.nextInt(WORDS.length)];
  }

  private long[] longs() {
    int n = random.nextInt(4);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = random.nextInt(7) - 3;
    }
    return out;
  }

  private Double bound() {
    return random.nextInt(3) == 0 ? (random.nextInt(13) - 6) / 2.0 : null;
  }

  private Integer count() {
    return random.nextInt(3) == 0 ? random.nextInt(4) : null;
  }

  private FieldPredicate.DatetimeRange datetimeRange() {
    Long[] b = new Long[4];
    for (int i = 0; i < 4; i++) {
      if (random.nextInt(3) == 0) {
        long micros;
        do {
          micros = Datetimes.parseMicros(DATETIMES[random.nextInt(DATETIMES.length)]);
        } while (micros == Datetimes.INVALID);
        b[i] = micros + (random.nextInt(3) - 1);
      }
    }
    return new FieldPredicate.DatetimeRange(b[0], b[1], b[2], b[3]);
  }

  /**
   * A star-shaped (so simple) polygon around a random center, sometimes with a square hole around
   * the center, small enough to lie inside: its corners stay nearer the center than every edge (a
   * triangle's edge may pass within a quarter degree of it; a hole crossing the exterior is a
   * polygon with no agreed meaning, and once failed the oracle's even-odd rule, seed
   * 1083788824583246472).
   */
  private FieldPredicate.GeoPolygon polygon() {
    double lat = 45 + random.nextDouble() * 10;
    double lon = 5 + random.nextDouble() * 20;
    int n = 3 + random.nextInt(6);
    List<GeoPoint> ring = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double angle = 2 * Math.PI * i / n;
      double r = 2 + random.nextDouble() * 8;
      ring.add(new GeoPoint(lat + r * Math.sin(angle) / 2, lon + r * Math.cos(angle)));
    }
    ring.add(ring.getFirst());
    List<List<GeoPoint>> holes = new ArrayList<>();
    if (random.nextBoolean()) {
      double nearestEdge = Double.MAX_VALUE;
      for (int i = 0; i + 1 < ring.size(); i++) {
        nearestEdge =
            Math.min(nearestEdge, distanceToSegment(lat, lon, ring.get(i), ring.get(i + 1)));
      }
      double h = Math.min(0.9, 0.9 * nearestEdge / Math.sqrt(2));
      holes.add(
          List.of(
              new GeoPoint(lat - h, lon - h),
              new GeoPoint(lat - h, lon + h),
              new GeoPoint(lat + h, lon + h),
              new GeoPoint(lat + h, lon - h),
              new GeoPoint(lat - h, lon - h)));
    }
    return new FieldPredicate.GeoPolygon(ring, holes);
  }

  /**
   * The distance from (lat, lon) to the segment a-b, in degrees on the plane the polygon test uses.
   */
  private static double distanceToSegment(double lat, double lon, GeoPoint a, GeoPoint b) {
    double dx = b.lon() - a.lon();
    double dy = b.lat() - a.lat();
    double t = ((lon - a.lon()) * dx + (lat - a.lat()) * dy) / (dx * dx + dy * dy);
    t = Math.max(0, Math.min(1, t));
    return Math.hypot(lon - (a.lon() + t * dx), lat - (a.lat() + t * dy));
  }
}
