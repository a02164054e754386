package io.quiver.consensus.raft;

import java.lang.reflect.Field;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.MemoizedSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets one Ratis server add several groups at the same time. Ratis 3.2.1 runs every group add and
 * remove of a server on one thread ({@code RaftServerProxy.implExecutor}, thread {@code
 * <id>-groupManagement}, created by a hard-coded single-thread executor with no setting): building
 * the division, opening its shard store (RocksDB) and starting it. A node given the 3 shard groups
 * of a new collection started them one after another, 0.1-0.25 s each on a busy 2-core machine, and
 * a collection create waited for the last one. Ratis itself starts the divisions of a server in
 * parallel when the server starts ({@code RaftServerProxy.start}), so divisions starting side by
 * side is a case it supports; only the add path is serial.
 *
 * <p>{@link #install} replaces that executor, before the server starts, with a pool of {@link
 * #THREADS} threads of the same name. The field is Ratis' private one: if a Ratis version renames
 * it, the server keeps its serial executor and the node logs that once (adds are then slower, never
 * wrong). Callers keep the order of adds and removes of one group themselves (the reconciler waits
 * for each), as they had to before.
 */
public final class GroupManagementThreads {

  private static final Logger LOG = LoggerFactory.getLogger(GroupManagementThreads.class);

  /** Groups added at once; a group add is mostly file creation and syncs, not CPU. */
  static final int THREADS = 4;

  private GroupManagementThreads() {}

  /**
   * Gives {@code server} (built, not started) a pool of group-management threads; returns whether
   * it could.
   */
  public static boolean install(RaftServer server) {
    try {
      Field field = server.getClass().getDeclaredField("implExecutor");
      field.setAccessible(true);
      Object current = field.get(server);
      if (!(current instanceof MemoizedSupplier<?> memoized)) {
        LOG.info(
            "group adds run one at a time: this Ratis version's group-management executor is not the expected one");
        return false;
      }
      String name = server.getId() + "-groupManagement-";
      AtomicInteger threads = new AtomicInteger();
      Supplier<ExecutorService> pool =
          () ->
              Executors.newFixedThreadPool(
                  THREADS,
                  r -> {
                    Thread t = new Thread(r, name + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                  });
      field.set(server, MemoizedSupplier.valueOf(pool));
      // A server built with groups (a bootstrap, or the groups of its directory) has already
      // queued their construction on the old executor: it finishes them, then its thread ends.
      if (memoized.isInitialized() && memoized.get() instanceof ExecutorService old) {
        old.shutdown();
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info(
          "group adds run one at a time: could not replace Ratis' group-management executor ({})",
          e.toString());
      return false;
    }
  }
}
