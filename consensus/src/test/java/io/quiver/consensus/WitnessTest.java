package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.raft.RaftStatus;
import io.quiver.consensus.shard.WitnessStateMachine;
import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardPlacement;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard of replication_factor 2 on three real Ratis servers: replicas on nodes 1 and 2, its
 * witness on node 3 (a voter that keeps the log but no shard). Goal: the witness is what lets the
 * group commit with a data replica down, and its log is what brings that replica back. Node 2
 * stops; 150 writes commit on node 1 and the witness (more than the replicas keep in their logs
 * behind a snapshot: snapshots every 20 entries, 80 kept); node 1 stops too; node 2 returns. Only
 * the witness holds those writes now: it wins the election (its log is longer), catches node 2 up
 * from its log, and hands leadership over (priority); reads and writes through node 2 then succeed
 * (the witness's refusals are retried by the shard client) and node 2's own replica holds every
 * write. The witness's directory holds no shard and its snapshot record advanced.
 */
@Timeout(180)
class WitnessTest {

  @TempDir Path dir;

  private RaftNode start(long id, int port, Integer bootstrapPort) throws IOException {
    return TestNodes.start(dir, id, port, bootstrapPort, 20);
  }

  @Test
  void theWitnessKeepsTheGroupWritableAndCatchesAReturningReplicaUp() throws Exception {
    int p1 = TestNodes.freePort();
    int p2 = TestNodes.freePort();
    int p3 = TestNodes.freePort();
    RaftNode n1 = start(1, p1, null);
    // The other two start at the same moment, as an operator starts them.
    CompletableFuture<RaftNode> f2 = TestNodes.startAsync(dir, 2, p2, p1, 20);
    CompletableFuture<RaftNode> f3 = TestNodes.startAsync(dir, 3, p3, p1, 20);
    RaftNode n2 = f2.join();
    RaftNode n3 = f3.join();
    try {
      CollectionConfig config =
          new CollectionConfig(
              VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 1, 2, 1);
      CollectionDescriptor c = n1.catalog().create("c", config).join();
      ShardPlacement shard = c.shardMap().shard(0);
      assertEquals(List.of(1L, 2L), shard.replicas());
      assertEquals(List.of(3L), shard.witnesses());
      RaftGroupId group = RaftGroupId.valueOf(shard.groupId());
      Path witnessDir = n3.config().raftDir().resolve(shard.groupId().toString());
      awaitTrue(() -> n3.hostsWitness(group), "node 3 hosts the group as its witness");
      for (int i = 0; i < 10; i++) {
        write(n1, shard, i);
      }

      n2.close();
      n2 = null;
      for (int i = 10; i < 160; i++) {
        write(n1, shard, i);
      }
      assertEquals(
          160, n1.shardClients().forShard("c", shard).count(ReadConsistency.LINEARIZABLE).join());
      String record = Files.readString(witnessDir.resolve(WitnessStateMachine.MARKER));
      n1.close();
      n1 = null;

      n2 = start(2, p2, p3);
      RaftNode via = n2;
      // The group elects the witness first (its log is the longer one); wait for a leader before
      // writing (PeerReconnects brings the witness's channel to node 2 out of gRPC's backoff).
      awaitTrue(
          () ->
              n3.shardStatus(shard.groupId()).map(s -> s.leaderNodeId() != null).orElse(false)
                  || via.shardStatus(shard.groupId())
                      .map(s -> s.leaderNodeId() != null)
                      .orElse(false),
          "a leader",
          30_000);
      // Node 2's first request may meet the witness leading: it is retried until node 2 leads.
      write(via, shard, 160);
      assertEquals(
          161, via.shardClients().forShard("c", shard).count(ReadConsistency.LINEARIZABLE).join());
      awaitTrue(
          () -> via.shardClients().forShard("c", shard).count(ReadConsistency.ANY).join() == 161,
          "node 2's own replica holds the writes only the witness had");
      awaitTrue(
          () ->
              via.shardStatus(shard.groupId())
                  .map(s -> s.role() == RaftStatus.Role.Leader)
                  .orElse(false),
          "leadership is with the data replica");

      assertFalse(
          Files.exists(witnessDir.resolve("sm").resolve("shard")), "the witness keeps no shard");
      assertTrue(
          record.startsWith("witness\n") && record.lines().count() == 2,
          "the witness recorded a snapshot: " + record);
      assertEquals(
          1,
          n3.localReplicas().size(),
          "the witness's group is in the node's figures: " + n3.localReplicas());
      assertEquals(null, n3.localReplicas().getFirst().shard(), "without shard figures");
      var error =
          org.junit.jupiter.api.Assertions.assertThrows(
              java.util.concurrent.CompletionException.class,
              () -> n3.replicaChanges().replicate("c", 0, 2, 3).join());
      assertTrue(error.getCause().getMessage().contains("witness"), error.getCause().getMessage());
    } finally {
      TestNodes.closeAll(n1, n2, n3);
    }
  }

  private static void write(RaftNode via, ShardPlacement shard, int i) {
    PointId id = PointId.of(i);
    via.shardClients()
        .forShard("c", shard)
        .upsert(List.of(new Point(id, Map.of("", new float[] {i, 1}), Payload.EMPTY)))
        .join();
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    awaitTrue(condition, what, 15_000);
  }

  private static void awaitTrue(
      java.util.function.BooleanSupplier condition, String what, long timeoutMs)
      throws InterruptedException {
    TestNodes.awaitTrue(condition, what, timeoutMs);
  }

  /**
   * A witness added to a running shard whose replicas have purged their logs behind a snapshot: the
   * leader installs the snapshot into it, and the witness keeps only its term and index (no shard,
   * no snapshot files). Then either data replica may stop and the group still commits.
   */
  @Test
  void aWitnessAddedLaterKeepsOnlyTheTermAndIndexOfTheSnapshotItIsSent() throws Exception {
    int p1 = TestNodes.freePort();
    int p2 = TestNodes.freePort();
    int p3 = TestNodes.freePort();
    RaftNode n1 = start(1, p1, null);
    RaftNode n2 = start(2, p2, p1);
    RaftNode n3 = null;
    try {
      CollectionConfig config =
          new CollectionConfig(
              VectorsConfig.single(new VectorParams(2, Distance.DOT, false)), 1, 2, 1);
      CollectionDescriptor c = n1.catalog().create("c", config).join();
      assertEquals(List.of(), c.shardMap().shard(0).witnesses(), "two nodes: no witness");
      for (int i = 0; i < 100; i++) {
        write(n1, c.shardMap().shard(0), i);
      }
      n3 = start(3, p3, p1);
      RaftNode third = n3;
      RaftNode first = n1;
      awaitTrue(
          () ->
              first
                      .clusterState()
                      .collections()
                      .get("c")
                      .shardMap()
                      .shard(0)
                      .witnesses()
                      .equals(List.of(3L))
                  && third.hostsWitness(RaftGroupId.valueOf(c.shardMap().shard(0).groupId()))
                  && third
                      .shardMembers(c.shardMap().shard(0).groupId())
                      .orElse(java.util.Set.of())
                      .contains(3L),
          "the meta leader adds node 3 as the shard's witness");
      ShardPlacement shard = n1.clusterState().collections().get("c").shardMap().shard(0);
      Path witnessDir = n3.config().raftDir().resolve(shard.groupId().toString());
      awaitTrue(
          () -> {
            try {
              String[] termIndex =
                  Files.readAllLines(witnessDir.resolve(WitnessStateMachine.MARKER))
                      .get(1)
                      .split(" ");
              return Long.parseLong(termIndex[1]) >= 20;
            } catch (IOException | RuntimeException notYet) {
              return false;
            }
          },
          "the witness recorded the snapshot it was sent");
      try (var files = Files.walk(witnessDir.resolve("sm"))) {
        assertEquals(
            List.of(),
            files.filter(Files::isRegularFile).toList(),
            "no snapshot or shard file is kept");
      }
      n1.close();
      n1 = null;
      for (int i = 100; i < 110; i++) {
        write(n2, shard, i);
      }
      assertEquals(
          110, n2.shardClients().forShard("c", shard).count(ReadConsistency.LINEARIZABLE).join());
    } finally {
      TestNodes.closeAll(n1, n2, n3);
    }
  }
}
