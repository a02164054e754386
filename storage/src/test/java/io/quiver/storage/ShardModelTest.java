package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.index.vector.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a shard behaves like a map from id to (vector, payload) across random upserts, deletes and
 * reopenings, and its search equals a brute-force ranking. Oracle: a TreeMap model and a sort of
 * all model points by exactly computed distance.
 */
@Timeout(120)
class ShardModelTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void randomOperationsWithReopensMatchTheModel() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    VectorsConfig config = VectorsConfig.single(new VectorParams(5, Distance.EUCLID, false));
    Map<PointId, float[]> vectors = new TreeMap<>();
    Map<PointId, Payload> payloads = new HashMap<>();
    long index = 0;
    Shard shard = Shard.open(dir.resolve("s"), config);
    try {
      for (int step = 0; step < 2000; step++) {
        int op = random.nextInt(100);
        if (op < 60) {
          List<Point> batch = new ArrayList<>();
          for (int i = 1 + random.nextInt(5); i > 0; i--) {
            PointId id = randomId(random);
            float[] v = randomVector(random, 5);
            ObjectNode payload = JSON.createObjectNode().put("n", random.nextInt(100));
            batch.add(new Point(id, Map.of("", v), Payload.of(payload)));
          }
          shard.upsert(batch, ++index);
          for (Point p : batch) {
            vectors.put(p.id(), p.vectors().get(""));
            payloads.put(p.id(), p.payload());
          }
        } else if (op < 80) {
          List<PointId> ids = List.of(randomId(random), randomId(random));
          shard.delete(ids, ++index);
          ids.forEach(
              id -> {
                vectors.remove(id);
                payloads.remove(id);
              });
        } else if (op < 85) {
          shard.close();
          shard = Shard.open(dir.resolve("s"));
          assertEquals(index == 0 ? -1 : index, shard.appliedIndex(), "seed " + seed);
        } else if (op < 87) {
          // A replayed entry (at or below the applied index) must change nothing. Before the first
          // entry (index 0) there is nothing to replay: an entry at 0 would be a new one.
          if (index > 0) {
            shard.delete(new ArrayList<>(vectors.keySet()), index);
          }
        } else {
          float[] q = randomVector(random, 5);
          int k = 1 + random.nextInt(8);
          List<ScoredPoint> hits = shard.search(new SearchRequest("", q, k, true, true, null));
          List<PointId> expected =
              vectors.keySet().stream()
                  .sorted(
                      Comparator.<PointId>comparingDouble(id -> l2(q, vectors.get(id)))
                          .thenComparing(id -> id))
                  .limit(k)
                  .toList();
          assertEquals(
              expected,
              hits.stream().map(ScoredPoint::id).toList(),
              "seed " + seed + " step " + step);
          for (ScoredPoint h : hits) {
            assertEquals(payloads.get(h.id()), h.payload(), "seed " + seed);
            assertArrayEquals(vectors.get(h.id()), h.vectors().get(""), "seed " + seed);
          }
        }
        assertEquals(vectors.size(), shard.count(), "seed " + seed + " step " + step);
      }
      List<PointId> all = new ArrayList<>(vectors.keySet());
      all.add(PointId.of(UUID.randomUUID()));
      List<PointRecord> records = shard.retrieve(all, true, false);
      assertEquals(vectors.size(), records.size(), "seed " + seed);
    } finally {
      shard.close();
    }
  }

  @Test
  void badPointsAreRejectedWhole() {
    try (Shard shard =
        Shard.open(
            dir.resolve("b"), VectorsConfig.single(new VectorParams(2, Distance.DOT, false)))) {
      List<Point> batch =
          List.of(
              new Point(PointId.of(1), Map.of("", new float[] {1, 2}), Payload.EMPTY),
              new Point(PointId.of(2), Map.of("", new float[] {1, 2, 3}), Payload.EMPTY));
      BadRequestException e = assertThrows(BadRequestException.class, () -> shard.upsert(batch, 1));
      assertEquals(true, e.getMessage().contains("expected dim: 2, got 3"), e.getMessage());
      assertEquals(0, shard.count(), "nothing of a rejected batch is written");
    }
  }

  @Test
  void idsOrderLikeQdrantAndRoundTrip() {
    List<PointId> ids =
        new ArrayList<>(
            List.of(
                PointId.of(UUID.fromString("00000000-0000-0000-0000-000000000001")),
                PointId.of(-1L),
                PointId.of(7),
                PointId.of(0),
                PointId.of(UUID.fromString("ffffffff-0000-0000-0000-000000000000"))));
    ids.sort(null);
    assertEquals(
        List.of(
            "0",
            "7",
            "18446744073709551615",
            "00000000-0000-0000-0000-000000000001",
            "ffffffff-0000-0000-0000-000000000000"),
        ids.stream().map(PointId::toString).toList());
    for (PointId id : ids) {
      assertEquals(id, PointId.fromBytes(id.toBytes()));
    }
    for (int i = 1; i < ids.size(); i++) {
      assertEquals(
          true,
          java.util.Arrays.compareUnsigned(ids.get(i - 1).toBytes(), ids.get(i).toBytes()) < 0,
          "byte order equals id order");
    }
  }

  private static PointId randomId(Random random) {
    return random.nextInt(4) == 0
        ? PointId.of(new UUID(0, random.nextInt(30)))
        : PointId.of(random.nextInt(60));
  }

  private static float[] randomVector(Random random, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] =
          random.nextInt(10); // small integers make ties common, which exercises the id tie-break
    }
    return v;
  }

  private static double l2(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(s);
  }
}
