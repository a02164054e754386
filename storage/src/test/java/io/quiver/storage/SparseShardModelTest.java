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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: sparse search of a shard is exact through random upserts (some points without a sparse
 * vector), deletes, dense-vector updates, restarts, and an optimizer that seals, merges and vacuums
 * the dense vectors all the time (tiny thresholds). Two sparse names hold the same vectors: "s"
 * always walks the inverted index ({@code full_scan_threshold} 0), "t" scores the filter's
 * candidates directly (threshold above the shard's size), so both paths are checked. Oracle: a
 * TreeMap model, brute-force dot products of the points sharing a dimension with the query, ranked
 * by score then id; ids must be equal (recall exactly 1.0), scores equal to 1e-6.
 */
@Timeout(120)
class SparseShardModelTest {

  private static final String[] GROUPS = {"red", "green", "blue"};

  @TempDir Path dir;

  private record Stored(SparseVector sparse, String group) {}

  static ShardConfig config() {
    VectorsConfig vectors =
        new VectorsConfig(
            Map.of("d", new VectorParams(4, Distance.DOT, false)),
            Map.of(
                "s",
                new SparseVectorParams(
                    true, 0L, false, "float32", SparseVectorParams.Modifier.NONE),
                "t",
                new SparseVectorParams(true, 1_000_000L, null, null, null)));
    return new ShardConfig(
        vectors, new HnswConfig(8, 32, 0, false), new OptimizersConfig(0.1, 2, 2, 3L, 1, 0));
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
      for (int step = 0; step < 1200; step++) {
        String at = "seed " + seed + " step " + step;
        int op = random.nextInt(100);
        if (op < 45) {
          List<Point> batch = new ArrayList<>();
          Map<PointId, Stored> staged = new HashMap<>();
          for (int i = 1 + random.nextInt(20); i > 0; i--) {
            PointId id = PointId.of(random.nextInt(300));
            SparseVector v =
                random.nextInt(10) < 8 ? randomSparse(random, 1 + random.nextInt(8)) : null;
            String group = GROUPS[random.nextInt(3)];
            Map<String, SparseVector> sparse = v == null ? Map.of() : Map.of("s", v, "t", v);
            batch.add(
                new Point(
                    id,
                    Map.of("d", dense(random)),
                    Payload.of(JsonNodeFactory.instance.objectNode().put("group", group)),
                    sparse));
            staged.put(id, new Stored(v, group));
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
        } else if (op < 60) {
          List<PointsOperation.PointVectors> updates = new ArrayList<>();
          for (int i = 1 + random.nextInt(5); i > 0; i--) {
            updates.add(
                new PointsOperation.PointVectors(
                    PointId.of(random.nextInt(300)), Map.of("d", dense(random))));
          }
          shard.apply(
              new PointsOperation.UpdateVectors(updates), ++index); // keeps the sparse vectors
        } else if (op < 62) {
          shard.close();
          shard = Shard.open(dir.resolve("s"));
        } else if (op < 95) {
          checkQuery(shard, model, random, at);
        } else {
          List<PointId> ids =
              List.of(PointId.of(random.nextInt(300)), PointId.of(random.nextInt(300)));
          for (PointRecord r : shard.retrieve(ids, false, true)) {
            Stored s = model.get(r.id());
            assertEquals(
                s.sparse() == null ? Map.of() : Map.of("s", s.sparse(), "t", s.sparse()),
                r.sparse(),
                at);
          }
        }
        assertEquals(model.size(), shard.count(), "seed " + seed + " step " + step);
      }
      assertEquals(
          model.size(),
          shard.sparseStatistics("s", new int[0])[0],
          "seed " + seed); // N: every point
      int d = 3;
      assertEquals(
          model.values().stream()
              .filter(
                  s ->
                      s.sparse() != null
                          && java.util.Arrays.binarySearch(s.sparse().indices(), d) >= 0)
              .count(),
          shard.sparseStatistics("s", new int[] {d})[1],
          "seed " + seed);
      // the optimizer sealed parts of the sparse indexes; a restart maps them again instead of
      // rebuilding them
      awaitOptimizer(shard);
      var sealed = shard.sparseIndexStats("s");
      assertTrue(
          sealed.sealedParts() > 0 && sealed.sealedPostings() > 0,
          "seed " + seed + ": no sealed sparse part " + sealed);
      shard.close();
      shard = Shard.open(dir.resolve("s"));
      var reopened = shard.sparseIndexStats("s");
      assertEquals(sealed.sealedParts(), reopened.sealedParts(), "seed " + seed + " " + reopened);
      assertEquals(
          sealed.sealedPostings(), reopened.sealedPostings(), "seed " + seed + " " + reopened);
      for (int i = 0; i < 50; i++) {
        checkQuery(shard, model, random, "seed " + seed + " after reopen, query " + i);
      }
      Shard last = shard;
      assertThrows(
          BadRequestException.class,
          () ->
              last.search(
                  SearchRequest.sparse("d", SparseVector.EMPTY, 1, false, false, null, null)));
      assertThrows(
          BadRequestException.class,
          () ->
              last.upsert(
                  List.of(
                      new Point(
                          PointId.of(1),
                          Map.of("d", new float[4]),
                          null,
                          Map.of("x", SparseVector.EMPTY))),
                  1_000_000));
    } finally {
      shard.close();
    }
  }

  /**
   * A random query through both paths (index walk and candidate scoring), against brute force over
   * the model.
   */
  private static void checkQuery(
      Shard shard, TreeMap<PointId, Stored> model, Random random, String at) {
    SparseVector q = randomSparse(random, 1 + random.nextInt(6));
    int k = 1 + random.nextInt(15);
    String group = random.nextBoolean() ? null : GROUPS[random.nextInt(3)];
    Filter filter =
        group == null
            ? null
            : Filter.allOf(
                new Condition.Field(JsonPath.of("group"), new FieldPredicate.MatchKeyword(group)));
    List<Map.Entry<PointId, Float>> truth = truth(model, q, group);
    for (String name : List.of("s", "t")) {
      List<ScoredPoint> hits =
          shard.search(SearchRequest.sparse(name, q, k, false, true, null, filter));
      assertEquals(
          truth.stream().limit(k).map(Map.Entry::getKey).toList(),
          hits.stream().map(ScoredPoint::id).toList(),
          at + " " + name + " query " + q + " group " + group);
      for (int i = 0; i < hits.size(); i++) {
        assertEquals(
            truth.get(i).getValue(),
            hits.get(i).score(),
            1e-6f * Math.max(1, Math.abs(hits.get(i).score())),
            at);
        assertEquals(model.get(hits.get(i).id()).sparse(), hits.get(i).sparse().get(name), at);
      }
      if (!truth.isEmpty()) {
        float threshold = truth.get(random.nextInt(truth.size())).getValue();
        List<ScoredPoint> above =
            shard.search(SearchRequest.sparse(name, q, 1000, false, false, threshold, filter));
        assertEquals(
            truth.stream().filter(e -> e.getValue() >= threshold).count(),
            above.size(),
            at + " threshold");
      }
    }
  }

  private static List<Map.Entry<PointId, Float>> truth(
      TreeMap<PointId, Stored> model, SparseVector q, String group) {
    List<Map.Entry<PointId, Float>> out = new ArrayList<>();
    model.forEach(
        (id, s) -> {
          if (s.sparse() != null
              && s.sparse().overlaps(q)
              && (group == null || group.equals(s.group()))) {
            out.add(Map.entry(id, s.sparse().dot(q)));
          }
        });
    out.sort(
        Comparator.comparing((Map.Entry<PointId, Float> e) -> e.getValue())
            .reversed()
            .thenComparing(Map.Entry::getKey));
    return out;
  }

  static void awaitOptimizer(Shard shard) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (shard.info().optimizing() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(!shard.info().optimizing(), "the optimizer did not finish");
  }

  static SparseVector randomSparse(Random random, int size) {
    int[] indices = new int[size];
    float[] values = new float[size];
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (int i = 0; i < size; i++) {
      int d;
      do {
        double u = random.nextDouble();
        d = (int) (60 * u * u);
      } while (!used.add(d));
      indices[i] = d;
      values[i] = random.nextInt(4) == 0 ? -random.nextFloat() : random.nextFloat() * 3;
    }
    return SparseVector.of(indices, values);
  }

  private static float[] dense(Random random) {
    return new float[] {
      random.nextFloat(), random.nextFloat(), random.nextFloat(), random.nextFloat()
    };
  }
}
