package io.quiver.storage.segment;

import io.quiver.storage.ShardConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a shard's heap backlog bounded: one thread (never the Raft apply thread) that, once the
 * appendable segment holds {@code indexing_threshold} KB, freezes it (a new one takes writes) and
 * flushes it to a <em>plain</em> sealed segment — vectors in a mapped file, no graph, scanned
 * exactly — through the same crash-safe swap as the optimizer's ({@link ShardSegments#swap}). The
 * frozen segment's heap arrays are garbage after the swap. The {@link SegmentOptimizer} builds the
 * graphs of plain segments later, on its own thread, however long that takes; ingest never waits
 * for it.
 *
 * <p>So the heap holds the appendable segment (one threshold plus what arrives while a flush runs)
 * and the one frozen segment being flushed; a flush writes one threshold's worth of vectors
 * sequentially and fsyncs it, much faster than ingest fills the next one. Should it fall behind
 * anyway, writes stall (at most 1 s each) once the two hold 4 thresholds
 * ({@link ShardSegments#awaitFlushBacklog}). A flush of a
 * segment whose points were all deleted swaps it for nothing. With {@code indexing_threshold} 0
 * (indexing disabled) nothing is flushed: the appendable segment keeps every point, as before.
 */
final class SegmentFlusher {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentFlusher.class);
  /** How long closing waits for a flush in progress (it asks for cancellation every 4,096 vectors). */
  private static final long STOP_WAIT_MS = 10_000;

  private final ShardSegments segments;
  private final ShardConfig config;
  private final SegmentBuilder builder;
  private final Runnable flushed;
  private final ReentrantLock signalLock = new ReentrantLock();
  private final Condition signal = signalLock.newCondition();
  private boolean woken;
  private volatile boolean working;
  private volatile boolean stopped;
  private Thread thread;

  /** {@code flushed} runs after each plain segment is swapped in (it wakes the optimizer). */
  SegmentFlusher(ShardSegments segments, ShardConfig config, SegmentBuilder builder, Runnable flushed) {
    this.segments = segments;
    this.config = config;
    this.builder = builder;
    this.flushed = flushed;
  }

  void start() {
    thread = Thread.ofPlatform().daemon().name("flusher-" + segments.dir().getParent().getFileName()).start(this::run);
  }

  /** True when the appendable segment of {@code set} is due for a flush. Cheap: called on every write. */
  boolean isDue(SegmentSet set) {
    long threshold = config.optimizers().indexingThresholdKb();
    return threshold > 0 && set.active().sizeKb() >= threshold;
  }

  /** There may be a full appendable segment. Cheap; never blocks on a flush. */
  void wake() {
    signalLock.lock();
    try {
      woken = true;
      signal.signal();
    } finally {
      signalLock.unlock();
    }
  }

  /** True while a flush runs or one is due. */
  boolean hasWork() {
    SegmentSet set = segments.current();
    return working || !set.frozen().isEmpty() || isDue(set);
  }

  /** Stops the thread, waiting for a flush in progress to notice (it checks every 4,096 vectors). */
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
        LOG.warn("{}: flusher still busy after {} ms; leaving it to abandon its work", segments, STOP_WAIT_MS);
      }
    }
  }

  private void run() {
    while (!stopped) {
      try {
        if (!flushOne()) {
          awaitSignal();
        }
      } catch (Throwable e) {
        if (stopped || segments.isClosed()) {
          return;
        }
        LOG.error("{}: flush failed; retrying in a second", segments, e);
        sleepQuietly(1000);
      } finally {
        working = false;
      }
    }
  }

  /** Flushes a frozen segment, or freezes a full appendable one; false when there was nothing to do. */
  private boolean flushOne() throws Exception {
    SegmentSet set = segments.current();
    List<AppendableSegment> frozen = set.frozen();
    if (!frozen.isEmpty()) {
      working = true;
      flush(frozen.getFirst());
      return true;
    }
    if (isDue(set)) {
      working = true;
      segments.freezeActive();
      return true;
    }
    return false;
  }

  private void flush(AppendableSegment source) throws Exception {
    long start = System.nanoTime();
    List<SealedSegment.Origin> origins = ShardSegments.liveOrigins(source);
    SealedSegment result = null;
    if (!origins.isEmpty()) {
      result = builder.buildPlain(SegmentFiles.newName(true), origins, () -> stopped || segments.isClosed());
      if (result == null) {
        return; // cancelled: the shard is closing
      }
    }
    if (segments.swap(List.of(source), result, origins)) {
      LOG.info("{}: flush of {} -> {} in {} ms", segments, source, result, (System.nanoTime() - start) / 1_000_000);
      flushed.run();
    }
  }

  private void awaitSignal() throws InterruptedException {
    signalLock.lock();
    try {
      if (!woken && !stopped) {
        signal.await(1, TimeUnit.SECONDS);
      }
      woken = false;
    } finally {
      signalLock.unlock();
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
