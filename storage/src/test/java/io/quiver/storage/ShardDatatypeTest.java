package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Goal: a shard whose vector has {@code datatype} float16 or uint8 stores its points' vectors at
 * that width in the sealed segments (graph files and plain files say the datatype, and hold 2 or 1
 * bytes per dimension), reads back the stored values (float16: the input, normalized for Cosine,
 * rounded to half precision; uint8: the integers given), and searches them correctly with every
 * distance it serves, before and after a reopen. Oracle: brute force in double precision over the
 * stored values as the test itself computes them ({@link Float#float16ToFloat} of {@link
 * Float#floatToFloat16}); exact search must give the brute-force top 10 (each hit's score equal to
 * its brute-force score, and the k-th score equal to the brute-force k-th, so ties may swap), the
 * graph search a recall@10 of at least 0.9 (measured 0.97-1.0 at these sizes). Segments: appendable
 * (float32 on the heap), plain and indexed (mapped, narrow) all take part.
 */
@Timeout(300)
class ShardDatatypeTest {

  private static final int N = 1_500;
  private static final int DIM = 24;
  private static final int K = 10;
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  @TempDir Path dir;

  private static ShardConfig config(Distance distance, VectorDatatype datatype) {
    return new ShardConfig(
        VectorsConfig.single(new VectorParams(DIM, distance, false, null, null, datatype)),
        new HnswConfig(16, 100, 0, false),
        new OptimizersConfig(0.2, 1000, 2, null, 8, 0));
  }

  @ParameterizedTest
  @CsvSource({
    "FLOAT16,COSINE",
    "FLOAT16,DOT",
    "FLOAT16,EUCLID",
    "FLOAT16,MANHATTAN",
    "UINT8,DOT",
    "UINT8,EUCLID",
    "UINT8,MANHATTAN",
    "UINT8,COSINE"
  })
  void storesNarrowAndSearchesLikeBruteForce(VectorDatatype datatype, Distance distance)
      throws Exception {
    storesAndSearchesLikeBruteForce(datatype, distance, config(distance, datatype));
  }

  /**
   * Uint8 Cosine vectors (stored as given, scored by their norms) mapped from their files ({@code
   * on_disk}) and with scalar int8 codes (trained on the normalized vectors; candidates rescored
   * with the stored bytes): exact search equals brute force, graph recall as above.
   */
  @ParameterizedTest
  @CsvSource({"true,false", "false,true", "true,true"})
  void uint8CosineOnDiskOrQuantizedSearchesLikeBruteForce(boolean onDisk, boolean quantized)
      throws Exception {
    QuantizationConfig quantization = quantized ? new QuantizationConfig.Scalar(null, true) : null;
    ShardConfig config =
        new ShardConfig(
            VectorsConfig.single(
                new VectorParams(
                    DIM, Distance.COSINE, onDisk, null, quantization, VectorDatatype.UINT8)),
            new HnswConfig(16, 100, 0, false),
            new OptimizersConfig(0.2, 1000, 2, null, 8, 0));
    storesAndSearchesLikeBruteForce(VectorDatatype.UINT8, Distance.COSINE, config);
  }

  private void storesAndSearchesLikeBruteForce(
      VectorDatatype datatype, Distance distance, ShardConfig config) throws Exception {
    Random random = new Random(SEED + datatype.ordinal() * 7L + distance.ordinal());
    String where =
        "seed="
            + SEED
            + " "
            + datatype
            + " "
            + distance
            + " "
            + config.vectors().get(VectorsConfig.DEFAULT);
    boolean asGiven = datatype == VectorDatatype.UINT8 && distance == Distance.COSINE;
    float[][] stored = new float[N][];
    Path shardDir = dir.resolve("s");
    List<float[]> queries = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      queries.add(randomVector(random, datatype, false));
    }
    List<List<ScoredPoint>> before = new ArrayList<>();
    try (Shard shard = Shard.openOrCreate(shardDir, config)) {
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        float[] v = randomVector(random, datatype, true);
        stored[i] = storedForm(v, distance, datatype);
        points.add(new Point(PointId.of(i), Map.of(VectorsConfig.DEFAULT, v), Payload.EMPTY));
        if (points.size() == 100) {
          shard.upsert(points, i + 1);
          points = new ArrayList<>();
        }
      }
      awaitIndexed(shard);
      assertNarrowFiles(shardDir.resolve(Shard.SEGMENTS_DIR), datatype, where);
      for (PointRecord r :
          shard.retrieve(
              List.of(PointId.of(0), PointId.of(N / 2), PointId.of(N - 1)), false, true)) {
        assertArrayEquals(
            stored[(int) r.id().number()],
            r.vectors().get(VectorsConfig.DEFAULT),
            where + " read back " + r.id());
      }
      double recall = 0;
      for (float[] q : queries) {
        List<ScoredPoint> exact = ReportedScores.search(shard, request(q, true));
        assertLikeBruteForce(stored, q, distance, asGiven, exact, where);
        before.add(exact);
        recall += overlap(exact, ReportedScores.search(shard, request(q, false)));
      }
      recall /= queries.size() * K;
      System.out.printf("%s: graph recall@10 %.3f%n", where, recall);
      assertTrue(recall >= 0.9, where + " recall@10 " + recall);
    }
    try (Shard reopened = Shard.open(shardDir)) {
      for (int i = 0; i < queries.size(); i++) {
        // The same points, scored again (the reopened shard's segments may differ in kind, and
        // float sums in another order differ in the last bits): brute force again, same ids.
        List<ScoredPoint> after = ReportedScores.search(reopened, request(queries.get(i), true));
        assertLikeBruteForce(
            stored, queries.get(i), distance, asGiven, after, where + " after reopen");
        assertEquals(ids(before.get(i)), ids(after), where + " after reopen");
      }
    }
  }

  @Test
  void refusesValuesTheDatatypeCannotStore() {
    try (Shard shard =
        Shard.openOrCreate(dir.resolve("u"), config(Distance.DOT, VectorDatatype.UINT8))) {
      for (float bad : new float[] {1.5f, -1f, 256f}) {
        float[] v = new float[DIM];
        v[3] = bad;
        BadRequestException e =
            assertThrows(
                BadRequestException.class,
                () ->
                    shard.upsert(
                        List.of(
                            new Point(
                                PointId.of(1), Map.of(VectorsConfig.DEFAULT, v), Payload.EMPTY)),
                        1));
        assertTrue(
            e.getMessage().contains("uint8") && e.getMessage().contains("element 3"),
            e.getMessage());
      }
    }
    try (Shard shard =
        Shard.openOrCreate(dir.resolve("h"), config(Distance.EUCLID, VectorDatatype.FLOAT16))) {
      float[] v = new float[DIM];
      v[0] = 70_000f; // above the largest half, 65,504
      assertThrows(
          BadRequestException.class,
          () ->
              shard.upsert(
                  List.of(
                      new Point(PointId.of(1), Map.of(VectorsConfig.DEFAULT, v), Payload.EMPTY)),
                  1));
    }
    VectorParams uint8Cosine =
        new VectorParams(DIM, Distance.COSINE, false, null, null, VectorDatatype.UINT8);
    assertThrows(
        BadRequestException.class,
        () -> new MultiVectorParams(uint8Cosine, MultiVectorParams.Comparator.MAX_SIM));
  }

  private static float[] randomVector(Random random, VectorDatatype datatype, boolean point) {
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] =
          datatype == VectorDatatype.UINT8
              ? (point ? random.nextInt(256) : random.nextFloat() * 255f)
              : (float) random.nextGaussian() * 3f;
    }
    return v;
  }

  /**
   * What the shard must store: normalized for Cosine, then rounded to the datatype; uint8 Cosine as
   * given (as Qdrant stores it: integers cannot be normalized).
   */
  private static float[] storedForm(float[] v, Distance distance, VectorDatatype datatype) {
    if (datatype == VectorDatatype.UINT8) {
      return v.clone();
    }
    float[] out = distance.prepare(v).clone();
    if (datatype == VectorDatatype.FLOAT16) {
      for (int i = 0; i < out.length; i++) {
        out[i] = Float.float16ToFloat(Float.floatToFloat16(out[i]));
      }
    }
    return out;
  }

  /**
   * Qdrant's score; {@code asGiven}: v is not normalized (uint8 Cosine), else a Cosine v is (up to
   * rounding).
   */
  private static double qdrantScore(Distance distance, boolean asGiven, float[] q, float[] v) {
    double dot = 0, l2 = 0, l1 = 0, qq = 0, vv = 0;
    for (int i = 0; i < q.length; i++) {
      dot += (double) q[i] * v[i];
      l2 += ((double) q[i] - v[i]) * ((double) q[i] - v[i]);
      l1 += Math.abs((double) q[i] - v[i]);
      qq += (double) q[i] * q[i];
      vv += (double) v[i] * v[i];
    }
    return switch (distance) {
      // Qdrant's cosine: dot / sqrt(|q|^2 |v|^2), 0 for a zero vector; a normalized v (float32,
      // float16: rounded after normalizing, as both Qdrant and Quiver score it) counts as |v| = 1
      case COSINE -> qq == 0 || vv == 0 ? 0 : dot / Math.sqrt(qq * (asGiven ? vv : 1));
      case DOT -> dot;
      case EUCLID -> Math.sqrt(l2);
      case MANHATTAN -> l1;
    };
  }

  private static void assertLikeBruteForce(
      float[][] stored,
      float[] q,
      Distance distance,
      boolean asGiven,
      List<ScoredPoint> hits,
      String where) {
    double[] scores = new double[stored.length];
    for (int i = 0; i < stored.length; i++) {
      scores[i] = qdrantScore(distance, asGiven, q, stored[i]);
    }
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    double kth = distance.higherIsBetter() ? sorted[sorted.length - K] : sorted[K - 1];
    assertEquals(K, hits.size(), where);
    for (ScoredPoint h : hits) {
      double expected = scores[(int) h.id().number()];
      assertEquals(
          expected,
          h.score(),
          1e-4 * Math.max(1, Math.abs(expected)),
          where + " score of " + h.id());
    }
    double last = hits.get(K - 1).score();
    assertEquals(kth, last, 1e-4 * Math.max(1, Math.abs(kth)), where + " k-th score");
  }

  private static Set<PointId> ids(List<ScoredPoint> hits) {
    Set<PointId> ids = new HashSet<>();
    hits.forEach(h -> ids.add(h.id()));
    return ids;
  }

  private static int overlap(List<ScoredPoint> exact, List<ScoredPoint> approx) {
    Set<PointId> ids = new HashSet<>();
    exact.forEach(h -> ids.add(h.id()));
    int n = 0;
    for (ScoredPoint h : approx) {
      n += ids.contains(h.id()) ? 1 : 0;
    }
    return n;
  }

  private static SearchRequest request(float[] q, boolean exact) {
    return new SearchRequest("", q, K, false, false, null, null, null, exact, null);
  }

  private static void awaitIndexed(Shard shard) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (shard.info().optimizing() || shard.info().indexedVectors() < N / 2) {
      assertTrue(System.nanoTime() < deadline, "not indexed after 120 s: " + shard.info());
      Thread.sleep(20);
    }
  }

  /** Every graph file of the shard holds the datatype, at its width. */
  private static void assertNarrowFiles(Path segments, VectorDatatype datatype, String where)
      throws IOException {
    List<Path> graphs;
    try (Stream<Path> files = Files.list(segments)) {
      graphs = files.filter(f -> f.getFileName().toString().endsWith(".hnsw")).toList();
    }
    assertTrue(!graphs.isEmpty(), where + ": no indexed segment");
    for (Path f : graphs) {
      try (HnswIndex index = HnswIndex.open(f)) {
        assertEquals(datatype, index.vectors().datatype(), where + " " + f);
        assertEquals(
            (long) index.vectors().size() * DIM * datatype.bytesPerDimension(),
            index.vectors().offHeapBytes(),
            where + " " + f);
      }
    }
  }
}
