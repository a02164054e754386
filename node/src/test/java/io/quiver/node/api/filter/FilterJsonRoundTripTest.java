package io.quiver.node.api.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.GeoPoint;
import io.quiver.storage.filter.JsonPath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FilterJsonRoundTripTest {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String[] KEYS = {"a", "b-c", "d_e", "x y", "p.q", "", "город"};
  private static final String[] WORDS = {"red", "", "dark red", "\u00e9\u00e8", "\"q\""};

  /**
   * Goal: the reader accepts every filter the AST can express, written the way a Qdrant client
   * writes it, and reads it back exactly (keys needing quotes, -0.0, microsecond datetimes, UUID
   * ids, deep nesting). Oracle: equality with the AST the JSON was written from.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void randomFiltersSurviveJson() {
    String fixed = System.getProperty("tests.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
    Random random = new Random(seed);
    for (int i = 0; i < 5_000; i++) {
      Filter filter = filter(random, 3);
      JsonNode json = write(filter);
      Filter parsed = FilterJson.parse(json, "filter");
      assertEquals(filter, parsed, () -> "seed " + seed + " (replay with -Dtests.seed): " + json);
    }
  }

  // ---- writer: AST -> Qdrant JSON ----

  static ObjectNode write(Filter f) {
    ObjectNode o = F.objectNode();
    if (!f.must().isEmpty()) {
      o.set("must", writeList(f.must()));
    }
    if (f.should() != null) {
      o.set("should", writeList(f.should()));
    }
    if (!f.mustNot().isEmpty()) {
      o.set(
          "must_not",
          f.mustNot().size() == 1 ? write(f.mustNot().getFirst()) : writeList(f.mustNot()));
    }
    if (f.minShould() != null) {
      o.set(
          "min_should",
          F.objectNode()
              .<ObjectNode>set("conditions", writeList(f.minShould().conditions()))
              .put("min_count", f.minShould().minCount()));
    }
    return o;
  }

  private static ArrayNode writeList(List<Condition> conditions) {
    ArrayNode a = F.arrayNode();
    conditions.forEach(c -> a.add(write(c)));
    return a;
  }

  private static JsonNode write(Condition c) {
    return switch (c) {
      case Filter f -> write(f);
      case Condition.Field f -> writeField(f);
      case Condition.IsEmpty e ->
          F.objectNode().set("is_empty", F.objectNode().put("key", e.key().toString()));
      case Condition.IsNull n ->
          F.objectNode().set("is_null", F.objectNode().put("key", n.key().toString()));
      case Condition.HasId h -> {
        ArrayNode ids = F.arrayNode();
        h.ids()
            .forEach(
                id ->
                    ids.add(
                        id.isUuid()
                            ? F.textNode(id.toString())
                            : F.numberNode(new java.math.BigInteger(id.toString()))));
        yield F.objectNode().set("has_id", ids);
      }
      case Condition.HasVector v -> F.objectNode().put("has_vector", v.vector());
      case Condition.Slice s ->
          F.objectNode()
              .set("slice", F.objectNode().put("index", s.index()).put("total", s.total()));
      case Condition.Nested n ->
          F.objectNode()
              .set(
                  "nested",
                  F.objectNode().put("key", n.key().toString()).set("filter", write(n.filter())));
      case Condition.OwnedBy o ->
          throw new IllegalArgumentException("not in Qdrant's filter language: " + o);
    };
  }

  private static JsonNode writeField(Condition.Field f) {
    ObjectNode o = F.objectNode().put("key", f.key().toString());
    switch (f.predicate()) {
      case FieldPredicate.MatchKeyword m -> o.set("match", F.objectNode().put("value", m.value()));
      case FieldPredicate.MatchInteger m -> o.set("match", F.objectNode().put("value", m.value()));
      case FieldPredicate.MatchBool m -> o.set("match", F.objectNode().put("value", m.value()));
      case FieldPredicate.MatchAnyKeywords m ->
          o.set("match", F.objectNode().set("any", strings(m.values())));
      case FieldPredicate.MatchAnyIntegers m ->
          o.set("match", F.objectNode().set("any", longs(m.values())));
      case FieldPredicate.MatchExceptKeywords m ->
          o.set("match", F.objectNode().set("except", strings(m.values())));
      case FieldPredicate.MatchExceptIntegers m ->
          o.set("match", F.objectNode().set("except", longs(m.values())));
      case FieldPredicate.MatchText m -> o.set("match", F.objectNode().put("text", m.text()));
      case FieldPredicate.MatchPhrase m -> o.set("match", F.objectNode().put("phrase", m.phrase()));
      case FieldPredicate.MatchTextAny m ->
          o.set("match", F.objectNode().put("text_any", m.textAny()));
      case FieldPredicate.MatchPrefix m -> o.set("match", F.objectNode().put("prefix", m.prefix()));
      case FieldPredicate.IndexedText m ->
          throw new AssertionError("built by the payload indexes, never parsed: " + m);
      case FieldPredicate.NumberRange r ->
          o.set(
              "range",
              F.objectNode()
                  .put("gt", r.gt())
                  .put("gte", r.gte())
                  .put("lt", r.lt())
                  .put("lte", r.lte()));
      case FieldPredicate.DatetimeRange r ->
          o.set(
              "range",
              F.objectNode()
                  .put("gt", datetime(r.gt()))
                  .put("gte", datetime(r.gte()))
                  .put("lt", datetime(r.lt()))
                  .put("lte", datetime(r.lte())));
      case FieldPredicate.GeoBoundingBox b ->
          o.set(
              "geo_bounding_box",
              F.objectNode()
                  .<ObjectNode>set("top_left", geo(b.topLeft()))
                  .set("bottom_right", geo(b.bottomRight())));
      case FieldPredicate.GeoRadius r ->
          o.set(
              "geo_radius",
              F.objectNode()
                  .<ObjectNode>set("center", geo(r.center()))
                  .put("radius", r.radiusMeters()));
      case FieldPredicate.GeoPolygon p -> {
        ArrayNode holes = F.arrayNode();
        p.interiors().forEach(h -> holes.add(ring(h)));
        o.set(
            "geo_polygon",
            F.objectNode().<ObjectNode>set("exterior", ring(p.exterior())).set("interiors", holes));
      }
      case FieldPredicate.ValuesCount v ->
          o.set(
              "values_count",
              F.objectNode()
                  .put("gt", v.gt())
                  .put("gte", v.gte())
                  .put("lt", v.lt())
                  .put("lte", v.lte()));
    }
    return o;
  }

  private static ArrayNode strings(Set<String> values) {
    ArrayNode a = F.arrayNode();
    values.forEach(a::add);
    return a;
  }

  private static ArrayNode longs(long[] values) {
    ArrayNode a = F.arrayNode();
    for (long v : values) {
      a.add(v);
    }
    return a;
  }

  private static String datetime(Long micros) {
    return micros == null
        ? null
        : Instant.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000)
            .toString();
  }

  private static ObjectNode geo(GeoPoint p) {
    return F.objectNode().put("lat", p.lat()).put("lon", p.lon());
  }

  private static ObjectNode ring(List<GeoPoint> points) {
    ArrayNode a = F.arrayNode();
    points.forEach(p -> a.add(geo(p)));
    return F.objectNode().set("points", a);
  }

  // ---- random ASTs ----

  private static Filter filter(Random r, int depth) {
    return new Filter(
        list(r, depth, r.nextInt(3)),
        r.nextBoolean() ? list(r, depth, r.nextInt(3)) : null,
        list(r, depth, r.nextInt(2)),
        r.nextInt(4) == 0
            ? new Condition.MinShould(list(r, depth, r.nextInt(3)), 1 + r.nextInt(3))
            : null);
  }

  private static List<Condition> list(Random r, int depth, int n) {
    List<Condition> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(condition(r, depth));
    }
    return out;
  }

  private static Condition condition(Random r, int depth) {
    return switch (r.nextInt(depth > 0 ? 9 : 7)) {
      case 0, 1 -> new Condition.Field(path(r), predicate(r));
      case 2 -> new Condition.IsEmpty(path(r));
      case 3 -> new Condition.IsNull(path(r));
      case 4 -> {
        Set<PointId> ids = new HashSet<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          ids.add(
              r.nextBoolean()
                  ? PointId.of(r.nextLong())
                  : PointId.of(new UUID(r.nextLong(), r.nextLong())));
        }
        yield new Condition.HasId(ids);
      }
      case 5 ->
          r.nextBoolean()
              ? new Condition.HasVector(WORDS[r.nextInt(WORDS.length)])
              : new Condition.Slice(r.nextInt(3), 3 + r.nextInt(5));
      case 6 -> new Condition.Field(path(r), predicate(r));
      case 7 -> new Condition.Nested(path(r), filter(r, depth - 1));
      default -> filter(r, depth - 1);
    };
  }

  private static JsonPath path(Random r) {
    List<JsonPath.Step> steps = new ArrayList<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      steps.add(
          switch (r.nextInt(3)) {
            case 0 -> new JsonPath.Wildcard();
            case 1 -> new JsonPath.Index(r.nextInt(100));
            default -> new JsonPath.Key(KEYS[r.nextInt(KEYS.length)]);
          });
    }
    return new JsonPath(KEYS[r.nextInt(KEYS.length)], steps);
  }

  private static FieldPredicate predicate(Random r) {
    String word = WORDS[r.nextInt(WORDS.length)];
    return switch (r.nextInt(17)) {
      case 0 -> new FieldPredicate.MatchKeyword(word);
      case 1 -> new FieldPredicate.MatchInteger(r.nextLong());
      case 2 -> new FieldPredicate.MatchBool(r.nextBoolean());
      case 3 -> new FieldPredicate.MatchAnyKeywords(r.nextBoolean() ? Set.of() : Set.of(word, "z"));
      case 4 -> new FieldPredicate.MatchAnyIntegers(new long[] {r.nextLong(), Long.MIN_VALUE});
      case 5 -> new FieldPredicate.MatchExceptKeywords(Set.of(word));
      case 6 -> new FieldPredicate.MatchExceptIntegers(new long[] {r.nextInt()});
      case 7 -> new FieldPredicate.MatchText(word);
      case 8 -> new FieldPredicate.MatchPhrase(word);
      case 9 -> new FieldPredicate.MatchTextAny(word);
      case 10 -> new FieldPredicate.MatchPrefix(word);
      case 11 ->
          new FieldPredicate.NumberRange(
              bound(r), bound(r), r.nextBoolean() ? -0.0 : null, bound(r));
      // At least one bound: with none, JSON cannot tell a datetime range from a numeric one (Qdrant
      // reads numeric).
      case 12 ->
          new FieldPredicate.DatetimeRange(
              micros(r), micros(r), micros(r), -2_208_988_800_000_000L + r.nextInt());
      case 13 -> new FieldPredicate.GeoBoundingBox(point(r), point(r));
      case 14 -> new FieldPredicate.GeoRadius(point(r), r.nextDouble() * 1e7);
      case 15 -> {
        GeoPoint a = point(r);
        List<GeoPoint> ring = List.of(a, point(r), point(r), a);
        yield new FieldPredicate.GeoPolygon(
            ring, r.nextBoolean() ? List.of() : List.of(ring, ring));
      }
      default -> new FieldPredicate.ValuesCount(count(r), count(r), count(r), count(r));
    };
  }

  private static Double bound(Random r) {
    return r.nextBoolean() ? (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(30) - 10) : null;
  }

  private static Long micros(Random r) {
    // 1900 .. 2100, microsecond precision.
    return r.nextBoolean()
        ? -2_208_988_800_000_000L + (long) (r.nextDouble() * 6_311_433_600_000_000L)
        : null;
  }

  private static Integer count(Random r) {
    return r.nextBoolean() ? r.nextInt(1000) : null;
  }

  private static GeoPoint point(Random r) {
    return new GeoPoint(r.nextDouble() * 180 - 90, r.nextDouble() * 360 - 180);
  }
}
