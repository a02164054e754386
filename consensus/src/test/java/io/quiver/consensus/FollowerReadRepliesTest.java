package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.codec.PointCodec;
import io.quiver.consensus.raft.CallMatchingClientRpc;
import io.quiver.consensus.shard.RaftShardClient;
import io.quiver.consensus.shard.ShardMessages;
import io.quiver.consensus.shard.ShardQuery;
import io.quiver.index.vector.Distance;
import io.quiver.sharding.ReadConsistency;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: after a follower gets a {@code sendReadOnly}, every later request on the same connection
 * still gets its own reply. Ratis' Netty client matches replies to requests only by their order on
 * the connection (NettyRpcProxy), and its Netty server writes no reply at all when handling throws
 * a RuntimeException. With {@code raft.server.read.option=LINEARIZABLE} a follower answers a {@code
 * sendReadOnly} by asking the leader for a read index through an asynchronous server protocol the
 * Netty transport does not have ({@code UnsupportedOperationException}); from then on each request
 * on that connection received the reply of the request after it (the "absent" value of the Jepsen
 * delete-pause anomaly was most likely such a reply). Oracle: point i has vector [i, 1]; a read of
 * point i that succeeds returns point i, and the follower answers the read-only request at once
 * (with DEFAULT: NotLeader) instead of leaving it to the client's timeout.
 */
@Timeout(120)
class FollowerReadRepliesTest {

  private static final VectorsConfig VECTORS =
      VectorsConfig.single(new VectorParams(2, Distance.DOT, false));

  @TempDir Path dir;

  private final ExecutorService replies = Executors.newSingleThreadExecutor();
  private ShardGroupCluster cluster;

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    replies.shutdownNow();
  }

  @Test
  void aReadOnlyRequestToAFollowerLeavesLaterRepliesMatched() throws Exception {
    long mismatchesBefore = CallMatchingClientRpc.mismatches();
    readOnlyToAFollowerThenReads((id, p) -> {}, true, org.apache.ratis.rpc.SupportedRpcType.GRPC);
    // Quiver's read option: the follower answers NotLeader, the connection never slips.
    assertEquals(mismatchesBefore, CallMatchingClientRpc.mismatches());
  }

  /**
   * The server side of the slip, reproduced on Ratis' Netty transport (Quiver ran it until it was
   * found to wait on I/O threads: StuckGroupIsolationTest; CallMatchingClientRpc stays as a check
   * on any transport): with the LINEARIZABLE read option the follower's Netty server writes no
   * reply to the read-only request, and the next reply on the connection is paired with it. The
   * client's call-id check catches the first such reply, resets the connection and retries, so
   * every read that succeeds still returns its own point.
   */
  @Test
  void aMissingReplyIsCaughtByTheCallIdCheck() throws Exception {
    long mismatchesBefore = CallMatchingClientRpc.mismatches();
    readOnlyToAFollowerThenReads(
        (id, p) ->
            org.apache.ratis.server.RaftServerConfigKeys.Read.setOption(
                p, org.apache.ratis.server.RaftServerConfigKeys.Read.Option.LINEARIZABLE),
        false,
        org.apache.ratis.rpc.SupportedRpcType.NETTY);
    assertTrue(
        CallMatchingClientRpc.mismatches() > mismatchesBefore,
        "the follower left a request unanswered and a later reply was offered to it (the check must have fired)");
  }

  /**
   * @param answered the follower answers the read-only request (else it never does: each retry
   *     waits for a mismatched reply or the client's timeout)
   */
  private void readOnlyToAFollowerThenReads(
      java.util.function.BiConsumer<RaftPeerId, org.apache.ratis.conf.RaftProperties> tune,
      boolean answered,
      org.apache.ratis.rpc.SupportedRpcType transport)
      throws Exception {
    cluster = new ShardGroupCluster(dir, VECTORS, transport);
    RaftGroup group = cluster.start(List.of("a", "b", "c"), tune);
    RaftPeerId follower = awaitFollowerWithLeader(group);

    RaftClient client = cluster.client(follower, 5);
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
      points.add(new Point(PointId.of(i), Map.of("", new float[] {i, 1}), Payload.EMPTY));
    }
    long written = shard.upsert(points).get(20, TimeUnit.SECONDS);
    awaitApplied(group, follower, written);

    // Opens the client's ordered window to the follower (its first request travels alone).
    assertEquals(1, orderedStaleRead(client, follower, 1).get(20, TimeUnit.SECONDS).size());
    // What a linearizable read through Ratis' ReadIndex sends, with reads of other points right
    // behind it on the same connection (the shard client of a node is shared by all its requests).
    long sent = System.nanoTime();
    var readOnly =
        client
            .async()
            .sendReadOnly(
                ShardMessages.encode(new ShardQuery.Retrieve(List.of(PointId.of(0)), false, true)),
                follower);
    Thread.sleep(200);
    List<java.util.concurrent.CompletableFuture<List<PointRecord>>> reads = new ArrayList<>();
    for (int i = 1; i < 10; i++) {
      reads.add(orderedStaleRead(client, follower, i));
    }
    // Each reply that arrives is its own request's; a request may fail (the client closes its
    // ordered window to the follower after the refused read-only request), never get another's
    // reply.
    try {
      var reply = readOnly.get(20, TimeUnit.SECONDS);
      if (reply.isSuccess()) {
        List<PointRecord> read =
            PointCodec.readRecords(ShardMessages.openReply(reply.getMessage().getContent()));
        assertEquals(
            List.of(PointId.of(0)),
            read.stream().map(PointRecord::id).toList(),
            "the read-only request got the reply of another request");
      }
    } catch (java.util.concurrent.ExecutionException e) {
      // refused: fine
    }
    long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
    if (answered) {
      assertTrue(
          answeredMs < 2_500,
          "the follower answered the read-only request (not left to the 3 s timeout): "
              + answeredMs
              + " ms");
    }
    for (int i = 1; i < 10; i++) {
      List<PointRecord> read;
      try {
        read = reads.get(i - 1).get(20, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        continue;
      }
      assertEquals(1, read.size(), "read " + i + ": " + read);
      assertEquals(
          PointId.of(i), read.getFirst().id(), "read " + i + " got the reply of another request");
      assertArrayEquals(new float[] {i, 1}, read.getFirst().vectors().get(""));
    }
    if (transport != org.apache.ratis.rpc.SupportedRpcType.GRPC) {
      return; // Ratis' Netty client sends no unordered requests, which the shard client's replica
      // reads are
    }
    // A new client (Quiver replaces a closed one) reads every point, and its first read addressed
    // to a replica is answered at once: on Ratis' ordered stream it waited for two client
    // timeouts (6 s), since Ratis 3.2.1 did not flag it as the first of its window. A linearizable
    // read addresses one (the replica that committed its barrier).
    RaftClient freshClient = cluster.client(follower, 5);
    RaftShardClient fresh =
        new RaftShardClient(
            "shard",
            freshClient,
            null,
            () -> {},
            replies,
            4 * 1024 * 1024 - RaftNode.ENTRY_HEADROOM_BYTES);
    long firstSent = System.nanoTime();
    assertEquals(
        PointId.of(0),
        fresh
            .retrieve(List.of(PointId.of(0)), false, true, ReadConsistency.LINEARIZABLE)
            .get(20, TimeUnit.SECONDS)
            .getFirst()
            .id());
    long firstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstSent);
    assertTrue(firstMs < 2_500, "a new client's first read of a replica took " + firstMs + " ms");
    for (int i = 1; i < 10; i++) {
      assertEquals(
          PointId.of(i),
          fresh
              .retrieve(List.of(PointId.of(i)), false, true, ReadConsistency.LINEARIZABLE)
              .get(20, TimeUnit.SECONDS)
              .getFirst()
              .id());
    }
  }

  /**
   * A read of point {@code id} addressed to {@code follower} on the client's ordered stream (Ratis'
   * {@code sendStaleRead}), where replies are matched to requests; the shard client sends such
   * reads unordered now (see {@code RaftShardClient.staleRead}), but what this test pins is the
   * ordered stream's matching.
   */
  private java.util.concurrent.CompletableFuture<List<PointRecord>> orderedStaleRead(
      RaftClient client, RaftPeerId follower, int id) {
    return client
        .async()
        .sendStaleRead(
            ShardMessages.encode(new ShardQuery.Retrieve(List.of(PointId.of(id)), false, true)),
            0,
            follower)
        .thenApply(
            reply -> {
              try {
                return PointCodec.readRecords(
                    ShardMessages.openReply(reply.getMessage().getContent()));
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
  }

  /**
   * @return a follower that knows the leader (so that it would ask it for a read index)
   */
  private RaftPeerId awaitFollowerWithLeader(RaftGroup group) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      boolean ready = cluster.servers().stream().anyMatch(s -> cluster.info(s).isLeaderReady());
      for (RaftServer s : cluster.servers()) {
        if (ready && cluster.info(s).isFollower() && cluster.info(s).getLeaderId() != null) {
          return s.getId();
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no follower with a known leader within 30 s");
  }

  private void awaitApplied(RaftGroup group, RaftPeerId peer, long index) throws Exception {
    RaftServer server = cluster.server(peer);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (cluster.info(server).getLastAppliedIndex() < index) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(peer + " did not apply " + index + " within 30 s");
      }
      Thread.sleep(20);
    }
  }
}
