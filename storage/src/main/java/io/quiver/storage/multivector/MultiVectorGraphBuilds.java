package io.quiver.storage.multivector;

import io.quiver.index.hnsw.HnswGraph;
import io.quiver.storage.segment.IndexWork;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a shard's multivector graphs in the background, one per unit of the shard's optimizer (the
 * process' shared optimizer pool, plus the HNSW builder's threads): the inputs are taken under the
 * shard's read lock (a moment), the graph is built with no lock held while writes go on, written to
 * its file (no lock), and installed under the write lock (a moment) unless the store was compacted
 * meanwhile. Closing the shard cancels a build before its next node.
 */
public final class MultiVectorGraphBuilds implements IndexWork {

  private static final Logger LOG = LoggerFactory.getLogger(MultiVectorGraphBuilds.class);

  private final MultiVectorIndexes indexes;
  private final ReadWriteLock lock;
  private final String shard;
  private final int threads;

  /**
   * {@code lock} is the shard's lock guarding {@code indexes}; {@code shard} names the log lines; a
   * graph build runs on {@code threads} threads.
   */
  public MultiVectorGraphBuilds(
      MultiVectorIndexes indexes, ReadWriteLock lock, String shard, int threads) {
    this.indexes = indexes;
    this.lock = lock;
    this.shard = shard;
    this.threads = threads;
  }

  /**
   * The codes of the build's rows (null: no quantization, or too many rows for one code array:
   * logged).
   */
  private io.quiver.index.multivector.QuantizedMaxSim quantize(GraphBuild build) {
    try {
      return build.quantize();
    } catch (IllegalArgumentException e) {
      LOG.warn(
          "{}: the multivector graph of {} over ords [{}, {}) is searched unquantized: {}",
          shard,
          build.name(),
          build.from(),
          build.to(),
          e.getMessage());
      return null;
    }
  }

  @Override
  public boolean isDue() {
    return indexes.isDue();
  }

  @Override
  public boolean runOnce(BooleanSupplier cancelled) {
    GraphBuild build;
    lock.readLock().lock();
    try {
      build = indexes.nextBuild(threads);
    } finally {
      lock.readLock().unlock();
    }
    if (build == null) {
      return false;
    }
    long start = System.nanoTime();
    HnswGraph graph = build.run(cancelled);
    if (build.quantization() != null && cancelled.getAsBoolean()) {
      // The shard closes: it does not wait for the training (product k-means can take seconds).
      throw new io.quiver.index.hnsw.BuildCancelledException(build.nodes());
    }
    io.quiver.index.multivector.QuantizedMaxSim codes = quantize(build);
    java.nio.file.Path file = indexes.write(build, graph, codes);
    boolean installed;
    lock.writeLock().lock();
    try {
      installed = indexes.install(build, graph, file, codes);
    } finally {
      lock.writeLock().unlock();
    }
    LOG.info(
        "{}: multivector graph of {} over ords [{}, {}) ({} points, replacing {} parts) built in {} ms{}",
        shard,
        build.name().isEmpty() ? "\"\"" : build.name(),
        build.from(),
        build.to(),
        build.nodes(),
        build.absorbed().size(),
        (System.nanoTime() - start) / 1_000_000,
        installed ? "" : "; dropped (the store was compacted meanwhile)");
    return true;
  }
}
