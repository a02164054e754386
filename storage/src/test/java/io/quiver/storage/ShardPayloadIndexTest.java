package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.index.vector.Distance;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.payloadindex.Estimate;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadSchemaType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a shard with payload indexes counts and searches with filters exactly as the evaluator does
 * over its stored payloads, through upserts, deletes, index creation and removal, and reopens (the
 * indexes are rebuilt from RocksDB, the schema is stored with the data), and payload operations
 * (set, overwrite, delete keys, clear; by ids and by filter) and deletes by filter. Oracle: a
 * TreeMap model of the payloads and vectors, filtered by {@link Filter#matches} and ranked by brute
 * force.
 */
@Timeout(120)
class ShardPayloadIndexTest {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String[] COLORS = {"red", "green", "blue"};

  @TempDir Path dir;
  @TempDir Path checkpoints;

  @Test
  void indexedFiltersMatchTheModelAcrossReopens() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    VectorsConfig config = VectorsConfig.single(new VectorParams(4, Distance.EUCLID, false));
    Map<PointId, Point> model = new TreeMap<>();
    Shard shard = Shard.open(dir, config);
    long index = 0;
    try {
      shard.createFieldIndex("color", FieldIndexSchema.of(PayloadSchemaType.KEYWORD), ++index);
      for (int round = 0; round < 12; round++) {
        List<Point> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          PointId id = PointId.of(random.nextInt(400));
          ObjectNode payload = JSON.objectNode();
          if (random.nextInt(5) > 0) {
            payload.put("color", COLORS[random.nextInt(COLORS.length)]);
          }
          payload.put("n", random.nextInt(100));
          Point p =
              new Point(
                  id,
                  Map.of(
                      "",
                      new float[] {
                        random.nextFloat(),
                        random.nextFloat(),
                        random.nextFloat(),
                        random.nextFloat()
                      }),
                  Payload.of(payload));
          batch.removeIf(q -> q.id().equals(id));
          batch.add(p);
        }
        shard.upsert(batch, ++index);
        batch.forEach(p -> model.put(p.id(), p));
        List<PointId> deletes =
            List.of(PointId.of(random.nextInt(400)), PointId.of(random.nextInt(400)));
        shard.delete(deletes, ++index);
        deletes.forEach(model::remove);
        index = payloadOperation(shard, model, random, index);
        if (round == 3) {
          shard.createFieldIndex("n", FieldIndexSchema.integer(true, true), ++index);
        }
        if (round == 9) {
          shard.deleteFieldIndex("color", ++index);
        }
        if (round % 4 == 2) {
          shard.close();
          shard = Shard.open(dir, null);
        }
        for (int q = 0; q < 10; q++) {
          check(shard, model, filter(random), random);
        }
      }
      var schema = shard.payloadSchema();
      assertEquals(Set.of("n"), schema.keySet());
      assertEquals(
          model.values().stream().filter(p -> p.payload().tree().has("n")).count(),
          schema.get("n").points());
      // A checkpoint (what a Raft snapshot ships) carries the schema; the copy rebuilds the
      // indexes.
      Path copy = checkpoints.resolve("checkpoint");
      shard.checkpoint(copy);
      try (Shard restored = Shard.open(copy, null)) {
        assertEquals(schema, restored.payloadSchema());
        for (int q = 0; q < 5; q++) {
          check(restored, model, filter(random), random);
        }
      }
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("replay with -Dtests.seed=" + seed + ": " + e.getMessage(), e);
    } finally {
      shard.close();
    }
  }

  /** One random payload operation or delete by filter, applied to the shard and the model alike. */
  private static long payloadOperation(
      Shard shard, Map<PointId, Point> model, Random random, long index) {
    PointSelector selector =
        random.nextBoolean()
            ? new PointSelector.Ids(
                List.of(PointId.of(random.nextInt(400)), PointId.of(random.nextInt(400))))
            : new PointSelector.ByFilter(filter(random));
    ObjectNode values = JSON.objectNode().put("color", COLORS[random.nextInt(3)]);
    PointsOperation operation =
        switch (random.nextInt(5)) {
          case 0 ->
              new PointsOperation.UpdatePayload(
                  selector, new PayloadUpdate.Set(Payload.of(values), null));
          case 1 ->
              new PointsOperation.UpdatePayload(
                  selector,
                  new PayloadUpdate.Overwrite(Payload.of(values.put("n", random.nextInt(100)))));
          case 2 ->
              new PointsOperation.UpdatePayload(
                  selector, new PayloadUpdate.DeleteKeys(List.of(JsonPath.of("color"))));
          case 3 -> new PointsOperation.UpdatePayload(selector, new PayloadUpdate.Clear());
          default -> new PointsOperation.DeletePoints(selector);
        };
    List<PointId> selected =
        switch (selector) {
          case PointSelector.Ids ids ->
              ids.ids().stream().filter(model::containsKey).distinct().toList();
          case PointSelector.ByFilter f ->
              model.values().stream()
                  .filter(p -> f.filter().matches(p.id(), p.payload(), n -> true))
                  .map(Point::id)
                  .toList();
        };
    shard.apply(operation, ++index);
    for (PointId id : selected) {
      Point p = model.get(id);
      switch (operation) {
        case PointsOperation.UpdatePayload u ->
            model.put(id, new Point(id, p.vectors(), u.update().apply(p.payload())));
        case PointsOperation.DeletePoints d -> model.remove(id);
        default -> throw new IllegalStateException();
      }
    }
    return index;
  }

  private static Filter filter(Random random) {
    Condition color =
        new Condition.Field(
            JsonPath.of("color"), new FieldPredicate.MatchKeyword(COLORS[random.nextInt(3)]));
    double lo = random.nextInt(100);
    Condition range =
        new Condition.Field(
            JsonPath.of("n"),
            new FieldPredicate.NumberRange(null, lo, lo + random.nextInt(30), null));
    Condition empty = new Condition.IsEmpty(JsonPath.of("color"));
    return switch (random.nextInt(4)) {
      case 0 -> Filter.allOf(color);
      case 1 -> Filter.allOf(color, range);
      case 2 -> new Filter(List.of(range), null, List.of(color), null);
      default -> Filter.anyOf(empty, range);
    };
  }

  private static void check(Shard shard, Map<PointId, Point> model, Filter filter, Random random) {
    List<Point> matching =
        model.values().stream()
            .filter(p -> filter.matches(p.id(), p.payload(), n -> true))
            .toList();
    assertEquals(matching.size(), shard.count(filter), "count of " + filter);
    Estimate estimate = shard.estimate(filter);
    assertTrue(
        estimate.min() <= matching.size() && matching.size() <= estimate.max(),
        estimate + " vs " + matching.size());
    float[] query = {
      random.nextFloat(), random.nextFloat(), random.nextFloat(), random.nextFloat()
    };
    List<PointId> expected =
        matching.stream()
            .sorted(
                (a, b) -> {
                  int c = Float.compare(distance(a, query), distance(b, query));
                  return c != 0 ? c : a.id().compareTo(b.id());
                })
            .limit(5)
            .map(Point::id)
            .toList();
    List<PointId> got =
        shard.search(new SearchRequest("", query, 5, false, false, null, filter)).stream()
            .map(ScoredPoint::id)
            .toList();
    assertEquals(expected, got, "search with " + filter);
  }

  private static float distance(Point p, float[] q) {
    float[] v = p.vectors().get("");
    float s = 0;
    for (int i = 0; i < q.length; i++) {
      s += (v[i] - q[i]) * (v[i] - q[i]);
    }
    return s;
  }
}
