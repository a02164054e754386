package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.index.vector.Distance;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: payload operations (set with and without a key path, overwrite, delete keys, clear), delete
 * by filter, vector updates, filtered count and scroll behave like a plain in-memory model across
 * random sequences with reopenings of the shard; upserts, half of them conditional (random update
 * mode and update filter), write only the points the condition admits. Oracle: a TreeMap from id to
 * (vector, payload) on which each operation is applied directly, and the filter evaluated on the
 * model's payloads.
 */
@Timeout(120)
class ShardOperationsModelTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private record ModelPoint(float[] vector, Payload payload) {}

  @Test
  void randomOperationsWithReopensMatchTheModel() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    VectorsConfig config = VectorsConfig.single(new VectorParams(3, Distance.DOT, false));
    TreeMap<PointId, ModelPoint> model = new TreeMap<>();
    long index = 0;
    Shard shard = Shard.open(dir.resolve("s"), config);
    try {
      for (int step = 0; step < 1500; step++) {
        String at = "seed " + seed + " step " + step;
        int op = random.nextInt(100);
        if (op < 35) {
          List<Point> batch = new ArrayList<>();
          for (int i = 1 + random.nextInt(4); i > 0; i--) {
            batch.add(
                new Point(
                    randomId(random), Map.of("", randomVector(random)), randomPayload(random)));
          }
          UpsertCondition condition =
              random.nextBoolean() ? UpsertCondition.NONE : randomCondition(random);
          shard.upsert(batch, condition, ++index);
          // Each point is judged against the state before the entry, as every replica does.
          List<Point> admitted =
              batch.stream()
                  .filter(
                      p ->
                          condition.writes(
                              p.id(),
                              model.containsKey(p.id()),
                              id ->
                                  condition
                                      .updateFilter()
                                      .matches(id, model.get(id).payload(), n -> true)))
                  .toList();
          admitted.forEach(
              p -> model.put(p.id(), new ModelPoint(p.vectors().get(""), p.payload())));
        } else if (op < 65) {
          PointSelector selector = randomSelector(random);
          PayloadUpdate update = randomUpdate(random);
          shard.apply(new PointsOperation.UpdatePayload(selector, update), ++index);
          for (PointId id : selected(model, selector)) {
            ModelPoint p = model.get(id);
            model.put(id, new ModelPoint(p.vector(), update.apply(p.payload())));
          }
        } else if (op < 72) {
          PointSelector selector = randomSelector(random);
          shard.apply(new PointsOperation.DeletePoints(selector), ++index);
          selected(model, selector).forEach(model::remove);
        } else if (op < 77) {
          PointId id = randomId(random);
          float[] v = randomVector(random);
          shard.apply(
              new PointsOperation.UpdateVectors(
                  List.of(new PointsOperation.PointVectors(id, Map.of("", v)))),
              ++index);
          model.computeIfPresent(id, (k, p) -> new ModelPoint(v, p.payload()));
        } else if (op < 80) {
          shard.close();
          shard = Shard.open(dir.resolve("s"), null);
          assertEquals(index == 0 ? -1 : index, shard.appliedIndex(), at);
        } else if (op < 90) {
          Filter filter = randomFilter(random);
          long expected =
              model.entrySet().stream()
                  .filter(e -> filter.matches(e.getKey(), e.getValue().payload(), n -> true))
                  .count();
          assertEquals(expected, shard.count(filter), at + " count " + filter);
        } else {
          Filter filter = random.nextBoolean() ? null : randomFilter(random);
          scrollAll(shard, model, filter, 1 + random.nextInt(7), at);
        }
        assertEquals(model.size(), shard.count(), at);
      }
      scrollAll(shard, model, null, 5, "final, seed " + seed);
    } finally {
      shard.close();
    }
  }

  /**
   * Pages through the shard as the router does (limit + 1 per page) and compares with the model.
   */
  private static void scrollAll(
      Shard shard, TreeMap<PointId, ModelPoint> model, Filter filter, int limit, String at) {
    List<PointId> expected =
        model.entrySet().stream()
            .filter(
                e ->
                    filter == null || filter.matches(e.getKey(), e.getValue().payload(), n -> true))
            .map(Map.Entry::getKey)
            .toList();
    List<PointId> seen = new ArrayList<>();
    PointId offset = null;
    for (int pages = 0; pages < 1000; pages++) {
      List<PointRecord> page = shard.scroll(offset, limit + 1, filter, true, true);
      List<PointRecord> shown = page.subList(0, Math.min(limit, page.size()));
      for (PointRecord r : shown) {
        seen.add(r.id());
        ModelPoint p = model.get(r.id());
        assertEquals(p.payload(), r.payload(), at + " payload of " + r.id());
        assertEquals(
            java.util.Arrays.toString(p.vector()),
            java.util.Arrays.toString(r.vectors().get("")),
            at);
      }
      if (page.size() <= limit) {
        break;
      }
      offset = page.get(limit).id();
    }
    assertEquals(expected, seen, at + " scroll " + filter);
  }

  private static List<PointId> selected(
      TreeMap<PointId, ModelPoint> model, PointSelector selector) {
    return switch (selector) {
      case PointSelector.Ids ids ->
          ids.ids().stream().filter(model::containsKey).distinct().toList();
      case PointSelector.ByFilter f ->
          model.entrySet().stream()
              .filter(e -> f.filter().matches(e.getKey(), e.getValue().payload(), n -> true))
              .map(Map.Entry::getKey)
              .toList();
    };
  }

  private static PointSelector randomSelector(Random random) {
    if (random.nextBoolean()) {
      return new PointSelector.Ids(List.of(randomId(random), randomId(random), randomId(random)));
    }
    return new PointSelector.ByFilter(randomFilter(random));
  }

  private static Filter randomFilter(Random random) {
    Condition c =
        switch (random.nextInt(3)) {
          case 0 ->
              new Condition.Field(
                  JsonPath.of("n"),
                  new FieldPredicate.NumberRange(null, (double) random.nextInt(10), null, null));
          case 1 ->
              new Condition.Field(
                  JsonPath.parse("tag.color"),
                  new FieldPredicate.MatchKeyword(random.nextBoolean() ? "red" : "blue"));
          default -> new Condition.IsEmpty(JsonPath.of("n"));
        };
    return random.nextInt(4) == 0 ? Filter.noneOf(c) : Filter.allOf(c);
  }

  private static UpsertCondition randomCondition(Random random) {
    UpdateMode mode = UpdateMode.values()[random.nextInt(UpdateMode.values().length)];
    return new UpsertCondition(mode, random.nextBoolean() ? null : randomFilter(random));
  }

  /**
   * The two conditional-upsert cases and the other combinations, one by one: insert_only never
   * replaces, update_only never inserts, and update_filter decides on the existing point's payload
   * (a new point is inserted whatever it says). Skipped points keep their version.
   */
  @Test
  void conditionalUpsertsDecideFromTheStoredPoints() {
    try (Shard shard =
        Shard.open(
            dir.resolve("c"), VectorsConfig.single(new VectorParams(2, Distance.DOT, false)))) {
      shard.upsert(List.of(point(1, "{\"n\":6}"), point(2, "{\"n\":3}")), 1);
      shard.upsert(
          List.of(point(1, "{\"hacked\":true}"), point(3, "{\"n\":1}")),
          new UpsertCondition(UpdateMode.INSERT_ONLY, null),
          2);
      assertPayload(shard, 1, "{\"n\":6}", 1);
      assertPayload(shard, 3, "{\"n\":1}", 2);

      Filter below5 =
          Filter.allOf(
              new Condition.Field(
                  JsonPath.of("n"), new FieldPredicate.NumberRange(null, null, 5.0, null)));
      shard.upsert(
          List.of(point(1, "{\"n\":100}"), point(2, "{\"n\":200}"), point(4, "{\"n\":400}")),
          new UpsertCondition(UpdateMode.UPSERT, below5),
          3);
      assertPayload(shard, 1, "{\"n\":6}", 1);
      assertPayload(shard, 2, "{\"n\":200}", 3);
      assertPayload(shard, 4, "{\"n\":400}", 3);

      shard.upsert(
          List.of(point(3, "{\"n\":30}"), point(5, "{\"n\":500}")),
          new UpsertCondition(UpdateMode.UPDATE_ONLY, null),
          4);
      assertPayload(shard, 3, "{\"n\":30}", 4);
      assertEquals(
          List.of(),
          shard.retrieve(List.of(PointId.of(5)), true, false),
          "update_only inserts nothing");

      shard.upsert(
          List.of(point(3, "{\"n\":31}"), point(1, "{\"n\":11}"), point(6, "{}")),
          new UpsertCondition(UpdateMode.UPDATE_ONLY, below5),
          5);
      assertPayload(shard, 3, "{\"n\":30}", 4);
      assertPayload(shard, 1, "{\"n\":6}", 1);
      assertEquals(4, shard.count());
      assertEquals(5, shard.appliedIndex(), "an entry that writes nothing is still applied");
    }
  }

  /**
   * {@code update_filter} of a vector update: only existing points whose payload matches change.
   */
  @Test
  void vectorUpdatesWithAFilterChangeOnlyMatchingPoints() {
    try (Shard shard =
        Shard.open(
            dir.resolve("vf"), VectorsConfig.single(new VectorParams(2, Distance.DOT, false)))) {
      shard.upsert(List.of(point(1, "{\"n\":1}"), point(7, "{\"n\":7}")), 1);
      Filter below5 =
          Filter.allOf(
              new Condition.Field(
                  JsonPath.of("n"), new FieldPredicate.NumberRange(null, null, 5.0, null)));
      shard.apply(
          new PointsOperation.UpdateVectors(
              List.of(
                  new PointsOperation.PointVectors(PointId.of(1), Map.of("", new float[] {9, 9})),
                  new PointsOperation.PointVectors(PointId.of(7), Map.of("", new float[] {9, 9}))),
              below5),
          2);
      List<PointRecord> found = shard.retrieve(List.of(PointId.of(1), PointId.of(7)), false, true);
      assertEquals("[9.0, 9.0]", java.util.Arrays.toString(found.get(0).vectors().get("")));
      assertEquals(
          "[7.0, 1.0]",
          java.util.Arrays.toString(found.get(1).vectors().get("")),
          "n = 7 does not match: unchanged");
      assertEquals(1, found.get(1).version());
    }
  }

  private static Point point(int id, String payload) {
    try {
      return new Point(
          PointId.of(id),
          Map.of("", new float[] {id, 1}),
          Payload.of((ObjectNode) JSON.readTree(payload)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void assertPayload(Shard shard, int id, String payload, long version) {
    List<PointRecord> found = shard.retrieve(List.of(PointId.of(id)), true, false);
    assertEquals(1, found.size(), "point " + id);
    assertEquals(point(id, payload).payload(), found.getFirst().payload(), "payload of " + id);
    assertEquals(version, found.getFirst().version(), "version of " + id);
  }

  private static PayloadUpdate randomUpdate(Random random) {
    return switch (random.nextInt(5)) {
      case 0 ->
          new PayloadUpdate.Set(
              Payload.of(JSON.createObjectNode().put("n", random.nextInt(12))), null);
      case 1 ->
          new PayloadUpdate.Set(
              Payload.of(
                  JSON.createObjectNode().put("color", random.nextBoolean() ? "red" : "blue")),
              JsonPath.of("tag"));
      case 2 -> new PayloadUpdate.Overwrite(randomPayload(random));
      case 3 ->
          new PayloadUpdate.DeleteKeys(
              List.of(random.nextBoolean() ? JsonPath.of("n") : JsonPath.parse("tag.color")));
      default -> new PayloadUpdate.Clear();
    };
  }

  private static Payload randomPayload(Random random) {
    ObjectNode p = JSON.createObjectNode();
    if (random.nextInt(4) > 0) {
      p.put("n", random.nextInt(12));
    }
    if (random.nextBoolean()) {
      p.putObject("tag")
          .put("color", random.nextBoolean() ? "red" : "blue")
          .put("size", random.nextInt(3));
    }
    return Payload.of(p);
  }

  private static PointId randomId(Random random) {
    return random.nextInt(4) == 0
        ? PointId.of(new UUID(0, random.nextInt(20)))
        : PointId.of(random.nextInt(40));
  }

  private static float[] randomVector(Random random) {
    return new float[] {random.nextInt(5), random.nextInt(5), random.nextInt(5)};
  }

  @Test
  void payloadUpdatesFollowQdrantsKeyPaths() throws Exception {
    Payload p =
        Payload.of(
            (ObjectNode)
                JSON.readTree("{\"a\":{\"b\":1},\"list\":[{\"x\":1,\"y\":2},{\"x\":3}],\"k\":5}"));
    assertEquals(
        JSON.readTree("{\"a\":{\"b\":1,\"c\":2},\"list\":[{\"x\":1,\"y\":2},{\"x\":3}],\"k\":5}"),
        new PayloadUpdate.Set(payload("{\"c\":2}"), JsonPath.of("a")).apply(p).tree());
    assertEquals(
        JSON.readTree(
            "{\"a\":{\"b\":1},\"list\":[{\"x\":1,\"y\":2,\"z\":0},{\"x\":3,\"z\":0}],\"k\":5}"),
        new PayloadUpdate.Set(payload("{\"z\":0}"), JsonPath.parse("list[]")).apply(p).tree());
    assertEquals(
        JSON.readTree("{\"a\":{\"b\":1},\"list\":[{\"x\":1,\"y\":2},{\"x\":3}],\"k\":{\"n\":1}}"),
        new PayloadUpdate.Set(payload("{\"n\":1}"), JsonPath.of("k")).apply(p).tree(),
        "a non-object at the path is replaced");
    assertEquals(
        JSON.readTree("{\"a\":{},\"list\":[{\"y\":2},{}],\"k\":5}"),
        new PayloadUpdate.DeleteKeys(
                List.of(JsonPath.parse("a.b"), JsonPath.parse("list[].x"), JsonPath.of("missing")))
            .apply(p)
            .tree());
    assertEquals(
        JSON.readTree("{\"a\":{\"b\":1},\"list\":[{\"x\":3}],\"k\":5}"),
        new PayloadUpdate.DeleteKeys(List.of(JsonPath.parse("list[0]"))).apply(p).tree());
    assertEquals(Payload.EMPTY, new PayloadUpdate.Clear().apply(p));
    assertEquals(
        JSON.readTree("{\"a\":{\"b\":1},\"list\":[{\"x\":1,\"y\":2},{\"x\":3}],\"k\":5}"),
        p.tree(),
        "the input payload is never modified");
  }

  @Test
  void vectorUpdatesOfMissingPointsAndBadVectorsChangeNothing() {
    try (Shard shard =
        Shard.open(
            dir.resolve("v"), VectorsConfig.single(new VectorParams(2, Distance.DOT, false)))) {
      shard.upsert(
          List.of(new Point(PointId.of(1), Map.of("", new float[] {1, 2}), Payload.EMPTY)), 1);
      shard.apply(
          new PointsOperation.UpdateVectors(
              List.of(
                  new PointsOperation.PointVectors(PointId.of(9), Map.of("", new float[] {3, 4})))),
          2);
      assertEquals(1, shard.count(), "no point is created by a vector update");
      org.junit.jupiter.api.Assertions.assertThrows(
          BadRequestException.class,
          () ->
              shard.apply(
                  new PointsOperation.UpdateVectors(
                      List.of(
                          new PointsOperation.PointVectors(
                              PointId.of(1), Map.of("", new float[] {3})))),
                  3));
      assertEquals(
          "[1.0, 2.0]",
          java.util.Arrays.toString(
              shard.retrieve(List.of(PointId.of(1)), false, true).getFirst().vectors().get("")));
      assertNull(shard.retrieve(List.of(PointId.of(1)), false, false).getFirst().vectors());
    }
  }

  private static Payload payload(String json) throws Exception {
    return Payload.of((ObjectNode) JSON.readTree(json));
  }
}
