package io.quiver.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.sharding.ShardPlacement;
import io.quiver.sharding.ShardUnavailableException;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.PointId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class WriteOutcomeTest {

  private static final String NO_LEADER =
      "shard 1 of collection `c` is unavailable: no leader elected (gave up after 30 attempts)";

  @Test
  void allWrittenCompletesWithTheHighestIndex() {
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    parts.put(shard(0), WriteOutcome.Part.whole(CompletableFuture.completedFuture(7L), ids(1)));
    parts.put(shard(1), WriteOutcome.Part.whole(CompletableFuture.completedFuture(9L), ids(2)));
    assertEquals(9L, WriteOutcome.of("c", parts).join());
  }

  @Test
  void aFailedShardIsListedWithItsPointsBesideTheAppliedOnes() {
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    parts.put(shard(0), WriteOutcome.Part.whole(CompletableFuture.completedFuture(7L), ids(1, 4)));
    parts.put(
        shard(1),
        WriteOutcome.Part.whole(
            CompletableFuture.failedFuture(new ShardUnavailableException(NO_LEADER, null)),
            ids(2, 5)));
    parts.put(shard(2), WriteOutcome.Part.whole(CompletableFuture.completedFuture(8L), ids(7)));
    ShardUnavailableException e = failure(parts, ShardUnavailableException.class);
    assertEquals(
        NO_LEADER + "; applied: shards 0, 2 (points 1, 4, 7); not applied: shard 1 (points 2, 5)",
        e.getMessage());
  }

  @Test
  void aShardWrittenInPartIsListedOnBothSidesSplitAtItsLastAppliedEntry() {
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    parts.put(
        shard(0),
        new WriteOutcome.Part(
            CompletableFuture.failedFuture(new ShardUnavailableException(NO_LEADER, null)),
            ids(3, 6, 9),
            () -> 2));
    ShardUnavailableException e = failure(parts, ShardUnavailableException.class);
    assertTrue(
        e.getMessage().endsWith("; applied: shard 0 (points 3, 6); not applied: shard 0 (point 9)"),
        e.getMessage());
  }

  @Test
  void aHugeBatchListsTwentyIdsAndCountsTheRest() {
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    parts.put(
        shard(0),
        WriteOutcome.Part.whole(
            CompletableFuture.completedFuture(1L), ids(LongStream.range(0, 1000).toArray())));
    parts.put(
        shard(1),
        WriteOutcome.Part.whole(
            CompletableFuture.failedFuture(
                new CompletionException(new RequestTimeoutException("Timeout error"))),
            ids(LongStream.range(1000, 1500).toArray())));
    RequestTimeoutException e = failure(parts, RequestTimeoutException.class);
    assertTrue(
        e.getMessage()
            .contains(
                "(points 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 and 980 more)"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("and 480 more)"), e.getMessage());
    assertTrue(e.getMessage().length() < 400, e.getMessage());
  }

  @Test
  void aFilterWriteNamesShardsOnly() {
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    parts.put(
        shard(0),
        WriteOutcome.Part.whole(
            CompletableFuture.failedFuture(new ShardUnavailableException(NO_LEADER, null)), null));
    parts.put(shard(1), WriteOutcome.Part.whole(CompletableFuture.completedFuture(3L), null));
    assertTrue(
        failure(parts, ShardUnavailableException.class)
            .getMessage()
            .endsWith("; applied: shard 1; not applied: shard 0"));
  }

  @Test
  void aBadRequestEverywhereIsPassedOnUnchanged() {
    Map<ShardPlacement, WriteOutcome.Part> parts = new LinkedHashMap<>();
    BadRequestException bad = new BadRequestException("Wrong input: no such vector");
    parts.put(shard(0), WriteOutcome.Part.whole(CompletableFuture.failedFuture(bad), ids(1)));
    parts.put(shard(1), WriteOutcome.Part.whole(CompletableFuture.failedFuture(bad), ids(2)));
    assertEquals(
        "Wrong input: no such vector", failure(parts, BadRequestException.class).getMessage());
  }

  private static <T extends Throwable> T failure(
      Map<ShardPlacement, WriteOutcome.Part> parts, Class<T> kind) {
    CompletionException e =
        assertThrows(CompletionException.class, () -> WriteOutcome.of("c", parts).join());
    return assertInstanceOf(kind, e.getCause());
  }

  private static ShardPlacement shard(int id) {
    return new ShardPlacement(id, new java.util.UUID(0, id), List.of(1L));
  }

  private static List<PointId> ids(long... ids) {
    return LongStream.of(ids).mapToObj(PointId::of).toList();
  }
}
