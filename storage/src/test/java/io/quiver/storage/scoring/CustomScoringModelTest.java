package io.quiver.storage.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.index.sparse.SparseVector;
import io.quiver.index.vector.Distance;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.HnswConfig;
import io.quiver.storage.MultiVectorParams;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.Shard;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.SparseVectorParams;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadSchemaType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: Qdrant's custom objectives (recommend best_score and sum_scores, discover, context) over
 * sparse vectors and multivectors of a shard are exact through random upserts (points with and
 * without each vector), deletes and restarts, with and without a filter and a score threshold.
 * Sparse name "s" reads every point, "t" (full_scan_threshold above the shard's size) the filter's
 * candidates, so both paths are checked; multivectors are compared under Cosine ("m") and Euclid
 * ("e"). Oracle: a TreeMap model and brute force with an independent similarity: the sparse dot
 * product through a HashMap of dimensions, and for multivectors the sum over example rows of the
 * best plain-loop row similarity (dot of normalized rows, negated squared distance), as Qdrant's
 * {@code score_max_similarity}; scores combined by {@link Scorer}'s formulas (checked against
 * Qdrant's own cases in ScorerTest). Every hit's score must equal its brute-force score and the
 * brute-force score at its rank (to 1e-4), so the hits are a true top k whatever the near-ties.
 */
@Timeout(120)
class CustomScoringModelTest {

  private static final String[] GROUPS = {"red", "green", "blue"};
  private static final int DIM = 3;

  @TempDir Path dir;

  private record Stored(SparseVector sparse, float[] m, float[] e, String group) {}

  private static ShardConfig config() {
    VectorsConfig vectors =
        new VectorsConfig(
            Map.of("d", new VectorParams(2, Distance.DOT, false)),
            Map.of(
                "s",
                new SparseVectorParams(
                    true, 0L, false, "float32", SparseVectorParams.Modifier.NONE),
                "t",
                new SparseVectorParams(true, 1_000_000L, null, null, null)),
            Map.of(
                "m",
                new MultiVectorParams(
                    new VectorParams(DIM, Distance.COSINE, false),
                    MultiVectorParams.Comparator.MAX_SIM),
                "e",
                new MultiVectorParams(
                    new VectorParams(DIM, Distance.EUCLID, false),
                    MultiVectorParams.Comparator.MAX_SIM)));
    return new ShardConfig(
        vectors, new HnswConfig(8, 32, 0, false), new OptimizersConfig(0.1, 2, 2, 3L, 1, 0));
  }

  @Test
  void customObjectivesOverSparseAndMultivectorsMatchBruteForce() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    System.out.println("seed " + seed);
    TreeMap<PointId, Stored> model = new TreeMap<>();
    long index = 0;
    Shard shard = Shard.openOrCreate(dir.resolve("s"), config());
    try {
      shard.createFieldIndex("group", FieldIndexSchema.of(PayloadSchemaType.KEYWORD), ++index);
      for (int step = 0; step < 300; step++) {
        String at = "seed " + seed + " step " + step;
        int op = random.nextInt(100);
        if (op < 40) {
          List<Point> batch = new ArrayList<>();
          Map<PointId, Stored> staged = new HashMap<>();
          for (int i = 1 + random.nextInt(20); i > 0; i--) {
            PointId id = PointId.of(random.nextInt(200));
            Stored s =
                new Stored(
                    random.nextInt(5) > 0 ? randomSparse(random, 1 + random.nextInt(6)) : null,
                    random.nextInt(5) > 0 ? rows(random, 1 + random.nextInt(4)) : null,
                    random.nextInt(5) > 0 ? rows(random, 1 + random.nextInt(4)) : null,
                    GROUPS[random.nextInt(3)]);
            Map<String, float[]> dense =
                new HashMap<>(Map.of("d", new float[] {random.nextFloat(), random.nextFloat()}));
            if (s.m() != null) {
              dense.put("m", s.m());
            }
            if (s.e() != null) {
              dense.put("e", s.e());
            }
            batch.add(
                new Point(
                    id,
                    dense,
                    Payload.of(JsonNodeFactory.instance.objectNode().put("group", s.group())),
                    s.sparse() == null ? Map.of() : Map.of("s", s.sparse(), "t", s.sparse())));
            staged.put(id, s);
          }
          shard.upsert(batch, ++index);
          model.putAll(staged);
        } else if (op < 50) {
          List<PointId> ids = new ArrayList<>();
          for (int i = random.nextInt(20); i > 0; i--) {
            ids.add(PointId.of(random.nextInt(200)));
          }
          shard.delete(ids, ++index);
          ids.forEach(model::remove);
        } else if (op < 53) {
          shard.close();
          shard = Shard.open(dir.resolve("s"));
        } else {
          String group = random.nextBoolean() ? null : GROUPS[random.nextInt(3)];
          Filter filter =
              group == null
                  ? null
                  : Filter.allOf(
                      new Condition.Field(
                          JsonPath.of("group"), new FieldPredicate.MatchKeyword(group)));
          int k = 1 + random.nextInt(12);
          int kind = random.nextInt(3);
          if (kind == 0) {
            Scorer<SparseVector> scorer =
                randomScorer(random, () -> randomSparse(random, 1 + random.nextInt(6)));
            for (String name : List.of("s", "t")) {
              check(
                  shard,
                  model,
                  name,
                  scorer,
                  k,
                  filter,
                  group,
                  random,
                  s -> s.sparse(),
                  (example, stored) -> sparseDot(example, stored),
                  at);
            }
          } else {
            String name = kind == 1 ? "m" : "e";
            Distance distance = kind == 1 ? Distance.COSINE : Distance.EUCLID;
            Scorer<float[]> scorer =
                randomScorer(random, () -> rows(random, 1 + random.nextInt(3)));
            check(
                shard,
                model,
                name,
                scorer,
                k,
                filter,
                group,
                random,
                s -> kind == 1 ? s.m() : s.e(),
                (example, stored) -> maxSim(distance, example, stored),
                at);
          }
        }
      }
      Shard last = shard;
      Scorer<float[]> dense = new Scorer.RecommendSumScores<>(List.of(new float[DIM]), List.of());
      assertThrows(
          BadRequestException.class,
          () -> last.score(new ScoreRequest("s", dense, 3, null, null, false, false)));
      Scorer<SparseVector> sparse =
          new Scorer.RecommendSumScores<>(List.of(SparseVector.EMPTY), List.of());
      assertThrows(
          BadRequestException.class,
          () -> last.score(new ScoreRequest("m", sparse, 3, null, null, false, false)));
      Scorer<float[]> wrongRows =
          new Scorer.RecommendSumScores<>(List.of(new float[DIM + 1]), List.of());
      assertThrows(
          BadRequestException.class,
          () -> last.score(new ScoreRequest("m", wrongRows, 3, null, null, false, false)));
    } finally {
      shard.close();
    }
  }

  @FunctionalInterface
  private interface Similarity<V> {
    double of(V example, V stored);
  }

  /**
   * Runs the scorer on the shard (and again with a threshold at a random true score) and compares
   * with brute force over the model's points that have the vector and pass the group filter.
   */
  private static <V> void check(
      Shard shard,
      TreeMap<PointId, Stored> model,
      String name,
      Scorer<V> scorer,
      int k,
      Filter filter,
      String group,
      Random random,
      Function<Stored, V> vectorOf,
      Similarity<V> similarity,
      String at) {
    Map<PointId, Float> truth = new HashMap<>();
    model.forEach(
        (id, s) -> {
          V stored = vectorOf.apply(s);
          if (stored != null && (group == null || group.equals(s.group()))) {
            truth.put(id, scorer.score(id, example -> (float) similarity.of(example, stored)));
          }
        });
    List<Float> ranked = new ArrayList<>(truth.values());
    ranked.sort((a, b) -> Float.compare(b, a));
    String context = at + " " + name + " " + scorer + " group " + group;
    List<ScoredPoint> hits =
        shard.score(new ScoreRequest(name, scorer, k, null, filter, false, false));
    assertEquals(Math.min(k, truth.size()), hits.size(), context);
    Set<PointId> seen = new HashSet<>();
    for (int i = 0; i < hits.size(); i++) {
      ScoredPoint hit = hits.get(i);
      assertEquals(true, seen.add(hit.id()), context + " repeated " + hit.id());
      Float own = truth.get(hit.id());
      assertEquals(true, own != null, context + " " + hit.id() + " should not be a hit");
      assertEquals(
          own, hit.score(), 1e-4f * Math.max(1, Math.abs(own)), context + " score of " + hit.id());
      assertEquals(
          ranked.get(i), hit.score(), 1e-4f * Math.max(1, Math.abs(own)), context + " rank " + i);
    }
    if (!ranked.isEmpty()) {
      float threshold = ranked.get(random.nextInt(ranked.size()));
      List<ScoredPoint> above =
          shard.score(new ScoreRequest(name, scorer, 1000, threshold, filter, false, false));
      long expected = ranked.stream().filter(s -> s >= threshold).count();
      assertEquals(
          expected,
          above.size(),
          2,
          context + " threshold " + threshold); // near-ties at the threshold
      above.forEach(h -> assertEquals(true, h.score() >= threshold, context + " below threshold"));
    }
  }

  private static <V> Scorer<V> randomScorer(Random random, java.util.function.Supplier<V> vector) {
    return switch (random.nextInt(4)) {
      case 0 -> new Scorer.RecommendBestScore<>(some(random, vector, 1), some(random, vector, 0));
      case 1 -> new Scorer.RecommendSumScores<>(some(random, vector, 1), some(random, vector, 0));
      case 2 -> new Scorer.Discover<>(vector.get(), pairs(random, vector));
      default -> new Scorer.Context<>(pairs(random, vector));
    };
  }

  private static <V> List<V> some(Random random, java.util.function.Supplier<V> vector, int min) {
    List<V> out = new ArrayList<>();
    for (int i = min + random.nextInt(3); i > 0; i--) {
      out.add(vector.get());
    }
    return out;
  }

  private static <V> List<Scorer.Pair<V>> pairs(
      Random random, java.util.function.Supplier<V> vector) {
    List<Scorer.Pair<V>> out = new ArrayList<>();
    for (int i = 1 + random.nextInt(3); i > 0; i--) {
      out.add(new Scorer.Pair<>(vector.get(), vector.get()));
    }
    return out;
  }

  private static double sparseDot(SparseVector a, SparseVector b) {
    Map<Integer, Float> byIndex = new HashMap<>();
    for (int i = 0; i < a.size(); i++) {
      byIndex.put(a.index(i), a.value(i));
    }
    double sum = 0;
    for (int i = 0; i < b.size(); i++) {
      Float v = byIndex.get(b.index(i));
      if (v != null) {
        sum += (double) v * b.value(i);
      }
    }
    return sum;
  }

  /**
   * Qdrant's score_max_similarity over raw flat rows: rows normalized for Cosine, negated squared
   * distance for Euclid.
   */
  private static double maxSim(Distance distance, float[] example, float[] stored) {
    double sum = 0;
    for (int q = 0; q < example.length; q += DIM) {
      double best = Double.NEGATIVE_INFINITY;
      for (int r = 0; r < stored.length; r += DIM) {
        double s = 0;
        if (distance == Distance.COSINE) {
          double nq = norm(example, q);
          double nr = norm(stored, r);
          for (int i = 0; i < DIM; i++) {
            s += (nq == 0 ? 0 : example[q + i] / nq) * (nr == 0 ? 0 : stored[r + i] / nr);
          }
        } else {
          for (int i = 0; i < DIM; i++) {
            double d = example[q + i] - stored[r + i];
            s -= d * d;
          }
        }
        best = Math.max(best, s);
      }
      sum += best;
    }
    return sum;
  }

  private static double norm(float[] v, int from) {
    double s = 0;
    for (int i = 0; i < DIM; i++) {
      s += (double) v[from + i] * v[from + i];
    }
    return Math.sqrt(s);
  }

  private static float[] rows(Random random, int count) {
    float[] out = new float[count * DIM];
    for (int i = 0; i < out.length; i++) {
      out[i] = random.nextFloat() * 2 - 1;
    }
    return out;
  }

  private static SparseVector randomSparse(Random random, int size) {
    int[] indices = new int[size];
    float[] values = new float[size];
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < size; i++) {
      int d;
      do {
        d = random.nextInt(30);
      } while (!used.add(d));
      indices[i] = d;
      values[i] = random.nextFloat() * 2 - 1;
    }
    return SparseVector.of(indices, values);
  }
}
