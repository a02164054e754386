package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardClient;
import io.quiver.storage.Payload;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.scoring.ScoreRequest;
import io.quiver.storage.scoring.Scorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: many reads in flight at once on one shard client each get their own reply, including reads
 * sent from the continuation of another reply (Ratis' Netty client matches replies to requests in
 * FIFO order, which a send from its own event loop thread would overtake). Oracle: point i has
 * vector [i, 0, 0], so the nearest point to [q, 0, 0] is q, and a best_score recommend with the
 * positive [q, 0, 0] in a Euclid space ranks q first too.
 */
@Timeout(120)
class ConcurrentShardReadsTest {

  @TempDir Path dir;

  @Test
  void concurrentReadsGetTheirOwnReplies() throws Exception {
    try (RaftNode node = TestNodes.start(dir, 7, TestNodes.freePort(), null, 1000)) {
      ShardClient shard = TestNodes.lineOfPoints(node, "docs", 100);
      for (int round = 0; round < 20; round++) {
        List<CompletableFuture<List<ScoredPoint>>> replies = new ArrayList<>();
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        for (int q = 0; q < 100; q++) {
          if (q % 10
              == 0) { // writes in between: they complete after commit, later than the reads sent
            // after them
            writes.add(
                shard.upsert(
                    List.of(
                        new Point(
                            PointId.of(1000 + q),
                            Map.of("", new float[] {1000 + q, 0, 0}),
                            Payload.EMPTY))));
          }
          float[] v = {q, 0, 0};
          replies.add(
              q % 2 == 0
                  ? shard.search(
                      new SearchRequest("", v, 3, false, false, null), ReadConsistency.LEADER)
                  : shard.score(
                      new ScoreRequest(
                          "",
                          new Scorer.RecommendBestScore<>(List.of(v), List.of()),
                          3,
                          null,
                          null,
                          false,
                          false),
                      ReadConsistency.LEADER));
        }
        for (int q = 0; q < 100; q++) {
          assertEquals(
              PointId.of(q),
              replies.get(q).get(30, TimeUnit.SECONDS).getFirst().id(),
              "round " + round + " query " + q);
        }
        for (CompletableFuture<Long> w : writes) {
          w.get(30, TimeUnit.SECONDS);
        }
      }
      // Requests sent from inside another reply's continuation (the thread that completed it)
      // while this thread sends too: each must still get its own reply.
      for (int round = 0; round < 200; round++) {
        int a = round % 100;
        int b = (round * 7 + 3) % 100;
        int d = (round * 13 + 5) % 100;
        CompletableFuture<List<ScoredPoint>> chained =
            shard
                .search(
                    new SearchRequest("", new float[] {a, 0, 0}, 1, false, false, null),
                    ReadConsistency.LEADER)
                .thenCompose(
                    first ->
                        shard.search(
                            new SearchRequest("", new float[] {b, 0, 0}, 2, false, false, null),
                            ReadConsistency.LEADER));
        List<CompletableFuture<List<ScoredPoint>>> direct = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          direct.add(
              shard.search(
                  new SearchRequest("", new float[] {d, 0, 0}, 3, false, false, null),
                  ReadConsistency.LEADER));
        }
        assertEquals(
            PointId.of(b), chained.get(30, TimeUnit.SECONDS).getFirst().id(), "round " + round);
        for (var f : direct) {
          assertEquals(
              PointId.of(d), f.get(30, TimeUnit.SECONDS).getFirst().id(), "round " + round);
        }
      }
    }
  }
}
