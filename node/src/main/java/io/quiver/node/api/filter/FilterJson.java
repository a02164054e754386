package io.quiver.node.api.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.http.ApiException;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.Datetimes;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.FilterCodec;
import io.quiver.storage.filter.GeoPoint;
import io.quiver.storage.filter.JsonPath;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads Qdrant's JSON {@code Filter} (the {@code filter} of search, query, scroll, count and delete
 * requests) into the {@link Filter} AST. Every shape of the OpenAPI contract is accepted: a single
 * condition or an array under {@code must}/{@code should}/{@code must_not}, {@code null} for an
 * absent clause, every {@code Condition} variant, {@code match} with a string, integer or bool,
 * {@code any}/{@code except} lists of strings or of integers, {@code range} with numbers or
 * date/time strings, {@code has_id} with integer and UUID ids mixed.
 *
 * <p>Every error is an {@link ApiException} 400 whose message names the offending field by its JSON
 * path, e.g. {@code filter.must[1].range.gte}. Unknown members are rejected in a {@code Filter}
 * (the contract forbids them there) and ignored elsewhere, as Qdrant does.
 *
 * <p>A field condition with several clauses keeps Qdrant's meaning: {@code values_count} wins, then
 * {@code is_empty}, then {@code is_null}; otherwise the condition holds when any of its {@code
 * match}/{@code range}/{@code geo_*} clauses holds (Qdrant ORs them per value), which is read as a
 * {@code should} of one field condition per clause. The field forms {@code is_empty} and {@code
 * is_null} become {@link Condition.IsEmpty}/{@link Condition.IsNull}, negated for {@code false}.
 *
 * <p>Stateless and thread-safe.
 */
public final class FilterJson {

  private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final Pattern HYPHENATED_UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Set<String> FILTER_FIELDS =
      Set.of("must", "should", "must_not", "min_should");

  private FilterJson() {}

  /**
   * Reads a filter.
   *
   * @param node the JSON value; {@code null}, a missing node or JSON {@code null} mean "no filter"
   *     and give {@link Filter#ALL}
   * @param field the JSON path of {@code node} in the request body, for error messages (e.g. {@code
   *     "filter"})
   * @throws ApiException 400 when the JSON is not a valid filter
   */
  public static Filter parse(JsonNode node, String field) {
    if (absent(node)) {
      return Filter.ALL;
    }
    return filter(node, field, 1);
  }

  private static Filter filter(JsonNode node, String at, int depth) {
    if (depth > FilterCodec.DEPTH_MAX) {
      throw bad(at, "nests filters deeper than " + FilterCodec.DEPTH_MAX + " levels");
    }
    requireObject(node, at);
    for (var it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FILTER_FIELDS.contains(name)) {
        throw bad(
            at,
            "has unknown field `"
                + name
                + "`; a filter has only must, should, must_not and min_should"
                + " (or is this meant as a condition?)");
      }
    }
    List<Condition> must = clause(node.get("must"), at + ".must", depth);
    List<Condition> should = clause(node.get("should"), at + ".should", depth);
    List<Condition> mustNot = clause(node.get("must_not"), at + ".must_not", depth);
    Condition.MinShould minShould = minShould(node.get("min_should"), at + ".min_should", depth);
    return new Filter(must, should, mustNot, minShould);
  }

  /**
   * must / should / must_not: absent, null, one condition or an array of them. Null when absent.
   */
  private static List<Condition> clause(JsonNode node, String at, int depth) {
    if (absent(node)) {
      return null;
    }
    if (node.isObject()) {
      return List.of(condition(node, at, depth));
    }
    return conditions(node, at, depth);
  }

  private static List<Condition> conditions(JsonNode node, String at, int depth) {
    if (!node.isArray()) {
      throw bad(at, "must be a condition or an array of conditions, got " + kind(node));
    }
    requireLength(node, at);
    List<Condition> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      out.add(condition(node.get(i), at + "[" + i + "]", depth));
    }
    return out;
  }

  private static Condition.MinShould minShould(JsonNode node, String at, int depth) {
    if (absent(node)) {
      return null;
    }
    requireObject(node, at);
    JsonNode conditions = node.get("conditions");
    if (absent(conditions)) {
      throw missing(at + ".conditions");
    }
    List<Condition> list = conditions(conditions, at + ".conditions", depth);
    long minCount = unsigned(node.get("min_count"), at + ".min_count", true);
    if (minCount < 1) {
      throw bad(at + ".min_count", "must be at least 1, got " + minCount);
    }
    return new Condition.MinShould(list, (int) Math.min(minCount, Integer.MAX_VALUE));
  }

  // ---- conditions ----

  /**
   * One condition (a field condition, is_empty, has_id, nested, a nested filter...) at {@code at}.
   */
  public static Condition condition(JsonNode node, String at) {
    return condition(node, at, 1);
  }

  private static Condition condition(JsonNode node, String at, int depth) {
    requireObject(node, at);
    if (node.has("key")) {
      return FieldConditionJson.field(node, at);
    }
    if (node.has("is_empty")) {
      return new Condition.IsEmpty(payloadField(node.get("is_empty"), at + ".is_empty"));
    }
    if (node.has("is_null")) {
      return new Condition.IsNull(payloadField(node.get("is_null"), at + ".is_null"));
    }
    if (node.has("has_id")) {
      return new Condition.HasId(ids(node.get("has_id"), at + ".has_id"));
    }
    if (node.has("has_vector")) {
      return new Condition.HasVector(string(node.get("has_vector"), at + ".has_vector"));
    }
    if (node.has("slice")) {
      return slice(node.get("slice"), at + ".slice");
    }
    if (node.has("nested")) {
      return nested(node.get("nested"), at + ".nested", depth);
    }
    return filter(node, at, depth + 1);
  }

  private static JsonPath payloadField(JsonNode node, String at) {
    requireObject(node, at);
    return key(node.get("key"), at + ".key");
  }

  private static Condition.Nested nested(JsonNode node, String at, int depth) {
    requireObject(node, at);
    JsonPath key = key(node.get("key"), at + ".key");
    JsonNode inner = node.get("filter");
    if (absent(inner)) {
      throw missing(at + ".filter");
    }
    return new Condition.Nested(key, filter(inner, at + ".filter", depth + 1));
  }

  private static Condition.Slice slice(JsonNode node, String at) {
    requireObject(node, at);
    long total = unsigned(node.get("total"), at + ".total", true);
    long index = unsigned(node.get("index"), at + ".index", true);
    // Well-formed numbers out of range fail validation, not parsing: 422, as Qdrant answers them.
    if (total < 1 || total > Integer.MAX_VALUE) {
      throw invalid(at + ".total", "must be within [1, " + Integer.MAX_VALUE + "], got " + total);
    }
    if (index >= total) {
      throw invalid(at + ".index", "must be below `total` (" + total + "), got " + index);
    }
    return new Condition.Slice((int) index, (int) total);
  }

  private static Set<PointId> ids(JsonNode node, String at) {
    if (node == null || !node.isArray()) {
      throw bad(at, "must be an array of point ids, got " + kind(node));
    }
    requireLength(node, at);
    Set<PointId> ids = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      ids.add(id(node.get(i), at + "[" + i + "]"));
    }
    return ids;
  }

  /** A point id: an unsigned 64-bit integer or a UUID (hyphenated, simple, braced or urn form). */
  static PointId id(JsonNode node, String at) {
    if (node.isIntegralNumber()) {
      BigInteger v = node.bigIntegerValue();
      if (v.signum() < 0 || v.compareTo(MAX_U64) > 0) {
        throw bad(at, "must be an unsigned 64-bit integer or a UUID, got " + v);
      }
      return PointId.of(v.longValue());
    }
    if (node.isTextual()) {
      String t = node.textValue();
      if (t.startsWith("urn:uuid:")) {
        t = t.substring(9);
      } else if (t.length() == 38 && t.startsWith("{") && t.endsWith("}")) {
        t = t.substring(1, 37);
      } else if (t.length() == 32 && t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        t =
            t.substring(0, 8)
                + "-"
                + t.substring(8, 12)
                + "-"
                + t.substring(12, 16)
                + "-"
                + t.substring(16, 20)
                + "-"
                + t.substring(20);
      }
      if (HYPHENATED_UUID.matcher(t).matches()) {
        return PointId.of(UUID.fromString(t));
      }
      throw bad(
          at,
          "is not a valid point id: `"
              + node.textValue()
              + "` (expected an unsigned integer or a UUID)");
    }
    throw bad(at, "must be an unsigned integer or a UUID string, got " + kind(node));
  }

  // ---- shared readers, also used by FieldConditionJson ----

  public static JsonPath key(JsonNode node, String at) {
    String text = string(node, at);
    try {
      return JsonPath.parse(text);
    } catch (IllegalArgumentException e) {
      throw bad(at, "is not a valid payload key: " + e.getMessage());
    }
  }

  static String string(JsonNode node, String at) {
    if (absent(node)) {
      throw missing(at);
    }
    if (!node.isTextual()) {
      throw bad(at, "must be a string, got " + kind(node));
    }
    return node.textValue();
  }

  /** A finite number. */
  static double number(JsonNode node, String at) {
    if (absent(node)) {
      throw missing(at);
    }
    if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
      throw bad(at, "must be a finite number, got " + kind(node));
    }
    return node.doubleValue();
  }

  /** A non-negative integer, clamped to {@code Long.MAX_VALUE}; -1 when absent and not required. */
  static long unsigned(JsonNode node, String at, boolean required) {
    if (absent(node)) {
      if (required) {
        throw missing(at);
      }
      return -1;
    }
    if (!node.isIntegralNumber() || node.bigIntegerValue().signum() < 0) {
      throw bad(at, "must be a non-negative integer, got " + kind(node));
    }
    return node.canConvertToLong() ? node.longValue() : Long.MAX_VALUE;
  }

  static long datetime(JsonNode node, String at) {
    long micros = Datetimes.parseMicros(node.textValue());
    if (micros == Datetimes.INVALID) {
      throw bad(
          at,
          "'" + node.textValue() + "' is not in a supported date/time format, please use RFC 3339");
    }
    return micros;
  }

  static GeoPoint geoPoint(JsonNode node, String at) {
    requireObject(node, at);
    double lat = number(node.get("lat"), at + ".lat");
    double lon = number(node.get("lon"), at + ".lon");
    try {
      return new GeoPoint(lat, lon);
    } catch (IllegalArgumentException e) {
      throw bad(at, e.getMessage());
    }
  }

  static Set<String> strings(JsonNode node, String at) {
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < node.size(); i++) {
      out.add(node.get(i).textValue());
    }
    return out;
  }

  static void requireObject(JsonNode node, String at) {
    if (absent(node)) {
      throw missing(at);
    }
    if (!node.isObject()) {
      throw bad(at, "must be an object, got " + kind(node));
    }
  }

  static void requireLength(JsonNode array, String at) {
    if (array.size() > FilterCodec.LIST_LENGTH_MAX) {
      throw bad(
          at,
          "has "
              + array.size()
              + " elements, more than the limit of "
              + FilterCodec.LIST_LENGTH_MAX);
    }
  }

  static boolean absent(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode();
  }

  static String kind(JsonNode node) {
    if (absent(node)) {
      return "null";
    }
    String text = node.toString();
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }

  static ApiException bad(String at, String what) {
    return ApiException.badRequest("Validation error in JSON body: `" + at + "` " + what);
  }

  /**
   * A value of the right type that fails a rule of the schema: 422, as Qdrant's validation errors.
   */
  static ApiException invalid(String at, String what) {
    return new ApiException(422, "Validation error in JSON body: `" + at + "` " + what);
  }

  static ApiException missing(String at) {
    return ApiException.badRequest("Validation error in JSON body: field `" + at + "` is required");
  }
}
