package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Goal: a multivector with {@code datatype} float16 or uint8, added to an existing shard after
 * points were written (as {@code PUT /collections/{c}/vectors/{name}} does: a new config, then a
 * reopen), stores each point's rows at that datatype (float16: normalized for Cosine, then rounded
 * to halves; uint8: the integers given), reads them back as stored, and MaxSim search over them is
 * exact through upserts, deletes, multivector updates and reopens; dropping the multivector removes
 * it from every point. Oracle: a TreeMap model of the stored rows (computed here with {@link
 * Float#float16ToFloat}) and brute-force MaxSim in double: each rank's score equals the oracle's
 * score at that rank and each hit's own true score (1e-4 relative: the shard sums in float), so
 * near-ties may swap but nothing else.
 */
@Timeout(120)
class MultiVectorDatatypeTest {

  private static final int DIM = 4;
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  @TempDir Path dir;

  private static final VectorParams DENSE = new VectorParams(2, Distance.DOT, false);

  private static ShardConfig config(MultiVectorParams multi) {
    VectorsConfig vectors =
        new VectorsConfig(
            Map.of("d", DENSE), Map.of(), multi == null ? Map.of() : Map.of("m", multi));
    return new ShardConfig(
        vectors, new HnswConfig(8, 32, 0, false), new OptimizersConfig(0.1, 2, 2, 3L, 1, 0));
  }

  private static MultiVectorParams multi(VectorDatatype datatype, Distance distance) {
    return new MultiVectorParams(
        new VectorParams(DIM, distance, false, null, null, datatype),
        MultiVectorParams.Comparator.MAX_SIM);
  }

  @ParameterizedTest
  @CsvSource({
    "FLOAT16,COSINE",
    "FLOAT16,DOT",
    "FLOAT16,EUCLID",
    "UINT8,DOT",
    "UINT8,EUCLID",
    "UINT8,MANHATTAN"
  })
  void addedNarrowMultivectorSearchesLikeBruteForce(VectorDatatype datatype, Distance distance) {
    Random random = new Random(SEED + 31L * datatype.ordinal() + distance.ordinal());
    String where0 = "seed " + SEED + " " + datatype + " " + distance;
    Path shardDir = dir.resolve("s");
    long index = 0;
    Shard shard = Shard.openOrCreate(shardDir, config(null));
    TreeMap<PointId, float[]> model = new TreeMap<>(); // stored rows of "m" by point
    try {
      List<Point> before = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        before.add(new Point(PointId.of(i), Map.of("d", new float[] {i, 1}), Payload.EMPTY));
      }
      shard.upsert(before, ++index);
      shard.updateConfig(config(multi(datatype, distance)), ++index);
      shard.close();
      shard = Shard.open(shardDir);
      assertEquals(datatype, shard.config().getMulti("m").vector().datatype(), where0);
      for (int step = 0; step < 400; step++) {
        String where = where0 + " step " + step;
        int op = random.nextInt(100);
        if (op < 40) {
          List<Point> batch = new ArrayList<>();
          Map<PointId, float[]> staged = new HashMap<>();
          for (int i = 1 + random.nextInt(10); i > 0; i--) {
            PointId id = PointId.of(random.nextInt(120));
            float[] rows = rows(random, datatype, 1 + random.nextInt(4));
            batch.add(new Point(id, Map.of("d", new float[] {1, 2}, "m", rows), Payload.EMPTY));
            staged.put(id, stored(rows, datatype, distance));
          }
          shard.upsert(batch, ++index);
          model.putAll(staged);
        } else if (op < 50) {
          List<PointId> ids =
              List.of(PointId.of(random.nextInt(120)), PointId.of(random.nextInt(120)));
          shard.delete(ids, ++index);
          ids.forEach(model::remove);
        } else if (op < 58) {
          PointId id = PointId.of(random.nextInt(120));
          float[] rows = rows(random, datatype, 1 + random.nextInt(4));
          shard.apply(
              new PointsOperation.UpdateVectors(
                  List.of(new PointsOperation.PointVectors(id, Map.of("m", rows)))),
              ++index);
          if (!shard
              .retrieve(List.of(id), false, false)
              .isEmpty()) { // an update of a missing point does nothing
            model.put(id, stored(rows, datatype, distance));
          }
        } else if (op < 61) {
          shard.close();
          shard = Shard.open(shardDir);
        } else if (op < 90) {
          float[] q = queryRows(random, datatype, 1 + random.nextInt(3));
          int k = 1 + random.nextInt(10);
          List<Map.Entry<PointId, Double>> truth = truth(model, q, distance);
          List<ScoredPoint> hits =
              ReportedScores.search(
                  shard, new SearchRequest("m", q, k, false, false, null, null, null, true));
          assertEquals(Math.min(k, truth.size()), hits.size(), where);
          Map<PointId, Double> own = new HashMap<>();
          truth.forEach(e -> own.put(e.getKey(), e.getValue()));
          for (int i = 0; i < hits.size(); i++) {
            double expected = truth.get(i).getValue();
            String at =
                where
                    + " rank "
                    + i
                    + ": expected "
                    + truth.stream().limit(k).map(Map.Entry::getKey).toList()
                    + ", got "
                    + hits.stream().map(ScoredPoint::id).toList();
            assertEquals(expected, hits.get(i).score(), 1e-4 * Math.max(1, Math.abs(expected)), at);
            Double score = own.get(hits.get(i).id());
            assertTrue(score != null, at + ": a hit without the multivector");
            assertEquals(score, hits.get(i).score(), 1e-4 * Math.max(1, Math.abs(score)), at);
          }
        } else {
          PointId id = PointId.of(random.nextInt(120));
          for (PointRecord r : shard.retrieve(List.of(id), false, true)) {
            float[] expected = model.get(id);
            if (expected == null) {
              assertFalse(r.vectors().containsKey("m"), where + " " + id + " has no multivector");
            } else {
              assertArrayEquals(expected, r.vectors().get("m"), where + " read back " + id);
            }
          }
        }
      }
      // Refused values name the row and element; the datatype is reported back after a reopen.
      Shard s = shard;
      float[] bad = new float[DIM * 2];
      bad[DIM + 1] = datatype == VectorDatatype.UINT8 ? 2.5f : 70_000f;
      BadRequestException e =
          assertThrows(
              BadRequestException.class,
              () ->
                  s.upsert(
                      List.of(
                          new Point(
                              PointId.of(1), Map.of("d", new float[2], "m", bad), Payload.EMPTY)),
                      1_000_000));
      assertTrue(
          e.getMessage().contains("vector 1 element 1")
              && e.getMessage().contains(datatype.qdrantName()),
          e.getMessage());
      // Dropping the multivector removes it from every point; the dense vector stays.
      shard.updateConfig(config(null), ++index);
      shard.close();
      shard = Shard.open(shardDir);
      assertTrue(shard.config().multi().isEmpty(), where0);
      for (PointRecord r : shard.retrieve(new ArrayList<>(model.keySet()), false, true)) {
        assertEquals(List.of("d"), List.copyOf(r.vectors().keySet()), where0 + " " + r.id());
      }
    } finally {
      shard.close();
    }
  }

  @Test
  void aMultivectorCannotChangeItsDatatype() {
    try (Shard shard =
        Shard.openOrCreate(dir.resolve("c"), config(multi(VectorDatatype.FLOAT16, Distance.DOT)))) {
      assertThrows(
          BadRequestException.class,
          () -> shard.updateConfig(config(multi(VectorDatatype.UINT8, Distance.DOT)), 5));
    }
  }

  /** Rows a point holds: uint8 integers 0..255, float16 any floats (rounded when stored). */
  private static float[] rows(Random random, VectorDatatype datatype, int count) {
    float[] v = new float[count * DIM];
    for (int i = 0; i < v.length; i++) {
      v[i] =
          datatype == VectorDatatype.UINT8
              ? random.nextInt(256)
              : (float) random.nextGaussian() * 4;
    }
    return v;
  }

  /** Query rows stay float32 (any values). */
  private static float[] queryRows(Random random, VectorDatatype datatype, int count) {
    float[] v = new float[count * DIM];
    for (int i = 0; i < v.length; i++) {
      v[i] =
          datatype == VectorDatatype.UINT8
              ? random.nextFloat() * 255
              : (float) random.nextGaussian() * 4;
    }
    return v;
  }

  /**
   * What the shard must store: each row prepared for the distance (normalized for Cosine), then
   * rounded to halves.
   */
  private static float[] stored(float[] rows, VectorDatatype datatype, Distance distance) {
    float[] out = new float[rows.length];
    for (int i = 0; i < rows.length; i += DIM) {
      float[] row = distance.prepare(java.util.Arrays.copyOfRange(rows, i, i + DIM));
      for (int x = 0; x < DIM; x++) {
        out[i + x] =
            datatype == VectorDatatype.FLOAT16
                ? Float.float16ToFloat(Float.floatToFloat16(row[x]))
                : row[x];
      }
    }
    return out;
  }

  /**
   * Brute-force MaxSim, best first (higher for Cosine and Dot, lower for distances), ties by id.
   */
  private static List<Map.Entry<PointId, Double>> truth(
      TreeMap<PointId, float[]> model, float[] q, Distance distance) {
    float[] query = stored(q, VectorDatatype.FLOAT32, distance);
    List<Map.Entry<PointId, Double>> out = new ArrayList<>();
    model.forEach((id, rows) -> out.add(Map.entry(id, maxSim(query, rows, distance))));
    Comparator<Map.Entry<PointId, Double>> byScore = Comparator.comparing(Map.Entry::getValue);
    out.sort(
        (distance.higherIsBetter() ? byScore.reversed() : byScore)
            .thenComparing(Map.Entry::getKey));
    return out;
  }

  private static double maxSim(float[] q, float[] d, Distance distance) {
    double sum = 0;
    for (int i = 0; i < q.length; i += DIM) {
      double best = distance.higherIsBetter() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      for (int j = 0; j < d.length; j += DIM) {
        double dot = 0;
        double sq = 0;
        double l1 = 0;
        for (int x = 0; x < DIM; x++) {
          double a = q[i + x];
          double b = d[j + x];
          dot += a * b;
          sq += (a - b) * (a - b);
          l1 += Math.abs(a - b);
        }
        double s =
            switch (distance) {
              case COSINE, DOT -> dot;
              case EUCLID -> Math.sqrt(sq);
              case MANHATTAN -> l1;
            };
        best = distance.higherIsBetter() ? Math.max(best, s) : Math.min(best, s);
      }
      sum += best;
    }
    return sum;
  }
}
