package io.quiver.storage.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the pools shared by every shard's workers keep each shard's semantics and are fair. Oracle:
 * the order in which units ran, recorded by the units themselves. A shard with an endless backlog
 * does not hold back a shard woken later by more than one unit per turn (round robin, one unit
 * each); one worker's units never overlap, even on a pool of several threads; stopping a worker
 * waits for its own unit only, and a stopped worker runs no more units.
 */
@Timeout(60)
class SegmentWorkPoolTest {

  @TempDir Path dir;
  private ScheduledExecutorService timer;
  private ShardSegments segments;

  @BeforeEach
  void open() {
    timer = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void close() {
    if (segments != null) {
      segments.close();
    }
    timer.shutdownNow();
  }

  /**
   * A worker whose units record their name and take {@code unitMs}; {@code units} of them, or
   * endless when negative.
   */
  private static final class RecordingWorker extends SegmentWorker {
    private final String name;
    private final List<String> log;
    private final long unitMs;
    private final AtomicInteger left;
    private final AtomicInteger running = new AtomicInteger();
    volatile int maxOverlap;

    RecordingWorker(
        ShardSegments segments,
        SegmentWorkPool pool,
        String name,
        List<String> log,
        long unitMs,
        int units) {
      super(segments, name, pool);
      this.name = name;
      this.log = log;
      this.unitMs = unitMs;
      this.left = new AtomicInteger(units);
    }

    @Override
    protected boolean workOnce() throws Exception {
      if (left.get() == 0) {
        return false;
      }
      left.decrementAndGet();
      working();
      maxOverlap = Math.max(maxOverlap, running.incrementAndGet());
      try {
        Thread.sleep(unitMs);
        log.add(name);
      } finally {
        running.decrementAndGet();
      }
      return true;
    }
  }

  private ShardSegments segments(SegmentWorkPool pool) {
    ShardConfig config =
        ShardConfig.of(VectorsConfig.single(new VectorParams(4, Distance.DOT, false)));
    segments =
        ShardSegments.open(
            dir.resolve("s").resolve("segments"),
            config,
            new ReentrantReadWriteLock(),
            visitor -> {},
            (ids, versions) -> {},
            () -> {},
            pool,
            pool,
            2);
    return segments;
  }

  @Test
  void aShardWithAnEndlessBacklogTakesTurnsWithShardsWokenLater() throws Exception {
    try (SegmentWorkPool pool = new SegmentWorkPool("test-pool", 1, timer)) {
      ShardSegments s = segments(pool);
      List<String> log = new CopyOnWriteArrayList<>();
      RecordingWorker busy = new RecordingWorker(s, pool, "busy", log, 20, -1);
      RecordingWorker b = new RecordingWorker(s, pool, "b", log, 5, 3);
      RecordingWorker c = new RecordingWorker(s, pool, "c", log, 5, 3);
      busy.wake();
      while (log.size() < 3) {
        Thread.sleep(5);
      }
      b.wake();
      c.wake();
      while (log.stream().filter(n -> !n.equals("busy")).count() < 6) {
        Thread.sleep(5);
      }
      busy.stop();
      int firstOther = Math.min(log.indexOf("b"), log.indexOf("c"));
      int lastOther = Math.max(log.lastIndexOf("b"), log.lastIndexOf("c"));
      long busyBetween =
          log.subList(firstOther, lastOther + 1).stream().filter("busy"::equals).count();
      // Round robin: busy, b, c, busy, b, c, busy, b, c: busy runs at most one unit per turn (2
      // between
      // the first and the last of the others' 6 units), never its whole backlog first.
      assertTrue(
          busyBetween <= 3,
          "the busy shard ran " + busyBetween + " units among the others' 6: " + log);
      int after = log.size();
      Thread.sleep(100);
      assertTrue(log.size() <= after + 1, "a stopped worker runs no more units: " + log);
    }
  }

  @Test
  void oneWorkersUnitsNeverOverlapOnAPoolOfSeveralThreads() throws Exception {
    try (SegmentWorkPool pool = new SegmentWorkPool("test-pool", 4, timer)) {
      ShardSegments s = segments(pool);
      List<String> log = new CopyOnWriteArrayList<>();
      RecordingWorker w = new RecordingWorker(s, pool, "w", log, 2, 50);
      for (int i = 0; i < 50 && log.size() < 50; i++) {
        w.wake();
        Thread.sleep(1);
      }
      while (log.size() < 50) {
        w.wake();
        Thread.sleep(5);
      }
      assertEquals(1, w.maxOverlap, "units of one worker ran at once");
      assertEquals(50, w.completedUnits());
    }
  }

  @Test
  void stoppingAWorkerWaitsForItsOwnUnitOnly() throws Exception {
    try (SegmentWorkPool pool = new SegmentWorkPool("test-pool", 2, timer)) {
      ShardSegments s = segments(pool);
      List<String> log = new CopyOnWriteArrayList<>();
      RecordingWorker slow = new RecordingWorker(s, pool, "slow", log, 5_000, 1);
      RecordingWorker quick = new RecordingWorker(s, pool, "quick", log, 50, 1);
      slow.wake();
      while (!slow.isWorking()) {
        Thread.sleep(5);
      }
      quick.wake();
      while (!quick.isWorking()) {
        Thread.sleep(1);
      }
      long t0 = System.nanoTime();
      quick.stop();
      long stopMs = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(
          stopMs < 2_000, "stopping a worker waited " + stopMs + " ms: for another shard's unit?");
      assertEquals(List.of("quick"), log, "stop returned once its own unit ended");
    }
  }
}
