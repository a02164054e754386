package io.quiver.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints the benchmark's table and summary, and writes its rows as JSON. */
final class Report {

  private Report() {}

  static void printTable(List<IndexBenchmark.Row> rows) {
    System.out.println();
    System.out.printf(
        "%-14s %5s %8s %9s %9s %8s %8s %9s %9s %9s %9s %9s%n",
        "engine",
        "ef",
        "recall",
        "QPS",
        "QPS 2t",
        "p50 ms",
        "p99 ms",
        "build 1t",
        "build 2t",
        "heap MB",
        "offheap",
        "peak MB",
        "after GC");
    for (IndexBenchmark.Row r : rows) {
      System.out.printf(
          "%-14s %5s %8.4f %,9.0f %,9.0f %8.3f %8.3f %8.1fs %8.1fs %9d %9d %9d %9d%n",
          r.engine(),
          r.ef() == null ? "-" : r.ef(),
          r.recall(),
          r.qps(),
          r.qps2(),
          r.p50Ms(),
          r.p99Ms(),
          r.build1s(),
          r.build2s(),
          r.heapBytes() >> 20,
          r.offHeapBytes() >> 20,
          r.peakHeapBytes() >> 20,
          r.peakHeapAfterGcBytes() >> 20);
    }
    System.out.println(
        "heap MB / offheap: the index's own bytes. peak MB / after GC: the JVM's heap at its highest while"
            + " the engine built and searched, in use (garbage included) / right after a collection; benchmark data"
            + " included; -Xmx = "
            + (HeapPeak.maxHeapBytes() >> 20)
            + " MB");
  }

  /**
   * The targets: QPS at recall >= 0.99 vs Lucene, build throughput, exact scan bandwidth.
   */
  static void printSummary(List<IndexBenchmark.Row> rows, Dataset data, double bandwidth) {
    System.out.println();
    Map<String, IndexBenchmark.Row> at99 = new LinkedHashMap<>();
    Map<String, IndexBenchmark.Row> any = new LinkedHashMap<>();
    for (IndexBenchmark.Row r : rows) {
      any.putIfAbsent(r.engine(), r);
      if (r.recall() >= 0.99
          && (!at99.containsKey(r.engine()) || r.qps() > at99.get(r.engine()).qps())) {
        at99.put(r.engine(), r);
      }
    }
    IndexBenchmark.Row lucene = at99.get("lucene");
    IndexBenchmark.Row luceneBuild = any.get("lucene");
    System.out.println("best single-thread QPS at recall@10 >= 0.99:");
    for (IndexBenchmark.Row r : at99.values()) {
      String vs = lucene == null ? "" : String.format("  = %.2fx lucene", r.qps() / lucene.qps());
      System.out.printf(
          "  %-14s ef=%-4s recall=%.4f qps=%,.0f%s%n",
          r.engine(), r.ef() == null ? "-" : r.ef(), r.recall(), r.qps(), vs);
    }
    System.out.println("build throughput (vectors/s, 1 thread / 2 threads):");
    for (IndexBenchmark.Row r : any.values()) {
      if (r.ef() == null) {
        continue;
      }
      String vs =
          luceneBuild == null
              ? ""
              : String.format(
                  "  = %.2fx / %.2fx lucene",
                  luceneBuild.build1s() / r.build1s(), luceneBuild.build2s() / r.build2s());
      System.out.printf(
          "  %-14s %,9.0f / %,9.0f%s%n",
          r.engine(), data.size() / r.build1s(), data.size() / r.build2s(), vs);
    }
    IndexBenchmark.Row exact = any.get("exact");
    if (exact != null) {
      double scanned = exact.qps() * data.size() * (double) data.dim() * Float.BYTES;
      System.out.printf(
          "exact scan: %.1f GB/s on one thread = %.0f%% of measured single-thread read bandwidth %.1f GB/s%n",
          scanned / 1e9, 100 * scanned / bandwidth, bandwidth / 1e9);
    } else {
      System.out.printf("single-thread memory read bandwidth: %.1f GB/s%n", bandwidth / 1e9);
    }
  }

  static void writeJson(Path out, List<IndexBenchmark.Row> rows) throws IOException {
    List<Map<String, Object>> json = new ArrayList<>();
    for (IndexBenchmark.Row r : rows) {
      if (!IndexBenchmark.ALL_ENGINES.contains(r.engine())
          && !IndexBenchmark.TURBO_ENGINES.contains(r.engine())) {
        continue; // diagnostic engines are printed, not reported
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("engine", r.engine());
      m.put("dataset", r.dataset());
      m.put("ef", r.ef());
      m.put("recall", round(r.recall(), 4));
      m.put("qps", round(r.qps(), 1));
      m.put("qps2", round(r.qps2(), 1));
      m.put("p50_ms", round(r.p50Ms(), 4));
      m.put("p99_ms", round(r.p99Ms(), 4));
      m.put("build_s_1t", round(r.build1s(), 2));
      m.put("build_s_2t", round(r.build2s(), 2));
      m.put("peak_heap_mb", r.peakHeapBytes() >> 20);
      m.put("peak_heap_after_gc_mb", r.peakHeapAfterGcBytes() >> 20);
      m.put("max_heap_mb", HeapPeak.maxHeapBytes() >> 20);
      json.add(m);
    }
    IndexBenchmark.ensureParent(out);
    IndexBenchmark.json().writeValue(out.toFile(), json);
  }

  private static double round(double v, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(v * scale) / scale;
  }
}
