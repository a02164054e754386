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
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadSchemaType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a filtered search gives exactly the brute-force answer when the points are spread over
 * sealed segments (indexed and plain), frozen and appendable ones, i.e. the search plan's filter in
 * each segment's own ords (a bitset of the payload-index candidates read through a cached map of
 * segment ords, plus a payload check tested only on candidates entering the results) never takes a
 * deleted copy, a copy replaced by an update made after its segment was sealed, nor misses a point
 * whose payload changed while its vector stayed in a sealed segment; with exact and inexact index
 * answers, without indexes, after all indexes are dropped and created again (the payload-index ords
 * are reassigned), and across reopens. Tiny thresholds keep the flusher and the optimizer sealing,
 * merging and vacuuming throughout; {@code full_scan_threshold} 1 KB (64 points) makes the plan
 * pick both strategies (scoring the candidates, and a filtered traversal), and {@code has_id}
 * filters make candidates so few that they are looked up by id rather than found by a scan. Oracle:
 * a TreeMap model of vectors and payloads; {@link Filter#matches} and a brute-force ranking for
 * exact searches (ties by id); graph searches must return only matching live points with their true
 * scores.
 */
@Timeout(120)
class ShardFilteredSegmentsTest {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String[] COLORS = {"red", "green", "blue", "cyan"};
  private static final int IDS = 600;

  @TempDir Path dir;

  @Test
  void filteredSearchesOverChangingSegmentsMatchBruteForce() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    ShardConfig config =
        new ShardConfig(
            new VectorsConfig(Map.of("", new VectorParams(4, Distance.EUCLID, false))),
            new HnswConfig(8, 32, 1, false),
            new OptimizersConfig(0.1, 2, 2, 6L, 1, 0));
    Map<PointId, Point> model = new TreeMap<>();
    Shard shard = Shard.openOrCreate(dir.resolve("s"), config);
    long index = 0;
    int searches = 0;
    try {
      shard.createFieldIndex("color", FieldIndexSchema.of(PayloadSchemaType.KEYWORD), ++index);
      shard.createFieldIndex("n", FieldIndexSchema.integer(true, true), ++index);
      for (int step = 0; step < 400; step++) {
        String at = "seed " + seed + " step " + step + " indexes " + shard.payloadSchema().keySet();
        int op = random.nextInt(100);
        if (op < 35) {
          List<Point> batch = new ArrayList<>();
          for (int i = 1 + random.nextInt(40); i > 0; i--) {
            PointId id = PointId.of(random.nextInt(IDS));
            batch.removeIf(p -> p.id().equals(id));
            batch.add(new Point(id, Map.of("", vector(random)), Payload.of(payload(random))));
          }
          shard.upsert(batch, ++index);
          batch.forEach(p -> model.put(p.id(), p));
        } else if (op < 45) {
          List<PointId> ids = new ArrayList<>();
          for (int i = random.nextInt(20); i > 0; i--) {
            ids.add(PointId.of(random.nextInt(IDS)));
          }
          shard.delete(ids, ++index);
          ids.forEach(model::remove);
        } else if (op
            < 52) { // payload changes only: the vectors stay where they are, sealed or not
          List<PointId> ids = new ArrayList<>();
          for (int i = 1 + random.nextInt(20); i > 0; i--) {
            ids.add(PointId.of(random.nextInt(IDS)));
          }
          ObjectNode values =
              JSON.objectNode()
                  .put("color", COLORS[random.nextInt(COLORS.length)])
                  .put("n", random.nextInt(100));
          shard.apply(
              new PointsOperation.UpdatePayload(
                  new PointSelector.Ids(ids), new PayloadUpdate.Set(Payload.of(values), null)),
              ++index);
          for (PointId id : ids.stream().distinct().toList()) {
            Point p = model.get(id);
            if (p != null) {
              model.put(
                  id,
                  new Point(
                      id,
                      p.vectors(),
                      new PayloadUpdate.Set(Payload.of(values), null).apply(p.payload())));
            }
          }
        } else if (op < 55) { // all indexes dropped (the ords go), later created again (new ords)
          if (shard.payloadSchema().isEmpty()) {
            shard.createFieldIndex("n", FieldIndexSchema.integer(true, true), ++index);
            shard.createFieldIndex(
                "color", FieldIndexSchema.of(PayloadSchemaType.KEYWORD), ++index);
          } else {
            for (String field : List.copyOf(shard.payloadSchema().keySet())) {
              shard.deleteFieldIndex(field, ++index);
            }
          }
        } else if (op < 58) {
          if (random.nextBoolean()) {
            SegmentedShardModelTest.awaitOptimized(shard);
          }
          shard.close();
          shard = Shard.open(dir.resolve("s"));
        } else {
          Filter filter = filter(random);
          float[] query = vector(random);
          int k = 1 + random.nextInt(10);
          List<PointId> expected =
              model.values().stream()
                  .filter(p -> filter.matches(p.id(), p.payload(), n -> true))
                  .sorted(
                      (a, b) -> {
                        int c = Float.compare(distance(a, query), distance(b, query));
                        return c != 0 ? c : a.id().compareTo(b.id());
                      })
                  .limit(k)
                  .map(Point::id)
                  .toList();
          List<ScoredPoint> exact =
              ReportedScores.search(
                  shard, new SearchRequest("", query, k, false, false, null, filter, null, true));
          // Ids must equal the brute force's, up to near-ties (float kernels differ in the last
          // bits).
          assertEquals(expected.size(), exact.size(), at + ": exact search with " + filter);
          for (int i = 0; i < expected.size(); i++) {
            float want = distance(model.get(expected.get(i)), query);
            float got = exact.get(i).score();
            assertEquals(want, got, 1e-4, at + ": rank " + i + " of exact search with " + filter);
            if (Math.abs(want - got) > 1e-6
                || (i > 0 && Math.abs(exact.get(i - 1).score() - got) < 1e-5)) {
              continue;
            }
            assertEquals(
                expected.get(i),
                exact.get(i).id(),
                at + ": rank " + i + " of exact search with " + filter);
          }
          for (ScoredPoint h : exact) {
            Point p = model.get(h.id());
            assertTrue(
                p != null && filter.matches(p.id(), p.payload(), n -> true),
                at + ": hit " + h.id() + " for " + filter);
            assertEquals(distance(p, query), h.score(), 1e-4, at);
          }
          List<ScoredPoint> graph =
              ReportedScores.search(
                  shard, new SearchRequest("", query, k, false, false, null, filter, 64, false));
          for (ScoredPoint h : graph) {
            Point p = model.get(h.id());
            assertTrue(
                p != null && filter.matches(p.id(), p.payload(), n -> true),
                at + ": hit " + h.id() + " for " + filter);
            assertEquals(distance(p, query), h.score(), 1e-4, at);
          }
          assertEquals(
              model.values().stream()
                  .filter(p -> filter.matches(p.id(), p.payload(), n -> true))
                  .count(),
              shard.count(filter),
              at + ": count of " + filter);
          searches++;
        }
      }
      assertTrue(searches > 100, "searched " + searches + " times");
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("replay with -Dtests.seed=" + seed + ": " + e.getMessage(), e);
    } finally {
      shard.close();
    }
  }

  private static ObjectNode payload(Random random) {
    ObjectNode payload = JSON.objectNode();
    if (random.nextInt(5) > 0) {
      payload.put("color", COLORS[random.nextInt(COLORS.length)]);
    }
    if (random.nextInt(8) > 0) {
      payload.put("n", random.nextInt(100));
    } else {
      payload.put(
          "n", random.nextInt(100) + 0.5); // a float under an integer index: verified per point
    }
    return payload;
  }

  /**
   * Exact index answers, inexact ones (floats under the integer index, is_empty), selective and
   * broad.
   */
  private static Filter filter(Random random) {
    Condition color =
        new Condition.Field(
            JsonPath.of("color"),
            new FieldPredicate.MatchKeyword(COLORS[random.nextInt(COLORS.length)]));
    double lo = random.nextInt(100);
    Condition range =
        new Condition.Field(
            JsonPath.of("n"),
            new FieldPredicate.NumberRange(null, lo, lo + random.nextInt(60), null));
    Condition empty = new Condition.IsEmpty(JsonPath.of("color"));
    // One or two ids: so few candidates that the shard looks them up by id instead of scanning
    // ords.
    Condition ids =
        new Condition.HasId(
            new java.util.HashSet<>(
                List.of(PointId.of(random.nextInt(IDS)), PointId.of(random.nextInt(IDS)))));
    return switch (random.nextInt(7)) {
      case 0 -> Filter.allOf(color);
      case 1 -> Filter.allOf(color, range);
      case 2 -> new Filter(List.of(range), null, List.of(color), null);
      case 3 -> Filter.anyOf(empty, range);
      case 4 -> Filter.allOf(ids);
      case 5 -> Filter.allOf(ids, Filter.anyOf(empty, range));
      default -> Filter.allOf(range);
    };
  }

  private static float[] vector(Random random) {
    return new float[] {
      random.nextFloat(), random.nextFloat(), random.nextFloat(), random.nextFloat()
    };
  }

  /** Qdrant's Euclid score: the distance. */
  private static float distance(Point p, float[] q) {
    float[] v = p.vectors().get("");
    float s = 0;
    for (int i = 0; i < q.length; i++) {
      s += (v[i] - q[i]) * (v[i] - q[i]);
    }
    return (float) Math.sqrt(s);
  }
}
