package io.quiver.storage.sparse;

import io.quiver.storage.segment.IndexWork;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals a shard's sparse parts in the background, one part per unit of the shard's optimizer (never
 * the Raft apply thread): the build is planned under the shard's write lock (a moment: a full tail
 * is frozen, a new one takes writes), its files are written with no lock held (temporary name,
 * fsync, rename), the manifest naming it is replaced atomically, and the part is installed under
 * the write lock (a moment); the parts it replaces are unmapped and their files deleted after.
 * Closing the shard cancels a build between its steps; its files are removed.
 */
public final class SparsePartBuilds implements IndexWork {

  private static final Logger LOG = LoggerFactory.getLogger(SparsePartBuilds.class);

  private final SparseIndexes indexes;
  private final ReadWriteLock lock;

  /** {@code lock} is the shard's lock guarding {@code indexes}. */
  public SparsePartBuilds(SparseIndexes indexes, ReadWriteLock lock) {
    this.indexes = indexes;
    this.lock = lock;
  }

  @Override
  public boolean isDue() {
    return indexes.isDue();
  }

  @Override
  public boolean runOnce(BooleanSupplier cancelled) throws Exception {
    PartBuild build;
    lock.writeLock().lock();
    try {
      build = indexes.nextBuild();
    } finally {
      lock.writeLock().unlock();
    }
    if (build == null) {
      return false;
    }
    long start = System.nanoTime();
    PartBuild.Result result;
    try {
      result = build.run(() -> cancelled.getAsBoolean() || indexes.isClosed());
      java.util.Map<String, List<String>> manifest;
      lock.readLock().lock();
      try {
        manifest = indexes.manifestAfter(build);
      } finally {
        lock.readLock().unlock();
      }
      if (cancelled.getAsBoolean() || indexes.isClosed()) {
        result.index().close();
        build.deleteFiles();
        throw new PartBuild.Cancelled();
      }
      indexes.writeManifest(manifest);
    } catch (PartBuild.Cancelled e) {
      abandon(build);
      return true;
    } catch (Exception e) {
      abandon(build);
      throw e;
    }
    List<SparseIndexes.Part> replaced;
    lock.writeLock().lock();
    try {
      replaced =
          indexes.install(
              build, result.index(), result.ids(), result.fingerprints(), result.from());
    } finally {
      lock.writeLock().unlock();
    }
    indexes.discard(replaced);
    LOG.info(
        "{}: sparse part {} of {} ({} points, {} postings, replacing {} parts) built in {} ms",
        indexes.shard(),
        build.stem(),
        build.name().isEmpty() ? "\"\"" : build.name(),
        result.ids().length,
        result.index().postingCount(),
        build.sources().size(),
        (System.nanoTime() - start) / 1_000_000);
    return true;
  }

  private void abandon(PartBuild build) {
    lock.writeLock().lock();
    try {
      indexes.abandon(build);
    } finally {
      lock.writeLock().unlock();
    }
  }
}
