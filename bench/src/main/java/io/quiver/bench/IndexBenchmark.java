package io.quiver.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quiver.bench.engine.Engine;
import io.quiver.bench.engine.ExactEngine;
import io.quiver.bench.engine.JVectorEngine;
import io.quiver.bench.engine.LuceneEngine;
import io.quiver.bench.engine.QuiverBinaryEngine;
import io.quiver.bench.engine.QuiverEngine;
import io.quiver.bench.engine.QuiverInt8Engine;
import io.quiver.bench.engine.QuiverPqEngine;
import io.quiver.bench.engine.QuiverTurboEngine;
import io.quiver.index.scorer.HeapFloatVectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench index}: builds every engine on one data set in this JVM, measures recall@10, single-
 * and two-thread throughput, latency, build time at 1 and 2 threads and memory, prints a table and
 * writes the rows as JSON.
 */
final class IndexBenchmark {

  static final List<String> ALL_ENGINES =
      List.of("quiver", "quiver-int8", "quiver-binary", "quiver-pq", "lucene", "jvector", "exact");

  /** TurboQuant codes over the float32 graph, run (and reported) only when named. */
  static final List<String> TURBO_ENGINES =
      List.of("quiver-turbo1", "quiver-turbo1_5", "quiver-turbo2", "quiver-turbo4");

  /**
   * Diagnostic engines, run only when named: quiver-heap (vectors and graph on the heap, no file).
   */
  static final List<String> EXTRA_ENGINES = List.of("quiver-heap");

  private static final int EXACT_QUERIES = 200;

  record Options(
      String dataset,
      Path out,
      List<String> engines,
      int[] efs,
      int queries,
      int m,
      int efConstruction,
      Path cache) {}

  /**
   * One line of the report; the first ten fields are the JSON row, then memory. The peak heap is
   * the whole JVM's heap at its highest while this engine built and searched ({@link HeapPeak}: in
   * use, garbage included, and right after a collection): it includes the benchmark's own data on
   * the heap (base vectors, queries, ground truth).
   */
  record Row(
      String engine,
      String dataset,
      Integer ef,
      double recall,
      double qps,
      double qps2,
      double p50Ms,
      double p99Ms,
      double build1s,
      double build2s,
      long heapBytes,
      long offHeapBytes,
      long peakHeapBytes,
      long peakHeapAfterGcBytes) {}

  private final Options options;
  private double bandwidth;

  IndexBenchmark(Options options) {
    this.options = options;
  }

  void run() throws Exception {
    Dataset data = DatasetLoader.load(options.dataset()).withQueries(options.queries());
    System.out.printf(
        "data set %s: %,d x %d, %,d queries, %s; M=%d efConstruction=%d; %d cores; %s; max heap %,d MB%n",
        data.name(),
        data.size(),
        data.dim(),
        data.queryCount(),
        data.distance(),
        options.m(),
        options.efConstruction(),
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        HeapPeak.maxHeapBytes() >> 20);
    int[][] truth = GroundTruth.load(data, options.cache());
    float[][] queries = new float[data.queryCount()][];
    for (int q = 0; q < queries.length; q++) {
      queries[q] = data.distance().prepare(data.query(q));
    }
    HeapFloatVectors base = new HeapFloatVectors(data.base(), data.dim(), data.distance());
    QueryRunner runner = new QueryRunner(queries, truth, base);
    List<Row> rows = new ArrayList<>();
    Map<String, double[]> buildTimes = new LinkedHashMap<>();
    QuiverEngine quiver =
        new QuiverEngine(
            options.m(), options.efConstruction(), options.cache().resolve("index-files"), false);
    for (String name : options.engines()) {
      Engine engine =
          switch (name) {
            case "quiver" -> quiver;
            case "quiver-heap" ->
                new QuiverEngine(options.m(), options.efConstruction(), null, true);
            case "quiver-int8" -> new QuiverInt8Engine(options.m(), options.efConstruction(), 1.5f);
            case "quiver-binary" -> new QuiverBinaryEngine(quiver, 10);
            case "quiver-pq" -> new QuiverPqEngine(quiver, 5);
            case "quiver-turbo1" ->
                new QuiverTurboEngine(quiver, io.quiver.index.quant.TurboBits.BITS1, 10);
            case "quiver-turbo1_5" ->
                new QuiverTurboEngine(quiver, io.quiver.index.quant.TurboBits.BITS1_5, 5);
            case "quiver-turbo2" ->
                new QuiverTurboEngine(quiver, io.quiver.index.quant.TurboBits.BITS2, 5);
            case "quiver-turbo4" ->
                new QuiverTurboEngine(quiver, io.quiver.index.quant.TurboBits.BITS4, 1.5f);
            case "lucene" -> new LuceneEngine(options.m(), options.efConstruction());
            case "jvector" -> new JVectorEngine(options.m(), options.efConstruction());
            case "exact" -> new ExactEngine();
            default -> throw new IllegalArgumentException(name);
          };
      try {
        rows.addAll(runEngine(engine, data, queries, truth, base, buildTimes));
      } catch (Exception | LinkageError e) {
        System.out.printf("%s: FAILED: %s%n", name, e);
        e.printStackTrace(System.out);
      } finally {
        if (engine != quiver) {
          engine.close();
        }
      }
      System.gc();
    }
    quiver.close();
    Report.printTable(rows);
    bandwidth = Math.max(bandwidth, MemoryBandwidth.measure());
    Report.printSummary(rows, data, bandwidth);
    Report.writeJson(options.out(), rows);
    System.out.println("rows written to " + options.out());
  }

  private List<Row> runEngine(
      Engine engine,
      Dataset data,
      float[][] queries,
      int[][] truth,
      HeapFloatVectors base,
      Map<String, double[]> buildTimes)
      throws Exception {
    try (HeapPeak peak = new HeapPeak()) {
      return runEngine(engine, data, queries, truth, base, buildTimes, peak);
    }
  }

  private List<Row> runEngine(
      Engine engine,
      Dataset data,
      float[][] queries,
      int[][] truth,
      HeapFloatVectors base,
      Map<String, double[]> buildTimes,
      HeapPeak peak)
      throws Exception {
    String name = engine.name();
    double b1 = timeBuild(engine, data, 1);
    double b2 = timeBuild(engine, data, 2);
    if ((engine instanceof QuiverBinaryEngine
            || engine instanceof QuiverPqEngine
            || engine instanceof QuiverTurboEngine)
        && buildTimes.containsKey("quiver")) {
      b1 += buildTimes.get("quiver")[0]; // it searches the float32 graph: count that graph's build
      b2 += buildTimes.get("quiver")[1];
    }
    buildTimes.put(name, new double[] {b1, b2});
    engine.prepareSearch();
    System.out.printf(
        "%s: built in %.1f s (1 thread), %.1f s (2 threads); heap %,d MB, off-heap %,d MB%n",
        name, b1, b2, engine.heapBytes() >> 20, engine.offHeapBytes() >> 20);
    List<Row> rows = new ArrayList<>();
    if (engine.exact()) {
      int n = Math.min(EXACT_QUERIES, queries.length);
      QueryRunner runner =
          new QueryRunner(
              java.util.Arrays.copyOf(queries, n), java.util.Arrays.copyOf(truth, n), base);
      Engine.Searcher searcher = engine.searcher();
      runner.warmUp(searcher, 0, 20);
      // The scan's yardstick is measured right before and after it (best of both), so that
      // both figures see the same load on this shared machine.
      bandwidth = Math.max(bandwidth, MemoryBandwidth.measure());
      QueryRunner.Measurement m = runner.measure(engine, searcher, 0);
      bandwidth = Math.max(bandwidth, MemoryBandwidth.measure());
      rows.add(row(name, data, null, m, b1, b2, engine, peak));
      print(rows.getLast());
      return rows;
    }
    QueryRunner runner = new QueryRunner(queries, truth, base);
    Engine.Searcher searcher = engine.searcher();
    for (int ef : options.efs()) {
      runner.warmUp(searcher, ef, 2000);
    }
    for (int ef : options.efs()) {
      QueryRunner.Measurement m = runner.measure(engine, searcher, ef);
      rows.add(row(name, data, ef, m, b1, b2, engine, peak));
      print(rows.getLast());
    }
    return rows;
  }

  private static Row row(
      String name,
      Dataset data,
      Integer ef,
      QueryRunner.Measurement m,
      double b1,
      double b2,
      Engine e,
      HeapPeak peak) {
    return new Row(
        name,
        data.name(),
        ef,
        m.recall(),
        m.qps(),
        m.qps2(),
        m.p50Ms(),
        m.p99Ms(),
        b1,
        b2,
        e.heapBytes(),
        e.offHeapBytes(),
        peak.used(),
        peak.afterGc());
  }

  private static void print(Row r) {
    System.out.printf(
        "  %-14s ef=%-4s recall=%.4f qps=%,.0f qps2=%,.0f p50=%.3f ms p99=%.3f ms peak heap %,d MB%n",
        r.engine(),
        r.ef() == null ? "-" : r.ef(),
        r.recall(),
        r.qps(),
        r.qps2(),
        r.p50Ms(),
        r.p99Ms(),
        r.peakHeapBytes() >> 20);
  }

  private static double timeBuild(Engine engine, Dataset data, int threads) throws Exception {
    System.gc();
    long start = System.nanoTime();
    engine.build(data, threads);
    return (System.nanoTime() - start) / 1e9;
  }

  static ObjectMapper json() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  static void ensureParent(Path file) throws java.io.IOException {
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
  }
}
