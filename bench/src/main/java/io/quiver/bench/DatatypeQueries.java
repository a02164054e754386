package io.quiver.bench;

import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.Shard;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The query half of {@code bench segments --datatype}: 1-thread QPS and recall@10 of a shard whose
 * vectors are stored as float32, float16 or uint8, through the graph (ef 64) and exact, against
 * brute force over the original float32 vectors (the same data whatever the datatype). With another
 * distance than Euclid ({@code --distance}) the brute force is Qdrant's score over the vectors as
 * stored and the queries as sent (uint8: the rounded integers; Cosine of uint8: {@code dot(q, v) /
 * (|q| |v|)} over them), so the recall is that of the search over the stored data.
 */
final class DatatypeQueries {

  private static final int QUERIES = 500;
  private static final int K = 10;
  private static final int EF = 64;

  private DatatypeQueries() {}

  static void run(
      Shard shard,
      float[][] original,
      float[][] centres,
      VectorDatatype datatype,
      Distance distance) {
    SplittableRandom random = new SplittableRandom(99);
    float[][] queries = new float[QUERIES][];
    Set<Integer>[] truth =
        distance == Distance.EUCLID
            ? truth(original, centres, random, queries)
            : storedTruth(original, centres, random, queries, datatype, distance);
    String oracle =
        distance == Distance.EUCLID
            ? "float32 brute force"
            : distance.qdrantName() + " brute force over stored";
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
      System.out.printf(
          "datatype %s, %s, %s: %,.0f QPS (1 thread, %d queries), recall@10 vs %s %.4f%n",
          datatype.qdrantName(),
          distance.qdrantName(),
          exact ? "exact scan" : "HNSW ef " + EF,
          QUERIES / seconds,
          QUERIES,
          oracle,
          found / (double) (QUERIES * K));
    }
  }

  private static SearchRequest request(float[] q, VectorDatatype datatype, boolean exact) {
    return new SearchRequest(
        "",
        SegmentsBenchmark.query(q, datatype),
        K,
        false,
        false,
        null,
        null,
        exact ? null : EF,
        exact);
  }

  /** Top-10 ids by Qdrant's score of the query as sent against each vector as stored. */
  @SuppressWarnings("unchecked")
  private static Set<Integer>[] storedTruth(
      float[][] original,
      float[][] centres,
      SplittableRandom random,
      float[][] queries,
      VectorDatatype datatype,
      Distance distance) {
    float[][] stored = new float[original.length][];
    for (int id = 0; id < original.length; id++) {
      stored[id] = SegmentsBenchmark.stored(original[id], datatype);
    }
    Set<Integer>[] truth = new Set[QUERIES];
    for (int i = 0; i < QUERIES; i++) {
      queries[i] = SegmentsBenchmark.sample(random, centres);
      float[] q = SegmentsBenchmark.query(queries[i], datatype);
      TopK top = new TopK(K);
      for (int id = 0; id < stored.length; id++) {
        double dot = 0;
        double qq = 0;
        double vv = 0;
        double l1 = 0;
        float[] v = stored[id];
        for (int d = 0; d < v.length; d++) {
          dot += (double) q[d] * v[d];
          qq += (double) q[d] * q[d];
          vv += (double) v[d] * v[d];
          l1 += Math.abs((double) q[d] - v[d]);
        }
        double score =
            switch (distance) {
              case COSINE -> qq == 0 || vv == 0 ? 0 : dot / Math.sqrt(qq * vv);
              case DOT -> dot;
              case MANHATTAN -> -l1;
              case EUCLID -> throw new IllegalArgumentException("Euclid uses truth()");
            };
        top.offer((float) score, id);
      }
      truth[i] = new HashSet<>();
      for (int id : top.bestFirst()) {
        truth[i].add(id);
      }
    }
    return truth;
  }

  @SuppressWarnings("unchecked")
  private static Set<Integer>[] truth(
      float[][] original, float[][] centres, SplittableRandom random, float[][] queries) {
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
