package io.quiver.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.RaftNode;
import io.quiver.consensus.TestNodes;
import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: an idle group's applier sleeps without losing a commit. Oracle: {@link
 * StateMachineUpdaterSignal.Pending} keeps a signal sent before the wait (Ratis' own signal loses
 * it) and wakes a waiter at a signal; on a real one-node server, the appliers of the meta group and
 * of every shard group wait on it, for groups added while running and for groups reopened at a
 * restart, and points written before and after the restart are all there.
 */
@Timeout(120)
class StateMachineUpdaterSignalTest {

  @TempDir Path dir;

  @Test
  void aSignalSentBeforeTheWaitIsTakenByIt() throws Exception {
    StateMachineUpdaterSignal.Pending signal = new StateMachineUpdaterSignal.Pending("t");
    signal.signal();
    long t0 = System.nanoTime();
    assertTrue(signal.await(100, TimeUnit.MILLISECONDS), "the earlier signal is taken");
    assertTrue(
        System.nanoTime() - t0
            < TimeUnit.MILLISECONDS.toNanos(StateMachineUpdaterSignal.IDLE_WAIT_MS),
        "taken without sleeping");
    assertFalse(
        signal.await(100, TimeUnit.MILLISECONDS), "taken once: the next wait ends without one");
  }

  @Test
  void aWaiterWakesAtASignal() throws Exception {
    StateMachineUpdaterSignal.Pending signal = new StateMachineUpdaterSignal.Pending("t");
    CountDownLatch waiting = new CountDownLatch(1);
    AtomicBoolean woken = new AtomicBoolean();
    Thread waiter =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    waiting.countDown();
                    woken.set(signal.await(100, TimeUnit.MILLISECONDS));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    waiting.await();
    signal.signal();
    waiter.join();
    assertTrue(woken.get(), "the wait ended by the signal, not by its timeout");
  }

  @Test
  void everyGroupsApplierWaitsOnTheKeptSignalAcrossARestart() throws Exception {
    int port = TestNodes.freePort();
    CollectionConfig config =
        new CollectionConfig(
            VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 3, 1, 1);
    RaftNode node = TestNodes.start(dir, 1, port, null, 1_000);
    try {
      CollectionDescriptor c = node.catalog().create("c", config).join();
      TestNodes.writePoints(node, c, 0, 20);
      assertEquals(
          4, assertAppliersWaitOnPending(node.server()), "the meta group and 3 shard groups");
    } finally {
      node.close();
    }
    node = TestNodes.start(dir, 1, port, null, 1_000);
    try {
      CollectionDescriptor c = node.catalog().get("c").orElseThrow();
      assertEquals(
          4, assertAppliersWaitOnPending(node.server()), "the groups reopened at the restart");
      TestNodes.writePoints(node, c, 20, 40);
      long total = 0;
      for (var shard : c.shardMap().shards()) {
        total +=
            node.shardClients()
                .forShard("c", shard)
                .count(io.quiver.sharding.ReadConsistency.LINEARIZABLE)
                .join();
      }
      assertEquals(40, total, "every point written before and after the restart");
    } finally {
      node.close();
    }
  }

  /**
   * Fails unless every division's applier waits on a {@link StateMachineUpdaterSignal.Pending};
   * returns how many there are.
   */
  private static int assertAppliersWaitOnPending(RaftServer server) throws Exception {
    int divisions = 0;
    for (RaftGroupId id : server.getGroupIds()) {
      RaftServer.Division division = server.getDivision(id);
      Object state = field(division, "state");
      Object updater =
          ((org.apache.ratis.util.MemoizedSupplier<?>) field(state, "stateMachineUpdater")).get();
      Object signal = field(updater, "awaitForSignal");
      assertTrue(
          signal instanceof StateMachineUpdaterSignal.Pending,
          id + " waits on " + signal.getClass().getName());
      divisions++;
    }
    return divisions;
  }

  private static Object field(Object owner, String name) throws ReflectiveOperationException {
    Field f = owner.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(owner);
  }
}
