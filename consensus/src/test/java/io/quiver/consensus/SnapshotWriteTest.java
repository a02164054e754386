package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.shard.ShardStateMachine;
import io.quiver.consensus.shard.SnapshotWriters;
import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a shard snapshot's store files are written off the Raft apply thread, and Ratis purges its
 * log only up to complete snapshots. With the snapshot writers held back, 300 writes past a
 * threshold of 20 all commit, no snapshot completes and the log keeps its first entries (the old
 * synchronous snapshot would have purged it); released, the snapshot completes, the writes after it
 * report it and the log is purged. Oracle: the writes' completions, the count, the state machine's
 * latest complete snapshot and the Raft log's start index.
 */
@Timeout(120)
class SnapshotWriteTest {

  @TempDir Path dir;

  @Test
  void snapshotsAreWrittenOffTheApplyThreadAndTheLogIsPurgedOnlyUpToCompleteOnes()
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService writer = Executors.newSingleThreadExecutor();
    holdSnapshotWriters(writer, release);
    RaftNode n = TestNodes.start(dir, 1, TestNodes.freePort(), null, 20);
    try {
      CollectionDescriptor c =
          n.catalog()
              .create(
                  "c",
                  new CollectionConfig(
                      VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 1, 1, 1))
              .join();
      TestNodes.writePoints(n, c, 0, 300);
      assertEquals(
          300,
          TestNodes.countPoints(n, c),
          "every write committed and applied while the snapshot writer was held");
      RaftServer.Division division = shardDivision(n);
      ShardStateMachine machine = (ShardStateMachine) division.getStateMachine();
      assertNull(
          machine.getStateMachineStorage().getLatestSnapshot(),
          "no snapshot completes while its writer is held");
      long startHeld = division.getRaftLog().getStartIndex();
      assertTrue(
          startHeld <= 1, "nothing purged without a complete snapshot: log starts at " + startHeld);

      release.countDown();
      long deadline = System.nanoTime() + 60_000_000_000L;
      int next = 300;
      while (division.getRaftLog().getStartIndex() <= 1 && System.nanoTime() < deadline) {
        TestNodes.writePoints(
            n, c, next,
            next + 20); // each round of writes reports a finished snapshot and may start the next
        next += 20;
        Thread.sleep(50);
      }
      assertNotNull(
          machine.getStateMachineStorage().getLatestSnapshot(), "snapshots complete once written");
      assertTrue(
          division.getRaftLog().getStartIndex() > 1,
          "the log is purged up to complete snapshots: starts at "
              + division.getRaftLog().getStartIndex());
      assertEquals(next, TestNodes.countPoints(n, c));
    } finally {
      SnapshotWriters.overrideForTests(null);
      release.countDown();
      TestNodes.closeAll(n);
      writer.shutdownNow();
    }
  }

  /**
   * Goal: a node closed while a snapshot write waits for a writer thread closes (the write is
   * abandoned: its pinned state released, its unfinished directory removed), and reopens with every
   * point. Oracle: close returns, no snapshot directory is left, the count after a restart.
   */
  @Test
  void aHeldSnapshotWriteIsAbandonedWhenTheNodeCloses() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService writer = Executors.newSingleThreadExecutor();
    holdSnapshotWriters(writer, release);
    int port = TestNodes.freePort();
    RaftNode n = TestNodes.start(dir, 1, port, null, 20);
    Path snapshots;
    CollectionDescriptor c;
    try {
      c =
          n.catalog()
              .create(
                  "c",
                  new CollectionConfig(
                      VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 1, 1, 1))
              .join();
      TestNodes.writePoints(n, c, 0, 60);
      snapshots =
          ((ShardStateMachine) shardDivision(n).getStateMachine())
              .getStateMachineStorage()
              .snapshotsDir();
      try (var listed = java.nio.file.Files.list(snapshots)) {
        assertEquals(1, listed.count(), "one snapshot begun, held: " + snapshots);
      }
    } finally {
      TestNodes.closeAll(n); // must not wait for the held writer
    }
    try (var listed = java.nio.file.Files.list(snapshots)) {
      assertEquals(0, listed.count(), "the abandoned snapshot's directory is removed");
    }
    release.countDown();
    SnapshotWriters.overrideForTests(null);
    writer.shutdown();
    RaftNode again = TestNodes.start(dir, 1, port, null, 20);
    try {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (System.nanoTime() < deadline) {
        try {
          if (TestNodes.countPoints(again, c) == 60) {
            break;
          }
        } catch (RuntimeException notYet) {
          // the group is still starting
        }
        Thread.sleep(100);
      }
      assertEquals(60, TestNodes.countPoints(again, c), "every point after the restart");
    } finally {
      TestNodes.closeAll(again);
    }
  }

  /** Snapshot writes go to {@code writer} and wait there until {@code release} opens. */
  private static void holdSnapshotWriters(ExecutorService writer, CountDownLatch release) {
    SnapshotWriters.overrideForTests(
        task ->
            writer.execute(
                () -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                  task.run();
                }));
  }

  private static RaftServer.Division shardDivision(RaftNode n) throws Exception {
    for (var id : n.server().getGroupIds()) {
      RaftServer.Division d = n.server().getDivision(id);
      if (d.getStateMachine() instanceof ShardStateMachine) {
        return d;
      }
    }
    throw new AssertionError("no shard group on the node");
  }
}
