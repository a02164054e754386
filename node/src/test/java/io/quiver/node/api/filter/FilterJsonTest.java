package io.quiver.node.api.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.Datetimes;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.FilterCodec;
import io.quiver.storage.filter.GeoPoint;
import io.quiver.storage.filter.JsonPath;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FilterJsonTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  static Filter parse(String text) {
    return FilterJson.parse(json(text), "filter");
  }

  private static Condition.Field field(String key, FieldPredicate p) {
    return new Condition.Field(JsonPath.parse(key), p);
  }

  /** Asserts a 400 whose message names {@code path} in backticks. */
  static ApiException rejects(String text, String path) {
    return rejects(text, path, 400);
  }

  static ApiException rejects(String text, String path, int status) {
    ApiException e = assertThrows(ApiException.class, () -> parse(text), text);
    assertEquals(status, e.status(), e.getMessage());
    assertTrue(
        e.getMessage().contains("`" + path + "`"),
        () -> "expected `" + path + "` in: " + e.getMessage());
    return e;
  }

  @Test
  void absentFilterMatchesEverything() {
    assertEquals(Filter.ALL, FilterJson.parse(null, "filter"));
    assertEquals(Filter.ALL, FilterJson.parse(json("null"), "filter"));
    assertEquals(Filter.ALL, parse("{}"));
    assertEquals(
        Filter.ALL, parse("{'must': null, 'should': null, 'must_not': null, 'min_should': null}"));
  }

  @Test
  void clausesTakeOneConditionOrAnArray() {
    Condition london = field("city", new FieldPredicate.MatchKeyword("London"));
    assertEquals(
        Filter.allOf(london), parse("{'must': {'key': 'city', 'match': {'value': 'London'}}}"));
    assertEquals(
        Filter.allOf(london), parse("{'must': [{'key': 'city', 'match': {'value': 'London'}}]}"));
    assertEquals(
        Filter.anyOf(london), parse("{'should': {'key': 'city', 'match': {'value': 'London'}}}"));
    assertEquals(
        Filter.noneOf(london, london),
        parse(
            "{'must_not': [{'key': 'city', 'match': {'value': 'London'}}, "
                + "{'key': 'city', 'match': {'value': 'London'}}]}"));
    // An explicit empty should is kept: it matches nothing.
    assertEquals(new Filter(List.of(), List.of(), List.of(), null), parse("{'should': []}"));
    assertEquals(
        Filter.atLeast(2, london, london),
        parse(
            "{'min_should': {'conditions': [{'key': 'city', 'match': {'value': 'London'}},"
                + " {'key': 'city', 'match': {'value': 'London'}}], 'min_count': 2}}"));
  }

  @Test
  void matchVariants() {
    assertEquals(
        Filter.allOf(field("a", new FieldPredicate.MatchInteger(-7))),
        parse("{'must': {'key': 'a', 'match': {'value': -7}}}"));
    assertEquals(
        Filter.allOf(field("a", new FieldPredicate.MatchBool(true))),
        parse("{'must': {'key': 'a', 'match': {'value': true}}}"));
    assertEquals(
        Filter.allOf(field("a", new FieldPredicate.MatchAnyKeywords(Set.of("x", "y")))),
        parse("{'must': {'key': 'a', 'match': {'any': ['x', 'y', 'x']}}}"));
    assertEquals(
        Filter.allOf(field("a", new FieldPredicate.MatchAnyIntegers(new long[] {1, 2}))),
        parse("{'must': {'key': 'a', 'match': {'any': [2, 1]}}}"));
    assertEquals(
        Filter.allOf(field("a", new FieldPredicate.MatchExceptKeywords(Set.of()))),
        parse("{'must': {'key': 'a', 'match': {'except': []}}}"));
    assertEquals(
        Filter.allOf(field("a", new FieldPredicate.MatchExceptIntegers(new long[] {3}))),
        parse("{'must': {'key': 'a', 'match': {'except': [3]}}}"));
    assertEquals(
        Filter.allOf(field("a", new FieldPredicate.MatchText("good"))),
        parse("{'must': {'key': 'a', 'match': {'text': 'good'}}}"));
    assertEquals(
        Filter.allOf(field("a", new FieldPredicate.MatchTextAny("good bad"))),
        parse("{'must': {'key': 'a', 'match': {'text_any': 'good bad'}}}"));
    assertEquals(
        Filter.allOf(field("a", new FieldPredicate.MatchPhrase("good bad"))),
        parse("{'must': {'key': 'a', 'match': {'phrase': 'good bad'}}}"));
    assertEquals(
        Filter.allOf(field("a", new FieldPredicate.MatchPrefix("go"))),
        parse("{'must': {'key': 'a', 'match': {'prefix': 'go'}}}"));
  }

  @Test
  void rangesOfNumbersAndDatetimes() {
    assertEquals(
        Filter.allOf(field("price", new FieldPredicate.NumberRange(null, 100.0, 450.5, null))),
        parse("{'must': {'key': 'price', 'range': {'gte': 100, 'lt': 450.5, 'gt': null}}}"));
    assertEquals(
        Filter.allOf(field("price", new FieldPredicate.NumberRange(null, null, null, null))),
        parse("{'must': {'key': 'price', 'range': {}}}"));
    assertEquals(
        Filter.allOf(
            field(
                "date",
                new FieldPredicate.DatetimeRange(
                    Datetimes.parseMicros("2023-02-08T10:49:00Z"),
                    null,
                    null,
                    Datetimes.parseMicros("2024-01-31 10:14:31")))),
        parse(
            "{'must': {'key': 'date', 'range': {'gt': '2023-02-08T10:49:00Z', 'lte': '2024-01-31 10:14:31'}}}"));
  }

  @Test
  void geoConditions() {
    assertEquals(
        Filter.allOf(
            field(
                "loc",
                new FieldPredicate.GeoBoundingBox(
                    new GeoPoint(52.52, 13.40), new GeoPoint(52.49, 13.45)))),
        parse(
            "{'must': {'key': 'loc', 'geo_bounding_box': {'top_left': {'lon': 13.40, 'lat': 52.52}, 'bottom_right': {'lat': 52.49, 'lon': 13.45}}}}"));
    assertEquals(
        Filter.allOf(field("loc", new FieldPredicate.GeoRadius(new GeoPoint(52.52, 13.40), 1000))),
        parse(
            "{'must': {'key': 'loc', 'geo_radius': {'center': {'lon': 13.40, 'lat': 52.52}, 'radius': 1000}}}"));
    List<GeoPoint> outer =
        List.of(new GeoPoint(0, 0), new GeoPoint(0, 10), new GeoPoint(10, 10), new GeoPoint(0, 0));
    List<GeoPoint> inner =
        List.of(new GeoPoint(1, 1), new GeoPoint(1, 2), new GeoPoint(2, 2), new GeoPoint(1, 1));
    String ring =
        "{'points': [{'lat': 0, 'lon': 0}, {'lat': 0, 'lon': 10}, {'lat': 10, 'lon': 10}, {'lat': 0, 'lon': 0}]}";
    String hole =
        "{'points': [{'lat': 1, 'lon': 1}, {'lat': 1, 'lon': 2}, {'lat': 2, 'lon': 2}, {'lat': 1, 'lon': 1}]}";
    assertEquals(
        Filter.allOf(field("loc", new FieldPredicate.GeoPolygon(outer, List.of(inner)))),
        parse(
            "{'must': {'key': 'loc', 'geo_polygon': {'exterior': "
                + ring
                + ", 'interiors': ["
                + hole
                + "]}}}"));
    assertEquals(
        Filter.allOf(field("loc", new FieldPredicate.GeoPolygon(outer, List.of()))),
        parse(
            "{'must': {'key': 'loc', 'geo_polygon': {'exterior': "
                + ring
                + ", 'interiors': null}}}"));
  }

  @Test
  void countEmptyNullIdVectorSliceNested() {
    assertEquals(
        Filter.allOf(field("c", new FieldPredicate.ValuesCount(2, null, null, 5))),
        parse("{'must': {'key': 'c', 'values_count': {'gt': 2, 'lte': 5}}}"));
    Condition empty = new Condition.IsEmpty(JsonPath.parse("reports"));
    assertEquals(Filter.allOf(empty), parse("{'must': {'is_empty': {'key': 'reports'}}}"));
    assertEquals(Filter.allOf(empty), parse("{'must': {'key': 'reports', 'is_empty': true}}"));
    assertEquals(
        Filter.allOf(Filter.noneOf(empty)),
        parse("{'must': {'key': 'reports', 'is_empty': false}}"));
    Condition isNull = new Condition.IsNull(JsonPath.parse("reports"));
    assertEquals(Filter.allOf(isNull), parse("{'must': {'is_null': {'key': 'reports'}}}"));
    assertEquals(
        Filter.allOf(Filter.noneOf(isNull)),
        parse("{'must': {'key': 'reports', 'is_null': false}}"));
    assertEquals(
        Filter.allOf(
            new Condition.HasId(
                Set.of(
                    PointId.of(1),
                    PointId.of(-1L),
                    PointId.of(UUID.fromString("550e8400-e29b-41d4-a716-446655440000")),
                    PointId.of(UUID.fromString("00000000-0000-0000-0000-00000000000a"))))),
        parse(
            "{'must': {'has_id': [1, 18446744073709551615, '550e8400-e29b-41d4-a716-446655440000', '0000000000000000000000000000000a']}}"));
    PointId uuid = PointId.of(UUID.fromString("550e8400-e29b-41d4-a716-446655440000"));
    assertEquals(
        Filter.allOf(new Condition.HasId(Set.of(uuid))),
        parse("{'must': {'has_id': ['urn:uuid:550E8400-E29B-41D4-A716-446655440000']}}"));
    assertEquals(
        Filter.allOf(new Condition.HasId(Set.of(uuid))),
        parse("{'must': {'has_id': ['{550e8400-e29b-41d4-a716-446655440000}']}}"));
    assertEquals(Filter.allOf(new Condition.HasId(Set.of())), parse("{'must': {'has_id': []}}"));
    assertEquals(
        Filter.allOf(new Condition.HasVector("image")), parse("{'must': {'has_vector': 'image'}}"));
    assertEquals(
        Filter.allOf(new Condition.Slice(1, 4)),
        parse("{'must': {'slice': {'index': 1, 'total': 4}}}"));
    assertEquals(
        Filter.allOf(
            new Condition.Nested(
                JsonPath.parse("diet"),
                Filter.allOf(field("vegan", new FieldPredicate.MatchBool(true))))),
        parse(
            "{'must': {'nested': {'key': 'diet', 'filter': {'must': {'key': 'vegan', 'match': {'value': true}}}}}}"));
    // A filter as a condition, and a [] key.
    assertEquals(
        Filter.allOf(Filter.anyOf(field("a[].b", new FieldPredicate.MatchInteger(1)))),
        parse("{'must': [{'should': [{'key': 'a[].b', 'match': {'value': 1}}]}]}"));
  }

  @Test
  void severalClausesInOneFieldConditionKeepQdrantsMeaning() {
    Condition red = field("a", new FieldPredicate.MatchKeyword("red"));
    Condition small = field("a", new FieldPredicate.NumberRange(null, null, 3.0, null));
    assertEquals(
        Filter.allOf(Filter.anyOf(red, small)),
        parse("{'must': {'key': 'a', 'match': {'value': 'red'}, 'range': {'lt': 3}}}"));
    assertEquals(
        Filter.allOf(field("a", new FieldPredicate.ValuesCount(null, 1, null, null))),
        parse(
            "{'must': {'key': 'a', 'match': {'value': 'red'}, 'values_count': {'gte': 1}, 'is_empty': true}}"));
    assertEquals(
        Filter.allOf(new Condition.IsEmpty(JsonPath.parse("a"))),
        parse("{'must': {'key': 'a', 'is_empty': true, 'is_null': true}}"));
  }

  @Test
  void errorsNameTheFieldPath() {
    rejects("[]", "filter");
    rejects("{'must': 3}", "filter.must");
    rejects("{'musts': []}", "filter");
    rejects(
        "{'must': [{'key': 'a', 'match': {'value': 1}}, {'key': 'p', 'range': {'gte': true}}]}",
        "filter.must[1].range.gte");
    rejects(
        "{'must': {'key': 'p', 'range': {'gte': 1, 'lt': '2024-01-01'}}}", "filter.must.range.gte");
    rejects("{'must': {'key': 'p', 'range': {'gte': 'yesterday'}}}", "filter.must.range.gte");
    rejects("{'should': [{'key': 'a', 'match': {'value': 1.5}}]}", "filter.should[0].match.value");
    rejects(
        "{'should': [{'key': 'a', 'match': {'value': 9223372036854775808}}]}",
        "filter.should[0].match.value");
    rejects(
        "{'should': [{'key': 'a', 'match': {'any': ['x', 1]}}]}", "filter.should[0].match.any[1]");
    rejects(
        "{'should': [{'key': 'a', 'match': {'except': 'x'}}]}", "filter.should[0].match.except");
    rejects("{'should': [{'key': 'a', 'match': {'val': 1}}]}", "filter.should[0].match");
    rejects("{'should': [{'key': 'a'}]}", "filter.should[0]");
    rejects("{'should': [{'key': 'a['}]}", "filter.should[0].key");
    rejects("{'should': [{'key': 3, 'match': {'value': 1}}]}", "filter.should[0].key");
    rejects(
        "{'must_not': [{'key': 'l', 'geo_radius': {'center': {'lat': 91, 'lon': 0}, 'radius': 1}}]}",
        "filter.must_not[0].geo_radius.center");
    rejects(
        "{'must_not': [{'key': 'l', 'geo_radius': {'center': {'lat': 1, 'lon': 0}}}]}",
        "filter.must_not[0].geo_radius.radius");
    rejects(
        "{'must_not': [{'key': 'l', 'geo_bounding_box': {'top_left': {'lat': 1}, 'bottom_right': {'lat': 0, 'lon': 0}}}]}",
        "filter.must_not[0].geo_bounding_box.top_left.lon");
    rejects(
        "{'must': {'key': 'l', 'geo_polygon': {'exterior': {'points': [{'lat': 0, 'lon': 0}, {'lat': 0, 'lon': 1}, {'lat': 1, 'lon': 1},"
            + " {'lat': 1, 'lon': 0}]}}}}",
        "filter.must.geo_polygon.exterior");
    rejects(
        "{'must': {'key': 'l', 'geo_polygon': {'exterior': {'points': [{'lat': 0, 'lon': 0}, {'lat': 0, 'lon': 1}, {'lat': 0, 'lon': 0}]}}}}",
        "filter.must.geo_polygon.exterior");
    rejects(
        "{'must': {'key': 'l', 'geo_polygon': {'interiors': []}}}",
        "filter.must.geo_polygon.exterior");
    rejects("{'must': {'key': 'c', 'values_count': {'gt': -1}}}", "filter.must.values_count.gt");
    rejects("{'must': {'key': 'c', 'is_empty': 'yes'}}", "filter.must.is_empty");
    rejects("{'must': {'is_empty': {'field': 'a'}}}", "filter.must.is_empty.key");
    rejects("{'must': {'is_null': 'a'}}", "filter.must.is_null");
    rejects("{'must': {'has_id': [1, -2]}}", "filter.must.has_id[1]");
    rejects("{'must': {'has_id': ['not-a-uuid']}}", "filter.must.has_id[0]");
    rejects(
        "{'must': {'has_id': [1, '0000000-00000-0000-0000-000000000000']}}",
        "filter.must.has_id[1]");
    rejects("{'must': {'has_id': [1.0]}}", "filter.must.has_id[0]");
    rejects("{'must': {'has_id': 1}}", "filter.must.has_id");
    rejects("{'must': {'has_vector': 1}}", "filter.must.has_vector");
    // out of range: a validation error, 422 as in Qdrant; of the wrong type: a format error, 400
    rejects("{'must': {'slice': {'index': 4, 'total': 4}}}", "filter.must.slice.index", 422);
    rejects("{'must': {'slice': {'index': 0, 'total': 0}}}", "filter.must.slice.total", 422);
    rejects("{'must': {'slice': {'index': 'a', 'total': 2}}}", "filter.must.slice.index");
    rejects("{'must': {'nested': {'key': 'diet'}}}", "filter.must.nested.filter");
    rejects(
        "{'must': {'nested': {'key': 'diet', 'filter': {'must': {'key': 'x', 'match': {'value': []}}}}}}",
        "filter.must.nested.filter.must.match.value");
    rejects("{'min_should': {'conditions': [], 'min_count': 0}}", "filter.min_should.min_count");
    rejects("{'min_should': {'min_count': 1}}", "filter.min_should.conditions");
    rejects(
        "{'min_should': {'conditions': {'has_id': [1]}, 'min_count': 1}}",
        "filter.min_should.conditions");
    rejects("{'must': [{'must': [{'foo': 1}]}]}", "filter.must[0].must[0]");
  }

  @Test
  void depthIsLimited() {
    String deep = "{}";
    for (int i = 1; i < FilterCodec.DEPTH_MAX; i++) {
      deep = "{'must': [" + deep + "]}";
    }
    parse(deep);
    rejects("{'must': [" + deep + "]}", "filter" + ".must[0]".repeat(FilterCodec.DEPTH_MAX));
  }

  /** The documentation's nested example, end to end: JSON → AST → codec → evaluation. */
  @Test
  void parsedFiltersEvaluateAndSurviveTheCodec() throws Exception {
    Filter filter =
        parse(
            "{'must': [{'nested': {'key': 'diet', 'filter': {'must': [{'key': 'food', 'match': {'value': 'meat'}},"
                + " {'key': 'likes', 'match': {'value': true}}]}}}], 'must_not': {'has_id': [2]}}");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FilterCodec.write(filter, new DataOutputStream(bytes));
    Filter decoded =
        FilterCodec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertEquals(filter, decoded);
    Payload chef1 =
        Payload.of(
            (ObjectNode)
                json(
                    "{'diet': [{'food': 'meat', 'likes': false}, {'food': 'meat', 'likes': true}]}"));
    Payload chef2 =
        Payload.of(
            (ObjectNode)
                json(
                    "{'diet': [{'food': 'meat', 'likes': false}, {'food': 'tofu', 'likes': true}]}"));
    assertTrue(decoded.matches(PointId.of(1), chef1, v -> false));
    assertFalse(decoded.matches(PointId.of(2), chef1, v -> false));
    assertFalse(decoded.matches(PointId.of(1), chef2, v -> false));
  }
}
