package io.quiver.consensus.shard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Goal: a replica's searches stay on the caller's thread only while they are quick, leave it after
 * one slow search, and come back once quick ones have brought the average down. Oracle: the moving
 * average's own arithmetic (weight 1/8), worked out by hand for the counts below.
 */
class LocalShardReplicaTest {

  private final LocalShardReplica replica = new LocalShardReplica(null, null, () -> true, r -> {});

  @Test
  void oneSlowSearchSendsTheNextOnesToThePoolUntilQuickOnesBringTheAverageDown() {
    assertTrue(replica.searchesAreQuick(), "a replica that has not searched yet");
    for (int i = 0; i < 100; i++) {
      replica.searched(TimeUnit.MICROSECONDS.toNanos(300));
    }
    assertTrue(replica.searchesAreQuick(), "after searches of 0.3 ms");
    replica.searched(TimeUnit.MILLISECONDS.toNanos(40)); // a full scan: the average passes 5 ms
    assertFalse(replica.searchesAreQuick(), "right after a search of 40 ms");
    // From about 5.3 ms, each 0.3 ms search takes an eighth of the distance to 0.3 ms off:
    // 5.0 ms * (7/8)^n < 0.7 ms needs n >= 15.
    for (int i = 0; i < 14; i++) {
      replica.searched(TimeUnit.MICROSECONDS.toNanos(300));
      assertFalse(replica.searchesAreQuick(), "after " + (i + 1) + " quick searches");
    }
    replica.searched(TimeUnit.MICROSECONDS.toNanos(300));
    assertTrue(replica.searchesAreQuick(), "after 15 quick searches");
  }

  @Test
  void searchesSteadilyOverTheLimitStayOffTheCallersThread() {
    for (int i = 0; i < 200; i++) {
      replica.searched(TimeUnit.MICROSECONDS.toNanos(1_200));
      assertFalse(i > 20 && replica.searchesAreQuick(), "after " + (i + 1) + " searches of 1.2 ms");
    }
  }
}
