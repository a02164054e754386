package io.quiver.storage;

import io.quiver.storage.segment.SegmentWorkPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What all shard replicas of a process share, so that an idle shard costs no thread and little
 * memory: the flush pool and the optimizer pool ({@link SegmentWorkPool}, one queue entry per shard
 * with work, fair between shards) and RocksDB's block cache and write-buffer manager ({@link
 * StoreMemory}), and the one RocksDB instance that holds every shard's store ({@link NodeEngine},
 * on that memory).
 *
 * <p>A process has one: {@link #install} sets it from the node's settings before any shard opens; a
 * process that installs none (tests, benchmarks) gets {@link Settings#defaults()} on first use,
 * with its engine in a new temporary directory (deleted when the process exits): its shards reopen
 * within the process, and a test that reopens shards in another process passes an engine directory
 * of its own to {@link #ShardResources(Settings, Path)}. Thread-safe.
 */
public final class ShardResources implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ShardResources.class);
  private static ShardResources processWide;

  /**
   * The sizes of what shards share.
   *
   * @param flushThreads threads that flush full appendable segments to plain ones, at least 1
   * @param optimizerThreads threads that index, quantize, vacuum and merge segments, at least 1 (a
   *     graph build also uses the cores on threads of its own while it runs)
   * @param blockCacheBytes RocksDB's block cache of all shards, memtables included
   * @param writeBufferBytes RocksDB's memtables of all shards, at most {@code blockCacheBytes}
   * @param indexingThreads threads one graph build (HNSW, dense or multivector) runs on, at least 1
   */
  public record Settings(
      int flushThreads,
      int optimizerThreads,
      long blockCacheBytes,
      long writeBufferBytes,
      int indexingThreads) {

    public Settings {
      if (flushThreads < 1 || optimizerThreads < 1 || indexingThreads < 1) {
        throw new IllegalArgumentException(
            "flush, optimizer and indexing threads must be at least 1, got "
                + flushThreads
                + ", "
                + optimizerThreads
                + " and "
                + indexingThreads);
      }
    }

    /**
     * Threads of a graph build for Qdrant's {@code optimizer_cpu_budget}: 0 (automatic) keeps one
     * core free for writes and searches when there are two or more, as Qdrant does; a negative
     * budget is subtracted from the cores; a positive one is used as it is. At least 1.
     */
    public static int indexingThreads(int cpuBudget) {
      int cores = Runtime.getRuntime().availableProcessors();
      int threads = cpuBudget > 0 ? cpuBudget : cpuBudget < 0 ? cores + cpuBudget : cores - 1;
      return Math.max(1, threads);
    }

    /** Flush threads: {@code min(2, cores)}. */
    public static int defaultFlushThreads() {
      return Math.min(2, Runtime.getRuntime().availableProcessors());
    }

    /** Optimizer threads: {@code max(1, cores / 2)}, so searches keep the other half. */
    public static int defaultOptimizerThreads() {
      return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    public static final long BLOCK_CACHE_BYTES_DEFAULT = 256L << 20;
    public static final long WRITE_BUFFER_BYTES_DEFAULT = 128L << 20;

    public static Settings defaults() {
      return new Settings(
          defaultFlushThreads(),
          defaultOptimizerThreads(),
          BLOCK_CACHE_BYTES_DEFAULT,
          WRITE_BUFFER_BYTES_DEFAULT,
          indexingThreads(0));
    }
  }

  private final Settings settings;
  private final ScheduledExecutorService timer;
  private final SegmentWorkPool flushes;
  private final SegmentWorkPool optimizations;
  private final StoreMemory storeMemory;
  private final NodeEngine engine;

  /** As {@link #ShardResources(Settings, Path)} with the engine in a new temporary directory. */
  public ShardResources(Settings settings) {
    this(settings, temporaryEngineDir());
  }

  /**
   * Starts the pools, allocates the shared cache and opens the storage engine in {@code engineDir};
   * {@link #close} when no shard uses them any more.
   */
  public ShardResources(Settings settings, Path engineDir) {
    this.settings = settings;
    this.storeMemory = new StoreMemory(settings.blockCacheBytes(), settings.writeBufferBytes());
    this.engine = new NodeEngine(engineDir, storeMemory);
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("segment-timer").factory());
    t.setRemoveOnCancelPolicy(
        true); // a wake-up cancels an idle wait: do not keep it until it was due
    this.timer = t;
    this.flushes = new SegmentWorkPool("segment-flush", settings.flushThreads(), timer);
    this.optimizations =
        new SegmentWorkPool("segment-optimize", settings.optimizerThreads(), timer);
  }

  /**
   * Sets what the shards of this process share; call once, before any shard opens.
   *
   * @throws IllegalStateException when shards already use other resources
   */
  public static synchronized ShardResources install(Settings settings, Path engineDir) {
    if (processWide != null) {
      if (processWide.settings.equals(settings)
          && processWide.engine.dir().equals(engineDir.toAbsolutePath().normalize())) {
        return processWide;
      }
      throw new IllegalStateException(
          "shard resources are already in use with "
              + processWide.settings
              + " and the "
              + processWide.engine);
    }
    processWide = new ShardResources(settings, engineDir);
    LOG.info("shards share: {}", processWide);
    return processWide;
  }

  /**
   * Closes the installed resources (after every shard closed: the node closes them last) and
   * forgets them; the next use installs defaults again.
   */
  public static synchronized void closeInstalled() {
    if (processWide != null) {
      processWide.close();
      processWide = null;
    }
  }

  private static Path temporaryEngineDir() {
    try {
      Path dir = Files.createTempDirectory("quiver-engine-");
      // RocksDB is not closed at exit (shards may still use it); Linux lets open files be deleted.
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try (var walk = Files.walk(dir)) {
                      walk.sorted(java.util.Comparator.reverseOrder())
                          .forEach(p -> p.toFile().delete());
                    } catch (IOException | RuntimeException ignored) {
                      // best effort: a temporary directory
                    }
                  },
                  "quiver-engine-cleanup"));
      return dir;
    } catch (IOException e) {
      throw new StorageException("cannot create a temporary directory for the storage engine", e);
    }
  }

  /** The resources of this process: those installed, else defaults (created on first use). */
  public static synchronized ShardResources processWide() {
    if (processWide == null) {
      processWide = new ShardResources(Settings.defaults());
    }
    return processWide;
  }

  public Settings settings() {
    return settings;
  }

  /** Threads one graph build runs on ({@link Settings#indexingThreads}). */
  public int indexingThreads() {
    return settings.indexingThreads();
  }

  public SegmentWorkPool flushes() {
    return flushes;
  }

  public SegmentWorkPool optimizations() {
    return optimizations;
  }

  StoreMemory storeMemory() {
    return storeMemory;
  }

  /** The RocksDB instance of every shard's store. */
  public NodeEngine engine() {
    return engine;
  }

  @Override
  public void close() {
    flushes.close();
    optimizations.close();
    timer.shutdownNow();
    engine.close();
    storeMemory.close();
  }

  @Override
  public String toString() {
    return flushes + ", " + optimizations + ", " + storeMemory + ", " + engine;
  }
}
