package io.quiver.storage.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.storage.HnswConfig;
import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.Shard;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: closing a shard (what a Raft snapshot install, a settings change or a collection delete
 * does, on the apply thread) while its optimizer builds a large graph cancels the build: close
 * returns promptly, the build's files (the temporary raw vectors, a partial graph) are gone, the
 * manifest still names the plain segments the build would have replaced, and the shard reopens
 * equal to its model — and closes promptly again while the reopened optimizer restarts the build.
 *
 * <p>Oracle: a TreeMap of what was upserted (count, every vector, brute-force exact top 10), and
 * the manifest: every file in {@code segments/} belongs to a segment it names. "Promptly" is 5 s
 * against a build of 100,000 points at ef_construct 400 that takes minutes on the 2-core machine
 * (the optimizer's old behaviour was to wait 10 s, then abandon the build).
 */
@Timeout(180)
class ShardCloseCancelsIndexingTest {

  private static final int N = 100_000;
  private static final int DIM = 32;
  private static final long PROMPT_MS = 5_000;

  @TempDir Path dir;

  @Test
  void closeCancelsALargeBuildRemovesItsFilesAndTheShardReopensEqualToItsModel() throws Exception {
    ShardConfig config =
        new ShardConfig(
            VectorsConfig.single(new VectorParams(DIM, Distance.EUCLID, true)),
            new HnswConfig(16, 400, 0, true),
            new OptimizersConfig(0.2, 1000, 2, null, 1_000, 0));
    Path shardDir = dir.resolve("s");
    Path segmentsDir = shardDir.resolve("segments");
    Random random = new Random(11);
    TreeMap<PointId, float[]> model = new TreeMap<>();
    Shard shard = Shard.openOrCreate(shardDir, config);
    try {
      long index = 0;
      for (int first = 0; first < N; first += 1000) {
        List<Point> batch = new ArrayList<>();
        for (int id = first; id < first + 1000; id++) {
          float[] v = vector(random);
          batch.add(new Point(PointId.of(id), Map.of(VectorsConfig.DEFAULT, v), Payload.EMPTY));
          model.put(PointId.of(id), v);
        }
        shard.upsert(batch, ++index);
      }
      awaitLargeBuild(segmentsDir);
      Thread.sleep(500);
      SegmentsInfo before = shard.segmentsInfo();
      assertTrue(
          before.optimizing() && before.plainSegments() > 0,
          "the build of the plain segments runs: " + before);
      assertTrue(before.indexedVectors() < N / 2, "most points wait in plain segments: " + before);
    } finally {
      closePromptly(shard);
    }
    assertOnlyManifestFiles(segmentsDir, config);
    assertTrue(
        SegmentFiles.readManifest(segmentsDir).stream().anyMatch(SegmentFiles::isPlain),
        "the cancelled build replaced nothing: plain segments remain "
            + SegmentFiles.readManifest(segmentsDir));

    shard = Shard.open(shardDir);
    try {
      assertEquals(N, shard.count());
      List<PointRecord> records = shard.retrieve(new ArrayList<>(model.keySet()), false, true);
      assertEquals(N, records.size());
      for (PointRecord r : records) {
        assertArrayEquals(
            model.get(r.id()), r.vectors().get(VectorsConfig.DEFAULT), "point " + r.id());
      }
      for (int q = 0; q < 5; q++) {
        float[] query = vector(random);
        List<ScoredPoint> hits =
            shard.search(
                new SearchRequest(
                    VectorsConfig.DEFAULT, query, 10, false, false, null, null, null, true));
        assertEquals(
            exactTop10(model, query), hits.stream().map(ScoredPoint::id).toList(), "query " + q);
      }
    } finally {
      closePromptly(shard); // the reopened optimizer is building again
    }
    assertOnlyManifestFiles(segmentsDir, config);
  }

  /** Waits until the optimizer copied at least half of the points into a build's temporary file. */
  private static void awaitLargeBuild(Path segmentsDir) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Stream<Path> files = Files.list(segmentsDir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (f.getFileName().toString().endsWith(".vec")
              && sizeOrZero(f) >= (long) N / 2 * DIM * Float.BYTES) {
            return;
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the optimizer never started a build of the plain segments");
  }

  private static long sizeOrZero(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return 0; // removed meanwhile
    }
  }

  private static void closePromptly(Shard shard) {
    long start = System.nanoTime();
    shard.close();
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < PROMPT_MS, "close took " + ms + " ms");
  }

  /**
   * Every file in the directory belongs to a segment the manifest names (no temporary or partial
   * file).
   */
  private static void assertOnlyManifestFiles(Path segmentsDir, ShardConfig config)
      throws IOException {
    Set<Path> named = new HashSet<>();
    named.add(segmentsDir.resolve(SegmentFiles.MANIFEST));
    for (String name : SegmentFiles.readManifest(segmentsDir)) {
      named.addAll(SegmentFiles.filesOf(segmentsDir, name, config.vectors().vectors().size()));
    }
    try (Stream<Path> files = Files.list(segmentsDir)) {
      List<Path> stray = files.filter(f -> !named.contains(f)).toList();
      assertEquals(List.of(), stray, "files the manifest does not name");
    }
  }

  private static List<PointId> exactTop10(TreeMap<PointId, float[]> model, float[] query) {
    Comparator<PointId> bySimilarity =
        Comparator.comparingDouble(id -> Distance.EUCLID.similarity(query, model.get(id)));
    return model.keySet().stream()
        .sorted(bySimilarity.reversed().thenComparing(id -> id))
        .limit(10)
        .toList();
  }

  private static float[] vector(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return v;
  }
}
