package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.shard.ShardCommand;
import io.quiver.consensus.shard.ShardMessages;
import io.quiver.consensus.shard.UpsertEntriesTest;
import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionAlreadyExistsException;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardClient;
import io.quiver.sharding.ShardPlacement;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real one-node Ratis server: collections through the meta group, points through a shard group,
 * restart.
 */
@Timeout(120)
class RaftNodeTest {

  @TempDir Path dir;

  private RaftNode start(int port) throws IOException {
    RaftNode node =
        RaftNode.start(
            RaftNodeConfig.builder(7, dir.resolve("raft"))
                .raftAddress("127.0.0.1", port)
                .httpAddress("127.0.0.1:1")
                .snapshotThreshold(50)
                .logSegmentBytes(16 << 10)
                .build());
    node.awaitCaughtUp(Duration.ofSeconds(60));
    return node;
  }

  @Test
  void writesSurviveRestartAndSnapshots() throws Exception {
    int port = TestNodes.freePort();
    CollectionConfig config =
        new CollectionConfig(
            VectorsConfig.single(new VectorParams(3, Distance.EUCLID, false)), 2, 1, 1);
    try (RaftNode node = start(port)) {
      CollectionDescriptor c = node.catalog().create("docs", config).join();
      assertEquals(2, c.shardMap().shardCount());
      assertThrows(
          CollectionAlreadyExistsException.class,
          () -> unwrap(() -> node.catalog().create("docs", config).join()));
      // 200 single-point writes: more than the snapshot threshold of 50, so snapshots are taken and
      // the log purged.
      for (int i = 0; i < 200; i++) {
        PointId id = PointId.of(i);
        shardOf(node, c, id)
            .upsert(List.of(new Point(id, Map.of("", new float[] {i, 0, 0}), Payload.EMPTY)))
            .join();
      }
      PointId deleted = PointId.of(5);
      shardOf(node, c, deleted).delete(List.of(deleted)).join();
      assertThrows(
          BadRequestException.class,
          () ->
              unwrap(
                  () ->
                      shardOf(node, c, PointId.of(1))
                          .upsert(
                              List.of(
                                  new Point(
                                      PointId.of(1), Map.of("", new float[] {1}), Payload.EMPTY)))
                          .join()));
      assertEquals(199, total(node, c));
    }
    try (RaftNode node = start(port)) {
      CollectionDescriptor c = node.catalog().get("docs").orElseThrow();
      assertEquals(199, total(node, c));
      List<ScoredPoint> hits = new ArrayList<>();
      for (ShardPlacement s : c.shardMap().shards()) {
        hits.addAll(
            node.shardClients()
                .forShard("docs", s)
                .search(
                    new SearchRequest("", new float[] {5.2f, 0, 0}, 1, false, false, null),
                    ReadConsistency.LINEARIZABLE)
                .join());
      }
      hits.sort(ScoredPoint.HIGHER_FIRST); // similarities: the negated squared distance
      assertEquals(PointId.of(6), hits.get(0).id(), "point 5 was deleted, 6 is nearest");
      List<PointRecord> records =
          shardOf(node, c, PointId.of(7))
              .retrieve(List.of(PointId.of(7)), true, true, ReadConsistency.ANY)
              .join();
      assertEquals(7f, records.get(0).vectors().get("")[0]);
      assertTrue(node.catalog().delete("docs").join());
      assertFalse(node.catalog().delete("docs").join());
      assertTrue(node.catalog().get("docs").isEmpty());
    }
  }

  /**
   * A stale copy of a write that was applied, arriving after its client reported the reply (which
   * drops the request from Ratis' retry cache), must not be applied again: an old value would
   * overwrite a newer one. Found by the Jepsen register workload under partitions.
   */
  @Test
  void aStaleCopyOfAnAppliedWriteIsNotAppliedAgain() throws Exception {
    CollectionConfig config =
        new CollectionConfig(
            VectorsConfig.single(new VectorParams(3, Distance.EUCLID, false)), 1, 1, 1);
    try (RaftNode node = start(TestNodes.freePort())) {
      CollectionDescriptor c = node.catalog().create("docs", config).join();
      ShardPlacement shard = c.shardMap().shards().getFirst();
      RaftGroupId group = RaftGroupId.valueOf(shard.groupId());
      ClientId client = ClientId.randomId();
      PointId id = PointId.of(1);
      RaftClientRequest first = upsertRequest(node, group, client, 1, List.of(), id, 1f);
      assertTrue(node.server().submitClientRequestAsync(first).join().isSuccess());
      // The client got the reply of call 1 and says so on its next request: Ratis forgets call 1.
      RaftClientReply second =
          node.server()
              .submitClientRequestAsync(upsertRequest(node, group, client, 2, List.of(1L), id, 2f))
              .join();
      assertTrue(second.isSuccess());
      // The stale copy of call 1, e.g. delivered late by TCP after a partition healed.
      RaftClientReply stale = node.server().submitClientRequestAsync(first).join();
      assertFalse(stale.isSuccess(), "the stale copy was accepted: " + stale);
      List<PointRecord> records =
          node.shardClients()
              .forShard("docs", shard)
              .retrieve(List.of(id), false, true, ReadConsistency.LINEARIZABLE)
              .join();
      assertEquals(2f, records.getFirst().vectors().get("")[0], "the newer write must stay");
    }
  }

  /**
   * A join retries hosting the meta group when the first attempt was slow; the retry must not fail
   * the start.
   */
  @Test
  void hostingTheMetaGroupAgainIsNotAnError() throws Exception {
    try (RaftNode node = start(TestNodes.freePort())) {
      node.hostMetaGroup();
      assertTrue(node.metaStatus().voter());
    }
  }

  /**
   * A batch of OpenAI-sized embeddings: 1,000 points of 1,536 dimensions to one shard (6.2 MB, more
   * than Ratis takes in one entry) are written through the real log as several entries; a
   * conditional upsert of them all again (insert_only) changes none, decided by the replica when it
   * applies each entry.
   */
  @Test
  void anUpsertLargerThanOneLogEntryIsWrittenInSeveralEntries() throws Exception {
    CollectionConfig config =
        new CollectionConfig(
            VectorsConfig.single(new VectorParams(1536, Distance.DOT, false)), 1, 1, 1);
    try (RaftNode node = start(TestNodes.freePort())) {
      CollectionDescriptor c = node.catalog().create("big", config).join();
      List<Point> points = UpsertEntriesTest.points(1000, 1536, new java.util.Random(7));
      ShardClient shard = node.shardClients().forShard("big", c.shardMap().shards().getFirst());
      long first = shard.upsert(points).get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(1000, total(node, c));
      List<Point> changed =
          points.stream().map(p -> new Point(p.id(), p.vectors(), Payload.EMPTY)).toList();
      long second =
          shard
              .prepareUpsert(
                  changed,
                  new io.quiver.storage.UpsertCondition(
                      io.quiver.storage.UpdateMode.INSERT_ONLY, null))
              .send()
              .get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(second >= first + 2, "two entries: " + first + " then " + second);
      List<PointRecord> stored =
          shard
              .retrieve(
                  List.of(PointId.of(0), PointId.of(999)),
                  true,
                  false,
                  ReadConsistency.LINEARIZABLE)
              .join();
      assertEquals(
          List.of(points.get(0).payload(), points.get(999).payload()),
          stored.stream().map(PointRecord::payload).toList());
      assertTrue(
          stored.stream().allMatch(r -> r.version() <= first), "insert_only replaced nothing");
    }
  }

  private static RaftClientRequest upsertRequest(
      RaftNode node,
      RaftGroupId group,
      ClientId client,
      long callId,
      List<Long> repliedCallIds,
      PointId id,
      float x) {
    return RaftClientRequest.newBuilder()
        .setClientId(client)
        .setServerId(node.server().getId())
        .setGroupId(group)
        .setCallId(callId)
        .setRepliedCallIds(repliedCallIds)
        .setMessage(
            ShardMessages.encode(
                new ShardCommand.Upsert(
                    List.of(new Point(id, Map.of("", new float[] {x, 0, 0}), Payload.EMPTY)))))
        .setType(RaftClientRequest.writeRequestType())
        .build();
  }

  private static ShardClient shardOf(RaftNode node, CollectionDescriptor c, PointId id) {
    return node.shardClients().forShard(c.name(), c.shardMap().shardOf(id));
  }

  private static long total(RaftNode node, CollectionDescriptor c) {
    long n = 0;
    for (ShardPlacement s : c.shardMap().shards()) {
      n += node.shardClients().forShard(c.name(), s).count(ReadConsistency.LEADER).join();
    }
    return n;
  }

  private static void unwrap(Runnable r) {
    try {
      r.run();
    } catch (CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }
}
