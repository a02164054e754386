package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.index.vector.Distance;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.Datetimes;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadSchemaType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@link Shard#scrollOrdered} streams points from the payload index in (value, id) order —
 * reversed when descending — once per distinct value a point holds (arrays), from {@code
 * start_from} inclusive, with filters, through upserts, deletes, payload changes and a reopen
 * (indexes rebuilt), for integer, float and datetime indexes. Oracle: a TreeMap model of the
 * payloads, each point's indexable values extracted and sorted by brute force. Keys without a
 * range-capable index are refused. Seeded; replay with -Dtests.seed.
 */
@Timeout(120)
class ShardOrderByTest {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String[] COLORS = {"red", "green", "blue"};
  private static final String[] DATES = {
    "2024-01-01T00:00:00Z",
    "2024-01-01T00:00:00.000001Z",
    "2023-12-31T23:59:59Z",
    "2024-02-29T12:00:00+02:00",
    "2024-03-01",
    "not a date"
  };

  @TempDir Path dir;

  @Test
  void orderedScrollsMatchTheModel() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    VectorsConfig config = VectorsConfig.single(new VectorParams(2, Distance.DOT, false));
    Map<PointId, Payload> model = new TreeMap<>();
    Shard shard = Shard.open(dir, config);
    long index = 0;
    try {
      shard.createFieldIndex("i", FieldIndexSchema.integer(true, true), ++index);
      shard.createFieldIndex("f", FieldIndexSchema.of(PayloadSchemaType.FLOAT), ++index);
      shard.createFieldIndex("t", FieldIndexSchema.of(PayloadSchemaType.DATETIME), ++index);
      shard.createFieldIndex("color", FieldIndexSchema.of(PayloadSchemaType.KEYWORD), ++index);
      for (int round = 0; round < 8; round++) {
        List<Point> batch = new ArrayList<>();
        Set<PointId> seen = new LinkedHashSet<>();
        for (int i = 0; i < 60; i++) {
          PointId id =
              random.nextInt(10) == 0
                  ? PointId.of(new java.util.UUID(random.nextInt(4), random.nextInt(50)))
                  : PointId.of(random.nextInt(300));
          if (seen.add(id)) {
            batch.add(new Point(id, Map.of("", new float[] {1, 0}), Payload.of(payload(random))));
          }
        }
        shard.upsert(batch, ++index);
        batch.forEach(p -> model.put(p.id(), p.payload()));
        List<PointId> deletes =
            List.of(PointId.of(random.nextInt(300)), PointId.of(random.nextInt(300)));
        shard.delete(deletes, ++index);
        deletes.forEach(model::remove);
        PointId changed = PointId.of(random.nextInt(300));
        ObjectNode set = JSON.objectNode().put("i", random.nextInt(20));
        shard.apply(
            new PointsOperation.UpdatePayload(
                new PointSelector.Ids(List.of(changed)),
                new PayloadUpdate.Set(Payload.of(set), null)),
            ++index);
        model.computeIfPresent(
            changed, (id, p) -> new PayloadUpdate.Set(Payload.of(set), null).apply(p));
        if (round == 4) {
          shard.close();
          shard = Shard.open(dir, null);
        }
        for (int q = 0; q < 40; q++) {
          check(shard, model, random);
        }
      }
      for (String key : List.of("color", "missing", "r")) {
        OrderBy orderBy = new OrderBy(JsonPath.of(key), OrderBy.Direction.ASC, null);
        Shard s = shard;
        BadRequestException e =
            assertThrows(
                BadRequestException.class, () -> s.scrollOrdered(orderBy, 5, null, false, false));
        assertTrue(
            e.getMessage().contains("No range index for `order_by` key: `" + key + "`"),
            e.getMessage());
      }
      shard.createFieldIndex("r", FieldIndexSchema.integer(true, false), ++index);
      Shard s = shard;
      assertThrows(
          BadRequestException.class,
          () ->
              s.scrollOrdered(
                  new OrderBy(JsonPath.of("r"), OrderBy.Direction.DESC, null),
                  5,
                  null,
                  false,
                  false));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("replay with -Dtests.seed=" + seed + ": " + e.getMessage(), e);
    } finally {
      shard.close();
    }
  }

  /**
   * Small value domains, so many points tie; arrays (with repeats), missing keys and foreign
   * values.
   */
  private static ObjectNode payload(Random random) {
    ObjectNode p = JSON.objectNode();
    if (random.nextInt(4) > 0) {
      p.put("color", COLORS[random.nextInt(COLORS.length)]);
    }
    switch (random.nextInt(6)) {
      case 0 -> {}
      case 1 -> p.put("i", 2.5); // a float is foreign to an integer index: never ordered by it
      case 2, 3 -> {
        ArrayNode a = p.putArray("i");
        for (int n = random.nextInt(4); n > 0; n--) {
          a.add(random.nextInt(20) - 5);
        }
      }
      default -> p.put("i", random.nextInt(20) - 5);
    }
    if (random.nextBoolean()) {
      p.put("f", random.nextInt(10) / 4.0 - 1);
    } else if (random.nextBoolean()) {
      p.putArray("f").add(random.nextInt(10) / 4.0).add(random.nextInt(5)).add(-0.0);
    }
    if (random.nextInt(3) > 0) {
      p.put("t", DATES[random.nextInt(DATES.length)]);
    } else if (random.nextBoolean()) {
      p.putArray("t")
          .add(DATES[random.nextInt(DATES.length)])
          .add(DATES[random.nextInt(DATES.length)]);
    }
    return p;
  }

  private record Entry(OrderValue value, PointId id) {}

  private static void check(Shard shard, Map<PointId, Payload> model, Random random) {
    String key = List.of("i", "f", "t").get(random.nextInt(3));
    OrderBy.Direction direction =
        random.nextBoolean() ? OrderBy.Direction.ASC : OrderBy.Direction.DESC;
    OrderValue start =
        switch (random.nextInt(4)) {
          case 0 -> null;
          case 1 -> OrderValue.of((long) random.nextInt(20) - 5);
          case 2 -> OrderValue.of(random.nextInt(40) / 4.0 - 5);
          default -> OrderValue.of(Datetimes.parseMicros(DATES[random.nextInt(DATES.length - 1)]));
        };
    OrderBy orderBy = new OrderBy(JsonPath.of(key), direction, start);
    Filter filter =
        random.nextBoolean()
            ? null
            : Filter.allOf(
                new Condition.Field(
                    JsonPath.of("color"),
                    new FieldPredicate.MatchKeyword(COLORS[random.nextInt(3)])));
    int limit = 1 + random.nextInt(random.nextBoolean() ? 10 : 400);
    boolean withPayload = random.nextBoolean();

    List<Entry> expected = new ArrayList<>();
    model.forEach(
        (id, payload) -> {
          if (filter != null && !filter.matches(id, payload, n -> true)) {
            return;
          }
          for (OrderValue v : indexedValues(key, payload.tree().get(key))) {
            if (orderBy.admits(v)) {
              expected.add(new Entry(v, id));
            }
          }
        });
    expected.sort((a, b) -> orderBy.compare(a.value(), a.id(), b.value(), b.id()));
    List<Entry> want = expected.subList(0, Math.min(limit, expected.size()));

    List<PointRecord> got = shard.scrollOrdered(orderBy, limit, filter, withPayload, false);
    List<Entry> gotEntries = got.stream().map(r -> new Entry(r.orderValue(), r.id())).toList();
    assertEquals(want, gotEntries, orderBy + " limit " + limit + " filter " + filter);
    for (PointRecord r : got) {
      assertEquals(
          withPayload ? model.get(r.id()).tree() : null,
          r.payload() == null ? null : r.payload().tree());
    }
  }

  /** The distinct values the key's index orders a point by. */
  private static Set<OrderValue> indexedValues(String key, JsonNode node) {
    Set<OrderValue> out = new LinkedHashSet<>();
    if (node == null) {
      return out;
    }
    List<JsonNode> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(values::add);
    } else {
      values.add(node);
    }
    for (JsonNode v : values) {
      switch (key) {
        case "i" -> {
          if (v.isIntegralNumber() && v.canConvertToLong()) {
            out.add(OrderValue.of(v.longValue()));
          }
        }
        case "f" -> {
          if (v.isNumber()) {
            out.add(OrderValue.of(v.doubleValue()));
          }
        }
        default -> {
          if (v.isTextual() && Datetimes.parseMicros(v.textValue()) != Datetimes.INVALID) {
            out.add(OrderValue.of(Datetimes.parseMicros(v.textValue())));
          }
        }
      }
    }
    return out;
  }
}
