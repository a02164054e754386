package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.index.sparse.SparseVector;
import io.quiver.index.vector.Distance;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: optional named vectors, vector deletion, vector updates (dense and sparse), {@code
 * has_vector} and named vectors created and dropped after creation behave exactly like a model,
 * through random operations, restarts, and an optimizer that flushes, indexes (HNSW), merges and
 * vacuums all the time (tiny thresholds). Points carry a random subset of the vectors. Oracle: a
 * TreeMap model of each point's vectors. Exact searches must equal brute force over the points that
 * HAVE the searched vector (ids and scores: small integer vectors make scores exact), so a point
 * lacking it is never scored as zeros; graph searches may miss points but every hit must have the
 * vector and carry its true score; retrieve and scroll show exactly the vectors a point has; counts
 * and deletes by {@code has_vector} equal the model's.
 */
@Timeout(180)
class NamedVectorsShardModelTest {

  private static final String[] GROUPS = {"red", "green", "blue"};
  private static final int IDS = 250;

  @TempDir Path dir;

  /**
   * One point of the model: its dense vectors by name (prepared = as given: Dot, Euclid), its
   * sparse vector "s", its group.
   */
  private static final class Stored {
    private final Map<String, float[]> dense;
    private SparseVector sparse;
    private final String group;

    Stored(Map<String, float[]> dense, SparseVector sparse, String group) {
      this.dense = dense;
      this.sparse = sparse;
      this.group = group;
    }

    Map<String, float[]> dense() {
      return dense;
    }

    SparseVector sparse() {
      return sparse;
    }

    String group() {
      return group;
    }
  }

  private static ShardConfig config(Map<String, VectorParams> dense) {
    VectorsConfig vectors =
        new VectorsConfig(
            dense,
            Map.of(
                "s",
                new SparseVectorParams(
                    true, 0L, false, "float32", SparseVectorParams.Modifier.NONE)));
    return new ShardConfig(
        vectors, new HnswConfig(8, 32, 0, false), new OptimizersConfig(0.1, 2, 2, 3L, 1, 0));
  }

  private static Map<String, VectorParams> initialDense() {
    Map<String, VectorParams> dense = new LinkedHashMap<>();
    dense.put("a", new VectorParams(4, Distance.DOT, false));
    dense.put("b", new VectorParams(3, Distance.EUCLID, false));
    return dense;
  }

  @Test
  void randomOperationsMatchTheModel() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    System.out.println("NamedVectorsShardModelTest seed " + seed);
    TreeMap<PointId, Stored> model = new TreeMap<>();
    long index = 0;
    long indexedSeen = 0;
    ShardConfig config = config(initialDense());
    Shard shard = Shard.openOrCreate(dir.resolve("s"), config);
    try {
      for (int step = 0; step < 900; step++) {
        String at = "seed " + seed + " step " + step;
        if (step == 450) {
          // Drop "b" (dense) and add "c" (dense) after creation: existing points lack "c", "b" is
          // gone.
          Map<String, VectorParams> dense = new LinkedHashMap<>(config.vectors().vectors());
          dense.remove("b");
          dense.put("c", new VectorParams(2, Distance.DOT, false));
          config = config(dense);
          shard.updateConfig(config, ++index);
          shard.close();
          shard = Shard.open(dir.resolve("s"));
          assertEquals(config.vectors().vectors().keySet(), shard.config().vectors().keySet(), at);
          for (Stored s : model.values()) {
            s.dense().remove("b");
          }
          Shard current = shard;
          assertThrows(
              BadRequestException.class,
              () ->
                  ReportedScores.search(
                      current, new SearchRequest("b", new float[3], 3, false, false, null)),
              at);
        }
        List<String> denseNames = List.copyOf(config.vectors().vectors().keySet());
        int op = random.nextInt(100);
        if (op < 35) {
          List<Point> batch = new ArrayList<>();
          Map<PointId, Stored> staged = new HashMap<>();
          for (int i = 1 + random.nextInt(15); i > 0; i--) {
            PointId id = PointId.of(random.nextInt(IDS));
            Map<String, float[]> dense = new HashMap<>();
            for (String name : denseNames) {
              if (random.nextInt(10) < 6) {
                dense.put(name, vector(random, config.vectors().get(name).size()));
              }
            }
            SparseVector s =
                random.nextBoolean()
                    ? SparseShardModelTest.randomSparse(random, 1 + random.nextInt(5))
                    : null;
            String group = GROUPS[random.nextInt(3)];
            batch.add(
                new Point(
                    id,
                    dense,
                    Payload.of(JsonNodeFactory.instance.objectNode().put("group", group)),
                    s == null ? Map.of() : Map.of("s", s)));
            staged.put(id, new Stored(dense, s, group));
          }
          shard.upsert(batch, ++index);
          model.putAll(staged);
        } else if (op < 42) {
          List<PointId> ids = randomIds(random, 15);
          shard.delete(ids, ++index);
          ids.forEach(model::remove);
        } else if (op < 52) {
          List<String> names = new ArrayList<>();
          for (String name : denseNames) {
            if (random.nextBoolean()) {
              names.add(name);
            }
          }
          if (names.isEmpty() || random.nextInt(3) == 0) {
            names.add("s");
          }
          if (random.nextBoolean()) {
            List<PointId> ids = randomIds(random, 20);
            shard.apply(
                new PointsOperation.DeleteVectors(new PointSelector.Ids(ids), names), ++index);
            ids.forEach(id -> dropVectors(model.get(id), names));
          } else {
            String group = GROUPS[random.nextInt(3)];
            shard.apply(
                new PointsOperation.DeleteVectors(
                    new PointSelector.ByFilter(groupFilter(group)), names),
                ++index);
            model.values().stream()
                .filter(s -> s.group().equals(group))
                .forEach(s -> dropVectors(s, names));
          }
        } else if (op < 62) {
          List<PointsOperation.PointVectors> updates = new ArrayList<>();
          for (int i = 1 + random.nextInt(6); i > 0; i--) {
            Map<String, float[]> dense = new HashMap<>();
            for (String name : denseNames) {
              if (random.nextBoolean()) {
                dense.put(name, vector(random, config.vectors().get(name).size()));
              }
            }
            Map<String, SparseVector> sparse =
                dense.isEmpty() || random.nextInt(3) == 0
                    ? Map.of("s", SparseShardModelTest.randomSparse(random, 1 + random.nextInt(5)))
                    : Map.of();
            PointsOperation.PointVectors pv =
                new PointsOperation.PointVectors(PointId.of(random.nextInt(IDS)), dense, sparse);
            updates.add(pv); // the same id twice: both apply, in order
          }
          shard.apply(new PointsOperation.UpdateVectors(updates), ++index);
          for (PointsOperation.PointVectors pv : updates) {
            Stored s = model.get(pv.id());
            if (s != null) {
              s.dense().putAll(pv.vectors());
              if (!pv.sparse().isEmpty()) {
                s.sparse = pv.sparse().get("s");
              }
            }
          }
        } else if (op < 65) {
          shard.close();
          shard = Shard.open(dir.resolve("s"));
        } else if (op < 68) {
          String name =
              random.nextBoolean() ? "s" : denseNames.get(random.nextInt(denseNames.size()));
          String group = GROUPS[random.nextInt(3)];
          Filter filter = Filter.allOf(new Condition.HasVector(name), groupCondition(group));
          shard.apply(
              new PointsOperation.DeletePoints(new PointSelector.ByFilter(filter)), ++index);
          model.values().removeIf(s -> s.group().equals(group) && has(s, name));
        } else {
          check(shard, model, denseNames, config, random, at);
          indexedSeen = Math.max(indexedSeen, shard.info().indexedVectors());
        }
        assertEquals(model.size(), shard.count(), at);
      }
      assertTrue(
          indexedSeen > 0, "seed " + seed + ": the checks never met an indexed (HNSW) segment");
      check(
          shard,
          model,
          List.copyOf(config.vectors().vectors().keySet()),
          config,
          random,
          "seed " + seed + " end");
      assertWholeState(shard, model, "seed " + seed + " end");
      shard.close();
      shard = Shard.open(dir.resolve("s"));
      assertWholeState(shard, model, "seed " + seed + " after the last restart");
      Shard last = shard;
      assertThrows(
          BadRequestException.class,
          () ->
              last.apply(
                  new PointsOperation.DeleteVectors(
                      new PointSelector.Ids(List.of(PointId.of(1))), List.of("nope")),
                  1_000_000));
      assertThrows(
          BadRequestException.class,
          () ->
              last.apply(
                  new PointsOperation.UpdateVectors(
                      List.of(
                          new PointsOperation.PointVectors(
                              PointId.of(1), Map.of(), Map.of("a", SparseVector.EMPTY)))),
                  1_000_001));
    } finally {
      shard.close();
    }
  }

  /** Searches (exact and graph), counts with has_vector, and a retrieve, against the model. */
  private static void check(
      Shard shard,
      TreeMap<PointId, Stored> model,
      List<String> denseNames,
      ShardConfig config,
      Random random,
      String at) {
    String name = denseNames.get(random.nextInt(denseNames.size()));
    VectorParams params = config.vectors().get(name);
    float[] query = vector(random, params.size());
    int k = 1 + random.nextInt(12);
    String other =
        random.nextBoolean()
            ? null
            : (random.nextBoolean() ? "s" : denseNames.get(random.nextInt(denseNames.size())));
    Filter filter = other == null ? null : Filter.allOf(new Condition.HasVector(other));
    List<Map.Entry<PointId, Float>> truth = new ArrayList<>();
    model.forEach(
        (id, s) -> {
          if (s.dense().containsKey(name) && (other == null || has(s, other))) {
            truth.add(Map.entry(id, params.distance().similarity(query, s.dense().get(name))));
          }
        });
    truth.sort(
        Comparator.comparing((Map.Entry<PointId, Float> e) -> e.getValue())
            .reversed()
            .thenComparing(Map.Entry::getKey));
    List<ScoredPoint> exact =
        ReportedScores.search(
            shard, new SearchRequest(name, query, k, false, true, null, filter, null, true));
    assertEquals(
        truth.stream().limit(k).map(Map.Entry::getKey).toList(),
        exact.stream().map(ScoredPoint::id).toList(),
        at + " exact " + name + " filter has_vector " + other);
    for (int i = 0; i < exact.size(); i++) {
      assertEquals(
          params.distance().toQdrantScore(truth.get(i).getValue()),
          exact.get(i).score(),
          1e-4f,
          at);
      assertArrayEquals(
          model.get(exact.get(i).id()).dense().get(name), exact.get(i).vectors().get(name), at);
    }
    for (ScoredPoint hit :
        ReportedScores.search(
            shard, new SearchRequest(name, query, k, false, false, null, filter, 64, false))) {
      Stored s = model.get(hit.id());
      assertTrue(
          s != null && s.dense().containsKey(name),
          at + " graph hit " + hit.id() + " lacks " + name);
      assertEquals(params.distance().score(query, s.dense().get(name)), hit.score(), 1e-4f, at);
    }
    for (String n : List.of(name, "s")) {
      long having = model.values().stream().filter(s -> has(s, n)).count();
      assertEquals(
          having, shard.count(Filter.allOf(new Condition.HasVector(n))), at + " has_vector " + n);
      assertEquals(
          model.size() - having,
          shard.count(Filter.noneOf(new Condition.HasVector(n))),
          at + " !has_vector " + n);
    }
    List<PointId> ids = randomIds(random, 5);
    for (PointRecord r : shard.retrieve(ids, false, true)) {
      assertVectors(model.get(r.id()), r, at);
    }
  }

  /** Every point, by scroll: exactly its vectors, and the has_vector counts. */
  private static void assertWholeState(Shard shard, TreeMap<PointId, Stored> model, String at) {
    List<PointRecord> all = shard.scroll(null, IDS + 1, null, true, true);
    assertEquals(List.copyOf(model.keySet()), all.stream().map(PointRecord::id).toList(), at);
    for (PointRecord r : all) {
      assertVectors(model.get(r.id()), r, at);
    }
  }

  private static void assertVectors(Stored s, PointRecord r, String at) {
    assertEquals(s.dense().keySet(), r.vectors().keySet(), at + " dense names of " + r.id());
    s.dense()
        .forEach(
            (name, v) ->
                assertArrayEquals(v, r.vectors().get(name), at + " " + name + " of " + r.id()));
    assertEquals(
        s.sparse() == null ? Map.of() : Map.of("s", s.sparse()),
        r.sparse(),
        at + " sparse of " + r.id());
  }

  private static boolean has(Stored s, String name) {
    return name.equals("s") ? s.sparse() != null : s.dense().containsKey(name);
  }

  private static void dropVectors(Stored s, List<String> names) {
    if (s == null) {
      return;
    }
    s.dense().keySet().removeAll(names);
    if (names.contains("s")) {
      s.sparse = null;
    }
  }

  private static List<PointId> randomIds(Random random, int max) {
    List<PointId> ids = new ArrayList<>();
    for (int i = random.nextInt(max); i > 0; i--) {
      ids.add(PointId.of(random.nextInt(IDS)));
    }
    return ids;
  }

  private static Condition groupCondition(String group) {
    return new Condition.Field(JsonPath.of("group"), new FieldPredicate.MatchKeyword(group));
  }

  private static Filter groupFilter(String group) {
    return Filter.allOf(groupCondition(group));
  }

  /** Small integers, so every score is exact in float. */
  private static float[] vector(Random random, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = random.nextInt(7) - 3;
    }
    return v;
  }
}
