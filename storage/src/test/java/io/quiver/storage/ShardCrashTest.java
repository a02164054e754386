package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a shard whose process is killed with SIGKILL at random moments — while its flusher and
 * optimizer are flushing, indexing, merging and vacuuming (tiny thresholds keep them swapping all
 * the time), or while ingest outruns indexing and full appendable segments are being flushed to
 * plain segments, or while sealed sparse parts are written and replaced — reopens equal to the
 * model up to its applied index, and never behind an acknowledged apply. Oracle: the child's seeded
 * operation stream ({@link ShardCrashChild#op}) replayed into a TreeMap up to the reopened shard's
 * applied index; compared: count, every point's vectors, exact search (dense, and sparse in the
 * sparse mode).
 */
@Timeout(120)
class ShardCrashTest {

  @TempDir Path dir;

  @Test
  void killedDuringOptimizerSwapsReopensEqualToTheModel() throws Exception {
    killAndCompare(ShardCrashChild.Mode.SWAPS, 4);
  }

  /** Sealed sparse parts written, absorbed, vacuumed (manifest, renames) while the process dies. */
  @Test
  void killedWhileSparsePartsAreSealedReopensEqualToTheModel() throws Exception {
    killAndCompare(ShardCrashChild.Mode.SPARSE, 4);
  }

  /**
   * The flusher's swap (a full appendable segment -&gt; a plain segment) while the optimizer is
   * busy building: each kill comes 0-300 ms after the child reported a plain segment waiting.
   */
  @Test
  void killedWhileIngestOutrunsIndexingReopensEqualToTheModel() throws Exception {
    killAndCompare(ShardCrashChild.Mode.BACKLOG, 3);
  }

  private void killAndCompare(ShardCrashChild.Mode mode, int rounds) throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    Path shardDir = dir.resolve("s");
    for (int round = 0; round < rounds; round++) {
      String at = mode + " seed " + seed + " round " + round;
      long acknowledged =
          runAndKill(
              shardDir,
              mode,
              seed,
              mode != ShardCrashChild.Mode.BACKLOG
                  ? 100 + random.nextInt(700)
                  : random.nextInt(300));
      // The killed child's storage engine, opened after the crash (and closed before the next
      // child).
      try (ShardResources engine =
              new ShardResources(
                  ShardResources.Settings.defaults(), shardDir.resolveSibling("engine"));
          Shard shard = Shard.openOrCreate(shardDir, null, engine)) {
        long applied = shard.appliedIndex();
        assertTrue(
            applied >= acknowledged,
            at + ": applied " + applied + " < acknowledged " + acknowledged);
        TreeMap<PointId, Map<String, float[]>> model = model(mode, seed, applied);
        assertEquals(model.size(), shard.count(), at);
        List<PointId> all = new ArrayList<>();
        for (int i = 0; i < mode.ids; i++) {
          all.add(PointId.of(i));
        }
        List<PointRecord> records = shard.retrieve(all, false, true);
        assertEquals(
            new ArrayList<>(model.keySet()), records.stream().map(PointRecord::id).toList(), at);
        for (PointRecord r : records) {
          assertArrayEquals(model.get(r.id()).get("a"), r.vectors().get("a"), at);
          assertArrayEquals(model.get(r.id()).get("b"), r.vectors().get("b"), at);
        }
        if (mode == ShardCrashChild.Mode.SPARSE) {
          TreeMap<PointId, io.quiver.index.sparse.SparseVector> sparse = sparseModel(seed, applied);
          for (int q = 0; q < 10; q++) {
            io.quiver.index.sparse.SparseVector query =
                SparseShardModelTest.randomSparse(random, 1 + random.nextInt(5));
            List<Map.Entry<PointId, Float>> truth = new ArrayList<>();
            sparse.forEach(
                (id, v) -> {
                  if (v.overlaps(query)) {
                    truth.add(Map.entry(id, v.dot(query)));
                  }
                });
            truth.sort(
                java.util.Comparator.comparing((Map.Entry<PointId, Float> e) -> e.getValue())
                    .reversed()
                    .thenComparing(Map.Entry::getKey));
            List<ScoredPoint> hits =
                shard.search(SearchRequest.sparse("s", query, 10, false, false, null, null));
            assertEquals(
                truth.stream().limit(10).map(Map.Entry::getKey).toList(),
                hits.stream().map(ScoredPoint::id).toList(),
                at + " sparse query " + query);
          }
        }
        for (int q = 0; q < 5; q++) {
          float[] query = SegmentedShardModelTest.randomVector(random, 4);
          List<ScoredPoint> hits =
              shard.search(new SearchRequest("a", query, 10, false, false, null, null, null, true));
          assertEquals(
              SegmentedShardModelTest.truth(model, Distance.EUCLID, query, 10),
              hits.stream().map(ScoredPoint::id).toList(),
              at);
        }
      }
    }
    // runAndKill asserts that the child had sealed a segment before each kill. How many points the
    // reopened shard still holds in sealed segments depends on how many the child overwrote after
    // the seal (a superseded copy is not live), so it is not asserted here.
  }

  /**
   * Starts the child, lets it run {@code millis} after its optimizer first indexed a segment (mode
   * swaps: the kill lands among swaps) or after it first reported a plain segment waiting (mode
   * backlog: the kill lands among flushes while the optimizer builds), kills it; returns its last
   * acknowledged index.
   */
  private static long runAndKill(Path shardDir, ShardCrashChild.Mode mode, long seed, long millis)
      throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                ShardCrashChild.class.getName(),
                shardDir.toString(),
                Long.toString(seed),
                mode.name())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    AtomicLong acknowledged = new AtomicLong(-1);
    java.util.concurrent.atomic.AtomicBoolean sealed =
        new java.util.concurrent.atomic.AtomicBoolean();
    Object started = new Object();
    Thread reader =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                      if (line.startsWith("applied ")) {
                        String[] words = line.split(" ");
                        acknowledged.set(Long.parseLong(words[1]));
                        long indexed = Long.parseLong(words[3]);
                        long plain = Long.parseLong(words[5]);
                        long sparseParts = Long.parseLong(words[7]);
                        if (switch (mode) {
                          case SWAPS -> indexed == 0;
                          case BACKLOG -> plain == 0;
                          case SPARSE -> sparseParts == 0;
                        }) {
                          continue; // kill only once swaps are under way (swaps) / plain segments
                          // wait (backlog)
                        }
                        synchronized (started) {
                          sealed.set(true);
                          started.notifyAll();
                        }
                      }
                    }
                  } catch (Exception e) {
                    // the child died: its output ends
                  }
                });
    try {
      synchronized (started) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!sealed.get() && child.isAlive() && System.currentTimeMillis() < deadline) {
          started.wait(100);
        }
      }
      assertTrue(
          sealed.get(),
          "the child never "
              + (mode == ShardCrashChild.Mode.SWAPS ? "indexed" : "flushed")
              + " a segment (exit "
              + (child.isAlive() ? "alive" : child.exitValue())
              + ")");
      Thread.sleep(millis);
    } finally {
      child.destroyForcibly(); // SIGKILL to the child's pid
      child.waitFor();
    }
    reader.join(5000);
    return acknowledged.get();
  }

  private static TreeMap<PointId, io.quiver.index.sparse.SparseVector> sparseModel(
      long seed, long upTo) {
    TreeMap<PointId, io.quiver.index.sparse.SparseVector> model = new TreeMap<>();
    for (long index = 0; index <= upTo; index++) {
      ShardCrashChild.Op op = ShardCrashChild.op(ShardCrashChild.Mode.SPARSE, seed, index);
      if (op.deletes() != null) {
        op.deletes().forEach(model::remove);
      } else {
        for (Point p : op.upserts()) {
          model.put(p.id(), p.sparse().get("s"));
        }
      }
    }
    return model;
  }

  private static TreeMap<PointId, Map<String, float[]>> model(
      ShardCrashChild.Mode mode, long seed, long upTo) {
    TreeMap<PointId, Map<String, float[]>> model = new TreeMap<>();
    for (long index = 0;
        index <= upTo;
        index++) { // a new shard's applied index is -1: the child applies entry 0 first
      ShardCrashChild.Op op = ShardCrashChild.op(mode, seed, index);
      if (op.deletes() != null) {
        op.deletes().forEach(model::remove);
      } else {
        for (Point p : op.upserts()) {
          model.put(p.id(), p.vectors());
        }
      }
    }
    return model;
  }
}
