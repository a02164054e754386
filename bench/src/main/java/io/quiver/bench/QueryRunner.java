package io.quiver.bench;

import io.quiver.bench.engine.Engine;
import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.VectorScorer;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Runs the queries of one (engine, ef) and measures recall, throughput and latency. */
final class QueryRunner {

  static final int K = 10;
  private static final int PASSES = 3;

  /** Single-thread figures of the best pass, plus the best two-thread throughput. */
  record Measurement(double recall, double qps, double qps2, double p50Ms, double p99Ms) {}

  private final float[][] queries;
  private final int[][] truth;
  private final FloatVectors base;
  private final float[] kthScore;

  /**
   * @param queries prepared for the distance
   * @param truth exact neighbours of each query, best first
   * @param base the base vectors, to score returned ordinals (ties with the k-th true neighbour
   *     count as hits, as in ann-benchmarks: Fashion-MNIST has duplicate images)
   */
  QueryRunner(float[][] queries, int[][] truth, FloatVectors base) {
    this.queries = queries;
    this.truth = truth;
    this.base = base;
    this.kthScore = new float[queries.length];
    for (int q = 0; q < queries.length; q++) {
      kthScore[q] = base.scorer(queries[q]).score(truth[q][K - 1]);
    }
  }

  /** Runs every query once, untimed, to let the JIT compile the search path. */
  void warmUp(Engine.Searcher searcher, int ef, int count) throws Exception {
    for (int i = 0; i < Math.min(count, queries.length); i++) {
      searcher.search(queries[i], K, ef);
    }
  }

  Measurement measure(Engine engine, Engine.Searcher searcher, int ef) throws Exception {
    int nq = queries.length;
    long[] latencies = new long[nq];
    long[] best = null;
    double bestQps = 0;
    int[][] results = new int[nq][];
    for (int pass = 0; pass < PASSES; pass++) {
      long start = System.nanoTime();
      for (int q = 0; q < nq; q++) {
        long t0 = System.nanoTime();
        results[q] = searcher.search(queries[q], K, ef);
        latencies[q] = System.nanoTime() - t0;
      }
      double qps = nq / ((System.nanoTime() - start) / 1e9);
      if (qps > bestQps) {
        bestQps = qps;
        best = latencies.clone();
      }
    }
    Arrays.sort(best);
    double qps2 = 0;
    for (int pass = 0; pass < PASSES; pass++) {
      qps2 = Math.max(qps2, twoThreadQps(engine, ef));
    }
    return new Measurement(
        recall(results),
        bestQps,
        qps2,
        best[nq / 2] / 1e6,
        best[Math.min(nq - 1, (int) (nq * 0.99))] / 1e6);
  }

  private double twoThreadQps(Engine engine, int ef) throws Exception {
    int threads = 2;
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Exception> failure = new AtomicReference<>();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      Engine.Searcher searcher = engine.searcher();
      workers[t] =
          Thread.ofPlatform()
              .start(
                  () -> {
                    ready.countDown();
                    try {
                      go.await();
                      for (int q = next.getAndIncrement();
                          q < queries.length;
                          q = next.getAndIncrement()) {
                        searcher.search(queries[q], K, ef);
                      }
                    } catch (Exception e) {
                      failure.set(e);
                    }
                  });
    }
    ready.await();
    long start = System.nanoTime();
    go.countDown();
    for (Thread w : workers) {
      w.join();
    }
    long elapsed = System.nanoTime() - start;
    if (failure.get() != null) {
      throw failure.get();
    }
    return queries.length / (elapsed / 1e9);
  }

  /** Recall@K: the share of returned ordinals at least as near as the K-th true neighbour. */
  private double recall(int[][] results) {
    double total = 0;
    for (int q = 0; q < results.length; q++) {
      VectorScorer scorer = base.scorer(queries[q]);
      float threshold = kthScore[q] - 1e-4f * Math.abs(kthScore[q]);
      int hits = 0;
      for (int j = 0; j < Math.min(K, results[q].length); j++) {
        if (scorer.score(results[q][j]) >= threshold) {
          hits++;
        }
      }
      total += hits / (double) K;
    }
    return total / results.length;
  }
}
