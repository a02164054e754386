package io.quiver.consensus.shard;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that write shard snapshots' store files ({@link ShardStateMachine#takeSnapshot}), off
 * the Raft groups' apply threads. Shared by every shard replica of the process, so that their
 * number does not grow with the groups: at most max(1, cores / 2) snapshots are written at once
 * (each replica writes one at a time); idle threads end after 30 s.
 */
public final class SnapshotWriters {

  private static final ThreadPoolExecutor POOL;

  static {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    POOL =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            Thread.ofPlatform().daemon().name("shard-snapshot-writer-", 0).factory());
    POOL.allowCoreThreadTimeOut(true);
  }

  /** Replaces the pool in tests that must hold snapshot writes back; null: the pool. */
  private static volatile Executor override;

  private SnapshotWriters() {}

  static Executor executor() {
    Executor e = override;
    return e != null ? e : POOL;
  }

  /** For tests: snapshot writes go to {@code executor} until called again with null. */
  public static void overrideForTests(Executor executor) {
    override = executor;
  }
}
