package io.quiver.storage.payloadindex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.Datetimes;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.GeoPoint;
import io.quiver.storage.filter.JsonPath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Goal: for every index type, the payload indexes' candidate set of a random filter is exactly the
 * set of matching points when it says it is exact, and a superset otherwise; after verification it
 * is always exact; and the cardinality estimate brackets the true count — through random upserts,
 * payload changes, vector rewrites and deletes, over real segments that the flusher and the
 * optimizer replace meanwhile (the entries follow the points into the new segments' ords), and
 * after a rebuild from the payloads (what a reopen does). Oracle: {@link Filter#matches} (the
 * no-index evaluator) over a map of the current payloads. Full-text is tested in {@link
 * TextIndexTest}: its indexed semantics are token-based by design.
 */
@Timeout(120)
class PayloadIndexesTest {

  @TempDir Path dir;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String[] WORDS = {
    "red",
    "green",
    "Red",
    "",
    "blue sky",
    "550e8400-e29b-41d4-a716-446655440000",
    "00000000-0000-0000-0000-000000000001",
    "550E8400-E29B-41D4-A716-446655440000"
  };
  private static final String[] DATES = {
    "2024-01-01",
    "2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00+01:00",
    "2023-12-31 23:00",
    "2024-06-15T12:30:00.5Z",
    "not a date"
  };
  private static final double[] BOUNDS = {-3.5, -1, 0, 1, 2, 2.5, 3, 5, 1e19, -1e19};
  private static final List<JsonPath> FIELDS =
      List.of(JsonPath.parse("f"), JsonPath.parse("o.f"), JsonPath.parse("arr[].f"));

  @ParameterizedTest
  @EnumSource(
      value = PayloadSchemaType.class,
      names = {"KEYWORD", "INTEGER", "FLOAT", "BOOL", "DATETIME", "UUID", "GEO"})
  void candidatesAndEstimatesAgreeWithTheEvaluator(PayloadSchemaType type) throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    try {
      run(type, new Random(seed));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          type + " failed; replay with -Dtests.seed=" + seed + ": " + e.getMessage(), e);
    }
  }

  private void run(PayloadSchemaType type, Random random) throws InterruptedException {
    JsonPath field = FIELDS.get(random.nextInt(FIELDS.size()));
    Map<PointId, Payload> model = new HashMap<>();
    try (IndexedSegments points = new IndexedSegments(dir)) {
      for (int i = 0; i < 60; i++) {
        upsert(points, model, PointId.of(i), payload(field, random), true);
      }
      FieldIndexSchema schema =
          type == PayloadSchemaType.INTEGER && random.nextBoolean()
              ? FieldIndexSchema.integer(random.nextBoolean(), true)
              : FieldIndexSchema.of(type);
      points.create(field, schema);
      for (int round = 0; round < 30; round++) {
        for (int op = 0; op < 10; op++) {
          PointId id = PointId.of(random.nextInt(90));
          switch (random.nextInt(6)) {
            case 0 -> {
              model.remove(id);
              points.delete(id);
            }
            case 1 -> points.rewriteVector(id); // the point moves, its payload stays
            case 2 -> upsert(points, model, id, payload(field, random), false);
            default -> upsert(points, model, id, payload(field, random), true);
          }
        }
        if (round % 10 == 9) {
          points.rebuild(); // what a reopen does
        }
        for (int q = 0; q < 20; q++) {
          check(points, model, filter(type, field, random, 2));
        }
        assertEquals(model.size(), (long) points.read(() -> points.indexes().pointCount()));
      }
      // The points moved into flushed, merged and vacuumed segments meanwhile; once more after
      // some of that surely happened.
      assertTrue(points.awaitReplaced(3) >= 3, "segments were replaced while the test ran");
      for (int q = 0; q < 20; q++) {
        check(points, model, filter(type, field, random, 2));
      }
    }
  }

  private static void upsert(
      IndexedSegments points,
      Map<PointId, Payload> model,
      PointId id,
      Payload payload,
      boolean newVector) {
    model.put(id, payload);
    points.put(id, payload, newVector);
  }

  static void check(IndexedSegments points, Map<PointId, Payload> model, Filter filter) {
    Set<PointId> expected = new TreeSet<>();
    model.forEach(
        (id, payload) -> {
          if (filter.matches(id, payload, name -> true)) {
            expected.add(id);
          }
        });
    IndexedSegments.Found candidates = points.candidates(filter);
    if (candidates.exact()) {
      assertEquals(expected, candidates.ids(), "exact candidates of " + filter);
    } else {
      assertTrue(
          candidates.ids().containsAll(expected), "candidates must be a superset for " + filter);
    }
    points.read(
        () -> {
          SearchPlan plan =
              SearchPlan.plan(
                  points.indexes(),
                  filter,
                  model.size(),
                  10,
                  id -> filter.matches(id, model.get(id), name -> true));
          Set<PointId> verified = new TreeSet<>();
          plan.forEachCandidate(verified::add);
          assertEquals(expected, verified, "verified candidates of " + filter);
          Set<PointId> accepted = new TreeSet<>();
          model.keySet().stream().filter(plan.accept()).forEach(accepted::add);
          assertEquals(expected, accepted, "points the plan accepts for " + filter);
          Estimate estimate = points.indexes().estimate(filter, model.size());
          assertTrue(
              estimate.min() <= expected.size() && expected.size() <= estimate.max(),
              estimate + " must bracket " + expected.size() + " for " + filter);
          return null;
        });
  }

  // ---- payloads: every JSON kind at the indexed key, so foreign values occur ----

  private static Payload payload(JsonPath field, Random random) {
    ObjectNode root = JSON.objectNode();
    if (random.nextInt(8) == 0) {
      return Payload.of(root);
    }
    JsonNode value = random.nextInt(4) == 0 ? array(random) : scalar(random);
    switch (field.toString()) {
      case "f" -> root.set("f", value);
      case "o.f" -> root.putObject("o").set("f", value);
      default -> {
        ArrayNode arr = root.putArray("arr");
        for (int i = random.nextInt(3); i >= 0; i--) {
          arr.addObject().set("f", random.nextBoolean() ? value : scalar(random));
        }
      }
    }
    root.put("g", WORDS[random.nextInt(3)]);
    return Payload.of(root);
  }

  private static JsonNode array(Random random) {
    ArrayNode a = JSON.arrayNode();
    for (int i = random.nextInt(4); i > 0; i--) {
      a.add(random.nextInt(10) == 0 ? JSON.arrayNode().add(scalar(random)) : scalar(random));
    }
    return a;
  }

  private static JsonNode scalar(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> JSON.textNode(WORDS[random.nextInt(WORDS.length)]);
      case 1 -> JSON.numberNode(random.nextInt(11) - 5);
      case 2 -> JSON.numberNode(new double[] {2.5, -0.0, 3.0, -3.5, 1e19}[random.nextInt(5)]);
      case 3 -> JSON.booleanNode(random.nextBoolean());
      case 4 -> JSON.nullNode();
      case 5, 6 -> geo(random);
      case 7 -> JSON.textNode(DATES[random.nextInt(DATES.length)]);
      case 8 -> JSON.numberNode(random.nextInt(4));
      default -> JSON.textNode(WORDS[random.nextInt(3)]);
    };
  }

  private static ObjectNode geo(Random random) {
    return JSON.objectNode()
        .put("lat", random.nextInt(5) * 1.0)
        .put("lon", random.nextInt(5) * 1.0 + 0.5);
  }

  // ---- filters: the type's predicates on the indexed field, mixed with unindexed conditions ----

  private static Filter filter(PayloadSchemaType type, JsonPath field, Random random, int depth) {
    List<Condition> must = conditions(type, field, random, depth, random.nextInt(3));
    List<Condition> should =
        random.nextInt(3) == 0 ? conditions(type, field, random, depth, random.nextInt(3)) : null;
    List<Condition> mustNot =
        conditions(type, field, random, depth, random.nextInt(3) == 0 ? 1 : 0);
    Condition.MinShould minShould =
        random.nextInt(5) == 0
            ? new Condition.MinShould(
                conditions(type, field, random, depth, 2), 1 + random.nextInt(2))
            : null;
    return new Filter(must, should, mustNot, minShould);
  }

  private static List<Condition> conditions(
      PayloadSchemaType type, JsonPath field, Random random, int depth, int n) {
    List<Condition> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = random.nextInt(10);
      if (kind == 0 && depth > 0) {
        out.add(filter(type, field, random, depth - 1));
      } else if (kind == 1) {
        out.add(
            new Condition.Field(
                JsonPath.of("g"), new FieldPredicate.MatchKeyword(WORDS[random.nextInt(3)])));
      } else if (kind == 2) {
        Set<PointId> ids = new HashSet<>();
        for (int j = random.nextInt(5); j > 0; j--) {
          ids.add(PointId.of(random.nextInt(90)));
        }
        out.add(new Condition.HasId(ids));
      } else if (kind == 3) {
        out.add(new Condition.IsEmpty(field));
      } else {
        out.add(new Condition.Field(field, predicate(type, random)));
      }
    }
    return out;
  }

  private static FieldPredicate predicate(PayloadSchemaType type, Random random) {
    return switch (type) {
      case KEYWORD, UUID ->
          random.nextBoolean()
              ? new FieldPredicate.MatchKeyword(WORDS[random.nextInt(WORDS.length)])
              : new FieldPredicate.MatchAnyKeywords(
                  new HashSet<>(
                      List.of(WORDS[random.nextInt(WORDS.length)], WORDS[random.nextInt(3)])));
      case INTEGER ->
          switch (random.nextInt(3)) {
            case 0 -> new FieldPredicate.MatchInteger(random.nextInt(11) - 5);
            case 1 ->
                new FieldPredicate.MatchAnyIntegers(
                    new long[] {random.nextInt(5), random.nextInt(5) - 3});
            default -> numberRange(random);
          };
      case FLOAT -> numberRange(random);
      case BOOL -> new FieldPredicate.MatchBool(random.nextBoolean());
      case DATETIME -> {
        Long[] b = new Long[4];
        for (int i = 0; i < 4; i++) {
          if (random.nextInt(3) == 0) {
            b[i] = Datetimes.parseMicros(DATES[random.nextInt(DATES.length - 1)]);
          }
        }
        yield new FieldPredicate.DatetimeRange(b[0], b[1], b[2], b[3]);
      }
      case GEO ->
          switch (random.nextInt(3)) {
            case 0 ->
                new FieldPredicate.GeoBoundingBox(
                    new GeoPoint(random.nextInt(5), random.nextInt(3)),
                    new GeoPoint(random.nextInt(3) - 1, random.nextInt(5)));
            case 1 ->
                new FieldPredicate.GeoRadius(
                    new GeoPoint(random.nextInt(5), random.nextInt(5)), random.nextInt(400_000));
            default ->
                new FieldPredicate.GeoPolygon(
                    List.of(
                        new GeoPoint(0, 0),
                        new GeoPoint(3, 1),
                        new GeoPoint(0, 4),
                        new GeoPoint(0, 0)),
                    List.of());
          };
      case TEXT -> throw new IllegalArgumentException("see TextIndexTest");
    };
  }

  private static FieldPredicate.NumberRange numberRange(Random random) {
    Double[] b = new Double[4];
    for (int i = 0; i < 4; i++) {
      if (random.nextInt(3) == 0) {
        b[i] = BOUNDS[random.nextInt(BOUNDS.length)];
      }
    }
    return new FieldPredicate.NumberRange(b[0], b[1], b[2], b[3]);
  }
}
