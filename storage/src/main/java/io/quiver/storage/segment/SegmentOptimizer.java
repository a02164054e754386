package io.quiver.storage.segment;

import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.ShardConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background optimizer of one shard: one thread (plus the HNSW builder's threads while a
 * graph is built), never the Raft apply thread. Each round it does the first job that applies:
 *
 * <ol>
 *   <li>seal a frozen appendable segment: build its HNSW graphs into a sealed segment;
 *   <li>freeze the appendable segment once it holds {@code indexing_threshold} KB of vectors
 *       (0 disables indexing);
 *   <li>vacuum: rebuild a sealed segment whose deleted fraction exceeds {@code deleted_threshold}
 *       and that has at least {@code vacuum_min_vector_number} deleted points;
 *   <li>merge: while there are more sealed segments than {@link OptimizersConfig#segmentTarget()},
 *       rebuild the smallest ones as one, never above {@code max_segment_size} KB.
 * </ol>
 * and otherwise sleeps until a write wakes it (or the flush interval passes: it then flushes the
 * store when there were writes). Which graph edges a build finds depends on timing; the points
 * the shard holds, their versions and every exact result do not.
 */
final class SegmentOptimizer {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentOptimizer.class);
  /**
   * How long closing the shard waits for a job in progress. A graph build is not interruptible, and
   * the shard is closed on the Raft apply thread (snapshot install, config change), so it does not
   * wait for a long build: an abandoned job fails on its unmapped sources or finds the shard closed
   * at its swap (checked under the files lock, which close takes too), so it never writes the
   * manifest after close; files it leaves are unlisted and removed at the next open.
   */
  private static final long STOP_WAIT_MS = 10_000;

  private final ShardSegments segments;
  private final ShardConfig config;
  private final Runnable flush;
  private final SegmentBuilder builder;
  private final ReentrantLock signalLock = new ReentrantLock();
  private final Condition signal = signalLock.newCondition();
  private boolean woken;
  private boolean dirty;
  private volatile boolean working;
  private volatile boolean stopped;
  private Thread thread;

  SegmentOptimizer(ShardSegments segments, ShardConfig config, Runnable flush) {
    this.segments = segments;
    this.config = config;
    this.flush = flush;
    this.builder = new SegmentBuilder(segments.dir(), config, Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  void start() {
    thread = Thread.ofPlatform().daemon().name("optimizer-" + segments.dir().getParent().getFileName()).start(this::run);
  }

  /** Called after writes: there may be work. Cheap; never blocks on the optimizer's work. */
  void wake() {
    signalLock.lock();
    try {
      woken = true;
      dirty = true;
      signal.signal();
    } finally {
      signalLock.unlock();
    }
  }

  /** True while a job runs or one is due. */
  boolean hasWork() {
    return working || nextJob(segments.current()) != null;
  }

  /** Stops the thread, waiting for a job in progress to notice (it checks between steps). */
  void stop() {
    stopped = true;
    wake();
    if (thread != null && thread != Thread.currentThread()) {
      try {
        thread.join(STOP_WAIT_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        LOG.warn("{}: optimizer still busy after {} ms; leaving it to abandon its work", segments, STOP_WAIT_MS);
      }
    }
  }

  private void run() {
    while (!stopped) {
      try {
        Job job = nextJob(segments.current());
        if (job == null) {
          awaitSignal();
          continue;
        }
        working = true;
        job.run();
      } catch (Throwable e) {
        if (stopped || segments.isClosed()) {
          return;
        }
        LOG.error("{}: optimizer job failed; retrying in a second", segments, e);
        sleepQuietly(1000);
      } finally {
        working = false;
      }
    }
  }

  private void awaitSignal() throws InterruptedException {
    long intervalMs = config.optimizers().flushIntervalSec() > 0 ? config.optimizers().flushIntervalSec() * 1000 : 60_000;
    boolean flushNow;
    signalLock.lock();
    try {
      if (!woken) {
        signal.await(intervalMs, TimeUnit.MILLISECONDS);
      }
      flushNow = !woken && dirty && config.optimizers().flushIntervalSec() > 0;
      woken = false;
      if (flushNow) {
        dirty = false;
      }
    } finally {
      signalLock.unlock();
    }
    if (flushNow && !stopped) {
      flush.run();
    }
  }

  private interface Job {
    void run() throws Exception;
  }

  /** The first job that applies to {@code set}, or null. */
  private Job nextJob(SegmentSet set) {
    OptimizersConfig o = config.optimizers();
    List<AppendableSegment> frozen = set.frozen();
    if (!frozen.isEmpty()) {
      Segment source = frozen.getFirst();
      return () -> rebuild(List.of(source), "seal");
    }
    if (o.indexingThresholdKb() > 0 && set.active().sizeKb() >= o.indexingThresholdKb()) {
      return segments::freezeActive;
    }
    for (SealedSegment s : set.sealed()) {
      if (s.deletedCount() >= Math.max(1, o.vacuumMinVectorNumber())
          && s.deletedCount() > o.deletedThreshold() * s.size()) {
        return () -> rebuild(List.of(s), "vacuum");
      }
    }
    List<Segment> merge = mergeCandidates(set.sealed(), o);
    if (merge != null) {
      return () -> rebuild(merge, "merge");
    }
    return null;
  }

  /** The smallest sealed segments whose merge brings the count towards the target, or null. */
  private static List<Segment> mergeCandidates(List<SealedSegment> sealed, OptimizersConfig o) {
    int excess = sealed.size() - o.segmentTarget();
    if (excess <= 0) {
      return null;
    }
    List<SealedSegment> bySize = new ArrayList<>(sealed);
    bySize.sort(Comparator.comparingLong(SealedSegment::liveKb));
    List<Segment> chosen = new ArrayList<>();
    long kb = 0;
    for (SealedSegment s : bySize) {
      if (chosen.size() == excess + 1 || kb + s.liveKb() > o.maxSegmentSizeKbOrDefault()) {
        break;
      }
      chosen.add(s);
      kb += s.liveKb();
    }
    return chosen.size() >= 2 ? chosen : null;
  }

  /** Builds one sealed segment from the live points of {@code sources} and swaps it in. */
  private void rebuild(List<Segment> sources, String why) throws Exception {
    long start = System.nanoTime();
    List<SealedSegment.Origin> origins = new ArrayList<>();
    for (Segment s : sources) {
      origins.addAll(ShardSegments.liveOrigins(s));
    }
    SealedSegment result = null;
    if (!origins.isEmpty()) {
      String name = "s" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
      result = builder.build(name, origins, () -> stopped || segments.isClosed());
      if (result == null) {
        return;
      }
    }
    boolean swapped;
    try {
      swapped = segments.swap(sources, result, origins);
    } catch (Exception e) {
      if (result != null) {
        result.close();
      }
      throw e;
    }
    if (!swapped && result != null) {
      result.close();
      return;
    }
    LOG.info("{}: {} of {} -> {} in {} ms", segments, why, sources, result,
        (System.nanoTime() - start) / 1_000_000);
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
