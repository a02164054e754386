package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * updates (of the dense vector, which keeps the multivectors, and of a multivector), restarts (the
 * multivectors are rebuilt from RocksDB), compaction of the heap store (thousands of overwrites)
 * and an optimizer sealing the dense vectors all the time (tiny thresholds). Two multivectors: "m"
 * (Cosine: rows normalized on the way in) and "e" (Euclid: the score is the sum of each query row's
 * smallest distance, lower first; on_disk: its rows are mapped from scratch files). Oracle: a
 * TreeMap model and a brute-force MaxSim written here in plain double arithmetic; ids must be equal
 * (recall exactly 1.0), scores equal to 1e-4 relative; score_threshold keeps exactly the model's
 * hits at or better than it.
 */
@Timeout(120)
class MultiVectorShardModelTest {

  private static final String[] GROUPS = {"red", "green", "blue"};
  private static final int DIM = 3;

  @TempDir Path dir;

  private record Stored(float[] m, float[] e, String group) {}

  static ShardConfig config() {
    VectorsConfig vectors =
        new VectorsConfig(
            Map.of("d", new VectorParams(4, Distance.DOT, false)),
            Map.of(),
            Map.of(
                "m",
                new MultiVectorParams(
                    new VectorParams(DIM, Distance.COSINE, false),
                    MultiVectorParams.Comparator.MAX_SIM),
                "e",
                new MultiVectorParams(
                    new VectorParams(DIM, Distance.EUCLID, true),
                    MultiVectorParams.Comparator.MAX_SIM)));
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
    int[] graphSearches = {0};
    double[] graphRecall = {0};
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
            batch.add(
                new Point(
                    id,
                    Map.of("d", rows(random, 1, 4), "m", s.m(), "e", s.e()),
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
          newM.forEach(
              (id, m) -> model.computeIfPresent(id, (k, s) -> new Stored(m, s.e(), s.group())));
        } else if (op < 64) {
          shard.close();
          shard = Shard.open(dir.resolve("s"));
        } else if (op < 95) {
          float[] q = rows(random, 1 + random.nextInt(3), DIM);
          int k = 1 + random.nextInt(15);
          String group = random.nextBoolean() ? null : GROUPS[random.nextInt(3)];
          Filter filter =
              group == null
                  ? null
                  : Filter.allOf(
                      new Condition.Field(
                          JsonPath.of("group"), new FieldPredicate.MatchKeyword(group)));
          for (String name : List.of("m", "e")) {
            boolean cosine = name.equals("m");
            List<Map.Entry<PointId, Double>> truth = truth(model, q, group, cosine);
            boolean exact = random.nextBoolean();
            List<ScoredPoint> hits =
                ReportedScores.search(
                    shard, new SearchRequest(name, q, k, false, false, null, filter, null, exact));
            assertEquals(
                hits.size(),
                hits.stream().map(ScoredPoint::id).distinct().count(),
                at + " distinct hits");
            Map<PointId, Double> trueScore = new java.util.HashMap<>();
            truth.forEach(e -> trueScore.put(e.getKey(), e.getValue()));
            for (ScoredPoint hit : hits) {
              // Graph or exact: never a deleted point, a stale vector or one the filter rejects.
              Double own = trueScore.get(hit.id());
              assertTrue(
                  own != null,
                  at + " " + name + ": hit " + hit.id() + " outside the model or the filter");
              assertEquals(
                  own,
                  hit.score(),
                  1e-4 * Math.max(1, Math.abs(own)),
                  at + " " + name + " own score");
            }
            if (!exact) {
              // The graph path (tiny indexing threshold: graphs are built all the time) is
              // approximate.
              graphSearches[0]++;
              graphRecall[0] += recall(truth, hits, k);
              assertTrue(hits.size() <= Math.min(k, truth.size()), at + " at most k hits");
              continue;
            }
            // The ranking equals brute force up to near-ties: the shard sums in float, the oracle
            // in
            // double, so two scores within 1e-4 may come in either order. Each rank's score equals
            // the
            // oracle's score at that rank, and each hit's score is its own true score.
            assertEquals(
                Math.min(k, truth.size()), hits.size(), at + " " + name + " group " + group);
            for (int i = 0; i < hits.size(); i++) {
              double expected = truth.get(i).getValue();
              String where =
                  at
                      + " "
                      + name
                      + " group "
                      + group
                      + " rank "
                      + i
                      + ": expected "
                      + truth.stream().limit(k).map(Map.Entry::getKey).toList()
                      + ", got "
                      + hits.stream().map(ScoredPoint::id).toList();
              assertEquals(
                  expected, hits.get(i).score(), 1e-4 * Math.max(1, Math.abs(expected)), where);
            }
            if (!truth.isEmpty()) {
              float threshold = (float) (double) truth.get(random.nextInt(truth.size())).getValue();
              List<ScoredPoint> within =
                  ReportedScores.search(
                      shard,
                      new SearchRequest(
                          name, q, 1000, false, false, threshold, filter, null, true));
              for (ScoredPoint h : within) {
                assertEquals(
                    true,
                    cosine ? h.score() >= threshold : h.score() <= threshold,
                    at + " threshold");
              }
              // Float rounding of sums may move a score within 1e-4 of the threshold either way.
              long atLeast =
                  truth.stream()
                      .filter(
                          e ->
                              cosine
                                  ? e.getValue() > threshold + 1e-4
                                  : e.getValue() < threshold - 1e-4)
                      .count();
              long atMost =
                  truth.stream()
                      .filter(
                          e ->
                              cosine
                                  ? e.getValue() >= threshold - 1e-4
                                  : e.getValue() <= threshold + 1e-4)
                      .count();
              assertEquals(
                  true,
                  within.size() >= atLeast && within.size() <= atMost,
                  at
                      + " "
                      + name
                      + " threshold "
                      + threshold
                      + ": "
                      + within.size()
                      + " hits, expected "
                      + atLeast
                      + ".."
                      + atMost);
            }
          }
        } else {
          List<PointId> ids =
              List.of(PointId.of(random.nextInt(300)), PointId.of(random.nextInt(300)));
          for (PointRecord r : shard.retrieve(ids, false, true)) {
            Stored s = model.get(r.id());
            assertArrayEquals(normalizedRows(s.m()), r.vectors().get("m"), 1e-6f, at);
            assertArrayEquals(s.e(), r.vectors().get("e"), at);
          }
        }
        assertEquals(model.size(), shard.count(), "seed " + seed + " step " + step);
      }
      double recall = graphRecall[0] / Math.max(1, graphSearches[0]);
      System.out.println("graph-path searches " + graphSearches[0] + ", recall@k " + recall);
      assertTrue(recall >= 0.9, "seed " + seed + ": graph-path recall@k " + recall);
      Shard last = shard;
      assertThrows(
          BadRequestException.class,
          () ->
              ReportedScores.search(
                  last,
                  new SearchRequest(
                      "m", new float[DIM + 1], 1, false, false, null, null, null, false)));
      assertThrows(
          BadRequestException.class,
          () ->
              last.upsert(
                  List.of(
                      new Point(
                          PointId.of(1),
                          Map.of("d", new float[4], "m", new float[0], "e", new float[DIM]),
                          null)),
                  1_000_000));
      assertThrows(
          BadRequestException.class,
          () ->
              last.upsert(
                  List.of(
                      new Point(
                          PointId.of(1),
                          Map.of(
                              "d", new float[4], "m", new float[DIM * 2 + 1], "e", new float[DIM]),
                          null)),
                  1_000_000));
      // A named multivector is optional, like every named vector: a point without "m" is written,
      // has no "m", and a MaxSim search never returns it.
      last.upsert(
          List.of(new Point(PointId.of(1), Map.of("d", new float[4], "e", new float[DIM]), null)),
          1_000_001);
      PointRecord without = last.retrieve(List.of(PointId.of(1)), false, true).getFirst();
      assertFalse(without.vectors().containsKey("m"), without.vectors().keySet().toString());
      float[] query = new float[DIM];
      query[0] = 1;
      assertTrue(
          last
              .search(new SearchRequest("m", query, 1_000, false, false, null, null, null, true))
              .stream()
              .noneMatch(p -> p.id().equals(PointId.of(1))),
          "a point without the multivector is never scored");
    } finally {
      shard.close();
    }
  }

  /**
   * Goal: with a tiny indexing threshold the shard builds HNSW graphs over its multivectors in the
   * background while writes go on, and nearest queries search them: recall@10 >= 0.9 against
   * brute-force MaxSim on clustered data, with and without a filter, after deletes and updates that
   * leave deleted and stale nodes in the graphs (never returned), and again after a restart (the
   * graphs are rebuilt). {@code exact: true} and a selective filter equal brute force. Oracle: a
   * model and a double-precision MaxSim written here.
   */
  @Test
  void graphSearchOnClusteredDataFindsTheBruteForceTopTen() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    System.out.println("seed " + seed);
    int dim = 16;
    float[][] centres = new float[40][];
    for (int c = 0; c < centres.length; c++) {
      centres[c] = rows(random, 1, dim);
    }
    VectorsConfig vectors =
        new VectorsConfig(
            Map.of(),
            Map.of(),
            Map.of(
                "m",
                new MultiVectorParams(
                    new VectorParams(dim, Distance.COSINE, false),
                    MultiVectorParams.Comparator.MAX_SIM)));
    // indexing_threshold 64 KB: a graph part every ~200 points (~320 bytes each);
    // full_scan_threshold
    // 16 KB: parts (over 50 points) are searched through their graphs, and a filter matching fewer
    // than ~50 points is scored exactly.
    ShardConfig config =
        new ShardConfig(
            vectors,
            new HnswConfig(16, 100, 16, false),
            new OptimizersConfig(0.2, 100, 2, null, 64, 0));
    TreeMap<PointId, float[]> model = new TreeMap<>();
    Map<PointId, String> groups = new HashMap<>();
    long index = 0;
    Shard shard = Shard.openOrCreate(dir.resolve("g"), config);
    try {
      shard.createFieldIndex("group", FieldIndexSchema.of(PayloadSchemaType.KEYWORD), ++index);
      for (int from = 0; from < 3000; from += 100) {
        List<Point> batch = new ArrayList<>();
        for (int p = from; p < from + 100; p++) {
          float[] m = near(random, centres, 2 + random.nextInt(7), dim);
          String group = p % 150 == 0 ? "rare" : GROUPS[random.nextInt(3)];
          batch.add(
              new Point(
                  PointId.of(p),
                  Map.of("m", m),
                  Payload.of(JsonNodeFactory.instance.objectNode().put("group", group))));
          model.put(PointId.of(p), m);
          groups.put(PointId.of(p), group);
        }
        shard.upsert(batch, ++index);
      }
      awaitIndexed(shard);
      assertTrue(shard.info().indexedVectors() >= 2500, "graphs hold the points: " + shard.info());
      // Deletes and updates after the build: the graphs keep the old nodes, marked deleted.
      List<PointId> deleted = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        deleted.add(PointId.of(random.nextInt(3000)));
      }
      shard.delete(deleted, ++index);
      deleted.forEach(model::remove);
      List<Point> updates = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        PointId id = PointId.of(random.nextInt(3000));
        float[] m = near(random, centres, 2 + random.nextInt(7), dim);
        updates.add(
            new Point(
                id,
                Map.of("m", m),
                Payload.of(JsonNodeFactory.instance.objectNode().put("group", groups.get(id)))));
        model.put(id, m);
      }
      shard.upsert(updates, ++index);
      checkGraphSearch(
          shard, model, groups, centres, random, dim, "after deletes and updates, seed " + seed);
      shard.close();
      shard = Shard.open(dir.resolve("g"));
      awaitIndexed(shard);
      checkGraphSearch(shard, model, groups, centres, random, dim, "after a restart, seed " + seed);
    } finally {
      shard.close();
    }
  }

  /**
   * Goal: closing a shard (a snapshot install, a settings change, a collection delete) while it
   * builds a multivector graph cancels the build before its next node: close returns within 5 s of
   * a build that takes tens of seconds here (4,000 points x 16 rows x 64 dims, ef_construct 400),
   * and the reopened shard answers exactly and closes promptly again while it rebuilds.
   */
  @Test
  void closeCancelsAGraphBuild() throws Exception {
    int dim = 64;
    VectorsConfig vectors =
        new VectorsConfig(
            Map.of(),
            Map.of(),
            Map.of(
                "m",
                new MultiVectorParams(
                    new VectorParams(dim, Distance.DOT, false),
                    MultiVectorParams.Comparator.MAX_SIM)));
    ShardConfig config =
        new ShardConfig(
            vectors,
            new HnswConfig(16, 400, 0, false),
            new OptimizersConfig(0.2, 1000, 2, null, 64, 0));
    Random random = new Random(5);
    Shard shard = Shard.openOrCreate(dir.resolve("c"), config);
    try {
      long index = 0;
      for (int from = 0; from < 4000; from += 500) {
        List<Point> batch = new ArrayList<>();
        for (int p = from; p < from + 500; p++) {
          batch.add(new Point(PointId.of(p), Map.of("m", rows(random, 16, dim)), null));
        }
        shard.upsert(batch, ++index);
      }
      Thread.sleep(500);
      assertTrue(shard.info().optimizing(), "a graph build runs: " + shard.info());
    } finally {
      closePromptly(shard);
    }
    shard = Shard.open(dir.resolve("c"));
    try {
      assertEquals(4000, shard.count());
      float[] q = rows(random, 2, dim);
      List<ScoredPoint> exact =
          ReportedScores.search(
              shard, new SearchRequest("m", q, 10, false, false, null, null, null, true));
      assertEquals(10, exact.size());
      Thread.sleep(500);
      assertTrue(
          shard.info().optimizing(), "the graphs are rebuilt after the reopen: " + shard.info());
    } finally {
      closePromptly(shard);
    }
  }

  private static void closePromptly(Shard shard) {
    long start = System.nanoTime();
    shard.close();
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < 5_000, "close took " + ms + " ms");
  }

  private static void awaitIndexed(Shard shard) throws InterruptedException {
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (shard.info().optimizing()) {
      assertTrue(System.nanoTime() < deadline, "graphs not built in 90 s: " + shard.info());
      Thread.sleep(50);
    }
  }

  private static void checkGraphSearch(
      Shard shard,
      TreeMap<PointId, float[]> model,
      Map<PointId, String> groups,
      float[][] centres,
      Random random,
      int dim,
      String at) {
    double recall = 0;
    double filteredRecall = 0;
    double wideRecall = 0;
    double narrowRecall = 0;
    int queries = 40;
    for (int i = 0; i < queries; i++) {
      float[] q = near(random, centres, 1 + random.nextInt(4), dim);
      String group = GROUPS[random.nextInt(3)];
      Filter filter =
          Filter.allOf(
              new Condition.Field(JsonPath.of("group"), new FieldPredicate.MatchKeyword(group)));
      List<Map.Entry<PointId, Double>> all = truth(model, groups, q, null, dim);
      List<Map.Entry<PointId, Double>> inGroup = truth(model, groups, q, group, dim);
      List<ScoredPoint> graph =
          ReportedScores.search(
              shard, new SearchRequest("m", q, 10, false, false, null, null, null, false));
      List<ScoredPoint> filtered =
          ReportedScores.search(
              shard, new SearchRequest("m", q, 10, false, false, null, filter, null, false));
      assertOwnScores(graph, all, at);
      assertOwnScores(filtered, inGroup, at + " filter " + group);
      recall += recall(all, graph, 10);
      filteredRecall += recall(inGroup, filtered, 10);
      // hnsw_ef is honoured: a beam wider than the graph visits every node reachable from the entry
      // point, so it finds every true hit a narrow beam (10) finds, and more where that one missed
      // some.
      List<ScoredPoint> wide =
          ReportedScores.search(
              shard, new SearchRequest("m", q, 10, false, false, null, null, 5000, false));
      List<ScoredPoint> narrow =
          ReportedScores.search(
              shard, new SearchRequest("m", q, 10, false, false, null, null, 10, false));
      assertOwnScores(wide, all, at + " hnsw_ef 5000");
      assertOwnScores(narrow, all, at + " hnsw_ef 10");
      wideRecall += recall(all, wide, 10);
      narrowRecall += recall(all, narrow, 10);
      // exact: true and a selective filter (scored exactly) equal brute force.
      assertEqualsBruteForce(
          ReportedScores.search(
              shard, new SearchRequest("m", q, 10, false, false, null, null, null, true)),
          all,
          at + " exact");
      Filter rare =
          Filter.allOf(
              new Condition.Field(JsonPath.of("group"), new FieldPredicate.MatchKeyword("rare")));
      assertEqualsBruteForce(
          ReportedScores.search(
              shard, new SearchRequest("m", q, 10, false, false, null, rare, null, false)),
          truth(model, groups, q, "rare", dim),
          at + " selective filter");
    }
    recall /= queries;
    filteredRecall /= queries;
    wideRecall /= queries;
    narrowRecall /= queries;
    System.out.println(
        at
            + ": graph recall@10 "
            + recall
            + ", filtered "
            + filteredRecall
            + ", hnsw_ef 10 "
            + narrowRecall
            + ", hnsw_ef 5000 "
            + wideRecall);
    assertTrue(
        wideRecall > narrowRecall || narrowRecall == 1.0,
        at
            + ": recall@10 at hnsw_ef 5000 "
            + wideRecall
            + " is not above hnsw_ef 10's "
            + narrowRecall);
    assertTrue(recall >= 0.9, at + ": recall@10 " + recall);
    assertTrue(filteredRecall >= 0.9, at + ": filtered recall@10 " + filteredRecall);
  }

  /** Every hit is a live point the filter takes (in {@code truth}), with its true score. */
  private static void assertOwnScores(
      List<ScoredPoint> hits, List<Map.Entry<PointId, Double>> truth, String at) {
    Map<PointId, Double> own = new HashMap<>();
    truth.forEach(e -> own.put(e.getKey(), e.getValue()));
    assertEquals(
        hits.size(), hits.stream().map(ScoredPoint::id).distinct().count(), at + " distinct hits");
    for (ScoredPoint h : hits) {
      Double s = own.get(h.id());
      assertTrue(s != null, at + ": hit " + h.id() + " is deleted or outside the filter");
      assertEquals(
          s, h.score(), 1e-4 * Math.max(1, Math.abs(s)), at + ": a stale score for " + h.id());
    }
  }

  private static void assertEqualsBruteForce(
      List<ScoredPoint> hits, List<Map.Entry<PointId, Double>> truth, String at) {
    assertEquals(Math.min(10, truth.size()), hits.size(), at);
    assertOwnScores(hits, truth, at);
    for (int i = 0; i < hits.size(); i++) {
      double expected = truth.get(i).getValue();
      assertEquals(
          expected, hits.get(i).score(), 1e-4 * Math.max(1, Math.abs(expected)), at + " rank " + i);
    }
  }

  /** Brute-force Cosine MaxSim of dimension {@code dim} over the model, best first, ties by id. */
  private static List<Map.Entry<PointId, Double>> truth(
      TreeMap<PointId, float[]> model,
      Map<PointId, String> groups,
      float[] q,
      String group,
      int dim) {
    List<Map.Entry<PointId, Double>> out = new ArrayList<>();
    float[] qn = normalizedRows(q, dim);
    model.forEach(
        (id, m) -> {
          if (group == null || group.equals(groups.get(id))) {
            float[] dn = normalizedRows(m, dim);
            double sum = 0;
            for (int i = 0; i < qn.length; i += dim) {
              double best = Double.NEGATIVE_INFINITY;
              for (int j = 0; j < dn.length; j += dim) {
                double dot = 0;
                for (int x = 0; x < dim; x++) {
                  dot += (double) qn[i + x] * dn[j + x];
                }
                best = Math.max(best, dot);
              }
              sum += best;
            }
            out.add(Map.entry(id, sum));
          }
        });
    out.sort(
        Comparator.comparing(Map.Entry<PointId, Double>::getValue)
            .reversed()
            .thenComparing(Map.Entry::getKey));
    return out;
  }

  private static float[] near(Random random, float[][] centres, int rows, int dim) {
    float[] out = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int x = 0; x < dim; x++) {
        out[r * dim + x] = c[x] + (float) random.nextGaussian() * 0.3f;
      }
    }
    return out;
  }

  /** The share of the true top k (ties at the k-th score count as found) among the hits. */
  private static double recall(
      List<Map.Entry<PointId, Double>> truth, List<ScoredPoint> hits, int k) {
    int want = Math.min(k, truth.size());
    if (want == 0) {
      return 1;
    }
    double kth = truth.get(want - 1).getValue();
    java.util.Set<PointId> near = new java.util.HashSet<>();
    for (Map.Entry<PointId, Double> e : truth) {
      if (near.size() < want || Math.abs(e.getValue() - kth) <= 1e-4 * Math.max(1, Math.abs(kth))) {
        near.add(e.getKey());
      }
    }
    long found = hits.stream().filter(h -> near.contains(h.id())).count();
    return Math.min(1.0, (double) found / want);
  }

  /** Brute-force MaxSim over the model, best first by the distance, ties by id. */
  private static List<Map.Entry<PointId, Double>> truth(
      TreeMap<PointId, Stored> model, float[] q, String group, boolean cosine) {
    List<Map.Entry<PointId, Double>> out = new ArrayList<>();
    model.forEach(
        (id, s) -> {
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
    return normalizedRows(flat, DIM);
  }

  private static float[] normalizedRows(float[] flat, int dim) {
    float[] out = new float[flat.length];
    for (int i = 0; i < flat.length; i += dim) {
      double norm = 0;
      for (int x = 0; x < dim; x++) {
        norm += (double) flat[i + x] * flat[i + x];
      }
      for (int x = 0; x < dim; x++) {
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
