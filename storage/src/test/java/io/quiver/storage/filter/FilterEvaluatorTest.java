package io.quiver.storage.filter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hand-written cases for every condition kind, mostly taken from Qdrant's documentation and tests.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FilterEvaluatorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PointId ID = PointId.of(42);

  static Payload payload(String json) {
    try {
      return Payload.of((ObjectNode) JSON.readTree(json.replace('\'', '"')));
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  private static boolean matches(Condition condition, String json) {
    return Filter.allOf(condition).matches(ID, payload(json), v -> false);
  }

  private static Condition field(String key, FieldPredicate p) {
    return new Condition.Field(JsonPath.parse(key), p);
  }

  @Test
  void matchValueIsStrictlyTyped() {
    assertTrue(
        matches(field("city", new FieldPredicate.MatchKeyword("London")), "{'city': 'London'}"));
    assertFalse(
        matches(field("city", new FieldPredicate.MatchKeyword("London")), "{'city': 'london'}"));
    assertTrue(matches(field("n", new FieldPredicate.MatchInteger(1)), "{'n': 1}"));
    assertFalse(matches(field("n", new FieldPredicate.MatchInteger(1)), "{'n': 1.0}"));
    assertFalse(matches(field("n", new FieldPredicate.MatchInteger(1)), "{'n': '1'}"));
    assertTrue(matches(field("b", new FieldPredicate.MatchBool(true)), "{'b': true}"));
    assertFalse(matches(field("b", new FieldPredicate.MatchBool(true)), "{'b': 'true'}"));
    assertFalse(
        matches(field("n", new FieldPredicate.MatchInteger(-1)), "{'n': 18446744073709551615}"));
  }

  @Test
  void anyElementOfAnArrayMatches() {
    // The example of Qdrant's API description: "city": ["Berlin", "London"] matches London.
    assertTrue(
        matches(
            field("city", new FieldPredicate.MatchKeyword("London")),
            "{'city': ['Berlin', 'London']}"));
    assertFalse(
        matches(
            field("city", new FieldPredicate.MatchKeyword("Paris")),
            "{'city': ['Berlin', 'London']}"));
    assertTrue(matches(field("count", new FieldPredicate.MatchInteger(0)), "{'count': [0]}"));
    // One level only: an array inside an array is not searched.
    assertFalse(matches(field("x", new FieldPredicate.MatchInteger(1)), "{'x': [[1, 2]]}"));
    assertFalse(matches(field("x", new FieldPredicate.MatchInteger(1)), "{'x': []}"));
  }

  @Test
  void matchAnyAndExcept() {
    FieldPredicate anyColor = new FieldPredicate.MatchAnyKeywords(Set.of("black", "yellow"));
    assertTrue(matches(field("color", anyColor), "{'color': 'black'}"));
    assertTrue(matches(field("color", anyColor), "{'color': ['red', 'yellow']}"));
    assertFalse(matches(field("color", anyColor), "{'color': 'red'}"));
    assertTrue(
        matches(field("n", new FieldPredicate.MatchAnyIntegers(new long[] {1, 5})), "{'n': 5}"));
    assertFalse(
        matches(field("n", new FieldPredicate.MatchAnyIntegers(new long[] {})), "{'n': 5}"));

    FieldPredicate exceptColor = new FieldPredicate.MatchExceptKeywords(Set.of("black", "yellow"));
    assertTrue(matches(field("color", exceptColor), "{'color': 'red'}"));
    assertFalse(matches(field("color", exceptColor), "{'color': 'black'}"));
    // Any value not in the list suffices; null never matches; a missing key does not match.
    assertTrue(matches(field("color", exceptColor), "{'color': ['black', 'red']}"));
    assertFalse(matches(field("color", exceptColor), "{'color': null}"));
    assertFalse(matches(field("color", exceptColor), "{}"));
    assertTrue(matches(field("color", exceptColor), "{'color': 3}"));
    assertTrue(
        matches(field("n", new FieldPredicate.MatchExceptIntegers(new long[] {1})), "{'n': 1.5}"));
    assertFalse(
        matches(field("n", new FieldPredicate.MatchExceptIntegers(new long[] {1})), "{'n': 1}"));
  }

  @Test
  void fullTextWithoutIndexIsSubstring() {
    assertTrue(
        matches(
            field("d", new FieldPredicate.MatchText("good cheap")),
            "{'d': 'very good cheap food'}"));
    assertFalse(
        matches(
            field("d", new FieldPredicate.MatchText("cheap good")),
            "{'d': 'very good cheap food'}"));
    assertFalse(matches(field("d", new FieldPredicate.MatchText("Good")), "{'d': 'very good'}"));
    assertTrue(matches(field("d", new FieldPredicate.MatchText("")), "{'d': 'x'}"));
    assertTrue(
        matches(
            field("d", new FieldPredicate.MatchPhrase("good cheap")),
            "{'d': 'very good cheap food'}"));
    assertTrue(
        matches(
            field("d", new FieldPredicate.MatchTextAny("pricey  cheap")),
            "{'d': 'very good cheap food'}"));
    assertFalse(
        matches(
            field("d", new FieldPredicate.MatchTextAny("pricey dear")),
            "{'d': 'very good cheap food'}"));
    assertFalse(matches(field("d", new FieldPredicate.MatchTextAny("  ")), "{'d': 'x'}"));
    assertTrue(
        matches(field("d", new FieldPredicate.MatchPrefix("very")), "{'d': ['x', 'very good']}"));
    assertFalse(matches(field("d", new FieldPredicate.MatchPrefix("Very")), "{'d': 'very good'}"));
    assertFalse(matches(field("d", new FieldPredicate.MatchText("1")), "{'d': 1}"));
  }

  @Test
  void numberRange() {
    FieldPredicate range = new FieldPredicate.NumberRange(null, 100.0, 450.0, null);
    assertTrue(matches(field("price", range), "{'price': 100}"));
    assertTrue(matches(field("price", range), "{'price': 449.99}"));
    assertFalse(matches(field("price", range), "{'price': 450}"));
    assertFalse(matches(field("price", range), "{'price': '200'}"));
    assertTrue(matches(field("price", range), "{'price': [1, 200]}"));
    assertTrue(
        matches(
            field("price", new FieldPredicate.NumberRange(null, null, null, null)),
            "{'price': -5}"));
    assertFalse(
        matches(
            field("price", new FieldPredicate.NumberRange(null, null, null, null)),
            "{'price': null}"));
  }

  @Test
  void datetimeRange() {
    long lower = Datetimes.parseMicros("2023-02-08T10:49:00Z");
    FieldPredicate range =
        new FieldPredicate.DatetimeRange(
            lower, null, null, Datetimes.parseMicros("2024-01-31 10:14:31Z"));
    assertTrue(matches(field("date", range), "{'date': '2023-05-01'}"));
    assertFalse(
        matches(
            field("date", range),
            "{'date': '2023-02-08T11:49:00+01:00'}")); // == lower, not > lower
    assertTrue(matches(field("date", range), "{'date': '2023-02-08T11:49:00.000001+01:00'}"));
    assertTrue(
        matches(field("date", range), "{'date': '2024-01-31T10:14:31'}")); // no zone: UTC, == upper
    assertFalse(matches(field("date", range), "{'date': '2024-01-31T10:14:31.1Z'}"));
    assertFalse(matches(field("date", range), "{'date': 'soon'}"));
    assertFalse(matches(field("date", range), "{'date': 1700000000}"));
  }

  @Test
  void geoBoundingBoxRadiusPolygon() {
    FieldPredicate box =
        new FieldPredicate.GeoBoundingBox(
            new GeoPoint(52.520711, 13.403683), new GeoPoint(52.495862, 13.455868));
    assertTrue(matches(field("location", box), "{'location': {'lat': 52.51, 'lon': 13.42}}"));
    assertFalse(matches(field("location", box), "{'location': {'lat': 52.53, 'lon': 13.42}}"));
    assertFalse(matches(field("location", box), "{'location': {'lat': 52.51}}"));
    assertFalse(matches(field("location", box), "{'location': {'lat': '52.51', 'lon': 13.42}}"));
    FieldPredicate acrossAntimeridian =
        new FieldPredicate.GeoBoundingBox(new GeoPoint(10, 170), new GeoPoint(-10, -170));
    assertTrue(matches(field("p", acrossAntimeridian), "{'p': {'lat': 0, 'lon': 179}}"));
    assertTrue(matches(field("p", acrossAntimeridian), "{'p': {'lat': 0, 'lon': -175}}"));
    assertFalse(matches(field("p", acrossAntimeridian), "{'p': {'lat': 0, 'lon': 0}}"));

    // Qdrant's test_geo_matching: Berlin is within 2 km of the center, Moscow is not.
    FieldPredicate nearBerlin =
        new FieldPredicate.GeoRadius(new GeoPoint(52.521976, 13.413637), 2000);
    assertTrue(
        matches(
            field("l", nearBerlin),
            "{'l': [{'lat': 52.52197645, 'lon': 13.413637435864272}, {'lat': 55.7536283, 'lon': 37.62137960067377}]}"));
    FieldPredicate miss = new FieldPredicate.GeoRadius(new GeoPoint(52.511, 20.423637), 2000);
    assertFalse(
        matches(field("l", miss), "{'l': {'lat': 52.52197645, 'lon': 13.413637435864272}}"));

    List<GeoPoint> square =
        List.of(
            new GeoPoint(0, 0),
            new GeoPoint(0, 10),
            new GeoPoint(10, 10),
            new GeoPoint(10, 0),
            new GeoPoint(0, 0));
    List<GeoPoint> hole =
        List.of(
            new GeoPoint(4, 4),
            new GeoPoint(4, 6),
            new GeoPoint(6, 6),
            new GeoPoint(6, 4),
            new GeoPoint(4, 4));
    FieldPredicate polygon = new FieldPredicate.GeoPolygon(square, List.of(hole));
    assertTrue(matches(field("p", polygon), "{'p': {'lat': 2, 'lon': 2}}"));
    assertFalse(matches(field("p", polygon), "{'p': {'lat': 5, 'lon': 5}}")); // in the hole
    assertFalse(
        matches(field("p", polygon), "{'p': {'lat': 0, 'lon': 5}}")); // on the exterior boundary
    assertFalse(
        matches(field("p", polygon), "{'p': {'lat': 4, 'lon': 5}}")); // on the hole's boundary
    assertFalse(matches(field("p", polygon), "{'p': {'lat': 11, 'lon': 5}}"));
  }

  @Test
  void invalidGeoShapesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new GeoPoint(91, 0));
    assertThrows(IllegalArgumentException.class, () -> new GeoPoint(0, -180.5));
    List<GeoPoint> open =
        List.of(new GeoPoint(0, 0), new GeoPoint(0, 1), new GeoPoint(1, 1), new GeoPoint(1, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new FieldPredicate.GeoPolygon(open, List.of()));
    List<GeoPoint> tooShort = List.of(new GeoPoint(0, 0), new GeoPoint(0, 1), new GeoPoint(0, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new FieldPredicate.GeoPolygon(tooShort, List.of()));
  }

  @Test
  void valuesCount() {
    FieldPredicate moreThanOne = new FieldPredicate.ValuesCount(1, null, null, null);
    assertTrue(matches(field("comments", moreThanOne), "{'comments': ['a', 'b']}"));
    assertFalse(matches(field("comments", moreThanOne), "{'comments': 'a'}"));
    assertTrue(
        matches(
            field("c", new FieldPredicate.ValuesCount(1, null, null, null)),
            "{'c': [{'x': 1}, {'x': 2}]}"));
    FieldPredicate none = new FieldPredicate.ValuesCount(null, null, null, 0);
    assertTrue(matches(field("c", none), "{}")); // missing counts 0 (qdrant/qdrant#9607)
    assertTrue(matches(field("c", none), "{'c': null}"));
    assertTrue(matches(field("c", none), "{'c': []}"));
    assertFalse(matches(field("c", none), "{'c': [null]}"));
  }

  @Test
  void isEmptyAndIsNull() {
    // Qdrant's test_condition_checker payload.
    String p =
        "{'price': 499.9, 'parts': [], 'packaging': null, 'not_null': [null], 'a': [{'b': 1}, {'b': []}], 'n': [{'b': null}, {'b': 1}]}";
    assertFalse(matches(new Condition.IsEmpty(JsonPath.parse("price")), p));
    assertTrue(matches(new Condition.IsEmpty(JsonPath.parse("something_new")), p));
    assertTrue(matches(new Condition.IsEmpty(JsonPath.parse("parts")), p));
    assertTrue(matches(new Condition.IsEmpty(JsonPath.parse("packaging")), p));
    assertFalse(matches(new Condition.IsEmpty(JsonPath.parse("not_null")), p));
    assertFalse(
        matches(new Condition.IsEmpty(JsonPath.parse("a[].b")), p)); // every value must be empty
    assertTrue(matches(new Condition.IsEmpty(JsonPath.parse("a[].c")), p));

    assertFalse(matches(new Condition.IsNull(JsonPath.parse("price")), p));
    assertFalse(matches(new Condition.IsNull(JsonPath.parse("parts")), p));
    assertFalse(matches(new Condition.IsNull(JsonPath.parse("something_else")), p));
    assertTrue(matches(new Condition.IsNull(JsonPath.parse("packaging")), p));
    assertTrue(matches(new Condition.IsNull(JsonPath.parse("not_null")), p)); // qdrant/qdrant#10101
    assertTrue(matches(new Condition.IsNull(JsonPath.parse("n[].b")), p));
  }

  @Test
  void hasIdHasVectorAndSlice() {
    PointId uuid = PointId.of(UUID.fromString("550e8400-e29b-41d4-a716-446655440000"));
    Filter hasId = Filter.allOf(new Condition.HasId(Set.of(PointId.of(1), uuid)));
    assertTrue(hasId.matches(PointId.of(1), Payload.EMPTY, v -> false));
    assertTrue(hasId.matches(uuid, Payload.EMPTY, v -> false));
    assertFalse(hasId.matches(PointId.of(2), Payload.EMPTY, v -> false));
    assertFalse(
        Filter.allOf(new Condition.HasId(Set.of()))
            .matches(PointId.of(1), Payload.EMPTY, v -> false));

    Filter hasImage = Filter.allOf(new Condition.HasVector("image"));
    assertTrue(hasImage.matches(ID, Payload.EMPTY, "image"::equals));
    assertFalse(hasImage.matches(ID, Payload.EMPTY, "text"::equals));

    // Slices of one total are disjoint and cover every id.
    for (long n = 0; n < 200; n++) {
      PointId id = n % 2 == 0 ? PointId.of(n) : PointId.of(new UUID(n * 31, n));
      int hits = 0;
      for (int index = 0; index < 3; index++) {
        hits +=
            Filter.allOf(new Condition.Slice(index, 3)).matches(id, Payload.EMPTY, v -> false)
                ? 1
                : 0;
      }
      assertTrue(hits == 1, "id " + id + " is in " + hits + " slices");
    }
    assertThrows(IllegalArgumentException.class, () -> new Condition.Slice(3, 3));
    assertThrows(IllegalArgumentException.class, () -> new Condition.Slice(0, 0));
  }

  @Test
  void nestedMatchesEachObjectOnItsOwn() {
    // Qdrant's documentation example: dishes both vegan and liked.
    String chef1 =
        "{'diet': [{'food': 'meat', 'vegan': false, 'likes': false}, {'food': 'tofu', 'vegan': true, 'likes': false}]}";
    String chef2 = "{'diet': [{'food': 'tofu', 'vegan': true, 'likes': true}]}";
    Filter veganAndLiked =
        Filter.allOf(
            field("vegan", new FieldPredicate.MatchBool(true)),
            field("likes", new FieldPredicate.MatchBool(true)));
    Condition nested = new Condition.Nested(JsonPath.parse("diet"), veganAndLiked);
    assertFalse(matches(nested, chef1));
    assertTrue(matches(nested, chef2));
    // Without nested, the two conditions may be met by different elements.
    Filter flat =
        Filter.allOf(
            field("diet[].vegan", new FieldPredicate.MatchBool(true)),
            field("diet[].likes", new FieldPredicate.MatchBool(false)));
    assertTrue(flat.matches(ID, payload(chef1), v -> false));
    // The key may already end in [], and must_not inside nested is per element.
    Condition notMeat =
        new Condition.Nested(
            JsonPath.parse("diet[]"),
            Filter.noneOf(field("food", new FieldPredicate.MatchKeyword("meat"))));
    assertTrue(matches(notMeat, chef1));
    assertFalse(matches(notMeat, "{'diet': [{'food': 'meat'}]}"));
    assertFalse(matches(notMeat, "{'diet': ['tofu', 3]}")); // non-objects are skipped
    assertFalse(matches(notMeat, "{'diet': {'food': 'tofu'}}")); // not an array
    // has_id never matches inside nested.
    assertFalse(
        matches(
            new Condition.Nested(
                JsonPath.parse("diet"), Filter.allOf(new Condition.HasId(Set.of(ID)))),
            chef2));
  }

  @Test
  void pathsFollowQdrantsValueGet() {
    String p =
        "{'a': {'b': [{'c': 1}, {'c': 2}, {'d': {'e': 3}}]}, 'g': ['g0', 'g1', 'g2'], 'arr': [{'a': [1, 2, 3]}, {'a': 4}]}";
    assertTrue(matches(field("a.b[].c", new FieldPredicate.MatchInteger(2)), p));
    assertFalse(
        matches(field("a.b.c", new FieldPredicate.MatchInteger(2)), p)); // .c does not enter arrays
    assertTrue(matches(field("a.b[1].c", new FieldPredicate.MatchInteger(2)), p));
    assertFalse(matches(field("a.b[0].c", new FieldPredicate.MatchInteger(2)), p));
    assertTrue(matches(field("a.b[2].d.e", new FieldPredicate.MatchInteger(3)), p));
    assertTrue(matches(field("g[2]", new FieldPredicate.MatchKeyword("g2")), p));
    assertFalse(matches(field("g[3]", new FieldPredicate.MatchKeyword("g2")), p));
    assertTrue(
        matches(
            field("arr[].a", new FieldPredicate.MatchInteger(2)), p)); // leaf arrays are searched
    assertTrue(matches(field("arr[].a[]", new FieldPredicate.MatchInteger(3)), p));
    assertTrue(
        matches(
            field("arr[].a", new FieldPredicate.ValuesCount(null, 3, null, null)),
            p)); // per value: [1,2,3]
    assertTrue(matches(field("\"a.b\"", new FieldPredicate.MatchInteger(5)), "{'a.b': 5}"));
  }

  @Test
  void booleanStructure() {
    Condition red = field("color", new FieldPredicate.MatchKeyword("red"));
    Condition big = field("size", new FieldPredicate.NumberRange(null, 10.0, null, null));
    Condition round = field("shape", new FieldPredicate.MatchKeyword("round"));
    String p = "{'color': 'red', 'size': 12, 'shape': 'square'}";
    Payload payload = payload(p);
    assertTrue(Filter.ALL.matches(ID, payload, v -> false));
    assertTrue(Filter.allOf(red, big).matches(ID, payload, v -> false));
    assertFalse(Filter.allOf(red, round).matches(ID, payload, v -> false));
    assertTrue(Filter.anyOf(round, big).matches(ID, payload, v -> false));
    assertFalse(
        Filter.anyOf()
            .matches(
                ID, payload, v -> false)); // explicit empty should: nothing (qdrant/qdrant#554)
    assertTrue(new Filter(List.of(), null, List.of(), null).matches(ID, payload, v -> false));
    assertFalse(Filter.noneOf(red).matches(ID, payload, v -> false));
    assertTrue(Filter.noneOf(round).matches(ID, payload, v -> false));
    assertTrue(Filter.atLeast(2, red, big, round).matches(ID, payload, v -> false));
    assertFalse(Filter.atLeast(3, red, big, round).matches(ID, payload, v -> false));
    assertFalse(Filter.atLeast(1).matches(ID, payload, v -> false)); // qdrant/qdrant#9369
    assertThrows(IllegalArgumentException.class, () -> Filter.atLeast(0, red));
    // Filters nest as conditions: red AND (round OR NOT big).
    Filter nested =
        Filter.allOf(
            red, new Filter(List.of(), List.of(round, Filter.noneOf(big)), List.of(), null));
    assertFalse(nested.matches(ID, payload, v -> false));
  }
}
