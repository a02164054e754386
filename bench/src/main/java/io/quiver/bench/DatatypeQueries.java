package io.quiver.bench;

import io.quiver.index.vector.VectorDatatype;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.Shard;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The query half of {@code bench segments --datatype}: 1-thread QPS and recall@10 of a shard
 * whose vectors are stored as float32, float16 or uint8, through the graph (ef 64) and exact,
 * against brute force over the original float32 vectors (the same data whatever the datatype).
 */
final class DatatypeQueries {

  private static final int QUERIES = 500;
  private static final int K = 10;
  private static final int EF = 64;

  private DatatypeQueries() {}

  static void run(Shard shard, float[][] original, float[][] centres, VectorDatatype datatype) {
    SplittableRandom random = new SplittableRandom(99);
    float[][] queries = new float[QUERIES][];
    Set<Integer>[] truth = truth(original, centres, random, queries);
    for (boolean exact : new boolean[] {false, true}) {
      // warm-up: the JIT compiles the kernels for this datatype before timing
      for (int i = 0; i < QUERIES / 5; i++) {
        shard.search(request(queries[i], datatype, exact));
      }
      int found = 0;
      long start = System.nanoTime();
      for (int i = 0; i < QUERIES; i++) {
        for (ScoredPoint h : shard.search(request(queries[i], datatype, exact))) {
          found += truth[i].contains((int) h.id().number()) ? 1 : 0;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("datatype %s, %s: %,.0f QPS (1 thread, %d queries), recall@10 vs float32 brute force %.4f%n",
          datatype.qdrantName(), exact ? "exact scan" : "HNSW ef " + EF, QUERIES / seconds, QUERIES,
          found / (double) (QUERIES * K));
    }
  }

  private static SearchRequest request(float[] q, VectorDatatype datatype, boolean exact) {
    return new SearchRequest("", SegmentsBenchmark.query(q, datatype), K, false, false, null, null, exact ? null : EF,
        exact);
  }

  @SuppressWarnings("unchecked")
  private static Set<Integer>[] truth(float[][] original, float[][] centres, SplittableRandom random, float[][] queries) {
    Set<Integer>[] truth = new Set[QUERIES];
    for (int i = 0; i < QUERIES; i++) {
      queries[i] = SegmentsBenchmark.sample(random, centres);
      TopK top = new TopK(K);
      for (int id = 0; id < original.length; id++) {
        double l2 = 0;
        float[] v = original[id];
        for (int d = 0; d < v.length; d++) {
          double diff = (double) queries[i][d] - v[d];
          l2 += diff * diff;
        }
        top.offer((float) -l2, id);
      }
      truth[i] = new HashSet<>();
      for (int id : top.bestFirst()) {
        truth[i].add(id);
      }
    }
    return truth;
  }
}
