package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.shard.LocalShardReplica;
import io.quiver.consensus.shard.RaftShardClient;
import io.quiver.index.vector.Distance;
import io.quiver.sharding.ReadConsistency;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a linearizable read never returns a value older than one acknowledged before it began, even
 * when it reaches a deposed leader that has not noticed yet (the Jepsen delete-pause anomaly: a
 * node paused while it led a shard answered, after it resumed, from its own old state).
 *
 * <p>Three real Ratis servers with Quiver's server properties and shard state machines. The leader
 * {@code a} is then cut off in both directions (appendEntries and requestVote between it and the
 * others fail, through Ratis' own code-injection hook), which is what a paused process looks like
 * to the others. To keep {@code a} believing it leads, as a paused process does until its clock
 * moves on, its election timeout max is 60 s (Ratis steps a leader down only after that long
 * without a majority); its leader lease is off, as it is in effect once the lease (135 ms) has
 * lapsed. The other two elect a leader and acknowledge a newer value. Oracle: a linearizable read
 * sent to {@code a} returns the newer value (after the barrier times out on {@code a}, the client
 * tries the others). With Ratis' ReadIndex ({@code sendReadOnly}) it returned the older one, at
 * once, because an earlier heartbeat round had acknowledged {@code a}'s commit index.
 */
@Timeout(120)
class StaleLeaderReadTest {

  private static final VectorsConfig VECTORS =
      VectorsConfig.single(new VectorParams(2, Distance.DOT, false));
  private static final PointId KEY = PointId.of(5);

  /** Ratis' injection points (APPEND_ENTRIES and REQUEST_VOTE, package-private there). */
  private static final String APPEND_ENTRIES = "RaftServerImpl.appendEntries";

  private static final String REQUEST_VOTE = "RaftServerImpl.requestVote";

  @TempDir Path dir;

  private final ExecutorService replies = Executors.newSingleThreadExecutor();
  private ShardGroupCluster cluster;
  private volatile RaftPeerId isolated;

  @AfterEach
  void tearDown() throws Exception {
    isolated = null;
    CodeInjectionForTesting.remove(APPEND_ENTRIES);
    CodeInjectionForTesting.remove(REQUEST_VOTE);
    if (cluster != null) {
      cluster.close();
    }
    replies.shutdownNow();
  }

  @Test
  void aDeposedLeaderDoesNotAnswerALinearizableReadFromItsOldState() throws Exception {
    cluster = new ShardGroupCluster(dir, VECTORS);
    RaftGroup group =
        cluster.start(
            List.of("a", "b", "c"),
            (id, p) -> {
              if (id.toString().equals("a")) {
                RaftServerConfigKeys.Rpc.setTimeoutMax(
                    p, TimeDuration.valueOf(60, TimeUnit.SECONDS));
                RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, false);
                RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(
                    p, TimeDuration.valueOf(150, TimeUnit.MILLISECONDS));
                RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(
                    p, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
              } else {
                // b and c never start the first election, so that a leads
                RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(
                    p, TimeDuration.valueOf(20, TimeUnit.SECONDS));
                RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(
                    p, TimeDuration.valueOf(21, TimeUnit.SECONDS));
              }
            });
    RaftPeerId a = RaftPeerId.valueOf("a");
    awaitLeader(group, Set.of(a));

    RaftShardClient viaA = shardClient(group, a);
    viaA.upsert(List.of(point(1))).get(10, TimeUnit.SECONDS);
    assertValue(
        1,
        viaA.retrieve(List.of(KEY), false, true, ReadConsistency.LINEARIZABLE)
            .get(10, TimeUnit.SECONDS));
    // a few more rounds: each read confirms a's leadership at its commit index
    for (int i = 0; i < 5; i++) {
      assertValue(
          1,
          viaA.retrieve(List.of(KEY), false, true, ReadConsistency.LINEARIZABLE)
              .get(10, TimeUnit.SECONDS));
    }

    isolate(a);
    RaftPeerId newLeader =
        awaitLeader(group, Set.of(RaftPeerId.valueOf("b"), RaftPeerId.valueOf("c")));
    assertTrue(cluster.info(cluster.servers().getFirst()).isLeader(), "a still believes it leads");
    RaftShardClient viaNewLeader = shardClient(group, newLeader);
    viaNewLeader.upsert(List.of(point(2))).get(20, TimeUnit.SECONDS);

    // The barrier cannot commit through a; after the request timeout the client tries the others.
    assertValue(
        2,
        viaA.retrieve(List.of(KEY), false, true, ReadConsistency.LINEARIZABLE)
            .get(60, TimeUnit.SECONDS));
  }

  private RaftShardClient shardClient(RaftGroup group, RaftPeerId leader) {
    return new RaftShardClient(
        "shard via " + leader,
        cluster.client(leader, 30),
        null,
        () -> {},
        replies,
        4 * 1024 * 1024 - RaftNode.ENTRY_HEADROOM_BYTES);
  }

  /**
   * appendEntries and requestVote between {@code peer} and the others fail from now on, both ways.
   */
  /**
   * Reads this node's own replica may answer are answered by it in-process (LocalShardReplica), and
   * only those. A follower is cut off after value 1, and the others commit value 2. Oracle, through
   * a shard client whose local replica is that follower: a read of any replica returns 1 (the
   * follower's own state: it cannot have come from the others); a read of any replica that has
   * applied value 2's write, and a leader read, return 2 (the follower is behind, and not the
   * leader: both go to the leader).
   */
  @Test
  void readsTheLocalReplicaMayAnswerAreAnsweredInProcess() throws Exception {
    cluster = new ShardGroupCluster(dir, VECTORS);
    RaftGroup group = cluster.start(List.of("a", "b", "c"), (id, p) -> {});
    RaftPeerId leader =
        awaitLeader(
            group,
            Set.of(RaftPeerId.valueOf("a"), RaftPeerId.valueOf("b"), RaftPeerId.valueOf("c")));
    RaftPeerId follower =
        cluster.servers().stream()
            .map(RaftServer::getId)
            .filter(id -> !id.equals(leader))
            .findFirst()
            .orElseThrow();
    RaftShardClient viaLeader = shardClient(group, leader);
    long first = viaLeader.upsert(List.of(point(1))).get(10, TimeUnit.SECONDS);
    awaitApplied(follower, first);

    isolate(follower);
    long second = viaLeader.upsert(List.of(point(2))).get(30, TimeUnit.SECONDS);
    RaftShardClient local =
        new RaftShardClient(
            "shard with a local follower",
            cluster.client(leader, 30),
            new LocalShardReplica(
                cluster.server(follower), group.getGroupId(), () -> true, replies),
            () -> {},
            replies,
            4 * 1024 * 1024 - RaftNode.ENTRY_HEADROOM_BYTES);
    assertValue(
        1,
        local.retrieve(List.of(KEY), false, true, ReadConsistency.ANY).get(10, TimeUnit.SECONDS));
    assertValue(
        2,
        local
            .retrieve(List.of(KEY), false, true, ReadConsistency.anyAfter(second))
            .get(30, TimeUnit.SECONDS));
    assertValue(
        2,
        local
            .retrieve(List.of(KEY), false, true, ReadConsistency.LEADER)
            .get(30, TimeUnit.SECONDS));
    // not a member of the configuration (a replica still joining): never read
    RaftShardClient joining =
        new RaftShardClient(
            "shard with a joining local replica",
            cluster.client(leader, 30),
            new LocalShardReplica(
                cluster.server(follower), group.getGroupId(), () -> false, replies),
            () -> {},
            replies,
            4 * 1024 * 1024 - RaftNode.ENTRY_HEADROOM_BYTES);
    assertValue(
        2,
        joining.retrieve(List.of(KEY), false, true, ReadConsistency.ANY).get(30, TimeUnit.SECONDS));
  }

  private void awaitApplied(RaftPeerId peer, long index) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (cluster.info(cluster.server(peer)).getLastAppliedIndex() < index) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(peer + " did not apply " + index + " within 30 s");
      }
      Thread.sleep(20);
    }
  }

  private void isolate(RaftPeerId peer) {
    isolated = peer;
    CodeInjectionForTesting.Code cut =
        (local, remote, args) -> {
          RaftPeerId cutOff = isolated;
          if (cutOff != null
              && remote != null
              && !String.valueOf(local).equals(String.valueOf(remote))
              && (cutOff.toString().equals(String.valueOf(local))
                  || cutOff.toString().equals(String.valueOf(remote)))) {
            throw new IllegalStateException("test partition: " + remote + " -> " + local + " cut");
          }
          return false;
        };
    CodeInjectionForTesting.put(APPEND_ENTRIES, cut);
    CodeInjectionForTesting.put(REQUEST_VOTE, cut);
  }

  private RaftPeerId awaitLeader(RaftGroup group, Set<RaftPeerId> among) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (RaftServer s : cluster.servers()) {
        var info = cluster.info(s);
        if (among.contains(s.getId()) && info.isLeader() && info.isLeaderReady()) {
          return s.getId();
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no leader among " + among + " within 30 s");
  }

  private static Point point(int v) {
    return new Point(KEY, Map.of("", new float[] {v, 1}), Payload.EMPTY);
  }

  private static void assertValue(int v, List<PointRecord> read) {
    assertEquals(1, read.size(), "point " + KEY + " is present");
    assertArrayEquals(
        new float[] {v, 1}, read.getFirst().vectors().get(""), "value of point " + KEY);
  }
}
