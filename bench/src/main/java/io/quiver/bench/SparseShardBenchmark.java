package io.quiver.bench;

import io.quiver.index.sparse.SparseVector;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.Shard;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.SparseVectorParams;
import io.quiver.storage.VectorsConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code bin/quiver bench sparse-shard}: the cost of a shard's sparse index at open. Writes {@code
 * --points} synthetic sparse points (Zipf-distributed dimensions over {@code --dims}, about {@code
 * --nnz} non-zeros each) into a sparse-only shard, waits for its optimizer, closes it, then opens
 * it again {@code --opens} times and reports, for each, the open time and the heap in use after a
 * full GC (minus the heap in use with the shard closed), plus the exact sparse top-10 QPS of the
 * reopened shard on 1 thread (results are checked equal before and after the reopen).
 *
 * <pre>
 *   sparse-shard [--points 200000] [--dims 30000] [--nnz 40] [--queries 200] [--opens 3]
 *                [--on-disk true|false] [--dir DIR]
 * </pre>
 */
public final class SparseShardBenchmark {

  private SparseShardBenchmark() {}

  public static void main(String[] args) throws Exception {
    int points = 200_000;
    int dims = 30_000;
    int nnz = 40;
    int queries = 200;
    int opens = 3;
    Boolean onDisk = null;
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "quiver-sparse-shard-bench");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--points" -> points = Integer.parseInt(args[++i]);
        case "--dims" -> dims = Integer.parseInt(args[++i]);
        case "--nnz" -> nnz = Integer.parseInt(args[++i]);
        case "--queries" -> queries = Integer.parseInt(args[++i]);
        case "--opens" -> opens = Integer.parseInt(args[++i]);
        case "--on-disk" -> onDisk = Boolean.valueOf(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    deleteTree(dir);
    Files.createDirectories(dir);
    Path shardDir = dir.resolve("shard");
    VectorsConfig vectors =
        new VectorsConfig(
            Map.of(), Map.of("text", new SparseVectorParams(true, null, onDisk, null, null)));
    ShardConfig config =
        new ShardConfig(vectors, io.quiver.storage.HnswConfig.DEFAULT, OptimizersConfig.DEFAULT);
    Random random = new Random(42);
    double[] zipf = zipfCumulative(dims);
    long postings = 0;
    long start = System.nanoTime();
    try (Shard shard = Shard.openOrCreate(shardDir, config)) {
      long index = 0;
      for (int from = 0; from < points; from += 1000) {
        List<Point> batch = new ArrayList<>(1000);
        for (int id = from; id < Math.min(points, from + 1000); id++) {
          SparseVector v = randomVector(random, zipf, 1 + random.nextInt(2 * nnz));
          postings += v.size();
          batch.add(new Point(PointId.of(id), Map.of(), Payload.EMPTY, Map.of("text", v)));
        }
        shard.upsert(batch, ++index);
      }
      long wrote = System.nanoTime();
      while (shard.info().optimizing()) {
        Thread.sleep(100);
      }
      System.out.printf(
          Locale.ROOT,
          "wrote %d points (%d postings) in %.1f s, optimizer done after %.1f s more%n",
          points,
          postings,
          (wrote - start) / 1e9,
          (System.nanoTime() - wrote) / 1e9);
    }
    List<SparseVector> qs = new ArrayList<>();
    for (int i = 0; i < queries; i++) {
      qs.add(randomVector(random, zipf, 2 + random.nextInt(6)));
    }
    long baseline = usedHeapAfterGc();
    List<List<ScoredPoint>> first = null;
    for (int round = 0; round < opens; round++) {
      long t0 = System.nanoTime();
      Shard shard = Shard.open(shardDir);
      long openNs = System.nanoTime() - t0;
      long heap = usedHeapAfterGc() - baseline;
      List<List<ScoredPoint>> results = new ArrayList<>();
      long q0 = System.nanoTime();
      for (SparseVector q : qs) {
        results.add(shard.search(SearchRequest.sparse("text", q, 10, false, false, null, null)));
      }
      double qps = qs.size() / ((System.nanoTime() - q0) / 1e9);
      shard.close();
      if (first == null) {
        first = results;
      } else if (!ids(first).equals(ids(results))) {
        throw new AssertionError("results differ between opens");
      }
      System.out.printf(
          Locale.ROOT,
          "open %d: %.2f s, heap in use after open (full GC) %.1f MB (%.1f bytes/posting),"
              + " top-10 %.0f QPS (1 thread)%n",
          round + 1,
          openNs / 1e9,
          heap / 1e6,
          (double) heap / postings,
          qps);
    }
    deleteTree(dir);
  }

  private static List<List<PointId>> ids(List<List<ScoredPoint>> results) {
    return results.stream().map(r -> r.stream().map(ScoredPoint::id).toList()).toList();
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static double[] zipfCumulative(int dims) {
    double[] c = new double[dims];
    double sum = 0;
    for (int i = 0; i < dims; i++) {
      sum += 1.0 / (i + 1);
      c[i] = sum;
    }
    for (int i = 0; i < dims; i++) {
      c[i] /= sum;
    }
    return c;
  }

  private static SparseVector randomVector(Random random, double[] zipf, int size) {
    java.util.TreeMap<Integer, Float> entries = new java.util.TreeMap<>();
    while (entries.size() < size) {
      int at = java.util.Arrays.binarySearch(zipf, random.nextDouble());
      entries.put(at < 0 ? -at - 1 : at, 0.1f + random.nextFloat());
    }
    int[] indices = entries.keySet().stream().mapToInt(Integer::intValue).toArray();
    float[] values = new float[indices.length];
    int i = 0;
    for (float v : entries.values()) {
      values[i++] = v;
    }
    return SparseVector.of(indices, values);
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
