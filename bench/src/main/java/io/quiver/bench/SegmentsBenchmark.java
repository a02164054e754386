package io.quiver.bench;

import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;
import io.quiver.storage.HnswConfig;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.Shard;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.ShardInfo;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One local shard (RocksDB + segments, in-process, no Raft) with the collection defaults
 * (indexing_threshold 10,000 KB, M 16, ef_construct 100, optimizer on its own thread):
 *
 * <ol>
 *   <li>ingest rate: {@code --points} points of {@code --dim} dimensions upserted in batches of
 *       {@code --batch} as the Raft apply thread would (points/s counts the upserts only; the
 *       optimizer seals and merges concurrently), then the time until the optimizer is idle;
 *   <li>peak heap during ingest and during ingest + indexing ({@link HeapPeak}: the largest heap
 *       right after a GC, and the largest sampled heap in use, garbage included);
 *   <li>memory: heap used (after full GCs) beyond the baseline measured before the shard opened,
 *       and the process RSS, after the build and again after closing and reopening the shard (what
 *       a restarted node holds); with {@code --on-disk true} vectors and graphs are mapped;
 *   <li>a recall@10 check of 100 HNSW queries against exact ones, so the figures are of a working
 *       index;
 *   <li>with {@code --datatype}: bytes of the sealed segment files, and 1-thread QPS and recall@10
 *       of 500 queries, through the graph (ef 64) and exact, against brute force in double
 *       precision over the <em>original</em> float32 vectors (so float32, float16 and uint8 runs on
 *       the same data compare: what the narrower storage costs in recall).
 * </ol>
 *
 * Vectors: a Gaussian mixture (64 centres, seeded), L2. For {@code --datatype uint8} every vector
 * and query goes through the same affine map to 0..255 ({@code (x + 2) * 255 / 4}, points rounded
 * and clamped to integers), which preserves L2 rankings up to the rounding.
 */
public final class SegmentsBenchmark {

  private SegmentsBenchmark() {}

  public static void main(String[] args) throws Exception {
    int points = 100_000;
    int dim = 128;
    int batch = 1000;
    boolean onDisk = true;
    Path dir = null;
    VectorDatatype datatype = null;
    Distance distance = Distance.EUCLID;
    long indexingThresholdKb = OptimizersConfig.DEFAULT.indexingThresholdKb();
    long fullScanThresholdKb = HnswConfig.DEFAULT.fullScanThresholdKb();
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--points" -> points = Integer.parseInt(v);
        case "--dim" -> dim = Integer.parseInt(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--on-disk" -> onDisk = Boolean.parseBoolean(v);
        case "--dir" -> dir = Path.of(v);
        case "--datatype" -> datatype = VectorDatatype.fromQdrantName(v);
        // Qdrant's name (Euclid, Cosine, Dot, Manhattan); recall of other than Euclid is measured
        // against brute force over the stored vectors (see DatatypeQueries)
        case "--distance" ->
            distance =
                java.util.Objects.requireNonNull(Distance.fromQdrantName(v), "distance " + v);
        // In KB of stored vectors, as in Qdrant: a narrower datatype fits more points per segment.
        case "--indexing-threshold" -> indexingThresholdKb = Long.parseLong(v);
        // Also in KB of stored vectors: below it a segment is scanned exactly instead of searched
        // by graph.
        case "--full-scan-threshold" -> fullScanThresholdKb = Long.parseLong(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (dir == null) {
      dir = Files.createTempDirectory("quiver-segments-bench");
    }
    long baseline = heapAfterGc();
    long rssBaseline = rssBytes();
    System.out.printf(
        "segments bench: %,d x %d, on_disk %s, datatype %s, distance %s, batch %d, dir %s%n",
        points,
        dim,
        onDisk,
        datatype == null ? "(none)" : datatype.qdrantName(),
        distance.qdrantName(),
        batch,
        dir);
    System.out.printf("baseline: heap %s, rss %s%n", mib(baseline), mib(rssBaseline));
    ShardConfig config =
        new ShardConfig(
            VectorsConfig.single(new VectorParams(dim, distance, onDisk, null, null, datatype)),
            new HnswConfig(
                HnswConfig.DEFAULT.m(),
                HnswConfig.DEFAULT.efConstruct(),
                fullScanThresholdKb,
                HnswConfig.DEFAULT.onDisk()),
            new OptimizersConfig(
                OptimizersConfig.DEFAULT.deletedThreshold(),
                OptimizersConfig.DEFAULT.vacuumMinVectorNumber(),
                OptimizersConfig.DEFAULT.defaultSegmentNumber(),
                null,
                indexingThresholdKb,
                OptimizersConfig.DEFAULT.flushIntervalSec()));
    Path shardDir = dir.resolve("shard");
    float[][] centres = centres(dim);
    float[][] original = datatype == null ? null : new float[points][];
    try (Shard shard = Shard.openOrCreate(shardDir, config);
        HeapPeak peak = new HeapPeak()) {
      long start = System.nanoTime();
      long index = 0;
      SplittableRandom random = new SplittableRandom(42);
      for (int first = 0; first < points; first += batch) {
        List<Point> list = new ArrayList<>(batch);
        for (int id = first; id < Math.min(points, first + batch); id++) {
          float[] v = sample(random, centres);
          if (original != null) {
            original[id] = v;
          }
          list.add(
              new Point(
                  PointId.of(id),
                  Map.of(VectorsConfig.DEFAULT, stored(v, datatype)),
                  Payload.EMPTY));
        }
        shard.upsert(list, ++index);
      }
      double ingestS = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "ingest: %,d points in %.1f s = %,.0f points/s (dim %d)%n",
          points, ingestS, points / ingestS, dim);
      reportPeak("during ingest", peak, baseline);
      System.out.printf("at the end of ingest: %s, %s%n", shard.info(), shard.segmentsInfo());
      long optimizedAt = awaitIdle(shard);
      double totalS = (optimizedAt - start) / 1e9;
      ShardInfo info = shard.info();
      System.out.printf(
          "optimizer idle after %.1f s in total (%,.0f points/s indexed end to end): %s%n",
          totalS, points / totalS, info);
      reportPeak("during ingest + indexing", peak, baseline);
      report("after build", baseline);
      System.out.printf("segments: %s%n", shard.segmentsInfo());
      shard.flush();
      System.out.printf(
          "disk after a store flush: store %s (RocksDB of the process, WAL included), sealed"
              + " segments %s; the vectors alone are %s%n",
          mib(bytesOf(io.quiver.storage.ShardResources.processWide().engine().dir())),
          mib(bytesOf(shardDir.resolve(Shard.SEGMENTS_DIR))),
          mib((long) points * dim * 4));
      System.out.printf(
          "recall@10 (HNSW ef 100 vs exact, 100 queries): %.3f%n",
          recall(shard, centres, dim, datatype));
      if (datatype != null) {
        System.out.printf(
            "sealed segment files: %s (%,d bytes), vector data alone %,d bytes (%d per dimension)%n",
            mib(bytesOf(shardDir.resolve(Shard.SEGMENTS_DIR))),
            bytesOf(shardDir.resolve(Shard.SEGMENTS_DIR)),
            (long) points * dim * datatype.bytesPerDimension(),
            datatype.bytesPerDimension());
        DatatypeQueries.run(shard, original, centres, datatype, distance);
      }
    }
    try (Shard shard = Shard.open(shardDir)) {
      awaitIdle(shard);
      report("after reopen", baseline);
      System.out.printf("reopened: %s%n", shard.info());
    }
  }

  private static void report(String when, long baseline) throws IOException {
    long heap = heapAfterGc();
    System.out.printf(
        "%s: heap %s (%s beyond baseline), rss %s%n",
        when, mib(heap), mib(heap - baseline), mib(rssBytes()));
  }

  private static void reportPeak(String when, HeapPeak peak, long baseline) {
    System.out.printf(
        "peak heap %s: %s after a GC (%s beyond baseline), %s in use sampled every 50 ms%n",
        when, mib(peak.afterGc()), mib(peak.afterGc() - baseline), mib(peak.used()));
  }

  private static long awaitIdle(Shard shard) throws InterruptedException {
    while (shard.info().optimizing()) {
      Thread.sleep(200);
    }
    return System.nanoTime();
  }

  /**
   * A vector as it is upserted for {@code datatype}: uint8 through the affine map, rounded and
   * clamped.
   */
  static float[] stored(float[] v, VectorDatatype datatype) {
    if (datatype != VectorDatatype.UINT8) {
      return v;
    }
    float[] out = new float[v.length];
    for (int d = 0; d < v.length; d++) {
      out[d] = Math.max(0, Math.min(255, Math.round(toByteScale(v[d]))));
    }
    return out;
  }

  /** A query as it is sent for {@code datatype}: uint8 through the affine map, not rounded. */
  static float[] query(float[] v, VectorDatatype datatype) {
    if (datatype != VectorDatatype.UINT8) {
      return v;
    }
    float[] out = new float[v.length];
    for (int d = 0; d < v.length; d++) {
      out[d] = toByteScale(v[d]);
    }
    return out;
  }

  private static float toByteScale(float x) {
    return (x + 2f) * 255f / 4f;
  }

  /** Bytes of the regular files under {@code dir}, subdirectories included. */
  private static long bytesOf(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static double recall(Shard shard, float[][] centres, int dim, VectorDatatype datatype) {
    SplittableRandom random = new SplittableRandom(7);
    int found = 0;
    for (int q = 0; q < 100; q++) {
      float[] query = query(sample(random, centres), datatype);
      List<ScoredPoint> exact =
          shard.search(new SearchRequest("", query, 10, false, false, null, null, null, true));
      List<ScoredPoint> approx =
          shard.search(new SearchRequest("", query, 10, false, false, null, null, 100, false));
      var truth = exact.stream().map(ScoredPoint::id).toList();
      found += (int) approx.stream().filter(h -> truth.contains(h.id())).count();
    }
    return found / 1000.0;
  }

  private static float[][] centres(int dim) {
    SplittableRandom random = new SplittableRandom(1);
    float[][] c = new float[64][dim];
    for (float[] centre : c) {
      for (int d = 0; d < dim; d++) {
        centre[d] = (float) (random.nextDouble() * 2 - 1);
      }
    }
    return c;
  }

  static float[] sample(SplittableRandom random, float[][] centres) {
    float[] centre = centres[random.nextInt(centres.length)];
    float[] v = new float[centre.length];
    for (int d = 0; d < v.length; d++) {
      v[d] = centre[d] + (float) (gaussian(random) * 0.3);
    }
    return v;
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    double w = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  private static String mib(long bytes) {
    return String.format("%,.0f MiB", bytes / 1048576.0);
  }
}
