package io.quiver.bench;

import io.quiver.index.hnsw.HnswBuilder;
import io.quiver.index.hnsw.HnswGraph;
import io.quiver.index.hnsw.HnswParams;
import io.quiver.index.hnsw.HnswSearcher;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.multivector.MaxSim;
import io.quiver.index.multivector.MaxSimScorerSupplier;
import io.quiver.index.multivector.MultiVectors;
import io.quiver.index.vector.Distance;
import io.quiver.storage.HnswConfig;
import io.quiver.storage.MultiVectorParams;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.QuantizationConfig;
import io.quiver.storage.QuantizationSearchParams;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.Shard;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bin/quiver bench multivector}: a synthetic late-interaction set (ColBERT-like: every point
 * is {@code --rows} vectors near a few of 1,024 topic centres, queries are {@code --query-rows}
 * vectors near the topics of a random point), Cosine, MaxSim. Measures on one thread, against
 * brute-force MaxSim (the ground truth, timed too):
 *
 * <ul>
 *   <li>Quiver's shard search ({@code Shard.search}): with {@code exact: true} (every multivector
 *       scored), then, once the shard's optimizer has built its multivector graphs in the
 *       background (default {@code indexing_threshold}; {@code --m}, {@code --ef-construct}), per
 *       {@code --ef} (the request's {@code hnsw_ef}): QPS and recall@k, and how long after the
 *       ingest began the graphs were ready; then the shard closed and reopened: how long the open
 *       took (the graph part files are loaded, not rebuilt), and the same searches again;
 *   <li>per {@code --quantization} kind ({@code scalar}: int8, {@code binary}, {@code product}: x4;
 *       none by default), the shard's config updated to quantize the multivector's rows and the
 *       shard reopened (the graph parts load from their files and their rows are quantized at open:
 *       timed), then per {@code --ef}: QPS and recall@k with rescoring (Qdrant's default; per
 *       {@code --oversampling}, default 1) and without ({@code rescore: false});
 *   <li>with {@code --hnsw true}, HNSW over multivectors from the index module alone (a graph node
 *       is a point, distances are MaxSim: {@link MaxSimScorerSupplier}), its build time ({@code
 *       --threads}) and, per {@code --ef}, QPS and recall@k.
 * </ul>
 *
 * <pre>
 *   multivector [--points 20000] [--rows 16] [--dim 128] [--query-rows 16] [--queries 100] [--k 10]
 *               [--m 16] [--ef-construct 64] [--ef 32,64,128] [--threads 2] [--hnsw false] [--dir DIR]
 *               [--quantization scalar,binary] [--oversampling 1,4]
 * </pre>
 */
public final class MultiVectorBenchmark {

  private static final int TOPICS = 1024;

  private MultiVectorBenchmark() {}

  public static void main(String[] args) throws Exception {
    int points = 20_000;
    int rows = 16;
    int dim = 128;
    int queryRows = 16;
    int queryCount = 100;
    int k = 10;
    int m = 16;
    int efConstruct = 64;
    int[] efs = {32, 64, 128};
    int threads = 2;
    boolean hnsw = false;
    String[] quantizations = {};
    double[] oversamplings = {1};
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "quiver-multivector-bench");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--points" -> points = Integer.parseInt(args[++i]);
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--dim" -> dim = Integer.parseInt(args[++i]);
        case "--query-rows" -> queryRows = Integer.parseInt(args[++i]);
        case "--queries" -> queryCount = Integer.parseInt(args[++i]);
        case "--k" -> k = Integer.parseInt(args[++i]);
        case "--m" -> m = Integer.parseInt(args[++i]);
        case "--ef-construct" -> efConstruct = Integer.parseInt(args[++i]);
        case "--ef" ->
            efs = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--hnsw" -> hnsw = Boolean.parseBoolean(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        case "--quantization" -> quantizations = args[++i].split(",");
        case "--oversampling" ->
            oversamplings =
                Arrays.stream(args[++i].split(",")).mapToDouble(Double::parseDouble).toArray();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "multivector: %d points x %d vectors x %d dims (Cosine, MaxSim), %d queries x %d"
            + " vectors, top %d, 1 search thread%n",
        points,
        rows,
        dim,
        queryCount,
        queryRows,
        k);
    SplittableRandom random = new SplittableRandom(42);
    float[][] topics = new float[TOPICS][];
    for (int t = 0; t < TOPICS; t++) {
      topics[t] = gaussian(random, dim, 1f);
    }
    float[][] data = new float[points][];
    int[][] pointTopics = new int[points][];
    for (int p = 0; p < points; p++) {
      pointTopics[p] =
          new int[] {
            random.nextInt(TOPICS),
            random.nextInt(TOPICS),
            random.nextInt(TOPICS),
            random.nextInt(TOPICS)
          };
      data[p] = near(random, topics, pointTopics[p], rows, dim);
    }
    float[][] queries = new float[queryCount][];
    for (int q = 0; q < queryCount; q++) {
      queries[q] = near(random, topics, pointTopics[random.nextInt(points)], queryRows, dim);
    }
    MultiVectors store = new MultiVectors(dim, Distance.COSINE);
    for (float[] d : data) {
      store.add(MaxSim.prepare(Distance.COSINE, d, dim));
    }
    float[][][] preparedQueries = new float[queryCount][][];
    for (int q = 0; q < queryCount; q++) {
      preparedQueries[q] = MaxSim.rows(MaxSim.prepare(Distance.COSINE, queries[q], dim), dim);
    }

    // 1. brute force: the ground truth
    int[][] truth = new int[queryCount][];
    long start = System.nanoTime();
    for (int q = 0; q < queryCount; q++) {
      truth[q] = bruteForce(store, preparedQueries[q], k);
    }
    report("brute-force MaxSim", queryCount, System.nanoTime() - start, 1.0);

    // 2. Quiver's shard: Shard.search, exact (params.exact) and through the shard's multivector
    //    graphs (built in the background by the shard's optimizer once the points exceed the
    //    default indexing_threshold), per hnsw_ef
    Path shardDir = Files.createTempDirectory(Files.createDirectories(dir), "shard");
    VectorsConfig vectors =
        new VectorsConfig(
            Map.of(),
            Map.of(),
            Map.of(
                "colbert",
                new MultiVectorParams(
                    new VectorParams(dim, Distance.COSINE, false),
                    MultiVectorParams.Comparator.MAX_SIM)));
    HnswConfig hnswConfig =
        new HnswConfig(m, efConstruct, HnswConfig.DEFAULT.fullScanThresholdKb(), false);
    Shard shard =
        Shard.openOrCreate(
            shardDir, new ShardConfig(vectors, hnswConfig, OptimizersConfig.DEFAULT));
    long index = 0;
    try {
      long ingest = System.nanoTime();
      for (int from = 0; from < points; from += 1000) {
        List<Point> batch = new ArrayList<>();
        for (int p = from; p < Math.min(points, from + 1000); p++) {
          batch.add(new Point(PointId.of(p), Map.of("colbert", data[p]), null));
        }
        shard.upsert(batch, ++index);
      }
      System.out.printf(
          Locale.ROOT, "  shard ingest: %.1f s%n", (System.nanoTime() - ingest) / 1e9);
      while (shard.info().optimizing()) {
        Thread.sleep(100);
      }
      System.out.printf(
          Locale.ROOT,
          "  shard graphs (M %d, ef_construct %d, optimizer pool + %d builder threads) ready"
              + " %.1f s after ingest began; %d of %d points indexed%n",
          m,
          efConstruct,
          Runtime.getRuntime().availableProcessors(),
          (System.nanoTime() - ingest) / 1e9,
          shard.info().indexedVectors(),
          points);
      double recall = 0;
      start = System.nanoTime();
      for (int q = 0; q < queryCount; q++) {
        List<ScoredPoint> hits =
            shard.search(
                new SearchRequest("colbert", queries[q], k, false, false, null, null, null, true));
        recall += recall(truth[q], ids(hits));
      }
      report(
          "Quiver shard, exact: true", queryCount, System.nanoTime() - start, recall / queryCount);
      for (int ef : efs) {
        recall = 0;
        start = System.nanoTime();
        for (int q = 0; q < queryCount; q++) {
          List<ScoredPoint> hits =
              shard.search(
                  new SearchRequest("colbert", queries[q], k, false, false, null, null, ef, false));
          recall += recall(truth[q], ids(hits));
        }
        report(
            "Quiver shard, HNSW, hnsw_ef " + ef,
            queryCount,
            System.nanoTime() - start,
            recall / queryCount);
      }
      shard.close();
      // 2b. reopened: the graph part files are loaded (checked against the stored points), not
      // rebuilt
      long reopen = System.nanoTime();
      try (Shard reopened = Shard.open(shardDir)) {
        System.out.printf(
            Locale.ROOT,
            "  shard reopened in %.1f s: %d of %d points indexed, building: %s%n",
            (System.nanoTime() - reopen) / 1e9,
            reopened.info().indexedVectors(),
            points,
            reopened.info().optimizing());
        for (int ef : efs) {
          recall = 0;
          start = System.nanoTime();
          for (int q = 0; q < queryCount; q++) {
            List<ScoredPoint> hits =
                reopened.search(
                    new SearchRequest(
                        "colbert", queries[q], k, false, false, null, null, ef, false));
            recall += recall(truth[q], ids(hits));
          }
          report(
              "reopened shard, HNSW, hnsw_ef " + ef,
              queryCount,
              System.nanoTime() - start,
              recall / queryCount);
        }
      }
      // 2c. quantized rows: the same graphs, the rows quantized at the reopen for each kind
      for (String kind : quantizations) {
        QuantizationConfig quantization =
            switch (kind) {
              case "scalar" -> new QuantizationConfig.Scalar(null, null);
              case "binary" -> new QuantizationConfig.Binary(false, null, null);
              case "product" ->
                  new QuantizationConfig.Product(QuantizationConfig.Compression.X4, null);
              default -> throw new IllegalArgumentException("unknown quantization " + kind);
            };
        try (Shard reopened = Shard.open(shardDir)) {
          ShardConfig was = reopened.shardConfig();
          MultiVectorParams p = was.vectors().getMulti("colbert");
          reopened.updateConfig(
              new ShardConfig(
                  was.vectors()
                      .withMulti(
                          Map.of(
                              "colbert",
                              new MultiVectorParams(
                                  p.vector().withQuantization(quantization), p.comparator()))),
                  was.hnsw(),
                  was.optimizers()),
              ++index);
        }
        reopen = System.nanoTime();
        try (Shard quantized = Shard.open(shardDir)) {
          System.out.printf(
              Locale.ROOT,
              "  %s quantization (%s): shard reopened in %.1f s (rows quantized at open)%n",
              kind,
              quantization.codesKey(),
              (System.nanoTime() - reopen) / 1e9);
          for (int q = 0;
              q < queryCount;
              q++) { // warm-up (untimed): the quantized scorers' code paths compiled
            quantized.search(
                new SearchRequest(
                    "colbert",
                    queries[q],
                    k,
                    false,
                    false,
                    null,
                    null,
                    efs[0],
                    false,
                    QuantizationSearchParams.DEFAULT));
          }
          for (int ef : efs) {
            for (int o = 0;
                o <= oversamplings.length;
                o++) { // each oversampling rescored, then no rescore
              boolean rescore = o < oversamplings.length;
              QuantizationSearchParams params =
                  new QuantizationSearchParams(false, rescore, rescore ? oversamplings[o] : null);
              recall = 0;
              start = System.nanoTime();
              for (int q = 0; q < queryCount; q++) {
                List<ScoredPoint> hits =
                    quantized.search(
                        new SearchRequest(
                            "colbert", queries[q], k, false, false, null, null, ef, false, params));
                recall += recall(truth[q], ids(hits));
              }
              report(
                  kind
                      + ", hnsw_ef "
                      + ef
                      + (rescore ? ", rescore x" + oversamplings[o] : ", no rescore"),
                  queryCount,
                  System.nanoTime() - start,
                  recall / queryCount);
            }
          }
        }
      }
    } finally {
      deleteTree(shardDir);
    }

    // 3. HNSW over multivectors (index module)
    if (hnsw) {
      long build = System.nanoTime();
      HnswGraph graph =
          HnswBuilder.build(
              new MaxSimScorerSupplier(store), new HnswParams(m, efConstruct, 42L, threads));
      System.out.printf(
          Locale.ROOT,
          "  HNSW build (M %d, ef_construct %d, %d threads): %.1f s%n",
          m,
          efConstruct,
          threads,
          (System.nanoTime() - build) / 1e9);
      HnswSearcher searcher = new HnswSearcher();
      for (int ef : efs) {
        double recall = 0;
        start = System.nanoTime();
        for (int q = 0; q < queryCount; q++) {
          TopHits hits =
              searcher.search(
                  graph,
                  MaxSimScorerSupplier.scorer(store, preparedQueries[q]),
                  k,
                  ef,
                  ord -> true);
          recall += recall(truth[q], hits.ords());
        }
        report(
            "HNSW over multivectors, ef " + ef,
            queryCount,
            System.nanoTime() - start,
            recall / queryCount);
      }
    }
  }

  private static int[] bruteForce(MultiVectors store, float[][] query, int k) {
    float[] bestScores = new float[k];
    int[] best = new int[k];
    Arrays.fill(bestScores, Float.NEGATIVE_INFINITY);
    Arrays.fill(best, -1);
    for (int ord = 0; ord < store.size(); ord++) {
      float s = store.score(query, ord);
      if (s > bestScores[k - 1]) {
        int at = k - 1;
        while (at > 0 && bestScores[at - 1] < s) {
          bestScores[at] = bestScores[at - 1];
          best[at] = best[at - 1];
          at--;
        }
        bestScores[at] = s;
        best[at] = ord;
      }
    }
    return best;
  }

  private static int[] ids(List<ScoredPoint> hits) {
    return hits.stream().mapToInt(h -> (int) h.id().number()).toArray();
  }

  private static double recall(int[] truth, int[] found) {
    int hit = 0;
    for (int t : truth) {
      for (int f : found) {
        if (f == t) {
          hit++;
          break;
        }
      }
    }
    return (double) hit / truth.length;
  }

  private static void report(String what, int queries, long nanos, double recall) {
    System.out.printf(
        Locale.ROOT, "  %-36s %8.1f QPS  recall@k %.4f%n", what, queries / (nanos / 1e9), recall);
  }

  private static float[] near(
      SplittableRandom random, float[][] topics, int[] chosen, int rows, int dim) {
    float[] out = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      float[] centre = topics[chosen[random.nextInt(chosen.length)]];
      float[] noise = gaussian(random, dim, 0.6f);
      for (int x = 0; x < dim; x++) {
        out[r * dim + x] = centre[x] + noise[x];
      }
    }
    return out;
  }

  private static float[] gaussian(SplittableRandom random, int dim, float sigma) {
    float[] v = new float[dim];
    for (int x = 0; x < dim; x++) {
      double u1 = 1.0 - random.nextDouble();
      double u2 = random.nextDouble();
      v[x] = (float) (sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
    return v;
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
