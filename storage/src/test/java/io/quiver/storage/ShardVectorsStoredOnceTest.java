package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a vector is stored once. Once a sealed segment holds a point's dense vectors, the store
 * keeps only their names; every way of reading the shard back (a reopen, a checkpoint, a change of
 * the vector names, a partial vector update) still gives each point its own vectors; and a store
 * whose segments are gone is refused at open rather than opened without vectors. Oracle: the
 * vectors written, kept in a map.
 */
@Timeout(120)
class ShardVectorsStoredOnceTest {

  private static final int POINTS = 400;

  /** The dimension of vector "a" in {@link SegmentedShardModelTest#tinySegments}. */
  private static final int DIM = 4;

  @TempDir Path dir;

  private final Random random = new Random(11);
  private final Map<PointId, Map<String, float[]>> model = new HashMap<>();
  private long index;

  @Test
  void sealedVectorsLeaveTheStoreAndEveryReadStillFindsThem() throws Exception {
    Path shardDir = dir.resolve("s");
    ShardConfig config = SegmentedShardModelTest.tinySegments(Distance.DOT);
    long sealed;
    try (Shard shard = Shard.openOrCreate(shardDir, config)) {
      write(shard, POINTS);
      SegmentedShardModelTest.awaitOptimized(shard);
      assertModel(shard);
      // A partial update of a point whose vectors only a segment holds keeps its other vector.
      PointId updated = PointId.of(3);
      float[] a = SegmentedShardModelTest.randomVector(random, DIM);
      shard.apply(
          new PointsOperation.UpdateVectors(
              List.of(new PointsOperation.PointVectors(updated, Map.of("a", a)))),
          ++index);
      model.get(updated).put("a", a);
      assertModel(shard);
      shard.checkpoint(dir.resolve("cp"));
      sealed = POINTS - shard.segmentsInfo().appendablePoints();
    }
    StoreCounts counts = countStored(shardDir);
    assertTrue(sealed > POINTS / 2, "most points are in sealed segments: " + sealed);
    assertEquals(POINTS, counts.all());
    assertTrue(
        counts.inSegments() >= sealed && counts.withVectors() <= POINTS - sealed,
        "the store kept the vectors of "
            + counts.withVectors()
            + " of "
            + counts.all()
            + " points, "
            + sealed
            + " of them are sealed");

    try (Shard shard = Shard.open(shardDir)) {
      assertModel(shard);
    }
    try (Shard copy = Shard.open(dir.resolve("cp"))) {
      assertModel(copy);
    }
  }

  @Test
  void aChangeOfTheVectorNamesTakesTheVectorsBackFromTheSegments() throws Exception {
    Path shardDir = dir.resolve("s");
    ShardConfig config = SegmentedShardModelTest.tinySegments(Distance.DOT);
    ShardConfig withC;
    try (Shard shard = Shard.openOrCreate(shardDir, config)) {
      write(shard, POINTS);
      SegmentedShardModelTest.awaitOptimized(shard);
      Map<String, VectorParams> vectors = new HashMap<>(config.vectors().vectors());
      vectors.put("c", new VectorParams(3, Distance.EUCLID, false));
      withC = new ShardConfig(new VectorsConfig(vectors), config.hnsw(), config.optimizers());
      shard.updateConfig(withC, ++index);
    }
    assertEquals(0, countStored(shardDir).inSegments(), "every point holds its vectors again");
    try (Shard shard = Shard.open(shardDir)) {
      assertModel(shard);
      SegmentedShardModelTest.awaitOptimized(shard);
      assertModel(shard);
    }
  }

  @Test
  void aStoreThatWasNotHandedItsVectorsBackHandsThemOverAtOpen() throws Exception {
    Path shardDir = dir.resolve("s");
    try (Shard shard =
        Shard.openOrCreate(shardDir, SegmentedShardModelTest.tinySegments(Distance.DOT))) {
      write(shard, POINTS);
      SegmentedShardModelTest.awaitOptimized(shard);
    }
    // As after a crash between a segment's swap and the hand-over (or a store written before
    // vectors were stored once): every point's vectors in the store too.
    restoreAll(shardDir);
    assertEquals(0, countStored(shardDir).inSegments());
    try (Shard shard = Shard.open(shardDir)) {
      assertModel(shard);
    }
    assertTrue(countStored(shardDir).inSegments() > POINTS / 2, "handed over at open");
  }

  @Test
  void aStoreWhoseSegmentsAreGoneIsRefusedAtOpen() throws Exception {
    Path shardDir = dir.resolve("s");
    try (Shard shard =
        Shard.openOrCreate(shardDir, SegmentedShardModelTest.tinySegments(Distance.DOT))) {
      write(shard, POINTS);
      SegmentedShardModelTest.awaitOptimized(shard);
    }
    Files.delete(shardDir.resolve(Shard.SEGMENTS_DIR).resolve("MANIFEST"));
    StorageException e = assertThrows(StorageException.class, () -> Shard.open(shardDir));
    assertTrue(e.getMessage().contains("has its vectors in a sealed segment"), e.getMessage());
  }

  private void write(Shard shard, int points) {
    for (int first = 0; first < points; first += 40) {
      List<Point> batch = new ArrayList<>();
      for (int i = first; i < first + 40; i++) {
        Map<String, float[]> vectors = new HashMap<>();
        vectors.put("a", SegmentedShardModelTest.randomVector(random, DIM));
        if (i % 5 != 0) { // some points omit "b"
          vectors.put("b", SegmentedShardModelTest.randomVector(random, 2));
        }
        model.put(PointId.of(i), vectors);
        batch.add(new Point(PointId.of(i), Map.copyOf(vectors), Payload.EMPTY));
      }
      shard.upsert(batch, ++index);
    }
  }

  private void assertModel(Shard shard) {
    List<PointId> ids = new ArrayList<>(model.keySet());
    List<PointRecord> records = shard.retrieve(ids, false, true);
    assertEquals(model.size(), records.size());
    for (PointRecord r : records) {
      Map<String, float[]> expected = model.get(r.id());
      assertEquals(expected.keySet(), r.vectors().keySet(), "vector names of " + r.id());
      for (Map.Entry<String, float[]> e : expected.entrySet()) {
        assertArrayEquals(e.getValue(), r.vectors().get(e.getKey()), r.id() + " " + e.getKey());
      }
    }
  }

  private record StoreCounts(long all, long inSegments, long withVectors) {}

  private static StoreCounts countStored(Path shardDir) {
    AtomicLong all = new AtomicLong();
    AtomicLong inSegments = new AtomicLong();
    AtomicLong withVectors = new AtomicLong();
    ShardStore store = ShardResources.processWide().engine().openStore(shardDir);
    try {
      store.forEachPoint(
          (id, version, vectors, names, held) -> {
            all.incrementAndGet();
            if (held) {
              inSegments.incrementAndGet();
            }
            if (!vectors.get().isEmpty()) {
              withVectors.incrementAndGet();
            }
          });
    } finally {
      store.close();
    }
    return new StoreCounts(all.get(), inSegments.get(), withVectors.get());
  }

  /** Puts every handed-over vector back into the store, read from a shard opened on it. */
  private static void restoreAll(Path shardDir) {
    Map<PointId, Map<String, float[]>> vectors = new HashMap<>();
    try (Shard shard = Shard.open(shardDir)) {
      List<PointId> ids = new ArrayList<>();
      for (int i = 0; i < POINTS; i++) {
        ids.add(PointId.of(i));
      }
      for (PointRecord r : shard.retrieve(ids, false, true)) {
        vectors.put(r.id(), r.vectors());
      }
    }
    ShardStore store = ShardResources.processWide().engine().openStore(shardDir);
    try (ShardStore.Batch batch = store.batch()) {
      batch.restoreSegmentCopies(vectors::get);
      batch.commitUnindexed();
    } finally {
      store.close();
    }
  }
}
