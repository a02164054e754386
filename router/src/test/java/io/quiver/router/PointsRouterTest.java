package io.quiver.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.router.query.Query;
import io.quiver.router.query.QueryEngine;
import io.quiver.router.query.QueryRequest;
import io.quiver.router.query.QueryStage;
import io.quiver.router.query.VectorInput;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardMap;
import io.quiver.sharding.ShardPlacement;
import io.quiver.sharding.ShardUnavailableException;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ScoreScale;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchParams;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import io.quiver.storage.payloadindex.FieldIndexSchema;
import io.quiver.storage.payloadindex.PayloadSchemaType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router over three real shards (RocksDB in a temp dir) in this process, through {@link
 * LocalShardClient}s: no Ratis. Oracles: a brute-force ranking of every point written (the vectors
 * have small integer components, so every score is exact in float and ties are common: the merge
 * must break them by id as each shard does), the sorted list of ids, and the messages the REST
 * layer maps to 503 and 408. A slow shard is a real one whose executor is kept busy.
 */
@Timeout(60)
class PointsRouterTest {

  private static final int SHARDS = 3;
  private static final int DIM = 4;

  /** The node's deadline: long enough that a shard that is not blocked always answers in it. */
  private static final Duration DEADLINE = Duration.ofSeconds(1);

  @TempDir Path dir;

  /**
   * Each test's own seed (JUnit makes an instance per test), replayable with {@code -Dtests.seed}.
   */
  private final long seed = Long.getLong("tests.seed", new Random().nextLong());

  private final Random random = new Random(seed);

  private final Map<UUID, LocalShardClient> clients = new HashMap<>();
  private final Map<UUID, ExecutorService> executors = new HashMap<>();
  private final Map<String, CollectionDescriptor> collections = new HashMap<>();
  private final List<CountDownLatch> blocked = new ArrayList<>();

  /**
   * Clients handed out, one per call, for a shard before its real one (see {@link #retiredClient}).
   */
  private final Map<UUID, java.util.Deque<io.quiver.sharding.ShardClient>> retiredFirst =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final PointsRouter router =
      new PointsRouter(
          name -> Optional.ofNullable(collections.get(name)),
          (collection, shard) -> {
            var retired = retiredFirst.get(shard.groupId());
            io.quiver.sharding.ShardClient next = retired == null ? null : retired.poll();
            return next != null ? next : clients.get(shard.groupId());
          },
          DEADLINE);

  /** The next {@code count} clients handed out for {@code shard} are retired ones. */
  private void retire(CollectionDescriptor c, int shard, int count) {
    var queue = new java.util.concurrent.ConcurrentLinkedDeque<io.quiver.sharding.ShardClient>();
    for (int i = 0; i < count; i++) {
      queue.add(retiredClient("shard " + shard + " of collection `" + c.name() + "`"));
    }
    retiredFirst.put(c.shardMap().shard(shard).groupId(), queue);
  }

  private boolean retiredAllAsked() {
    return retiredFirst.values().stream().allMatch(java.util.Deque::isEmpty);
  }

  @AfterEach
  void closeShards() throws InterruptedException {
    blocked.forEach(CountDownLatch::countDown);
    for (ExecutorService executor : executors.values()) {
      executor.shutdown();
      assertTrue(
          executor.awaitTermination(10, TimeUnit.SECONDS), "a shard's executor did not stop");
    }
    clients.values().forEach(LocalShardClient::close);
  }

  // ---- top-k merge, offset and limit ----

  @Test
  void searchMergesTheShardsTopKIntoTheBruteForceRanking() {
    CollectionDescriptor c = open("dot", Distance.DOT);
    Map<PointId, float[]> written = writeRandomPoints(c, random, 400);
    for (ShardPlacement shard : c.shardMap().shards()) {
      assertTrue(
          router.shardCount(c, shard, ReadConsistency.LEADER).join() > 0,
          "seed " + seed + ": shard " + shard);
    }
    for (int round = 0; round < 40; round++) {
      float[] query = randomVector(random);
      int limit = 1 + random.nextInt(40);
      int offset = random.nextInt(3) == 0 ? 0 : random.nextInt(60);
      List<ScoredPoint> hits =
          router.search(c, exactSearch(query, limit), offset, ReadConsistency.LEADER).join();
      List<ScoredPoint> expected = bruteForceDot(written, query);
      expected =
          expected.subList(
              Math.min(offset, expected.size()), Math.min(offset + limit, expected.size()));
      assertEquals(ids(expected), ids(hits), "seed " + seed + ", round " + round);
      for (int i = 0; i < hits.size(); i++) {
        assertEquals(
            expected.get(i).score(),
            hits.get(i).score(),
            "seed " + seed + ", round " + round + ", rank " + i);
      }
    }
  }

  @Test
  void onlyTheLastShardOfAFanOutMayAnswerOnTheCallersThread() {
    CollectionDescriptor c = open("caller", Distance.DOT);
    writeRandomPoints(c, random, 60);
    List<ShardPlacement> shards = c.shardMap().readShards();
    clients.values().forEach(client -> client.readsAllowedOnCaller.set(0));
    router.search(c, exactSearch(randomVector(random), 5), 0, ReadConsistency.LEADER).join();
    for (int i = 0; i < shards.size(); i++) {
      assertEquals(
          i == shards.size() - 1 ? 1 : 0,
          clients.get(shards.get(i).groupId()).readsAllowedOnCaller.get(),
          "shard " + i + " of " + shards.size());
    }
    assertFalse(io.quiver.sharding.CallerThreadReads.allowed(), "allowed outside the fan-out");
  }

  @Test
  void searchPagesByOffsetAndLimitConcatenateToTheWholeRanking() {
    CollectionDescriptor c = open("pages", Distance.DOT);
    Map<PointId, float[]> written = writeRandomPoints(c, random, 150);
    float[] query = randomVector(random);
    int pageSize = 1 + random.nextInt(20);
    List<ScoredPoint> concatenated = new ArrayList<>();
    for (int offset = 0; ; offset += pageSize) {
      List<ScoredPoint> page =
          router.search(c, exactSearch(query, pageSize), offset, ReadConsistency.LEADER).join();
      concatenated.addAll(page);
      if (page.size() < pageSize) {
        break;
      }
    }
    assertEquals(
        ids(bruteForceDot(written, query)),
        ids(concatenated),
        "seed " + seed + ", page size " + pageSize);
  }

  @Test
  void aDistanceIsMergedNearestFirstAsASimilarityThatTheScaleReportsAsTheDistance() {
    CollectionDescriptor c = open("euclid", Distance.EUCLID);
    Map<PointId, float[]> written = writeRandomPoints(c, random, 200);
    float[] query = randomVector(random);
    Comparator<PointId> nearestFirst =
        Comparator.<PointId>comparingDouble(id -> squaredDistance(written.get(id), query))
            .thenComparing(Comparator.naturalOrder());
    List<PointId> expected = written.keySet().stream().sorted(nearestFirst).limit(25).toList();
    List<ScoredPoint> hits =
        router.search(c, exactSearch(query, 25), 0, ReadConsistency.LEADER).join();
    assertEquals(expected, ids(hits), "seed " + seed);
    ScoreScale scale = ScoreScale.of(c.config().vectors(), "");
    assertEquals(ScoreScale.NEGATED_SQUARED_DISTANCE, scale);
    for (ScoredPoint h : hits) {
      double squared = squaredDistance(written.get(h.id()), query);
      assertEquals((float) -squared, h.score(), "seed " + seed + ": the similarity of " + h.id());
      assertEquals(
          (float) Math.sqrt(squared),
          scale.reported(h.score()),
          1e-6 * Math.max(1, Math.sqrt(squared)),
          "seed " + seed + ": the reported distance of " + h.id());
    }
  }

  @Test
  void theQueryEngineReportsDistancesThroughItsScaleAndFusesThemAsQdrantDoes() {
    CollectionDescriptor c = open("euclid-query", Distance.EUCLID);
    Map<PointId, float[]> written = writeRandomPoints(c, random, 150);
    QueryEngine engine = new QueryEngine(router);
    SearchParams exact = new SearchParams(null, true, null);
    float[] q1 = randomVector(random);
    float[] q2 = randomVector(random);

    // A nearest query with a score_threshold given as a distance: the hits within it, nearest
    // first; the scale reports each one's distance.
    float threshold = 6f;
    QueryRequest nearest =
        new QueryRequest(
            new QueryStage(
                List.of(),
                new Query.Nearest(new VectorInput.Dense(q1), null),
                "",
                null,
                threshold,
                200,
                null,
                exact),
            0,
            false,
            false);
    assertEquals(ScoreScale.NEGATED_SQUARED_DISTANCE, QueryEngine.scale(c, nearest));
    List<ScoredPoint> within = engine.query(c, nearest, ReadConsistency.LEADER).join();
    List<ScoredPoint> expectedWithin =
        reportedNearest(written, q1, written.size()).stream()
            .filter(p -> p.score() <= threshold)
            .toList();
    assertEquals(ids(expectedWithin), ids(within), "seed " + seed);
    for (int i = 0; i < within.size(); i++) {
      assertEquals(
          expectedWithin.get(i).score(),
          QueryEngine.scale(c, nearest).reported(within.get(i).score()),
          "seed " + seed + ", rank " + i);
    }

    // DBSF normalizes each prefetch's reported scores (the distances) as they are, as Qdrant does
    // (so a farther point gains more: Qdrant's behaviour); its own scores are reported as they are.
    // Normalizing the similarities instead ranks these points in another order.
    QueryRequest fused =
        new QueryRequest(
            new QueryStage(
                List.of(
                    new QueryStage(
                        List.of(),
                        new Query.Nearest(new VectorInput.Dense(q1), null),
                        "",
                        null,
                        null,
                        10,
                        null,
                        exact),
                    new QueryStage(
                        List.of(),
                        new Query.Nearest(new VectorInput.Dense(q2), null),
                        "",
                        null,
                        null,
                        10,
                        null,
                        exact)),
                new Query.Fusion(Query.FusionMethod.DBSF, 0, null),
                "",
                null,
                null,
                20,
                null),
            0,
            false,
            false);
    assertEquals(ScoreScale.SIMILARITY, QueryEngine.scale(c, fused));
    List<ScoredPoint> expectedFused =
        io.quiver.router.query.ScoreFusion.dbsf(
            List.of(reportedNearest(written, q1, 10), reportedNearest(written, q2, 10)));
    List<ScoredPoint> got = engine.query(c, fused, ReadConsistency.LEADER).join();
    assertEquals(ids(expectedFused), ids(got), "seed " + seed);
    for (int i = 0; i < got.size(); i++) {
      assertEquals(
          expectedFused.get(i).score(), got.get(i).score(), "seed " + seed + ", rank " + i);
    }
  }

  /** The {@code limit} nearest written points, scored by their Euclidean distance. */
  private static List<ScoredPoint> reportedNearest(
      Map<PointId, float[]> written, float[] query, int limit) {
    return written.entrySet().stream()
        .map(
            e ->
                new ScoredPoint(
                    e.getKey(),
                    0,
                    (float) Math.sqrt(squaredDistance(e.getValue(), query)),
                    null,
                    null))
        .sorted(Comparator.comparingDouble(ScoredPoint::score).thenComparing(ScoredPoint::id))
        .limit(limit)
        .toList();
  }

  @Test
  void scrollPagesThroughEveryShardInIdOrder() {
    CollectionDescriptor c = open("scroll", Distance.DOT);
    Map<PointId, float[]> written = writeRandomPoints(c, random, 120);
    int limit = 1 + random.nextInt(25);
    List<PointId> seen = new ArrayList<>();
    PointId offset = null;
    do {
      PointsRouter.ScrollPage page =
          router.scroll(c, offset, limit, null, false, false, ReadConsistency.LEADER).join();
      assertTrue(page.points().size() <= limit, "seed " + seed);
      page.points().forEach(r -> seen.add(r.id()));
      offset = page.nextOffset();
    } while (offset != null);
    assertEquals(
        written.keySet().stream().sorted().toList(), seen, "seed " + seed + ", limit " + limit);
  }

  // ---- de-duplication ----

  @Test
  void anUpsertKeepsTheLastOccurrenceOfARepeatedId() {
    CollectionDescriptor c = open("dedup", Distance.DOT);
    router
        .upsert(c, List.of(point(1, 1, 0, 0, 0), point(2, 0, 1, 0, 0), point(1, 0, 0, 0, 7)))
        .join();
    assertEquals(2, router.count(c, ReadConsistency.LEADER).join());
    PointRecord one =
        router
            .retrieve(c, List.of(PointId.of(1)), false, true, ReadConsistency.LEADER)
            .join()
            .getFirst();
    assertArrayEquals(new float[] {0, 0, 0, 7}, one.vectors().get(VectorsConfig.DEFAULT));
  }

  @Test
  void retrieveReturnsEachExistingIdOnceInTheOrderOfItsFirstOccurrence() {
    CollectionDescriptor c = open("retrieve", Distance.DOT);
    List<Point> points = new ArrayList<>();
    for (long id = 1; id <= 30; id++) {
      points.add(point(id, id, 0, 0, 0));
    }
    router.upsert(c, points).join();
    List<PointId> asked = ids(27, 3, 27, 999, 3, 14, 1, 14);
    assertEquals(
        ids(27, 3, 14, 1),
        ids(router.retrieve(c, asked, false, false, ReadConsistency.LEADER).join()));
    router.delete(c, ids(3, 3, 14, 999)).join();
    assertEquals(
        ids(27, 1), ids(router.retrieve(c, asked, false, false, ReadConsistency.LEADER).join()));
    assertEquals(28, router.count(c, ReadConsistency.LEADER).join());
  }

  // ---- deadlines ----

  @Test
  void aShardThatDoesNotAnswerWithinTheDeadlineFailsTheReadNamingIt() {
    CollectionDescriptor c = open("slow", Distance.DOT);
    writeRandomPoints(c, random, 50);
    block(c, 1);
    Throwable e =
        failure(
            router.search(c, exactSearch(new float[] {1, 0, 0, 0}, 5), 0, ReadConsistency.LEADER));
    assertInstanceOf(ShardUnavailableException.class, e);
    assertEquals(
        "shard 1 of collection `slow` did not answer within 1000 ms (a write may still be applied later)",
        e.getMessage());
  }

  @Test
  void withTheCallersTimeoutASlowShardIsATimeoutError() {
    CollectionDescriptor c = open("timeout", Distance.DOT);
    block(c, 2);
    Throwable e =
        failure(router.withTimeout(Duration.ofMillis(1500)).count(c, ReadConsistency.LEADER));
    assertInstanceOf(RequestTimeoutException.class, e);
    assertTrue(
        e.getMessage()
            .startsWith(
                "Timeout error: the request did not complete within its timeout of 1.5 s: "
                    + "shard 2 of collection `timeout` had not answered"),
        e.getMessage());
  }

  @Test
  void onlyTheShardsHoldingTheIdsAreAsked() {
    CollectionDescriptor c = open("asked", Distance.DOT);
    Map<PointId, float[]> written = writeRandomPoints(c, random, 60);
    List<PointId> notInShard1 =
        written.keySet().stream()
            .filter(id -> c.shardMap().shardOf(id).shardId() != 1)
            .sorted()
            .toList();
    block(c, 1);
    assertEquals(
        notInShard1,
        ids(router.retrieve(c, notInShard1, false, false, ReadConsistency.LEADER).join()));
    long inShard0 =
        notInShard1.stream().filter(id -> c.shardMap().shardOf(id).shardId() == 0).count();
    assertEquals(inShard0, router.shardCount(c, c.shardMap().shard(0), ReadConsistency.ANY).join());
    assertInstanceOf(
        ShardUnavailableException.class,
        failure(router.shardCount(c, c.shardMap().shard(1), ReadConsistency.ANY)));
  }

  @Test
  void aWriteToASlowShardSaysWhatWasAppliedAndTheRestIsAppliedLater() {
    CollectionDescriptor c = open("slowwrite", Distance.DOT);
    List<Point> points = new ArrayList<>();
    for (long id = 1; id <= 12; id++) {
      points.add(point(id, 1, 2, 3, id));
    }
    CountDownLatch slow = block(c, 1);
    Throwable e = failure(router.upsert(c, points));
    assertInstanceOf(ShardUnavailableException.class, e);
    assertEquals(
        "shard 1 of collection `slowwrite` did not answer within 1000 ms (a write may still be applied later)"
            + report(c, points, 1),
        e.getMessage());
    slow.countDown();
    long count;
    do { // the write sent to shard 1 was not recalled: it is applied once the shard answers
      count = router.count(c, ReadConsistency.LEADER).join();
    } while (count < points.size());
    assertEquals(points.size(), count);
  }

  @Test
  void aPayloadIndexIsBoundedOnlyByTheCallersTimeout() throws InterruptedException {
    CollectionDescriptor c = open("index", Distance.DOT);
    CountDownLatch slow = block(c, 0);
    CompletableFuture<Long> created =
        router.createFieldIndex(c, "city", FieldIndexSchema.of(PayloadSchemaType.KEYWORD));
    Thread.sleep(2 * DEADLINE.toMillis()); // longer than any read may take
    assertFalse(created.isDone(), "index creation was cut off by the read deadline");
    slow.countDown();
    created.join();
    assertEquals(
        List.of("city"),
        List.copyOf(router.payloadSchema(c, ReadConsistency.LEADER).join().keySet()));

    block(c, 2);
    Throwable e = failure(router.withTimeout(Duration.ofMillis(1500)).deleteFieldIndex(c, "city"));
    assertInstanceOf(RequestTimeoutException.class, e);
    assertTrue(
        e.getMessage().contains("shard 2 of collection `index` had not answered"), e.getMessage());
    assertTrue(
        e.getMessage().endsWith("; applied: shards 0, 1; not applied: shard 2"), e.getMessage());
  }

  // ---- a shard failing ----

  @Test
  void aFailedShardFailsTheReadWithItsOwnError() {
    CollectionDescriptor c = open("failed", Distance.DOT);
    writeRandomPoints(c, random, 40);
    clientOf(c, 2).close();
    Throwable e =
        failure(
            router.search(c, exactSearch(new float[] {1, 1, 1, 1}, 10), 0, ReadConsistency.LEADER));
    assertInstanceOf(ShardUnavailableException.class, e);
    assertEquals(
        "shard 2 of collection `failed` is unavailable: its replica is closed", e.getMessage());
    assertInstanceOf(
        ShardUnavailableException.class, failure(router.count(c, ReadConsistency.LEADER)));
  }

  @Test
  void aReadMetByARetiredClientIsAskedAgainThroughANewOne() {
    CollectionDescriptor c = open("retired", Distance.DOT);
    writeRandomPoints(c, random, 40);
    long all = router.count(c, ReadConsistency.LEADER).join();
    // As when this node's client of a shard met a replica only joining (group mismatch): it closed
    // itself.
    retire(c, 1, 1);
    assertEquals(all, router.count(c, ReadConsistency.LEADER).join());
    assertTrue(retiredAllAsked(), "the retired client was asked first");
  }

  @Test
  void aConfigWriteMetByARetiredClientIsSentAgainThroughANewOne() {
    CollectionDescriptor c = open("retiredconfig", Distance.DOT);
    writeRandomPoints(c, random, 10);
    // As a PATCH right after a move: the client of shard 1 met the replica being dropped.
    retire(c, 1, 1);
    assertTrue(router.updateShardConfig(c).join() > 0);
    assertTrue(retiredAllAsked(), "the retired client was asked first");
  }

  @Test
  void anUpsertMetByRetiredClientsIsSentAgainUntilALiveOneTakesIt() {
    CollectionDescriptor c = open("retiredupsert", Distance.DOT);
    // While a replica set changes, the new client can be retired too before it answers (another
    // request on it met the joining replica): each resend goes through the next new client.
    retire(c, 0, ShardFanOut.RETIRED_RESENDS);
    List<Point> points = new ArrayList<>();
    for (long id = 0; id < 30; id++) {
      points.add(point(id, 1, 0, 0, 0));
    }
    // The resends pause up to 500 ms each: more than this test router's 1 s deadline in all.
    assertTrue(router.withTimeout(Duration.ofSeconds(10)).upsert(c, points).join() > 0);
    assertTrue(retiredAllAsked(), "every retired client was asked first");
    List<PointId> ids = points.stream().map(Point::id).toList();
    assertEquals(ids, ids(router.retrieve(c, ids, false, false, ReadConsistency.LEADER).join()));
  }

  @Test
  void aClientRetiredMoreTimesThanTheResendsFailsTheWriteSayingWhatWasApplied() {
    CollectionDescriptor c = open("alwaysretired", Distance.DOT);
    retire(c, 0, ShardFanOut.RETIRED_RESENDS + 1);
    List<Point> points = new ArrayList<>();
    for (long id = 0; id < 12; id++) {
      points.add(point(id, 1, 0, 0, 0));
    }
    Throwable e = failure(router.withTimeout(Duration.ofSeconds(10)).upsert(c, points));
    assertInstanceOf(ShardUnavailableException.class, e);
    assertEquals(
        "shard 0 of collection `alwaysretired` is unavailable: the replica does not host it (yet)"
            + report(c, points, 0),
        e.getMessage());
  }

  /**
   * A shard client whose every call fails as a retired Ratis client's does (a prepared write fails
   * when it is sent).
   */
  private static io.quiver.sharding.ShardClient retiredClient(String name) {
    Supplier<CompletableFuture<Long>> failed =
        () ->
            CompletableFuture.failedFuture(
                new io.quiver.sharding.ShardClientRetiredException(
                    name + " is unavailable: the replica does not host it (yet)", null));
    return (io.quiver.sharding.ShardClient)
        java.lang.reflect.Proxy.newProxyInstance(
            PointsRouterTest.class.getClassLoader(),
            new Class<?>[] {io.quiver.sharding.ShardClient.class},
            (proxy, method, args) -> {
              if (method.getReturnType() == CompletableFuture.class) {
                return failed.get();
              }
              if (method.getReturnType() == io.quiver.sharding.ShardClient.PreparedWrite.class) {
                return ShardFanOut.whole(failed);
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  @Test
  void aWriteWithAFailedShardListsTheAppliedAndTheUnappliedPoints() {
    CollectionDescriptor c = open("failedwrite", Distance.DOT);
    List<Point> points = new ArrayList<>();
    for (long id = 100; id < 110; id++) {
      points.add(point(id, 0, 0, 1, 1));
    }
    clientOf(c, 0).close();
    Throwable e = failure(router.upsert(c, points));
    assertInstanceOf(ShardUnavailableException.class, e);
    assertEquals(
        "shard 0 of collection `failedwrite` is unavailable: its replica is closed"
            + report(c, points, 0),
        e.getMessage());
    List<PointId> applied =
        points.stream()
            .map(Point::id)
            .filter(id -> c.shardMap().shardOf(id).shardId() != 0)
            .toList();
    assertEquals(
        applied, ids(router.retrieve(c, applied, false, false, ReadConsistency.LEADER).join()));
  }

  @Test
  void badInputRefusedByTheShardsIsABadRequest() {
    CollectionDescriptor c = open("bad", Distance.DOT);
    Throwable e =
        failure(router.search(c, exactSearch(new float[] {1, 2, 3}, 5), 0, ReadConsistency.LEADER));
    assertInstanceOf(BadRequestException.class, e);
    assertTrue(e.getMessage().contains("expected dim: 4, got 3"), e.getMessage());
  }

  // ---- the collection: three local shards ----

  /** A collection of three shards, each a real shard with its own single-thread executor. */
  // ---- resharding ----

  /**
   * A collection going from 3 to 2 shards, simulated: every moving point also copied into its new
   * shard, as the copy does. While copying and after the switch, count, scroll and search see each
   * point exactly once (each shard answers for what it owns); a write of a moving point goes to its
   * old shard during the bulk copy, waits while syncing, and goes to its new shard once the routing
   * switched.
   */
  @Test
  void whileReshardingEachPointIsReadOnceAndMovingWritesWaitForTheSwitch() throws Exception {
    CollectionDescriptor c = open("resharded", Distance.DOT);
    Map<PointId, float[]> written = writeRandomPoints(c, random, 300);
    ShardMap map = c.shardMap();
    List<PointId> moving = new ArrayList<>();
    for (var e : written.entrySet()) {
      int to = map.hashing().shardOf(e.getKey(), 2);
      if (map.hashing().shardOf(e.getKey(), 3) != to) {
        moving.add(e.getKey());
        clientOf(c, to)
            .prepareUpsert(
                List.of(new Point(e.getKey(), Map.of(VectorsConfig.DEFAULT, e.getValue()), null)),
                io.quiver.storage.UpsertCondition.NONE)
            .send()
            .join();
      }
    }
    assertTrue(moving.size() > 100, "seed " + seed + ": " + moving.size());
    for (io.quiver.sharding.Resharding.Phase phase :
        List.of(
            io.quiver.sharding.Resharding.Phase.COPYING,
            io.quiver.sharding.Resharding.Phase.SYNCING,
            io.quiver.sharding.Resharding.Phase.CLEANUP)) {
      CollectionDescriptor resharding =
          new CollectionDescriptor(
              c.name(),
              c.config(),
              map.withResharding(
                  2,
                  map.shards(),
                  new io.quiver.sharding.Resharding(
                      io.quiver.sharding.Resharding.Direction.DOWN, 3, 2, 1, phase)));
      collections.put(c.name(), resharding);
      assertEquals(
          written.size(),
          router.count(resharding, ReadConsistency.LEADER).join(),
          phase + ", seed " + seed);
      List<PointId> scrolled =
          router
              .scroll(resharding, null, 10_000, null, false, false, ReadConsistency.LEADER)
              .join()
              .points()
              .stream()
              .map(PointRecord::id)
              .toList();
      assertEquals(written.keySet().stream().sorted().toList(), scrolled, phase + ", seed " + seed);
      float[] query = randomVector(random);
      assertEquals(
          ids(bruteForceDot(written, query).subList(0, 20)),
          ids(router.search(resharding, exactSearch(query, 20), 0, ReadConsistency.LEADER).join()),
          phase + ", seed " + seed);
    }

    // During the bulk copy a write of a moving point goes to its old shard at once; while syncing
    // it
    // waits until the routing switches, then goes to the new shard.
    CollectionDescriptor copying =
        new CollectionDescriptor(
            c.name(),
            c.config(),
            map.withResharding(
                3,
                map.shards(),
                new io.quiver.sharding.Resharding(
                    io.quiver.sharding.Resharding.Direction.DOWN,
                    3,
                    2,
                    1,
                    io.quiver.sharding.Resharding.Phase.COPYING)));
    collections.put(c.name(), copying);
    PointId id = moving.getFirst();
    router
        .upsert(
            copying,
            List.of(new Point(id, Map.of(VectorsConfig.DEFAULT, new float[] {8, 8, 8, 8}), null)))
        .get(10, TimeUnit.SECONDS);
    assertArrayEquals(
        new float[] {8, 8, 8, 8},
        clientOf(c, map.hashing().shardOf(id, 3))
            .retrieve(List.of(id), false, true, ReadConsistency.LEADER)
            .join()
            .getFirst()
            .vectors()
            .get(VectorsConfig.DEFAULT));
    CollectionDescriptor syncing =
        new CollectionDescriptor(
            c.name(),
            c.config(),
            map.withResharding(
                4,
                map.shards(),
                copying
                    .shardMap()
                    .resharding()
                    .withPhase(io.quiver.sharding.Resharding.Phase.SYNCING)));
    collections.put(c.name(), syncing);
    float[] changed = {9, 9, 9, 9};
    CompletableFuture<Long> write =
        router.upsert(
            syncing, List.of(new Point(id, Map.of(VectorsConfig.DEFAULT, changed), null)));
    Thread.sleep(300);
    assertFalse(
        write.isDone(), "a write of a moving point waits while the last changes are copied");
    collections.put(
        c.name(),
        new CollectionDescriptor(
            c.name(),
            c.config(),
            map.withResharding(
                5,
                map.shards(),
                copying
                    .shardMap()
                    .resharding()
                    .withPhase(io.quiver.sharding.Resharding.Phase.CLEANUP))));
    write.get(10, TimeUnit.SECONDS);
    int newShard = map.hashing().shardOf(id, 2);
    assertArrayEquals(
        changed,
        clientOf(c, newShard)
            .retrieve(List.of(id), false, true, ReadConsistency.LEADER)
            .join()
            .getFirst()
            .vectors()
            .get(VectorsConfig.DEFAULT));
  }

  private CollectionDescriptor open(String name, Distance distance) {
    CollectionConfig config =
        new CollectionConfig(
            VectorsConfig.single(new VectorParams(DIM, distance, false)), SHARDS, 1, 1);
    List<ShardPlacement> placements = new ArrayList<>();
    for (int i = 0; i < SHARDS; i++) {
      ShardPlacement shard = new ShardPlacement(i, UUID.randomUUID(), List.of(1L));
      ExecutorService executor = Executors.newSingleThreadExecutor();
      executors.put(shard.groupId(), executor);
      clients.put(
          shard.groupId(),
          LocalShardClient.open(
              "shard " + i + " of collection `" + name + "`",
              dir.resolve(name + "-" + i),
              config.shardConfig(),
              executor));
      placements.add(shard);
    }
    CollectionDescriptor c = new CollectionDescriptor(name, config, new ShardMap(1, placements));
    collections.put(name, c);
    return c;
  }

  private LocalShardClient clientOf(CollectionDescriptor c, int shardId) {
    return clients.get(c.shardMap().shard(shardId).groupId());
  }

  /**
   * Keeps the shard's executor busy until the latch is counted down (at the latest after the test).
   */
  private CountDownLatch block(CollectionDescriptor c, int shardId) {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    blocked.add(release);
    executors
        .get(c.shardMap().shard(shardId).groupId())
        .execute(
            () -> {
              started.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    try {
      started.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return release;
  }

  private Map<PointId, float[]> writeRandomPoints(CollectionDescriptor c, Random random, int n) {
    Map<PointId, float[]> written = new HashMap<>();
    List<Point> batch = new ArrayList<>();
    while (written.size() < n) {
      PointId id = PointId.of(random.nextInt(100_000));
      if (written.containsKey(id)) {
        continue;
      }
      float[] v = randomVector(random);
      written.put(id, v);
      batch.add(new Point(id, Map.of(VectorsConfig.DEFAULT, v), null));
      if (batch.size() == 64) {
        router.upsert(c, batch).join();
        batch = new ArrayList<>();
      }
    }
    router.upsert(c, batch).join();
    return written;
  }

  /**
   * Components in [-5, 5]: dot products and squared distances are small integers, exact in float.
   */
  private static float[] randomVector(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = random.nextInt(11) - 5;
    }
    return v;
  }

  private static SearchRequest exactSearch(float[] query, int limit) {
    return new SearchRequest(
        VectorsConfig.DEFAULT, query, limit, false, false, null, null, null, true);
  }

  /** Every point by dot product with {@code query}, highest first, ties by id. */
  private static List<ScoredPoint> bruteForceDot(Map<PointId, float[]> points, float[] query) {
    List<ScoredPoint> all = new ArrayList<>();
    points.forEach(
        (id, v) -> {
          float dot = 0;
          for (int i = 0; i < DIM; i++) {
            dot += v[i] * query[i];
          }
          all.add(new ScoredPoint(id, 0, dot, null, null));
        });
    all.sort(ScoredPoint.HIGHER_FIRST);
    return all;
  }

  private static double squaredDistance(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < DIM; i++) {
      sum += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return sum;
  }

  private static Point point(long id, float... vector) {
    return new Point(PointId.of(id), Map.of(VectorsConfig.DEFAULT, vector), null);
  }

  private static List<PointId> ids(long... ids) {
    List<PointId> out = new ArrayList<>();
    for (long id : ids) {
      out.add(PointId.of(id));
    }
    return out;
  }

  private static List<PointId> ids(List<?> hitsOrRecords) {
    return hitsOrRecords.stream()
        .map(
            x ->
                switch (x) {
                  case ScoredPoint p -> p.id();
                  case PointRecord r -> r.id();
                  default -> throw new IllegalArgumentException(String.valueOf(x));
                })
        .toList();
  }

  /**
   * What a write of {@code points} reports when shard {@code failed} failed and the others did not:
   * the shards in the order the router sends them (that of their first point), each with its
   * points.
   */
  private static String report(CollectionDescriptor c, List<Point> points, int failed) {
    Map<Integer, List<String>> byShard = new java.util.LinkedHashMap<>();
    points.forEach(
        p ->
            byShard
                .computeIfAbsent(c.shardMap().shardOf(p.id()).shardId(), s -> new ArrayList<>())
                .add(p.id().toString()));
    assertEquals(SHARDS, byShard.size(), "the test's points must reach every shard");
    List<String> applied = new ArrayList<>();
    List<String> appliedIds = new ArrayList<>();
    byShard.forEach(
        (shard, ids) -> {
          if (shard != failed) {
            applied.add(String.valueOf(shard));
            appliedIds.addAll(ids);
          }
        });
    return "; applied: shards "
        + String.join(", ", applied)
        + " (points "
        + String.join(", ", appliedIds)
        + ")"
        + "; not applied: shard "
        + failed
        + " (points "
        + String.join(", ", byShard.get(failed))
        + ")";
  }

  /** The failure of {@code future}, unwrapped as the REST layer unwraps it. */
  private static Throwable failure(CompletableFuture<?> future) {
    CompletionException e = assertThrows(CompletionException.class, future::join);
    Throwable cause = e;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
