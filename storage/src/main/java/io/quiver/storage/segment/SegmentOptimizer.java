package io.quiver.storage.segment;

import io.quiver.storage.OptimizersConfig;
import io.quiver.storage.ShardConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background optimizer of one shard: a worker on the process' optimizer pool ({@link
 * SegmentWorkPool}; plus the HNSW builder's threads while a graph is built), never the Raft apply
 * thread. The {@link SegmentFlusher} turns full appendable segments into plain sealed segments on
 * the flush pool; each unit of the optimizer is the first job that applies:
 *
 * <ol>
 *   <li>index: build the HNSW graphs of the plain segments, oldest first, as many as fit in {@code
 *       max_segment_size} KB (at least one), into one indexed segment (so a backlog of plain
 *       segments left by a fast ingest is indexed in few large builds, not one build per flush);
 *   <li>quantize: rebuild the codes of an indexed segment whose codes are not those the config asks
 *       (the quantization changed: new codes, other codes, or none), keeping its graph;
 *   <li>vacuum: rebuild a sealed segment whose deleted fraction exceeds {@code deleted_threshold}
 *       and that has at least {@code vacuum_min_vector_number} deleted points;
 *   <li>merge: while there are more sealed segments than {@link OptimizersConfig#segmentTarget()},
 *       rebuild the smallest ones as one, never above {@code max_segment_size} KB.
 * </ol>
 *
 * then, when none applies (or in turns with the segment jobs while both have work), a unit of the
 * shard's {@link IndexWork} outside the segments (a multivector graph build, a sparse part), and
 * otherwise waits until a write wakes it; after writes, when the flush interval passes with no
 * further wake-up, it flushes the store. An idle shard with nothing to flush has no timer. Which
 * graph edges a build finds depends on timing; the points the shard holds, their versions and every
 * exact result do not.
 */
final class SegmentOptimizer extends SegmentWorker {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentOptimizer.class);

  private final ShardConfig config;
  private final Runnable flush;
  private final SegmentBuilder builder;

  /** Writes came since the last flush of the store. */
  private final AtomicBoolean dirty = new AtomicBoolean();

  /**
   * Index work outside the segments (multivector graphs), run when no segment job applies; null:
   * none.
   */
  private volatile IndexWork indexWork;

  /**
   * The last unit was a segment job: due index work goes first in the next one. Optimizer thread
   * only.
   */
  private boolean extraTurn;

  SegmentOptimizer(
      ShardSegments segments,
      ShardConfig config,
      SegmentBuilder builder,
      Runnable flush,
      SegmentWorkPool pool) {
    super(segments, "optimizer", pool);
    this.config = config;
    this.flush = flush;
    this.builder = builder;
  }

  /** Called after writes: there may be work. Cheap; never blocks on the optimizer's work. */
  @Override
  void wake() {
    dirty.set(true);
    super.wake();
  }

  /** True while a job runs or one is due. */
  boolean hasWork() {
    IndexWork extra = indexWork;
    return isWorking() || nextJob(segments.current()) != null || (extra != null && extra.isDue());
  }

  /** Sets the shard's index work outside the segments and looks for work. */
  void setIndexWork(IndexWork work) {
    this.indexWork = work;
    wake();
  }

  @Override
  protected boolean workOnce() throws Exception {
    IndexWork extra = indexWork;
    if (extraTurn && extra != null && extra.isDue()) {
      // segment jobs and index work take turns while both have work, so neither starves
      extraTurn = false;
      working();
      if (extra.runOnce(this::cancelled)) {
        return true;
      }
    }
    Job job = nextJob(segments.current());
    if (job == null) {
      if (extra == null || !extra.isDue()) {
        return false;
      }
      working();
      return extra.runOnce(this::cancelled);
    }
    extraTurn = true;
    working();
    job.run();
    return true;
  }

  /**
   * Waits the flush interval when writes came since the last flush of the store; else for a
   * wake-up.
   */
  @Override
  protected long idleWaitMs() {
    long sec = config.optimizers().flushIntervalSec();
    return sec > 0 && dirty.get() ? sec * 1000 : -1;
  }

  /** The flush interval passed after writes, with no wake-up: flushes the store. */
  @Override
  protected void idleWaitPassed() {
    if (config.optimizers().flushIntervalSec() > 0 && dirty.getAndSet(false)) {
      flush.run();
    }
  }

  private interface Job {
    void run() throws Exception;
  }

  /** The first job that applies to {@code set}, or null. */
  private Job nextJob(SegmentSet set) {
    OptimizersConfig o = config.optimizers();
    List<Segment> plain = o.indexingEnabled() ? indexCandidates(set.sealed(), o) : null;
    if (plain != null) {
      return () -> rebuild(plain, "index");
    }
    for (SealedSegment s : set.sealed()) {
      if (s.needsCodes()) {
        return () -> requantize(s);
      }
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

  /**
   * The oldest plain segments that fit in {@code max_segment_size} together (at least one), or
   * null.
   */
  private static List<Segment> indexCandidates(List<SealedSegment> sealed, OptimizersConfig o) {
    List<Segment> chosen = new ArrayList<>();
    long kb = 0;
    for (SealedSegment s : sealed) {
      if (s.isIndexed()) {
        continue;
      }
      if (!chosen.isEmpty() && kb + s.liveKb() > o.maxSegmentSizeKbOrDefault()) {
        break;
      }
      chosen.add(s);
      kb += s.liveKb();
    }
    return chosen.isEmpty() ? null : chosen;
  }

  /** The smallest indexed segments whose merge brings the count towards the target, or null. */
  private static List<Segment> mergeCandidates(List<SealedSegment> all, OptimizersConfig o) {
    List<SealedSegment> sealed = all.stream().filter(SealedSegment::isIndexed).toList();
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

  /**
   * Rebuilds the codes of an indexed segment for the current quantization config (graph and vectors
   * stay).
   */
  private void requantize(SealedSegment segment) throws Exception {
    long start = System.nanoTime();
    SegmentCodes codes = builder.buildCodes(segment, this::cancelled);
    if (codes == null || !segments.swapCodes(segment, codes)) {
      return;
    }
    LOG.info(
        "{}: quantized {} -> {} in {} ms",
        segments,
        segment,
        codes,
        (System.nanoTime() - start) / 1_000_000);
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
      result = builder.build(SegmentFiles.newName(false), origins, this::cancelled);
      if (result == null) {
        return; // cancelled: the shard is closing, the files are gone
      }
    }
    if (!segments.swap(sources, result, origins)) {
      return;
    }
    LOG.info(
        "{}: {} of {} -> {} in {} ms",
        segments,
        why,
        sources,
        result,
        (System.nanoTime() - start) / 1_000_000);
  }
}
