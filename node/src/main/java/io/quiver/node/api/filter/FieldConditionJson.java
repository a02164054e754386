package io.quiver.node.api.filter;

import static io.quiver.node.api.filter.FilterJson.absent;
import static io.quiver.node.api.filter.FilterJson.bad;
import static io.quiver.node.api.filter.FilterJson.kind;
import static io.quiver.node.api.filter.FilterJson.missing;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.GeoPoint;
import io.quiver.storage.filter.JsonPath;
import java.util.ArrayList;
import java.util.List;

/** Reads Qdrant's {@code FieldCondition}; see {@link FilterJson} for the rules. */
final class FieldConditionJson {

  private static final String[] MATCH_KINDS = {
    "value", "text", "text_any", "phrase", "prefix", "any", "except"
  };
  private static final String[] BOUNDS = {"gt", "gte", "lt", "lte"};

  private FieldConditionJson() {}

  static Condition field(JsonNode node, String at) {
    JsonPath key = FilterJson.key(node.get("key"), at + ".key");
    // Qdrant's FieldCondition::check: values_count, then is_empty, then is_null take precedence.
    if (!absent(node.get("values_count"))) {
      return new Condition.Field(key, valuesCount(node.get("values_count"), at + ".values_count"));
    }
    if (!absent(node.get("is_empty"))) {
      Condition empty = new Condition.IsEmpty(key);
      return bool(node.get("is_empty"), at + ".is_empty") ? empty : Filter.noneOf(empty);
    }
    if (!absent(node.get("is_null"))) {
      Condition isNull = new Condition.IsNull(key);
      return bool(node.get("is_null"), at + ".is_null") ? isNull : Filter.noneOf(isNull);
    }
    List<Condition> clauses = new ArrayList<>(1);
    if (!absent(node.get("match"))) {
      clauses.add(new Condition.Field(key, match(node.get("match"), at + ".match")));
    }
    if (!absent(node.get("range"))) {
      clauses.add(new Condition.Field(key, range(node.get("range"), at + ".range")));
    }
    if (!absent(node.get("geo_bounding_box"))) {
      clauses.add(
          new Condition.Field(
              key, boundingBox(node.get("geo_bounding_box"), at + ".geo_bounding_box")));
    }
    if (!absent(node.get("geo_radius"))) {
      clauses.add(new Condition.Field(key, radius(node.get("geo_radius"), at + ".geo_radius")));
    }
    if (!absent(node.get("geo_polygon"))) {
      clauses.add(new Condition.Field(key, polygon(node.get("geo_polygon"), at + ".geo_polygon")));
    }
    if (clauses.isEmpty()) {
      throw bad(
          at,
          "at least one field condition must be specified: match, range, geo_bounding_box, geo_radius,"
              + " geo_polygon, values_count, is_empty or is_null");
    }
    return clauses.size() == 1
        ? clauses.getFirst()
        : new Filter(List.of(), clauses, List.of(), null);
  }

  private static boolean bool(JsonNode node, String at) {
    if (!node.isBoolean()) {
      throw bad(at, "must be a boolean, got " + kind(node));
    }
    return node.booleanValue();
  }

  private static FieldPredicate match(JsonNode node, String at) {
    FilterJson.requireObject(node, at);
    for (String kind : MATCH_KINDS) {
      JsonNode v = node.get(kind);
      if (absent(v)) {
        continue;
      }
      String here = at + "." + kind;
      return switch (kind) {
        case "value" -> matchValue(v, here);
        case "text" -> new FieldPredicate.MatchText(FilterJson.string(v, here));
        case "text_any" -> new FieldPredicate.MatchTextAny(FilterJson.string(v, here));
        case "phrase" -> new FieldPredicate.MatchPhrase(FilterJson.string(v, here));
        case "prefix" -> new FieldPredicate.MatchPrefix(FilterJson.string(v, here));
        case "any" -> matchAny(v, here, false);
        default -> matchAny(v, here, true);
      };
    }
    throw bad(at, "must have one of value, text, text_any, phrase, prefix, any or except");
  }

  private static FieldPredicate matchValue(JsonNode v, String at) {
    if (v.isTextual()) {
      return new FieldPredicate.MatchKeyword(v.textValue());
    }
    if (v.isBoolean()) {
      return new FieldPredicate.MatchBool(v.booleanValue());
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return new FieldPredicate.MatchInteger(v.longValue());
    }
    throw bad(at, "must be a string, a 64-bit integer or a boolean, got " + kind(v));
  }

  /** {@code any} / {@code except}: an array of strings or an array of 64-bit integers. */
  private static FieldPredicate matchAny(JsonNode v, String at, boolean except) {
    if (!v.isArray()) {
      throw bad(at, "must be an array of strings or an array of integers, got " + kind(v));
    }
    FilterJson.requireLength(v, at);
    boolean strings = v.isEmpty() || v.get(0).isTextual();
    long[] integers = new long[strings ? 0 : v.size()];
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      boolean ok = strings ? e.isTextual() : e.isIntegralNumber() && e.canConvertToLong();
      if (!ok) {
        throw bad(
            at + "[" + i + "]",
            "must be "
                + (strings
                    ? "a string like the first element"
                    : "a 64-bit integer like the first element")
                + ", got "
                + kind(e));
      }
      if (!strings) {
        integers[i] = e.longValue();
      }
    }
    if (strings) {
      var values = FilterJson.strings(v, at);
      return except
          ? new FieldPredicate.MatchExceptKeywords(values)
          : new FieldPredicate.MatchAnyKeywords(values);
    }
    return except
        ? new FieldPredicate.MatchExceptIntegers(integers)
        : new FieldPredicate.MatchAnyIntegers(integers);
  }

  /**
   * Qdrant's RangeInterface: numeric bounds, or date/time strings (any bound a string makes it
   * one).
   */
  private static FieldPredicate range(JsonNode node, String at) {
    FilterJson.requireObject(node, at);
    boolean datetime = false;
    for (String b : BOUNDS) {
      datetime |= node.has(b) && node.get(b).isTextual();
    }
    if (datetime) {
      Long[] micros = new Long[4];
      for (int i = 0; i < 4; i++) {
        JsonNode v = node.get(BOUNDS[i]);
        if (!absent(v)) {
          if (!v.isTextual()) {
            throw bad(
                at + "." + BOUNDS[i],
                "must be a date/time string like the other bounds, got " + kind(v));
          }
          micros[i] = FilterJson.datetime(v, at + "." + BOUNDS[i]);
        }
      }
      return new FieldPredicate.DatetimeRange(micros[0], micros[1], micros[2], micros[3]);
    }
    Double[] bounds = new Double[4];
    for (int i = 0; i < 4; i++) {
      JsonNode v = node.get(BOUNDS[i]);
      if (!absent(v)) {
        if (!v.isNumber()) {
          throw bad(at + "." + BOUNDS[i], "must be a number or a date/time string, got " + kind(v));
        }
        bounds[i] = FilterJson.number(v, at + "." + BOUNDS[i]);
      }
    }
    return new FieldPredicate.NumberRange(bounds[0], bounds[1], bounds[2], bounds[3]);
  }

  private static FieldPredicate valuesCount(JsonNode node, String at) {
    FilterJson.requireObject(node, at);
    Integer[] bounds = new Integer[4];
    for (int i = 0; i < 4; i++) {
      long v = FilterJson.unsigned(node.get(BOUNDS[i]), at + "." + BOUNDS[i], false);
      bounds[i] =
          v < 0
              ? null
              : (int) Math.min(v, Integer.MAX_VALUE); // no value has more than int-many elements
    }
    return new FieldPredicate.ValuesCount(bounds[0], bounds[1], bounds[2], bounds[3]);
  }

  private static FieldPredicate boundingBox(JsonNode node, String at) {
    FilterJson.requireObject(node, at);
    return new FieldPredicate.GeoBoundingBox(
        FilterJson.geoPoint(node.get("top_left"), at + ".top_left"),
        FilterJson.geoPoint(node.get("bottom_right"), at + ".bottom_right"));
  }

  private static FieldPredicate radius(JsonNode node, String at) {
    FilterJson.requireObject(node, at);
    GeoPoint center = FilterJson.geoPoint(node.get("center"), at + ".center");
    return new FieldPredicate.GeoRadius(
        center, FilterJson.number(node.get("radius"), at + ".radius"));
  }

  private static FieldPredicate polygon(JsonNode node, String at) {
    FilterJson.requireObject(node, at);
    List<GeoPoint> exterior = ring(node.get("exterior"), at + ".exterior");
    List<List<GeoPoint>> interiors = new ArrayList<>();
    JsonNode holes = node.get("interiors");
    if (!absent(holes)) {
      if (!holes.isArray()) {
        throw bad(at + ".interiors", "must be an array of line strings, got " + kind(holes));
      }
      FilterJson.requireLength(holes, at + ".interiors");
      for (int i = 0; i < holes.size(); i++) {
        interiors.add(ring(holes.get(i), at + ".interiors[" + i + "]"));
      }
    }
    return new FieldPredicate.GeoPolygon(exterior, interiors);
  }

  /** A GeoLineString, validated as a ring here so that the error names the ring. */
  private static List<GeoPoint> ring(JsonNode node, String at) {
    FilterJson.requireObject(node, at);
    JsonNode points = node.get("points");
    if (absent(points)) {
      throw missing(at + ".points");
    }
    if (!points.isArray()) {
      throw bad(at + ".points", "must be an array of geo points, got " + kind(points));
    }
    FilterJson.requireLength(points, at + ".points");
    List<GeoPoint> ring = new ArrayList<>(points.size());
    for (int i = 0; i < points.size(); i++) {
      ring.add(FilterJson.geoPoint(points.get(i), at + ".points[" + i + "]"));
    }
    try {
      new FieldPredicate.GeoPolygon(ring, List.of());
    } catch (IllegalArgumentException e) {
      throw bad(
          at,
          e.getMessage()
              .replace(" the exterior ring", " the ring")
              .replace(" of the exterior ring", ""));
    }
    return ring;
  }
}
