package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.consensus.codec.PointCodec;
import io.quiver.consensus.shard.RaftShardClient;
import io.quiver.consensus.shard.ShardMessages;
import io.quiver.consensus.shard.ShardQuery;
import io.quiver.index.vector.Distance;
import io.quiver.sharding.ReadConsistency;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.io.DataInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: while a cluster is upgraded one node at a time, a Euclid search between a router and a
 * replica of different builds is still merged and reported right. The replica (a real shard state
 * machine on a Ratis server) answers this build's query with similarities, saying so, and an older
 * router's query (the same bytes without their trailer) with the distances Qdrant reports, as older
 * builds did. Oracle: point i is at [i, 0, 0], so the hits for [-1, 0, 0] are 0, 1, 2 at distances
 * 1, 2, 3.
 */
@Timeout(60)
class SearchScoresAcrossBuildsTest {

  @TempDir Path dir;

  private final ExecutorService replies = Executors.newFixedThreadPool(2);
  private ShardGroupCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    replies.shutdownNow();
  }

  @Test
  void aReplicaScoresAsTheRouterThatAsksExpects() throws Exception {
    cluster =
        new ShardGroupCluster(
            dir, VectorsConfig.single(new VectorParams(3, Distance.EUCLID, false)));
    cluster.start(List.of("a"), (id, p) -> {});
    RaftClient client = cluster.client(RaftPeerId.valueOf("a"), 50);
    RaftShardClient shard =
        new RaftShardClient(
            "shard",
            client,
            null,
            () -> {},
            replies,
            4 * 1024 * 1024 - RaftNode.ENTRY_HEADROOM_BYTES);
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      points.add(new Point(PointId.of(i), Map.of("", new float[] {i, 0, 0}), Payload.EMPTY));
    }
    shard.upsert(points).get(30, TimeUnit.SECONDS);
    SearchRequest search = new SearchRequest("", new float[] {-1, 0, 0}, 3, false, false, null);

    // This build: similarities (the negated squared distances), through the shard client too.
    assertEquals(
        List.of(-1f, -4f, -9f),
        scores(shard.search(search, ReadConsistency.LEADER).get(30, TimeUnit.SECONDS)));
    ByteString now = ShardMessages.encode(new ShardQuery.Search(search)).getContent();
    DataInputStream reply = ShardMessages.openReply(ask(client, now));
    assertEquals(List.of(-1f, -4f, -9f), scores(PointCodec.readScored(reply)));
    assertEquals(1, reply.available(), "the trailer saying the scores are similarities");

    // An older router's query: the distances, and no trailer, which that router would not expect.
    DataInputStream older = ShardMessages.openReply(ask(client, now.substring(0, now.size() - 1)));
    assertEquals(List.of(1f, 2f, 3f), scores(PointCodec.readScored(older)));
    assertEquals(0, older.available());
  }

  private static ByteString ask(RaftClient client, ByteString query) throws Exception {
    return client
        .io()
        .sendReadOnlyNonLinearizable(Message.valueOf(query))
        .getMessage()
        .getContent();
  }

  private static List<Float> scores(List<ScoredPoint> hits) {
    return hits.stream().map(ScoredPoint::score).toList();
  }
}
