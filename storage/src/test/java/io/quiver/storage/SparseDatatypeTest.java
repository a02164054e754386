package io.quiver.storage;

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
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadSchemaType;
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
 * Goal: sparse vectors whose index {@code datatype} is float16 or uint8 are stored at that width
 * (float16: each value rounded to the nearest half; uint8: each vector quantized to 256 levels
 * between its own smallest and largest value), read back as stored, and searched exactly over the
 * stored values through upserts, vector updates, deletes and reopens, by both search paths (the
 * inverted index: {@code full_scan_threshold} 0; scoring the filter's candidates: threshold above
 * the shard's size). Oracle: a TreeMap model of the stored vectors, computed here from the
 * documented rules, and brute-force dot products ranked by score then id: ids equal (recall 1.0),
 * scores equal to 1e-6 relative; every uint8 value within half a step of the value given.
 */
@Timeout(120)
class SparseDatatypeTest {

  private static final String[] GROUPS = {"red", "green"};
  private static final List<String> NAMES = List.of("h", "hf", "u", "uf");
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  @TempDir Path dir;

  private static ShardConfig config() {
    Map<String, SparseVectorParams> sparse = new LinkedHashMap<>();
    sparse.put("h", new SparseVectorParams(true, 0L, null, "float16", null));
    sparse.put("hf", new SparseVectorParams(true, 1_000_000L, null, "float16", null));
    sparse.put("u", new SparseVectorParams(true, 0L, null, "uint8", null));
    sparse.put("uf", new SparseVectorParams(true, 1_000_000L, null, "uint8", null));
    return new ShardConfig(
        new VectorsConfig(Map.of("d", new VectorParams(2, Distance.DOT, false)), sparse),
        new HnswConfig(8, 32, 0, false),
        new OptimizersConfig(0.1, 2, 2, 3L, 1, 0));
  }

  @Test
  void narrowSparseVectorsSearchLikeBruteForceOverStoredValues() {
    Random random = new Random(SEED);
    Map<String, TreeMap<PointId, SparseVector>> model = new HashMap<>();
    NAMES.forEach(n -> model.put(n, new TreeMap<>()));
    Map<PointId, String> groups = new HashMap<>();
    Path shardDir = dir.resolve("s");
    long index = 0;
    Shard shard = Shard.openOrCreate(shardDir, config());
    try {
      shard.createFieldIndex("group", FieldIndexSchema.of(PayloadSchemaType.KEYWORD), ++index);
      for (int step = 0; step < 600; step++) {
        String at = "seed " + SEED + " step " + step;
        int op = random.nextInt(100);
        if (op < 40) {
          List<Point> batch = new ArrayList<>();
          for (int i = 1 + random.nextInt(10); i > 0; i--) {
            PointId id = PointId.of(random.nextInt(200));
            SparseVector v = randomSparse(random);
            String group = GROUPS[random.nextInt(2)];
            batch.add(
                new Point(
                    id,
                    Map.of("d", new float[] {1, 1}),
                    Payload.of(JsonNodeFactory.instance.objectNode().put("group", group)),
                    Map.of("h", v, "hf", v, "u", v, "uf", v)));
            groups.put(id, group);
            for (String name : NAMES) {
              model.get(name).put(id, stored(name, v));
            }
          }
          shard.upsert(batch, ++index);
        } else if (op < 50) {
          PointId id = PointId.of(random.nextInt(200));
          SparseVector v = randomSparse(random);
          shard.apply(
              new PointsOperation.UpdateVectors(
                  List.of(new PointsOperation.PointVectors(id, Map.of(), Map.of("h", v, "u", v)))),
              ++index);
          if (groups.containsKey(id)) {
            model.get("h").put(id, stored("h", v));
            model.get("u").put(id, stored("u", v));
          }
        } else if (op < 58) {
          PointId id = PointId.of(random.nextInt(200));
          shard.delete(List.of(id), ++index);
          groups.remove(id);
          model.values().forEach(m -> m.remove(id));
        } else if (op < 61) {
          shard.close();
          shard = Shard.open(shardDir);
        } else if (op < 90) {
          SparseVector q = randomSparse(random);
          int k = 1 + random.nextInt(10);
          String group = random.nextBoolean() ? null : GROUPS[random.nextInt(2)];
          Filter filter =
              group == null
                  ? null
                  : Filter.allOf(
                      new Condition.Field(
                          JsonPath.of("group"), new FieldPredicate.MatchKeyword(group)));
          for (String name : NAMES) {
            List<Map.Entry<PointId, Float>> truth = truth(model.get(name), groups, q, group);
            List<ScoredPoint> hits =
                shard.search(SearchRequest.sparse(name, q, k, false, true, null, filter));
            assertEquals(
                truth.stream().limit(k).map(Map.Entry::getKey).toList(),
                hits.stream().map(ScoredPoint::id).toList(),
                at + " " + name + " group " + group);
            for (int i = 0; i < hits.size(); i++) {
              assertEquals(
                  truth.get(i).getValue(),
                  hits.get(i).score(),
                  1e-6f * Math.max(1, Math.abs(hits.get(i).score())),
                  at + " " + name);
              assertEquals(
                  model.get(name).get(hits.get(i).id()),
                  hits.get(i).sparse().get(name),
                  at + " " + name);
            }
          }
        } else {
          PointId id = PointId.of(random.nextInt(200));
          for (PointRecord r : shard.retrieve(List.of(id), false, true)) {
            for (String name : NAMES) {
              assertEquals(
                  model.get(name).get(id),
                  r.sparse().get(name),
                  at + " read back " + name + " " + id);
            }
          }
        }
      }
      Shard last = shard;
      SparseVector tooLarge = SparseVector.of(new int[] {3, 7}, new float[] {1f, 70_000f});
      BadRequestException e =
          assertThrows(
              BadRequestException.class,
              () ->
                  last.upsert(
                      List.of(
                          new Point(
                              PointId.of(1),
                              Map.of("d", new float[2]),
                              null,
                              Map.of("h", tooLarge))),
                      1_000_000));
      assertTrue(
          e.getMessage().contains("float16") && e.getMessage().contains("index 7"), e.getMessage());
      // uint8 takes any finite values (quantized), as Qdrant does.
      last.upsert(
          List.of(new Point(PointId.of(1), Map.of("d", new float[2]), null, Map.of("u", tooLarge))),
          1_000_001);
      assertEquals(
          tooLarge,
          last.retrieve(List.of(PointId.of(1)), false, true).getFirst().sparse().get("u"),
          "two values are both levels: stored exactly");
      // Writing stored values again keeps them (snapshot recovery does): the rounding is
      // idempotent, also for ranges narrow for their magnitude (levels finer than floats).
      Random again = new Random(SEED + 1);
      long at = 1_000_002;
      for (int i = 0; i < 200; i++) {
        SparseVector v = i % 2 == 0 ? randomSparse(again) : narrowRange(again);
        last.upsert(
            List.of(
                new Point(PointId.of(2), Map.of("d", new float[2]), null, Map.of("u", v, "h", v))),
            at++);
        Map<String, SparseVector> first =
            last.retrieve(List.of(PointId.of(2)), false, true).getFirst().sparse();
        last.upsert(
            List.of(new Point(PointId.of(2), Map.of("d", new float[2]), null, first)), at++);
        assertEquals(
            first,
            last.retrieve(List.of(PointId.of(2)), false, true).getFirst().sparse(),
            "rewritten " + v);
        assertEquals(stored("u", v), first.get("u"), "oracle " + v);
      }
    } finally {
      shard.close();
    }
  }

  @Test
  void aSparseVectorCannotChangeItsDatatype() {
    try (Shard shard = Shard.openOrCreate(dir.resolve("c"), config())) {
      ShardConfig changed =
          new ShardConfig(
              config()
                  .vectors()
                  .withSparse(
                      Map.of(
                          "h",
                          new SparseVectorParams(true, 0L, null, "uint8", null),
                          "hf",
                          config().vectors().getSparse("hf"),
                          "u",
                          config().vectors().getSparse("u"),
                          "uf",
                          config().vectors().getSparse("uf"))),
              config().hnsw(),
              config().optimizers());
      assertThrows(BadRequestException.class, () -> shard.updateConfig(changed, 5));
    }
  }

  /** The stored form, by the documented rules (an independent oracle of SparseValues). */
  private static SparseVector stored(String name, SparseVector v) {
    float[] values = v.values();
    if (name.startsWith("h")) {
      for (int i = 0; i < values.length; i++) {
        values[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
      }
      return SparseVector.of(v.indices(), values);
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float x : values) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    if (min < max) {
      double step = (max - min) / 255;
      for (int i = 0; i < values.length; i++) {
        long level = Math.round((values[i] - min) / step);
        float q = level == 255 ? (float) max : (float) (min + level * step);
        assertTrue(
            Math.abs(q - values[i]) <= step / 2 + 1e-6 * Math.abs(max), "within half a step");
        values[i] = q;
      }
    }
    return SparseVector.of(v.indices(), values);
  }

  private static List<Map.Entry<PointId, Float>> truth(
      TreeMap<PointId, SparseVector> model,
      Map<PointId, String> groups,
      SparseVector q,
      String group) {
    List<Map.Entry<PointId, Float>> out = new ArrayList<>();
    model.forEach(
        (id, v) -> {
          if (v.overlaps(q) && (group == null || group.equals(groups.get(id)))) {
            out.add(Map.entry(id, v.dot(q)));
          }
        });
    out.sort(
        Comparator.comparing((Map.Entry<PointId, Float> e) -> e.getValue())
            .reversed()
            .thenComparing(Map.Entry::getKey));
    return out;
  }

  /**
   * Values spread over a range that is narrow for their magnitude (down to several levels per
   * float).
   */
  private static SparseVector narrowRange(Random random) {
    int size = 2 + random.nextInt(10);
    int[] indices = new int[size];
    float[] values = new float[size];
    float base = (float) (random.nextDouble() * 1e4);
    float width = (float) Math.scalb(1.0, -random.nextInt(20)) * base;
    for (int i = 0; i < size; i++) {
      indices[i] = i * 3;
      values[i] = base + (float) (random.nextDouble() * width);
    }
    return SparseVector.of(indices, values);
  }

  private static SparseVector randomSparse(Random random) {
    int size = 1 + random.nextInt(12);
    int[] indices = new int[size];
    float[] values = new float[size];
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (int i = 0; i < size; i++) {
      int d;
      do {
        d = random.nextInt(40);
      } while (!used.add(d));
      indices[i] = d;
      values[i] = (float) (random.nextGaussian() * 50 + (random.nextBoolean() ? 0.001 : 20));
    }
    return SparseVector.of(indices, values);
  }
}
