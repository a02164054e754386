package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Goal: a multivector with a {@code quantization_config} is searched through its graph parts over
 * quantized rows (each row quantized by the dense quantizers), and the candidates are rescored from
 * the float rows. A real shard on RocksDB: 1,200 clustered points (32 dims, 2-8 rows), graph parts
 * of ~100-600 points, {@code full_scan_threshold} 0 (every part searched through its graph).
 * Oracle: brute-force MaxSim in double over a model of the points.
 *
 * <ul>
 *   <li>{@code hnsw_ef} 5,000 (a beam larger than any part: a traversal scores every node it can
 *       reach): {@code ignore: true} (float rows) finds the brute-force top 10 (recall@10 at least
 *       0.98: a multi-threaded build may leave a node or two unreachable, see
 *       docs/design/vectors.md, "Multivectors") with exact scores; rescored (the default) with
 *       enough oversampling, the quantized candidates hold those same hits: the answer equals the
 *       float search's, ids and scores;
 *   <li>{@code rescore: false}: the hits keep their approximate scores, which differ from the exact
 *       ones, and recall@10 stays high (thresholds below, per quantizer);
 *   <li>the shard closed and reopened: the parts and their codes are loaded from the files, and
 *       every search (with and without rescoring) answers exactly as before.
 * </ul>
 */
@Timeout(240)
class MultiVectorQuantizationTest {

  /**
   * Dimensions of a row: 32, 128 for binary codes (one bit per dimension needs many dimensions).
   */
  private int dim = 32;

  private static final int POINTS = 1_200;

  @TempDir Path dir;

  private final Random random = new Random(11);
  private final float[][] centres = new float[40][];
  private final TreeMap<PointId, float[]> model = new TreeMap<>();
  private long index;

  private ShardConfig config(Distance distance, QuantizationConfig quantization) {
    VectorParams rows = new VectorParams(dim, distance, false, null, quantization);
    VectorsConfig vectors =
        new VectorsConfig(
            Map.of(),
            Map.of(),
            Map.of("m", new MultiVectorParams(rows, MultiVectorParams.Comparator.MAX_SIM)));
    // indexing_threshold 64 KB: a part every ~100 points (parts absorb each other geometrically);
    // full_scan_threshold 0: every part is searched through its graph, never scanned.
    return new ShardConfig(
        vectors, new HnswConfig(16, 64, 0, false), new OptimizersConfig(0.2, 100, 2, null, 64, 0));
  }

  private static QuantizationConfig quantization(String kind) {
    return switch (kind) {
      case "scalar" -> new QuantizationConfig.Scalar(null, null);
      case "binary" -> new QuantizationConfig.Binary(false, null, null);
      case "product" -> new QuantizationConfig.Product(QuantizationConfig.Compression.X4, null);
      case "hamming" ->
          new QuantizationConfig.Binary(true, QuantizationConfig.BinaryQueryEncoding.BINARY, null);
      case "turbo" -> new QuantizationConfig.Turbo(null, null);
      case "turbo2" -> new QuantizationConfig.Turbo(io.quiver.index.quant.TurboBits.BITS2, null);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /**
   * Thresholds: int8 keeps ~1% of a row similarity's range as error, so without rescoring recall@10
   * is near 1 (0.9 leaves room for ties within that error); one bit per dimension ranks far more
   * coarsely (0.5, over 128 dims; over 32 it fell to 0.46), as dense binary codes do; product x4
   * (one byte per 4 dims) in between (0.7); binary with {@code query_encoding: binary} (the query's
   * sign bits too, Hamming distance) coarser still (0.3); turbo at 4 bits (0.7) and 2 bits (0.5). A
   * quantized MaxSim also favours points with many rows (the best of more noisy estimates), which
   * is why coarse codes need more candidates. Oversampling: how many candidates per hit the
   * rescoring needs here to hold the true top 10.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "scalar, COSINE, 32, 2, 0.9",
    "scalar, EUCLID, 32, 2, 0.9",
    "binary, DOT, 128, 30, 0.5",
    "binary, COSINE, 128, 30, 0.4",
    "hamming, DOT, 128, 30, 0.3",
    "product, EUCLID, 32, 4, 0.7",
    "turbo, EUCLID, 32, 3, 0.7",
    "turbo2, COSINE, 64, 10, 0.5"
  })
  void rescoredSearchesEqualBruteForceAndSurviveReopen(
      String kind, Distance distance, int rowDim, double oversampling, double recallWithoutRescore)
      throws Exception {
    dim = rowDim;
    Path shardDir = dir.resolve("s");
    Shard shard = Shard.openOrCreate(shardDir, config(distance, quantization(kind)));
    List<float[]> queries;
    List<List<ScoredPoint>> before = new ArrayList<>();
    Set<String> files;
    try {
      for (int c = 0; c < centres.length; c++) {
        centres[c] = gaussian(dim, 1f);
      }
      for (int start = 0; start < POINTS; start += 100) {
        List<Point> batch = new ArrayList<>();
        for (int p = start; p < start + 100; p++) {
          float[] m = near(2 + random.nextInt(7));
          model.put(PointId.of(p), m);
          batch.add(new Point(PointId.of(p), Map.of("m", m), null));
        }
        shard.upsert(batch, ++index);
      }
      awaitIndexed(shard);
      assertTrue(
          shard.info().indexedVectors() >= POINTS - 150,
          "the points in graph parts: " + shard.info());
      files = graphFiles(shardDir);
      queries = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        queries.add(near(1 + random.nextInt(4)));
      }
      double recall = 0;
      double floatRecall = 0;
      int differing = 0;
      for (float[] q : queries) {
        List<Map.Entry<PointId, Double>> truth = truth(distance, q);
        List<ScoredPoint> rescored =
            search(shard, q, new QuantizationSearchParams(false, null, oversampling));
        List<ScoredPoint> floats = search(shard, q, new QuantizationSearchParams(true, null, null));
        floatRecall += assertTrueScores(truth, floats, kind + ": ignore");
        assertSame(floats, rescored, kind + ": rescored as the float search");
        List<ScoredPoint> approximate =
            search(shard, q, new QuantizationSearchParams(false, false, null));
        Set<PointId> top = new HashSet<>();
        truth.subList(0, 10).forEach(e -> top.add(e.getKey()));
        for (ScoredPoint h : approximate) {
          recall += top.contains(h.id()) ? 0.1 : 0;
          double exact =
              truth.stream()
                  .filter(e -> e.getKey().equals(h.id()))
                  .findFirst()
                  .orElseThrow()
                  .getValue();
          differing += Math.abs(exact - h.score()) > 1e-4 * Math.max(1, Math.abs(exact)) ? 1 : 0;
        }
        before.add(rescored);
        before.add(approximate);
      }
      recall /= queries.size();
      floatRecall /= queries.size();
      assertTrue(
          floatRecall >= 0.98, kind + ": recall@10 of the float graph search " + floatRecall);
      System.out.println(kind + " " + distance + ": recall@10 without rescoring " + recall);
      assertTrue(recall >= recallWithoutRescore, kind + ": recall@10 without rescoring " + recall);
      assertTrue(
          differing > queries.size(),
          kind
              + ": approximate scores differ from exact ones ("
              + differing
              + " of "
              + 10 * queries.size()
              + " hits)");
    } finally {
      shard.close();
    }
    shard = Shard.open(shardDir);
    try {
      assertEquals(
          files.size(), shard.multivectorPartsLoaded(), "every part loaded with its codes");
      assertFalse(shard.info().optimizing(), "nothing rebuilt: " + shard.info());
      assertEquals(files, graphFiles(shardDir), "no file rewritten");
      List<List<ScoredPoint>> after = new ArrayList<>();
      for (float[] q : queries) {
        after.add(search(shard, q, new QuantizationSearchParams(false, null, oversampling)));
        after.add(search(shard, q, new QuantizationSearchParams(false, false, null)));
      }
      for (int i = 0; i < before.size(); i++) {
        assertSame(
            before.get(i),
            after.get(i),
            kind
                + ": query "
                + i / 2
                + (i % 2 == 0 ? " rescored" : " approximate")
                + " after the reopen as before");
      }
    } finally {
      shard.close();
    }
  }

  /**
   * Goal: a quantization changed since the parts were written (or removed) is honoured at the
   * reopen: the parts' graphs load from their files and their rows are quantized again for the new
   * config (no rebuild), so approximate scores change; with the quantization removed, {@code
   * rescore: false} searches score the float rows (exact scores). Oracle: brute-force MaxSim.
   */
  @Test
  void aChangedQuantizationIsAppliedAtReopen() throws Exception {
    Path shardDir = dir.resolve("s");
    dim = 128;
    Shard shard = Shard.openOrCreate(shardDir, config(Distance.COSINE, quantization("scalar")));
    List<float[]> queries = new ArrayList<>();
    List<List<ScoredPoint>> scalar = new ArrayList<>();
    try {
      for (int c = 0; c < centres.length; c++) {
        centres[c] = gaussian(dim, 1f);
      }
      List<Point> batch = new ArrayList<>();
      for (int p = 0; p < 600; p++) {
        float[] m = near(2 + random.nextInt(7));
        model.put(PointId.of(p), m);
        batch.add(new Point(PointId.of(p), Map.of("m", m), null));
      }
      shard.upsert(batch, ++index);
      awaitIndexed(shard);
      for (int i = 0; i < 10; i++) {
        queries.add(near(2));
        scalar.add(search(shard, queries.get(i), new QuantizationSearchParams(false, false, null)));
      }
      shard.updateConfig(config(Distance.COSINE, quantization("binary")), ++index);
    } finally {
      shard.close();
    }
    int parts;
    shard = Shard.open(shardDir);
    try {
      parts = shard.multivectorPartsLoaded();
      assertTrue(parts > 0, "the graphs are loaded, not rebuilt");
      assertEquals(quantization("binary"), shard.shardConfig().quantizationOf("m"));
      List<List<ScoredPoint>> binary = new ArrayList<>();
      for (float[] q : queries) {
        binary.add(search(shard, q, new QuantizationSearchParams(false, false, null)));
        assertSame(
            search(shard, q, new QuantizationSearchParams(true, null, null)),
            search(shard, q, new QuantizationSearchParams(false, null, 30.0)),
            "binary after the change, rescored");
      }
      assertNotEquals(scalar, binary, "other codes, other approximate scores");
      shard.updateConfig(config(Distance.COSINE, null), ++index);
    } finally {
      shard.close();
    }
    shard = Shard.open(shardDir);
    try {
      assertEquals(parts, shard.multivectorPartsLoaded());
      for (float[] q : queries) {
        assertTrueScores(
            truth(Distance.COSINE, q),
            search(shard, q, new QuantizationSearchParams(false, false, null)),
            "no quantization: float rows");
      }
    } finally {
      shard.close();
    }
  }

  /** Goal: a multivector's own quantization is stored with the shard's config and read back. */
  @Test
  void aMultivectorsQuantizationRoundTripsInTheShardConfig() throws Exception {
    for (QuantizationConfig q :
        List.of(
            quantization("scalar"),
            new QuantizationConfig.Scalar(0.99f, true, Memory.PINNED),
            new QuantizationConfig.Binary(
                true, QuantizationConfig.BinaryQueryEncoding.BINARY, false),
            quantization("product"),
            new QuantizationConfig.Turbo(
                io.quiver.index.quant.TurboBits.BITS1_5, true, Memory.PINNED),
            quantization("turbo"))) {
      ShardConfig config = config(Distance.DOT, q);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ShardConfigCodec.write(config, new DataOutputStream(bytes));
      ShardConfig read =
          ShardConfigCodec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      assertEquals(config, read);
      assertEquals(q, read.quantizationOf("m"));
    }
    // The collection's quantization applies to a multivector without its own.
    ShardConfig collectionWide =
        new ShardConfig(
            config(Distance.DOT, null).vectors(),
            HnswConfig.DEFAULT,
            OptimizersConfig.DEFAULT,
            quantization("binary"));
    assertEquals(quantization("binary"), collectionWide.quantizationOf("m"));
    // Product quantization has no Manhattan tables, for rows as for dense vectors.
    BadRequestException e =
        assertThrows(
            BadRequestException.class, () -> config(Distance.MANHATTAN, quantization("product")));
    assertTrue(e.getMessage().contains("Manhattan"), e.getMessage());
  }

  private List<ScoredPoint> search(Shard shard, float[] q, QuantizationSearchParams params) {
    return ReportedScores.search(
        shard, new SearchRequest("m", q, 10, false, false, null, null, 5_000, false, params));
  }

  /** Asserts that every hit has its brute-force score; returns recall@10. */
  private static double assertTrueScores(
      List<Map.Entry<PointId, Double>> truth, List<ScoredPoint> hits, String at) {
    assertEquals(10, hits.size(), at);
    Map<PointId, Double> scores = new java.util.HashMap<>();
    truth.forEach(e -> scores.put(e.getKey(), e.getValue()));
    Set<PointId> top = new HashSet<>();
    truth.subList(0, 10).forEach(e -> top.add(e.getKey()));
    double recall = 0;
    for (ScoredPoint h : hits) {
      double exact = scores.get(h.id());
      assertEquals(
          exact, h.score(), 1e-4 * Math.max(1, Math.abs(exact)), at + ": score of " + h.id());
      recall += top.contains(h.id()) ? 0.1 : 0;
    }
    return recall;
  }

  /**
   * The same ids in the same order, scores equal but for float rounding (summation paths differ).
   */
  private static void assertSame(List<ScoredPoint> expected, List<ScoredPoint> actual, String at) {
    assertEquals(
        expected.stream().map(ScoredPoint::id).toList(),
        actual.stream().map(ScoredPoint::id).toList(),
        at);
    for (int i = 0; i < expected.size(); i++) {
      float e = expected.get(i).score();
      assertEquals(
          e, actual.get(i).score(), 1e-5 * Math.max(1, Math.abs(e)), at + ": score at rank " + i);
    }
  }

  /**
   * Every model point by brute-force MaxSim in double, best first (the distance's order), ties by
   * id.
   */
  private List<Map.Entry<PointId, Double>> truth(Distance distance, float[] q) {
    List<Map.Entry<PointId, Double>> out = new ArrayList<>();
    float[] query = distance == Distance.COSINE ? normalized(q) : q;
    model.forEach(
        (id, m) -> {
          float[] rows = distance == Distance.COSINE ? normalized(m) : m;
          double sum = 0;
          for (int i = 0; i < query.length; i += dim) {
            double best =
                distance.higherIsBetter() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            for (int j = 0; j < rows.length; j += dim) {
              double s = 0;
              for (int x = 0; x < dim; x++) {
                double a = query[i + x];
                double b = rows[j + x];
                s +=
                    switch (distance) {
                      case COSINE, DOT -> a * b;
                      case EUCLID -> (a - b) * (a - b);
                      case MANHATTAN -> Math.abs(a - b);
                    };
              }
              s = distance == Distance.EUCLID ? Math.sqrt(s) : s;
              best = distance.higherIsBetter() ? Math.max(best, s) : Math.min(best, s);
            }
            sum += best;
          }
          out.add(Map.entry(id, sum));
        });
    Comparator<Map.Entry<PointId, Double>> byScore = Comparator.comparing(Map.Entry::getValue);
    out.sort(
        (distance.higherIsBetter() ? byScore.reversed() : byScore)
            .thenComparing(Map.Entry::getKey));
    return out;
  }

  private float[] normalized(float[] rows) {
    float[] out = rows.clone();
    for (int r = 0; r < out.length; r += dim) {
      double norm = 0;
      for (int x = 0; x < dim; x++) {
        norm += (double) out[r + x] * out[r + x];
      }
      double n = Math.sqrt(norm);
      for (int x = 0; x < dim; x++) {
        out[r + x] = (float) (out[r + x] / n);
      }
    }
    return out;
  }

  private float[] gaussian(int n, float sigma) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) random.nextGaussian() * sigma;
    }
    return out;
  }

  private float[] near(int rows) {
    float[] out = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int x = 0; x < dim; x++) {
        out[r * dim + x] = c[x] + (float) random.nextGaussian() * 0.4f;
      }
    }
    return out;
  }

  private static Set<String> graphFiles(Path shardDir) throws java.io.IOException {
    Path graphs = shardDir.resolve(Shard.MULTIVECTORS_DIR);
    if (!Files.isDirectory(graphs)) {
      return Set.of();
    }
    try (Stream<Path> list = Files.list(graphs)) {
      return new java.util.TreeSet<>(list.map(p -> p.getFileName().toString()).toList());
    }
  }

  private static void awaitIndexed(Shard shard) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (shard.info().optimizing()) {
      assertTrue(System.nanoTime() < deadline, "graphs not built in 120 s: " + shard.info());
      Thread.sleep(50);
    }
  }
}
