package io.quiver.storage.segment;

import io.quiver.storage.ShardConfig;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a shard's heap backlog bounded: a worker on the process' flush pool (never the Raft apply
 * thread; {@link SegmentWorkPool}) that, once the appendable segment holds {@code
 * indexing_threshold} KB, freezes it (a new one takes writes) and flushes it to a <em>plain</em>
 * sealed segment — vectors in a mapped file, no graph, scanned exactly — through the same
 * crash-safe swap as the optimizer's ({@link ShardSegments#swap}). The frozen segment's heap arrays
 * are garbage after the swap. The {@link SegmentOptimizer} builds the graphs of plain segments
 * later, on the optimizer pool, however long that takes; ingest never waits for it.
 *
 * <p>So the heap holds the appendable segment (one threshold plus what arrives while a flush runs)
 * and the one frozen segment being flushed; a flush writes one threshold's worth of vectors
 * sequentially and fsyncs it, much faster than ingest fills the next one. Should it fall behind
 * anyway, writes stall (at most 1 s each) once the two hold 4 thresholds ({@link
 * ShardSegments#awaitFlushBacklog}). A flush of a segment whose points were all deleted swaps it
 * for nothing. With {@code indexing_threshold} 0 (indexing disabled) segments are flushed at {@link
 * io.quiver.storage.OptimizersConfig#UNINDEXED_FLUSH_KB} and stay plain until indexing is enabled
 * again.
 */
final class SegmentFlusher extends SegmentWorker {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentFlusher.class);

  private final ShardConfig config;
  private final SegmentBuilder builder;
  private final Runnable flushed;

  /** {@code flushed} runs after each plain segment is swapped in (it wakes the optimizer). */
  SegmentFlusher(
      ShardSegments segments,
      ShardConfig config,
      SegmentBuilder builder,
      Runnable flushed,
      SegmentWorkPool pool) {
    super(segments, "flusher", pool);
    this.config = config;
    this.builder = builder;
    this.flushed = flushed;
  }

  /**
   * True when the appendable segment of {@code set} is due for a flush. Cheap: called on every
   * write, which wakes the flusher then; so an idle flusher needs no timer (it waits for a
   * wake-up).
   */
  boolean isDue(SegmentSet set) {
    return set.active().sizeKb() >= config.optimizers().flushThresholdKb();
  }

  /** True while a flush runs or one is due. */
  boolean hasWork() {
    SegmentSet set = segments.current();
    return isWorking() || !set.frozen().isEmpty() || isDue(set);
  }

  /**
   * Flushes a frozen segment, or freezes a full appendable one; false when there was nothing to do.
   */
  @Override
  protected boolean workOnce() throws Exception {
    SegmentSet set = segments.current();
    List<AppendableSegment> frozen = set.frozen();
    if (!frozen.isEmpty()) {
      working();
      flush(frozen.getFirst());
      return true;
    }
    if (isDue(set)) {
      working();
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
      result = builder.buildPlain(SegmentFiles.newName(true), origins, this::cancelled);
      if (result == null) {
        return; // cancelled: the shard is closing
      }
    }
    if (segments.swap(List.of(source), result, origins)) {
      LOG.info(
          "{}: flush of {} -> {} in {} ms",
          segments,
          source,
          result,
          (System.nanoTime() - start) / 1_000_000);
      flushed.run();
    }
  }
}
