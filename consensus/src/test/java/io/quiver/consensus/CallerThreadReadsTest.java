package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.sharding.CallerThreadReads;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardClient;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a read that this node's own replica answers, asked where the caller allows it on its thread
 * ({@link CallerThreadReads}), is answered before the call returns, with the same answer as on the
 * replica's read pool; a linearizable read never is (it commits a barrier through the log first).
 * Real Ratis server and shard. Oracle: point i has vector [i, 0, 0], so the nearest point to [q, 0,
 * 0] is q.
 */
@Timeout(120)
class CallerThreadReadsTest {

  @TempDir Path dir;

  @Test
  void aQuickLocalReadIsAnsweredOnTheCallersThreadOnlyWhereAllowed() throws Exception {
    try (RaftNode node = TestNodes.start(dir, 7, TestNodes.freePort(), null, 1000)) {
      ShardClient shard = TestNodes.lineOfPoints(node, "docs", 100);
      for (int i = 0; i < 100; i += 7) {
        int q = i;
        SearchRequest search = new SearchRequest("", new float[] {q, 0, 0}, 3, false, false, null);
        for (ReadConsistency consistency : List.of(ReadConsistency.LEADER, ReadConsistency.ANY)) {
          CompletableFuture<List<ScoredPoint>> here =
              CallerThreadReads.allow(() -> shard.search(search, consistency));
          assertTrue(here.isDone(), "search " + q + " at " + consistency + " was not answered");
          assertEquals(
              ids(shard.search(search, consistency).get(30, TimeUnit.SECONDS)),
              ids(here.join()),
              "search " + q + " at " + consistency);
          assertEquals(PointId.of(q), here.join().getFirst().id());
          CompletableFuture<List<PointRecord>> record =
              CallerThreadReads.allow(
                  () -> shard.retrieve(List.of(PointId.of(q)), false, true, consistency));
          assertTrue(record.isDone(), "retrieve " + q + " at " + consistency);
          assertEquals(q, record.join().getFirst().vectors().get("")[0]);
        }
        CompletableFuture<List<ScoredPoint>> linearizable =
            CallerThreadReads.allow(() -> shard.search(search, ReadConsistency.LINEARIZABLE));
        assertEquals(
            PointId.of(q), linearizable.get(30, TimeUnit.SECONDS).getFirst().id(), "search " + q);
      }
    }
  }

  private static List<PointId> ids(List<ScoredPoint> hits) {
    return hits.stream().map(ScoredPoint::id).toList();
  }
}
