package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.index.vector.Distance;
import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.FieldPredicate;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadSchemaType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: filtered search through {@link Shard#search} — sealed HNSW segments built by the optimizer,
 * a payload index, and the search plan choosing per query between scoring the index's candidates
 * and filtered graph traversal — keeps recall@10 &gt;= 0.95 at selectivities 0.1%, 1%, 10%, 50% and
 * 100%. Oracle: brute force over the points whose {@code bucket} passes the filter.
 *
 * <p>20,000 points of 16 dimensions; {@code full_scan_threshold} 62 KB = 992 points, so 0.1% and 1%
 * score candidates and 10% and beyond traverse graphs (M 16, ef_construct 100 = the search ef);
 * segments are sealed every 256 KB (4,096 points). 0.95 leaves room for HNSW's approximation; the
 * measured values print with the test.
 */
@Timeout(300)
class ShardFilteredRecallTest {

  private static final int N = 20_000;
  private static final int DIM = 16;
  private static final int K = 10;
  private static final int BUCKETS = 100_000;

  @TempDir Path dir;

  @Test
  void recallAtEverySelectivityThroughSealedSegments() throws InterruptedException {
    Random random = new Random(Long.getLong("tests.seed", 11));
    ShardConfig config =
        new ShardConfig(
            VectorsConfig.single(new VectorParams(DIM, Distance.EUCLID, false)),
            new HnswConfig(16, 100, 62, false),
            new OptimizersConfig(0.2, 1000, 0, null, 256, 0));
    float[][] vectors = new float[N][DIM];
    int[] buckets = new int[N];
    try (Shard shard = Shard.openOrCreate(dir, config)) {
      long index = 0;
      shard.createFieldIndex("bucket", FieldIndexSchema.of(PayloadSchemaType.INTEGER), ++index);
      for (int start = 0; start < N; start += 1000) {
        List<Point> batch = new ArrayList<>();
        for (int i = start; i < start + 1000; i++) {
          for (int d = 0; d < DIM; d++) {
            vectors[i][d] = random.nextFloat();
          }
          buckets[i] = random.nextInt(BUCKETS);
          batch.add(
              new Point(
                  PointId.of(i),
                  Map.of(VectorsConfig.DEFAULT, vectors[i]),
                  Payload.of(JsonNodeFactory.instance.objectNode().put("bucket", buckets[i]))));
        }
        shard.upsert(batch, ++index);
      }
      awaitIndexed(shard);
      for (double s : new double[] {0.001, 0.01, 0.1, 0.5, 1.0}) {
        Filter filter =
            Filter.allOf(
                new Condition.Field(
                    JsonPath.of("bucket"),
                    new FieldPredicate.NumberRange(null, null, s * BUCKETS, null)));
        double recall = 0;
        int queries = 100;
        for (int q = 0; q < queries; q++) {
          float[] query = new float[DIM];
          for (int d = 0; d < DIM; d++) {
            query[d] = random.nextFloat();
          }
          Set<Long> truth = truth(vectors, buckets, query, s * BUCKETS);
          Set<Long> got = new HashSet<>();
          shard
              .search(new SearchRequest("", query, K, false, false, null, filter))
              .forEach(h -> got.add(h.id().number()));
          assertEquals(Math.min(K, truth.size()), got.size(), "hits at selectivity " + s);
          got.retainAll(truth);
          recall += truth.isEmpty() ? 1 : (double) got.size() / truth.size();
        }
        recall /= queries;
        System.out.printf(
            "shard, sealed HNSW segments (%s): selectivity %.1f%%, estimate %s, recall@10 %.4f%n",
            shard.info(), s * 100, shard.estimate(filter), recall);
        assertTrue(recall >= 0.95, "recall@10 " + recall + " at selectivity " + s);
      }
    }
  }

  private static void awaitIndexed(Shard shard) throws InterruptedException {
    long deadline = System.nanoTime() + 240_000_000_000L;
    while (shard.info().optimizing() || shard.info().indexedVectors() < N - 4096) {
      assertTrue(System.nanoTime() < deadline, "not indexed after 240 s: " + shard.info());
      Thread.sleep(20);
    }
  }

  private static Set<Long> truth(float[][] vectors, int[] buckets, float[] q, double below) {
    Comparator<Integer> byDistance = Comparator.comparingDouble(i -> squared(vectors[i], q));
    Set<Long> out = new HashSet<>();
    IntStream.range(0, vectors.length)
        .filter(i -> buckets[i] < below)
        .boxed()
        .sorted(byDistance.thenComparing(i -> i))
        .limit(K)
        .forEach(i -> out.add((long) i));
    return out;
  }

  private static double squared(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return s;
  }
}
