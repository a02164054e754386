package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: multivector search of a shard is exact MaxSim through random upserts, deletes, vector
 * updates (of the dense vector, which keeps the multivectors, and of a multivector), restarts
 * (the multivectors are rebuilt from RocksDB), compaction of the heap store (thousands of
 * overwrites) and an optimizer sealing the dense vectors all the time (tiny thresholds). Two
 * multivectors: "m" (Cosine: rows normalized on the way in) and "e" (Euclid: the score is the sum
 * of each query row's smallest distance, lower first). Oracle: a TreeMap model and a brute-force
 * MaxSim written here in plain double arithmetic; ids must be equal (recall exactly 1.0), scores
 * equal to 1e-4 relative; score_threshold keeps exactly the model's hits at or better than it.
 */
@Timeout(120)
class MultiVectorShardModelTest {

  private static final String[] GROUPS = {"red", "green", "blue"};
  private static final int DIM = 3;

  @TempDir Path dir;

  private record Stored(float[] m, float[] e, String group) {}

  static ShardConfig config() {
    VectorsConfig vectors = new VectorsConfig(Map.of("d", new VectorParams(4, Distance.DOT, false)), Map.of(),
        Map.of("m", new MultiVectorParams(new VectorParams(DIM, Distance.COSINE, false), MultiVectorParams.Comparator.MAX_SIM),
            "e", new MultiVectorParams(new VectorParams(DIM, Distance.EUCLID, true), MultiVectorParams.Comparator.MAX_SIM)));
    return new ShardConfig(vectors, new HnswConfig(8, 32, 0, false), new OptimizersConfig(0.1, 2, 2, 3L, 1, 0));
  }

  @Test
  void randomOperationsWithRestartsMatchBruteForce() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    System.out.println("seed " + seed);
    TreeMap<PointId, Stored> model = new TreeMap<>();
    long index = 0;
    Shard shard = Shard.openOrCreate(dir.resolve("s"), config());
    try {
      shard.createFieldIndex("group", FieldIndexSchema.of(PayloadSchemaType.KEYWORD), ++index);
      for (int step = 0; step < 1500; step++) {
        String at = "seed " + seed + " step " + step;
        int op = random.nextInt(100);
        if (op < 45) {
          List<Point> batch = new ArrayList<>();
          Map<PointId, Stored> staged = new HashMap<>();
          for (int i = 1 + random.nextInt(20); i > 0; i--) {
            PointId id = PointId.of(random.nextInt(300));
            Stored s = new Stored(multi(random), multi(random), GROUPS[random.nextInt(3)]);
            batch.add(new Point(id, Map.of("d", rows(random, 1, 4), "m", s.m(), "e", s.e()),
                Payload.of(JsonNodeFactory.instance.objectNode().put("group", s.group()))));
            staged.put(id, s);
          }
          shard.upsert(batch, ++index);
          model.putAll(staged);
        } else if (op < 55) {
          List<PointId> ids = new ArrayList<>();
          for (int i = random.nextInt(30); i > 0; i--) {
            ids.add(PointId.of(random.nextInt(300)));
          }
          shard.delete(ids, ++index);
          ids.forEach(model::remove);
        } else if (op < 62) {
          List<PointsOperation.PointVectors> updates = new ArrayList<>();
          Map<PointId, float[]> newM = new HashMap<>();
          for (int i = 1 + random.nextInt(5); i > 0; i--) {
            PointId id = PointId.of(random.nextInt(300));
            if (random.nextBoolean()) {
              updates.add(new PointsOperation.PointVectors(id, Map.of("d", rows(random, 1, 4))));
            } else {
              float[] m = multi(random);
              updates.add(new PointsOperation.PointVectors(id, Map.of("m", m)));
              newM.put(id, m);
            }
          }
          shard.apply(new PointsOperation.UpdateVectors(updates), ++index);
          newM.forEach((id, m) -> model.computeIfPresent(id, (k, s) -> new Stored(m, s.e(), s.group())));
        } else if (op < 64) {
          shard.close();
          shard = Shard.open(dir.resolve("s"));
        } else if (op < 95) {
          float[] q = rows(random, 1 + random.nextInt(3), DIM);
          int k = 1 + random.nextInt(15);
          String group = random.nextBoolean() ? null : GROUPS[random.nextInt(3)];
          Filter filter = group == null ? null
              : Filter.allOf(new Condition.Field(JsonPath.of("group"), new FieldPredicate.MatchKeyword(group)));
          for (String name : List.of("m", "e")) {
            boolean cosine = name.equals("m");
            List<Map.Entry<PointId, Double>> truth = truth(model, q, group, cosine);
            boolean exact = random.nextBoolean();
            List<ScoredPoint> hits = shard.search(new SearchRequest(name, q, k, false, false, null, filter, null, exact));
            // The ranking equals brute force up to near-ties: the shard sums in float, the oracle in
            // double, so two scores within 1e-4 may come in either order. Each rank's score equals the
            // oracle's score at that rank, and each hit's score is its own true score.
            assertEquals(Math.min(k, truth.size()), hits.size(), at + " " + name + " group " + group);
            assertEquals(hits.size(), hits.stream().map(ScoredPoint::id).distinct().count(), at + " distinct hits");
            Map<PointId, Double> trueScore = new java.util.HashMap<>();
            truth.forEach(e -> trueScore.put(e.getKey(), e.getValue()));
            for (int i = 0; i < hits.size(); i++) {
              double expected = truth.get(i).getValue();
              String where = at + " " + name + " group " + group + " rank " + i + ": expected " + truth.stream().limit(k)
                  .map(Map.Entry::getKey).toList() + ", got " + hits.stream().map(ScoredPoint::id).toList();
              assertEquals(expected, hits.get(i).score(), 1e-4 * Math.max(1, Math.abs(expected)), where);
              Double own = trueScore.get(hits.get(i).id());
              assertTrue(own != null, where + ": a hit outside the model or the filter");
              assertEquals(own, hits.get(i).score(), 1e-4 * Math.max(1, Math.abs(own)), where);
            }
            if (!truth.isEmpty()) {
              float threshold = (float) (double) truth.get(random.nextInt(truth.size())).getValue();
              List<ScoredPoint> within = shard.search(new SearchRequest(name, q, 1000, false, false, threshold, filter,
                  null, false));
              for (ScoredPoint h : within) {
                assertEquals(true, cosine ? h.score() >= threshold : h.score() <= threshold, at + " threshold");
              }
              // Float rounding of sums may move a score within 1e-4 of the threshold either way.
              long atLeast = truth.stream().filter(e -> cosine ? e.getValue() > threshold + 1e-4
                  : e.getValue() < threshold - 1e-4).count();
              long atMost = truth.stream().filter(e -> cosine ? e.getValue() >= threshold - 1e-4
                  : e.getValue() <= threshold + 1e-4).count();
              assertEquals(true, within.size() >= atLeast && within.size() <= atMost, at + " " + name + " threshold "
                  + threshold + ": " + within.size() + " hits, expected " + atLeast + ".." + atMost);
            }
          }
        } else {
          List<PointId> ids = List.of(PointId.of(random.nextInt(300)), PointId.of(random.nextInt(300)));
          for (PointRecord r : shard.retrieve(ids, false, true)) {
            Stored s = model.get(r.id());
            assertArrayEquals(normalizedRows(s.m()), r.vectors().get("m"), 1e-6f, at);
            assertArrayEquals(s.e(), r.vectors().get("e"), at);
          }
        }
        assertEquals(model.size(), shard.count(), "seed " + seed + " step " + step);
      }
      Shard last = shard;
      assertThrows(BadRequestException.class, () -> last.search(new SearchRequest("m", new float[DIM + 1], 1, false,
          false, null, null, null, false)));
      assertThrows(BadRequestException.class, () -> last.upsert(List.of(new Point(PointId.of(1),
          Map.of("d", new float[4], "m", new float[0], "e", new float[DIM]), null)), 1_000_000));
      assertThrows(BadRequestException.class, () -> last.upsert(List.of(new Point(PointId.of(1),
          Map.of("d", new float[4], "m", new float[DIM * 2 + 1], "e", new float[DIM]), null)), 1_000_000));
      // A named multivector is optional, like every named vector: a point without "m" is written,
      // has no "m", and a MaxSim search never returns it.
      last.upsert(List.of(new Point(PointId.of(1), Map.of("d", new float[4], "e", new float[DIM]), null)), 1_000_001);
      PointRecord without = last.retrieve(List.of(PointId.of(1)), false, true).getFirst();
      assertFalse(without.vectors().containsKey("m"), without.vectors().keySet().toString());
      float[] query = new float[DIM];
      query[0] = 1;
      assertTrue(last.search(new SearchRequest("m", query, 1_000, false, false, null, null, null, true)).stream()
          .noneMatch(p -> p.id().equals(PointId.of(1))), "a point without the multivector is never scored");
    } finally {
      shard.close();
    }
  }

  /** Brute-force MaxSim over the model, best first by the distance, ties by id. */
  private static List<Map.Entry<PointId, Double>> truth(TreeMap<PointId, Stored> model, float[] q, String group,
      boolean cosine) {
    List<Map.Entry<PointId, Double>> out = new ArrayList<>();
    model.forEach((id, s) -> {
      if (group == null || group.equals(s.group())) {
        out.add(Map.entry(id, cosine ? maxSimCosine(q, s.m()) : sumMinEuclid(q, s.e())));
      }
    });
    Comparator<Map.Entry<PointId, Double>> byScore = Comparator.comparing(Map.Entry::getValue);
    out.sort((cosine ? byScore.reversed() : byScore).thenComparing(Map.Entry::getKey));
    return out;
  }

  private static double maxSimCosine(float[] q, float[] d) {
    float[] qn = normalizedRows(q);
    float[] dn = normalizedRows(d);
    double sum = 0;
    for (int i = 0; i < qn.length; i += DIM) {
      double best = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < dn.length; j += DIM) {
        double dot = 0;
        for (int x = 0; x < DIM; x++) {
          dot += (double) qn[i + x] * dn[j + x];
        }
        best = Math.max(best, dot);
      }
      sum += best;
    }
    return sum;
  }

  private static double sumMinEuclid(float[] q, float[] d) {
    double sum = 0;
    for (int i = 0; i < q.length; i += DIM) {
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < d.length; j += DIM) {
        double sq = 0;
        for (int x = 0; x < DIM; x++) {
          double diff = (double) q[i + x] - d[j + x];
          sq += diff * diff;
        }
        best = Math.min(best, Math.sqrt(sq));
      }
      sum += best;
    }
    return sum;
  }

  private static float[] normalizedRows(float[] flat) {
    float[] out = new float[flat.length];
    for (int i = 0; i < flat.length; i += DIM) {
      double norm = 0;
      for (int x = 0; x < DIM; x++) {
        norm += (double) flat[i + x] * flat[i + x];
      }
      for (int x = 0; x < DIM; x++) {
        out[i + x] = norm == 0 ? 0 : (float) (flat[i + x] / Math.sqrt(norm));
      }
    }
    return out;
  }

  private static float[] multi(Random random) {
    return rows(random, 1 + random.nextInt(5), DIM);
  }

  private static float[] rows(Random random, int count, int dim) {
    float[] v = new float[count * dim];
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return v;
  }
}
