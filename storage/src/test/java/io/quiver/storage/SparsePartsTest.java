package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.sparse.SparseVector;
import io.quiver.storage.sparse.SparseIndexes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a shard's sealed sparse parts (files in {@code sparse/}) are used at open only where they
 * hold exactly what the store holds. A corrupt part file is dropped and its points indexed again;
 * the parts of another shard with the same point ids but other vectors (as a replica's files next
 * to a snapshot of another replica) are trusted only for the points whose vectors are equal. Each
 * name's placement ({@code on_disk: true} mapped, {@code memory: cached} mapped and read through,
 * default copied into native memory) is the one reported; a checkpoint carries the parts and its
 * shard maps them at open. Oracle: brute-force dot products over a model of the points, ranked by
 * score then id; ids must be equal.
 */
@Timeout(120)
class SparsePartsTest {

  @TempDir Path dir;

  private static final List<String> NAMES = List.of("mapped", "cached", "memory");

  static ShardConfig config() {
    VectorsConfig vectors =
        new VectorsConfig(
            Map.of(),
            Map.of(
                "mapped", new SparseVectorParams(true, 0L, true, null, null),
                "cached", new SparseVectorParams(true, 0L, null, null, null, Memory.CACHED),
                "memory", new SparseVectorParams(true, 0L, false, null, null)));
    // indexing threshold 2 KB: a part every 256 postings
    return new ShardConfig(
        vectors, HnswConfig.DEFAULT, new OptimizersConfig(0.2, 10, 2, null, 2, 0));
  }

  @Test
  void partsAreMappedAgainOnlyWhereTheyMatchTheStore() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    System.out.println("seed " + seed);
    Random random = new Random(seed);
    TreeMap<PointId, SparseVector> a = new TreeMap<>();
    TreeMap<PointId, SparseVector> b = new TreeMap<>();
    Path dirA = dir.resolve("a");
    Path dirB = dir.resolve("b");
    try (Shard shardA = Shard.openOrCreate(dirA, config());
        Shard shardB = Shard.openOrCreate(dirB, config())) {
      long index = 0;
      for (int from = 0; from < 3000; from += 100) {
        List<Point> batchA = new ArrayList<>();
        List<Point> batchB = new ArrayList<>();
        for (int id = from; id < from + 100; id++) {
          SparseVector v = SparseShardModelTest.randomSparse(random, 1 + random.nextInt(8));
          // B: the same vector for even ids, another for odd ones
          SparseVector w =
              id % 2 == 0 ? v : SparseShardModelTest.randomSparse(random, 1 + random.nextInt(8));
          batchA.add(point(id, v));
          batchB.add(point(id, w));
          a.put(PointId.of(id), v);
          b.put(PointId.of(id), w);
        }
        index++;
        shardA.upsert(batchA, index);
        shardB.upsert(batchB, index);
      }
      // deletes and updates in both, so that sealed parts have deleted ords and get vacuumed
      List<PointId> deleted = new ArrayList<>();
      List<Point> updates = new ArrayList<>();
      java.util.Set<PointId> touched = new java.util.HashSet<>();
      for (int i = 0; i < 300; i++) {
        PointId id = PointId.of(random.nextInt(3000));
        if (!touched.add(id)) {
          continue; // the deletes are applied before the updates: one change per point
        }
        if (random.nextBoolean()) {
          deleted.add(id);
          a.remove(id);
          b.remove(id);
        } else {
          SparseVector v = SparseShardModelTest.randomSparse(random, 1 + random.nextInt(8));
          updates.add(point((int) id.number(), v));
          a.put(id, v);
          b.put(id, v);
        }
      }
      for (Shard s : List.of(shardA, shardB)) {
        s.delete(deleted, index + 1);
        s.upsert(updates, index + 2);
        SparseShardModelTest.awaitOptimizer(s);
        for (String name : NAMES) {
          SparseIndexes.Stats stats = s.sparseIndexStats(name);
          assertTrue(stats.sealedParts() > 0, name + " " + stats);
        }
        assertEquals(SparseIndexes.Placement.MAPPED, s.sparseIndexStats("mapped").placement());
        assertEquals(
            SparseIndexes.Placement.MAPPED_READ_THROUGH, s.sparseIndexStats("cached").placement());
        assertEquals(SparseIndexes.Placement.NATIVE, s.sparseIndexStats("memory").placement());
      }
      checkQueries(shardA, a, random, "A before restart");
      checkQueries(shardB, b, random, "B before restart");
      shardA.checkpoint(dir.resolve("checkpoint"));
    }
    // a checkpoint carries the sealed parts (hard links): opened, it maps them instead of indexing
    // again
    try (Shard copy = Shard.open(dir.resolve("checkpoint"))) {
      for (String name : NAMES) {
        assertTrue(
            copy.sparseIndexStats(name).fromPartsAtOpen() > 0,
            name + " " + copy.sparseIndexStats(name));
      }
      checkQueries(copy, a, random, "A's checkpoint");
    }
    // A's largest part file gets a flipped byte: it is dropped, its points indexed again
    Path largest;
    try (var files = Files.list(dirA.resolve(SparseIndexes.DIR))) {
      largest =
          files
              .filter(f -> f.toString().endsWith(".qspi"))
              .max(Comparator.comparingLong(SparsePartsTest::size))
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(largest);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(largest, bytes);
    // B's directory gets A's parts (same ids; half of the vectors differ)
    Path sparseB = dirB.resolve(SparseIndexes.DIR);
    try (var files = Files.list(sparseB)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    try (var files = Files.list(dirA.resolve(SparseIndexes.DIR))) {
      for (Path f : files.toList()) {
        Files.copy(f, sparseB.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    try (Shard shardA = Shard.open(dirA);
        Shard shardB = Shard.open(dirB)) {
      checkQueries(shardA, a, random, "A with a corrupt part");
      checkQueries(shardB, b, random, "B with A's parts");
      SparseShardModelTest.awaitOptimizer(shardA);
      SparseShardModelTest.awaitOptimizer(shardB);
      checkQueries(shardA, a, random, "A after the optimizer");
      checkQueries(shardB, b, random, "B after the optimizer");
    }
    try (Shard shardB = Shard.open(dirB)) {
      checkQueries(shardB, b, random, "B reopened");
    }
  }

  /**
   * A sparse name dropped (its vectors removed from every point, versions unchanged) and added
   * again: the old parts are never served for it, the new vectors are, exactly.
   */
  @Test
  void aNameDroppedAndAddedAgainNeverServesItsOldParts() throws Exception {
    Random random = new Random(5);
    Path at = dir.resolve("renamed");
    ShardConfig config = config();
    TreeMap<PointId, SparseVector> model = new TreeMap<>();
    long index = 0;
    Shard shard = Shard.openOrCreate(at, config);
    try {
      List<Point> points = new ArrayList<>();
      for (int id = 0; id < 500; id++) {
        SparseVector v = SparseShardModelTest.randomSparse(random, 1 + random.nextInt(8));
        points.add(point(id, v));
        model.put(PointId.of(id), v);
      }
      shard.upsert(points, ++index);
      SparseShardModelTest.awaitOptimizer(shard);
      assertTrue(shard.sparseIndexStats("memory").sealedParts() > 0);
      VectorsConfig without =
          new VectorsConfig(
              Map.of(),
              Map.of(
                  "mapped",
                  config.vectors().getSparse("mapped"),
                  "cached",
                  config.vectors().getSparse("cached")));
      shard.updateConfig(new ShardConfig(without, config.hnsw(), config.optimizers()), ++index);
      shard.close();
      shard = Shard.open(at);
      shard.updateConfig(config, ++index);
      shard.close();
      shard = Shard.open(at);
      assertEquals(0, shard.sparseIndexStats("memory").fromPartsAtOpen());
      assertEquals(
          0,
          shard.sparseStatistics("memory", new int[] {model.firstEntry().getValue().index(0)})[1]);
      assertEquals(
          List.of(),
          shard.search(
              SearchRequest.sparse(
                  "memory", model.firstEntry().getValue(), 10, false, false, null, null)));
      // the other names kept their vectors and their parts
      assertTrue(shard.sparseIndexStats("mapped").fromPartsAtOpen() > 0);
      TreeMap<PointId, SparseVector> renewed = new TreeMap<>();
      List<Point> again = new ArrayList<>();
      for (int id = 0; id < 500; id += 2) {
        SparseVector v = SparseShardModelTest.randomSparse(random, 1 + random.nextInt(8));
        again.add(
            new Point(
                PointId.of(id),
                Map.of(),
                Payload.EMPTY,
                Map.of(
                    "mapped",
                    model.get(PointId.of(id)),
                    "cached",
                    model.get(PointId.of(id)),
                    "memory",
                    v)));
        renewed.put(PointId.of(id), v);
      }
      shard.upsert(again, ++index);
      for (int i = 0; i < 20; i++) {
        SparseVector q = SparseShardModelTest.randomSparse(random, 1 + random.nextInt(6));
        List<Map.Entry<PointId, Float>> truth = new ArrayList<>();
        renewed.forEach(
            (id, v) -> {
              if (v.overlaps(q)) {
                truth.add(Map.entry(id, v.dot(q)));
              }
            });
        truth.sort(
            Comparator.comparing((Map.Entry<PointId, Float> e) -> e.getValue())
                .reversed()
                .thenComparing(Map.Entry::getKey));
        assertEquals(
            truth.stream().limit(10).map(Map.Entry::getKey).toList(),
            shard.search(SearchRequest.sparse("memory", q, 10, false, false, null, null)).stream()
                .map(ScoredPoint::id)
                .toList(),
            "query " + q);
      }
    } finally {
      shard.close();
    }
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Point point(int id, SparseVector v) {
    return new Point(
        PointId.of(id), Map.of(), Payload.EMPTY, Map.of("mapped", v, "cached", v, "memory", v));
  }

  private static void checkQueries(
      Shard shard, TreeMap<PointId, SparseVector> model, Random random, String at) {
    for (int i = 0; i < 40; i++) {
      SparseVector q = SparseShardModelTest.randomSparse(random, 1 + random.nextInt(6));
      int k = 1 + random.nextInt(20);
      List<Map.Entry<PointId, Float>> truth = new ArrayList<>();
      model.forEach(
          (id, v) -> {
            if (v.overlaps(q)) {
              truth.add(Map.entry(id, v.dot(q)));
            }
          });
      truth.sort(
          Comparator.comparing((Map.Entry<PointId, Float> e) -> e.getValue())
              .reversed()
              .thenComparing(Map.Entry::getKey));
      for (String name : NAMES) {
        List<ScoredPoint> hits =
            shard.search(SearchRequest.sparse(name, q, k, false, false, null, null));
        assertEquals(
            truth.stream().limit(k).map(Map.Entry::getKey).toList(),
            hits.stream().map(ScoredPoint::id).toList(),
            at + " " + name + " query " + q);
        for (int j = 0; j < hits.size(); j++) {
          assertEquals(truth.get(j).getValue(), hits.get(j).score(), at);
        }
      }
      int d = q.index(0);
      long df =
          model.values().stream()
              .filter(v -> java.util.Arrays.binarySearch(v.indices(), d) >= 0)
              .count();
      for (String name : NAMES) {
        assertEquals(
            df, shard.sparseStatistics(name, new int[] {d})[1], at + " document frequency of " + d);
      }
    }
  }
}
