package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a shard's multivector graph parts are written to files and loaded at reopen instead of
 * rebuilt, and a file is never trusted blindly. A real shard on RocksDB: 1,200 clustered points (16
 * dims, 2-8 rows), a graph part per ~200 points. Reopened, every part is loaded (counted by the
 * shard), nothing is due (status green at once) and graph searches return exactly what they
 * returned before the close; a checkpoint carries the files. A corrupted file is dropped and its
 * range rebuilt. Files older than the RocksDB state (points updated and deleted since, the store
 * compacted) are either not used (an older generation beside newer files) or used only for the
 * nodes whose point RocksDB still holds with the same rows: searches never return a deleted or
 * stale point, and the emptied parts are rebuilt. Oracle: brute-force MaxSim in double over a
 * model.
 */
@Timeout(180)
class MultiVectorGraphFilesTest {

  private static final int DIM = 16;

  @TempDir Path dir;

  private final Random random = new Random(7);
  private final float[][] centres = new float[30][];
  private final TreeMap<PointId, float[]> model = new TreeMap<>();
  private long index;

  private static ShardConfig config() {
    VectorsConfig vectors =
        new VectorsConfig(
            Map.of(),
            Map.of(),
            Map.of(
                "m",
                new MultiVectorParams(
                    new VectorParams(DIM, Distance.COSINE, false),
                    MultiVectorParams.Comparator.MAX_SIM)));
    // indexing_threshold 64 KB: a part every ~200 points; full_scan_threshold 16 KB: parts are
    // searched through their graphs; deleted_threshold 0.2: a part a fifth deleted is rebuilt.
    return new ShardConfig(
        vectors, new HnswConfig(16, 64, 16, false), new OptimizersConfig(0.2, 100, 2, null, 64, 0));
  }

  private Shard loaded(Path shardDir) {
    for (int c = 0; c < centres.length; c++) {
      centres[c] = rows(1);
    }
    Shard shard = Shard.openOrCreate(shardDir, config());
    upsert(shard, 0, 1200);
    return shard;
  }

  @Test
  void builtPartsAreLoadedAtReopenAndSearchAsBefore() throws Exception {
    Path shardDir = dir.resolve("s");
    Shard shard = loaded(shardDir);
    List<float[]> queries = queries(20);
    List<List<ScoredPoint>> before;
    long indexed;
    Set<String> files;
    try {
      awaitIndexed(shard);
      indexed = shard.info().indexedVectors();
      assertTrue(indexed >= 1000, "graphs hold the points: " + shard.info());
      files = graphFiles(shardDir);
      assertFalse(files.isEmpty(), "the parts are written to files");
      before = search(shard, queries);
      shard.checkpoint(dir.resolve("cp"));
      assertEquals(files, graphFiles(dir.resolve("cp")), "the checkpoint carries the graph files");
    } finally {
      shard.close();
    }
    shard = Shard.open(shardDir);
    try {
      assertEquals(files.size(), shard.multivectorPartsLoaded(), "every part loaded");
      assertFalse(shard.info().optimizing(), "nothing to rebuild: " + shard.info());
      assertEquals(indexed, shard.info().indexedVectors());
      assertEquals(before, search(shard, queries), "graph searches as before the close");
      assertEquals(files, graphFiles(shardDir), "no file rewritten");
      // Deletes and updates after the load: never returned, true scores.
      List<PointId> deleted = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        deleted.add(PointId.of(random.nextInt(1200)));
      }
      shard.delete(deleted, ++index);
      deleted.forEach(model::remove);
      upsert(shard, 1100, 1300);
      checkAgainstBruteForce(shard, queries, "after changes on loaded parts");
    } finally {
      shard.close();
    }
    shard = Shard.open(dir.resolve("cp"));
    try {
      assertEquals(files.size(), shard.multivectorPartsLoaded(), "the checkpoint's parts loaded");
      assertEquals(indexed, shard.info().indexedVectors());
      assertEquals(before, search(shard, queries), "the checkpoint's searches as before");
    } finally {
      shard.close();
    }
  }

  @Test
  void aCorruptFileIsDroppedAndRebuilt() throws Exception {
    Path shardDir = dir.resolve("s");
    Shard shard = loaded(shardDir);
    List<float[]> queries = queries(20);
    Set<String> files;
    try {
      awaitIndexed(shard);
      files = graphFiles(shardDir);
    } finally {
      shard.close();
    }
    String victim =
        files.stream().max(Comparator.comparingLong(f -> size(shardDir, f))).orElseThrow();
    try (RandomAccessFile raf =
        new RandomAccessFile(graphDir(shardDir).resolve(victim).toFile(), "rw")) {
      long at = raf.length() / 2;
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x10);
    }
    shard = Shard.open(shardDir);
    try {
      assertTrue(shard.multivectorPartsLoaded() < files.size(), "the corrupt file is not loaded");
      checkAgainstBruteForce(shard, queries, "before the rebuild");
      awaitIndexed(shard);
      assertTrue(shard.info().indexedVectors() >= 1000, "rebuilt: " + shard.info());
      checkAgainstBruteForce(shard, queries, "after the rebuild");
    } finally {
      shard.close();
    }
    shard = Shard.open(shardDir);
    try {
      assertEquals(
          graphFiles(shardDir).size(), shard.multivectorPartsLoaded(), "the rebuilt parts load");
      assertFalse(shard.info().optimizing());
    } finally {
      shard.close();
    }
  }

  @Test
  void filesOlderThanTheStoreAreNotTrusted() throws Exception {
    Path shardDir = dir.resolve("s");
    Shard shard = loaded(shardDir);
    List<float[]> queries = queries(20);
    Path old = dir.resolve("old");
    Files.createDirectories(old);
    Set<String> oldFiles;
    try {
      awaitIndexed(shard);
      oldFiles = graphFiles(shardDir);
      for (String f : oldFiles) {
        Files.copy(graphDir(shardDir).resolve(f), old.resolve(f));
      }
      // Most points updated (new rows) or deleted: more than 1,024 deleted ords, more than live
      // ones: the store compacts (renumbers) and its parts are built again in a new generation.
      List<PointId> deleted = new ArrayList<>();
      for (int p = 0; p < 1200; p += 3) {
        deleted.add(PointId.of(p));
      }
      shard.delete(deleted, ++index);
      deleted.forEach(model::remove);
      for (int round = 0; round < 2; round++) {
        List<Point> batch = new ArrayList<>();
        for (int p = 1; p < 1200; p += 3) {
          batch.add(point(p));
          batch.add(point(p + 1));
        }
        shard.upsert(batch, ++index);
      }
      awaitIndexed(shard);
      assertTrue(
          Set.copyOf(graphFiles(shardDir)).stream().noneMatch(oldFiles::contains),
          "the compaction dropped the old files: " + graphFiles(shardDir));
      checkAgainstBruteForce(shard, queries, "after the compaction");
    } finally {
      shard.close();
    }
    Set<String> newFiles = graphFiles(shardDir);
    // The old generation's files back beside the new ones: the newest generation is used.
    for (String f : oldFiles) {
      Files.copy(old.resolve(f), graphDir(shardDir).resolve(f));
    }
    shard = Shard.open(shardDir);
    try {
      assertEquals(newFiles.size(), shard.multivectorPartsLoaded());
      assertEquals(newFiles, graphFiles(shardDir), "the old generation's files deleted");
      checkAgainstBruteForce(shard, queries, "old files beside new ones");
    } finally {
      shard.close();
    }
    // Only the old files (as a snapshot of another state would bring): each node is checked
    // against RocksDB; the updated and deleted points' nodes are dead, the parts rebuilt.
    for (String f : newFiles) {
      Files.delete(graphDir(shardDir).resolve(f));
    }
    for (String f : oldFiles) {
      Files.copy(old.resolve(f), graphDir(shardDir).resolve(f));
    }
    shard = Shard.open(shardDir);
    try {
      assertEquals(oldFiles.size(), shard.multivectorPartsLoaded());
      long live = shard.count();
      assertTrue(
          shard.info().indexedVectors() < live / 2, "stale nodes are not counted: " + shard.info());
      assertTrue(shard.info().optimizing(), "the stale parts are rebuilt: " + shard.info());
      checkAgainstBruteForce(shard, queries, "stale files");
      awaitIndexed(shard);
      assertTrue(shard.info().indexedVectors() >= live * 9 / 10, "rebuilt: " + shard.info());
      assertNotEquals(oldFiles, graphFiles(shardDir));
      checkAgainstBruteForce(shard, queries, "stale files, rebuilt");
    } finally {
      shard.close();
    }
    // The rebuilt parts (a vacuum writes a file of the same range and name) load again.
    shard = Shard.open(shardDir);
    try {
      assertEquals(
          graphFiles(shardDir).size(),
          shard.multivectorPartsLoaded(),
          graphFiles(shardDir).toString());
      assertFalse(shard.info().optimizing(), "nothing to rebuild: " + shard.info());
      checkAgainstBruteForce(shard, queries, "rebuilt parts reloaded");
    } finally {
      shard.close();
    }
  }

  private void upsert(Shard shard, int from, int to) {
    for (int start = from; start < to; start += 100) {
      List<Point> batch = new ArrayList<>();
      for (int p = start; p < Math.min(to, start + 100); p++) {
        batch.add(point(p));
      }
      shard.upsert(batch, ++index);
    }
  }

  private Point point(int p) {
    float[] m = near(2 + random.nextInt(7));
    model.put(PointId.of(p), m);
    return new Point(PointId.of(p), Map.of("m", m), null);
  }

  private List<float[]> queries(int n) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(near(1 + random.nextInt(4)));
    }
    return out;
  }

  private static List<List<ScoredPoint>> search(Shard shard, List<float[]> queries) {
    List<List<ScoredPoint>> out = new ArrayList<>();
    for (float[] q : queries) {
      out.add(shard.search(new SearchRequest("m", q, 10, false, false, null, null, null, false)));
    }
    return out;
  }

  /**
   * Graph hits are live points with their true scores, recall@10 at least 0.8; exact equals brute
   * force.
   */
  private void checkAgainstBruteForce(Shard shard, List<float[]> queries, String at) {
    double recall = 0;
    for (float[] q : queries) {
      List<Map.Entry<PointId, Double>> truth = truth(q);
      Map<PointId, Double> own = new HashMap<>();
      truth.forEach(e -> own.put(e.getKey(), e.getValue()));
      List<ScoredPoint> graph =
          shard.search(new SearchRequest("m", q, 10, false, false, null, null, null, false));
      assertEquals(10, graph.size(), at);
      Set<PointId> top = new TreeSet<>();
      truth.subList(0, 10).forEach(e -> top.add(e.getKey()));
      for (ScoredPoint h : graph) {
        Double s = own.get(h.id());
        assertTrue(s != null, at + ": hit " + h.id() + " is deleted");
        assertEquals(s, h.score(), 1e-4, at + ": a stale score for " + h.id());
        recall += top.contains(h.id()) ? 0.1 : 0;
      }
      List<ScoredPoint> exact =
          shard.search(new SearchRequest("m", q, 10, false, false, null, null, null, true));
      for (int i = 0; i < 10; i++) {
        assertEquals(truth.get(i).getValue(), exact.get(i).score(), 1e-4, at + " exact rank " + i);
      }
    }
    recall /= queries.size();
    assertTrue(recall >= 0.8, at + ": recall@10 " + recall);
  }

  private List<Map.Entry<PointId, Double>> truth(float[] q) {
    List<Map.Entry<PointId, Double>> out = new ArrayList<>();
    float[] qn = normalized(q);
    model.forEach(
        (id, m) -> {
          float[] dn = normalized(m);
          double sum = 0;
          for (int i = 0; i < qn.length; i += DIM) {
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < dn.length; j += DIM) {
              double dot = 0;
              for (int x = 0; x < DIM; x++) {
                dot += (double) qn[i + x] * dn[j + x];
              }
              best = Math.max(best, dot);
            }
            sum += best;
          }
          out.add(Map.entry(id, sum));
        });
    out.sort(
        Comparator.comparing(Map.Entry<PointId, Double>::getValue)
            .reversed()
            .thenComparing(Map.Entry::getKey));
    return out;
  }

  private static float[] normalized(float[] rows) {
    float[] out = rows.clone();
    for (int r = 0; r < out.length; r += DIM) {
      double norm = 0;
      for (int x = 0; x < DIM; x++) {
        norm += (double) out[r + x] * out[r + x];
      }
      double n = Math.sqrt(norm);
      for (int x = 0; x < DIM; x++) {
        out[r + x] = (float) (out[r + x] / n);
      }
    }
    return out;
  }

  private float[] rows(int n) {
    float[] out = new float[n * DIM];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) random.nextGaussian();
    }
    return out;
  }

  private float[] near(int n) {
    float[] out = new float[n * DIM];
    for (int r = 0; r < n; r++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int x = 0; x < DIM; x++) {
        out[r * DIM + x] = c[x] + (float) random.nextGaussian() * 0.3f;
      }
    }
    return out;
  }

  private static Path graphDir(Path shardDir) {
    return shardDir.resolve(Shard.MULTIVECTORS_DIR);
  }

  private static Set<String> graphFiles(Path shardDir) throws IOException {
    if (!Files.isDirectory(graphDir(shardDir))) {
      return Set.of();
    }
    try (Stream<Path> list = Files.list(graphDir(shardDir))) {
      return new TreeSet<>(list.map(p -> p.getFileName().toString()).toList());
    }
  }

  private static long size(Path shardDir, String file) {
    try {
      return Files.size(graphDir(shardDir).resolve(file));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitIndexed(Shard shard) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (shard.info().optimizing()) {
      assertTrue(System.nanoTime() < deadline, "graphs not built in 120 s: " + shard.info());
      Thread.sleep(50);
    }
  }
}
