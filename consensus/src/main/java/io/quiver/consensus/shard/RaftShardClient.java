package io.quiver.consensus.shard;

import io.quiver.consensus.codec.OrderByCodec;
import io.quiver.consensus.codec.PointCodec;
import io.quiver.consensus.codec.ScoringCodec;
import io.quiver.consensus.raft.RaftReplies;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardClient;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.SearchRequest;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * A {@link ShardClient} over the shard's Raft group. Writes go through the group's log (the Ratis
 * client finds the leader and retries on leader change); reads go to the leader ({@link
 * ReadConsistency#LEADER}), or to a replica on this node when there is one ({@link
 * ReadConsistency#ANY}); linearizable reads ({@link ReadConsistency#LINEARIZABLE}) commit a barrier
 * first (see {@link #linearizableRead}).
 */
public final class RaftShardClient implements ShardClient, AutoCloseable {

  /** Reads the body of an ok reply. */
  @FunctionalInterface
  private interface BodyReader<T> {
    T read(DataInputStream in) throws IOException;
  }

  private final String name;
  private final RaftClient client;

  /**
   * This node's own replica of the group, read in-process when it may answer; null when this node
   * holds none.
   */
  private final LocalShardReplica local;

  private final Runnable onBroken;

  /** Where replies are decoded and their callers continue (see {@link #decode}). */
  private final java.util.concurrent.Executor replies;

  /**
   * How long a client of a shard group retries while the group has no leader (an election takes
   * about 1 s).
   */
  public static final long NO_LEADER_BUDGET_MS = 5_000;

  /**
   * The largest command the shard group's log takes in one entry (see {@link
   * io.quiver.consensus.RaftNode#maxShardEntryBytes}).
   */
  private final int maxEntryBytes;

  private final java.util.function.Function<String, io.quiver.storage.ScoreScale> scoreScales;

  /** A client whose replicas are all of this build (tests): every search reply is similarities. */
  public RaftShardClient(
      String name,
      RaftClient client,
      LocalShardReplica local,
      Runnable onBroken,
      java.util.concurrent.Executor replies,
      int maxEntryBytes) {
    this(
        name,
        client,
        local,
        onBroken,
        replies,
        maxEntryBytes,
        vector -> {
          throw new IllegalStateException(
              name + ": a search reply of an older build (scores as reported)");
        });
  }

  /**
   * @param replies runs the decoding of replies and everything the callers chain after it
   * @param onBroken called when the Ratis client can no longer be used (it closes itself after a
   *     group mismatch, e.g. when a replica has not created the group yet); the owner then drops it
   * @param maxEntryBytes the largest command one log entry of the group takes; larger upserts are
   *     split
   * @param local this node's own replica, or null when the group has none here
   * @param scoreScales the score scale of each vector name of the collection, for a search reply
   *     from a replica of an older build, which scored its hits as Qdrant reports them
   */
  public RaftShardClient(
      String name,
      RaftClient client,
      LocalShardReplica local,
      Runnable onBroken,
      java.util.concurrent.Executor replies,
      int maxEntryBytes,
      java.util.function.Function<String, io.quiver.storage.ScoreScale> scoreScales) {
    this.maxEntryBytes = maxEntryBytes;
    this.scoreScales = scoreScales;
    this.name = name;
    this.client = client;
    this.local = local;
    this.onBroken = onBroken;
    this.replies = replies;
  }

  /**
   * Splits the upsert into entries that fit the log ({@link UpsertEntries}) and sends them one
   * after another, each once the previous one is applied: should one fail (no leader within the
   * retry budget, a deadline), the entries before it stay written and the ones after it are never
   * sent.
   */
  @Override
  public PreparedWrite prepareUpsert(
      List<Point> points, io.quiver.storage.UpsertCondition condition) {
    List<Integer> pointsPerEntry = new java.util.ArrayList<>();
    return inOrder(
        UpsertEntries.split(points, condition, maxEntryBytes, pointsPerEntry), pointsPerEntry);
  }

  /**
   * Sends the entries one after another, each once the previous one is applied; completes with the
   * highest index, and counts the points (ids) of the entries applied so far.
   */
  private PreparedWrite inOrder(List<Message> entries, List<Integer> itemsPerEntry) {
    java.util.concurrent.atomic.AtomicInteger applied =
        new java.util.concurrent.atomic.AtomicInteger();
    return new PreparedWrite() {
      @Override
      public CompletableFuture<Long> send() {
        CompletableFuture<Long> written = write(entries.getFirst());
        for (int i = 1; i < entries.size(); i++) {
          Message entry = entries.get(i);
          int before = itemsPerEntry.get(i - 1);
          written =
              written.thenCompose(
                  index -> {
                    applied.addAndGet(before);
                    return write(entry).thenApply(next -> Math.max(index, next));
                  });
        }
        int last = itemsPerEntry.getLast();
        return written.thenApply(
            index -> {
              applied.addAndGet(last);
              return index;
            });
      }

      @Override
      public int written() {
        return applied.get();
      }
    };
  }

  @Override
  public CompletableFuture<Long> delete(List<PointId> ids) {
    return write(ShardMessages.encode(new ShardCommand.Delete(ids)));
  }

  @Override
  public CompletableFuture<Long> updateConfig(io.quiver.storage.ShardConfig config) {
    return write(ShardMessages.encode(new ShardCommand.UpdateConfig(config)));
  }

  /** Sets the shard's ownership fence (resharding); completes once the leader applied it. */
  public CompletableFuture<Long> setOwnership(io.quiver.storage.ShardOwnership ownership) {
    return write(ShardMessages.encode(new ShardCommand.SetOwnership(ownership)));
  }

  /** Deletes the points the shard holds but does not own (resharding's cleanup). */
  public CompletableFuture<Long> dropForeignPoints() {
    return write(ShardMessages.encode(new ShardCommand.DropForeignPoints()));
  }

  /** As {@link #prepareUpsert}, for a change to existing points ({@link ApplyEntries}). */
  @Override
  public PreparedWrite prepareApply(io.quiver.storage.PointsOperation operation) {
    List<Integer> idsPerEntry = new java.util.ArrayList<>();
    return inOrder(ApplyEntries.split(operation, maxEntryBytes, idsPerEntry), idsPerEntry);
  }

  @Override
  public CompletableFuture<List<PointRecord>> scroll(
      io.quiver.storage.PointId offset,
      int limit,
      io.quiver.storage.filter.Filter filter,
      boolean withPayload,
      boolean withVector,
      ReadConsistency consistency) {
    return read(
        ShardMessages.encode(new ShardQuery.Scroll(offset, limit, filter, withPayload, withVector)),
        consistency,
        PointCodec::readRecords);
  }

  @Override
  public CompletableFuture<List<PointRecord>> scrollOrdered(
      io.quiver.storage.OrderBy orderBy,
      int limit,
      io.quiver.storage.filter.Filter filter,
      boolean withPayload,
      boolean withVector,
      ReadConsistency consistency) {
    return read(
        ShardMessages.encode(
            new ShardQuery.ScrollOrdered(orderBy, limit, filter, withPayload, withVector)),
        consistency,
        OrderByCodec::readOrderedRecords);
  }

  @Override
  public CompletableFuture<List<ScoredPoint>> search(
      SearchRequest request, ReadConsistency consistency) {
    // A filter or an exact search may scan the shard: never on the caller's thread. This node's
    // replica answers with the hits themselves, not encoded and decoded again.
    return read(
        () -> ShardMessages.encode(new ShardQuery.Search(request)),
        consistency,
        in -> ShardMessages.readSearchHits(in, () -> scoreScales.apply(request.vectorName())),
        request.filter() == null && !request.exact()
            ? OnCaller.IF_SEARCHES_ARE_QUICK
            : OnCaller.NEVER,
        (machine, minIndex) -> machine.searchStale(request, minIndex));
  }

  @Override
  public CompletableFuture<List<PointRecord>> retrieve(
      List<PointId> ids, boolean withPayload, boolean withVector, ReadConsistency consistency) {
    Message query = ShardMessages.encode(new ShardQuery.Retrieve(ids, withPayload, withVector));
    return read(
        () -> query,
        consistency,
        PointCodec::readRecords,
        ids.size() <= RETRIEVE_ON_CALLER_MAX_IDS ? OnCaller.YES : OnCaller.NEVER,
        null);
  }

  /** A retrieve of at most this many ids may run on the caller's thread (see {@link OnCaller}). */
  private static final int RETRIEVE_ON_CALLER_MAX_IDS = 256;

  /**
   * Whether a read that this node's own replica answers may run on the caller's thread, when the
   * caller allows it ({@link io.quiver.sharding.CallerThreadReads}): only reads of bounded cost, as
   * the caller may be an HTTP event loop that other connections wait on. Others run on the local
   * replica's read pool.
   */
  private enum OnCaller {
    NEVER,
    /** A search without filter: while the replica's recent searches took little time. */
    IF_SEARCHES_ARE_QUICK,
    /** A read by a few ids. */
    YES
  }

  @Override
  public CompletableFuture<Long> count(
      io.quiver.storage.filter.Filter filter, ReadConsistency consistency) {
    return read(
        ShardMessages.encode(new ShardQuery.Count(filter)), consistency, DataInputStream::readLong);
  }

  @Override
  public CompletableFuture<Long> estimateCount(
      io.quiver.storage.filter.Filter filter, ReadConsistency consistency) {
    return read(
        ShardMessages.encode(new ShardQuery.EstimateCount(filter)),
        consistency,
        DataInputStream::readLong);
  }

  @Override
  public CompletableFuture<Long> createFieldIndex(
      String field, io.quiver.storage.payloadindex.FieldIndexSchema schema) {
    return write(ShardMessages.encode(new ShardCommand.CreateFieldIndex(field, schema)));
  }

  @Override
  public CompletableFuture<Long> deleteFieldIndex(String field) {
    return write(ShardMessages.encode(new ShardCommand.DeleteFieldIndex(field)));
  }

  @Override
  public CompletableFuture<
          java.util.Map<String, io.quiver.storage.payloadindex.PayloadIndexes.FieldInfo>>
      payloadSchema(ReadConsistency consistency) {
    return read(
        ShardMessages.encode(new ShardQuery.PayloadSchema()),
        consistency,
        ShardMessages::readPayloadSchema);
  }

  @Override
  public CompletableFuture<List<ScoredPoint>> score(
      io.quiver.storage.scoring.ScoreRequest request, ReadConsistency consistency) {
    return read(
        ShardMessages.encode(new ShardQuery.Score(request)), consistency, PointCodec::readScored);
  }

  @Override
  public CompletableFuture<java.util.Map<io.quiver.storage.scoring.FacetValue, Long>> facet(
      io.quiver.storage.filter.JsonPath key,
      io.quiver.storage.filter.Filter filter,
      ReadConsistency consistency) {
    return read(
        ShardMessages.encode(new ShardQuery.Facet(key, filter)),
        consistency,
        ScoringCodec::readFacetCounts);
  }

  @Override
  public CompletableFuture<long[]> sparseStatistics(
      String vectorName, int[] indices, ReadConsistency consistency) {
    return read(
        ShardMessages.encode(new ShardQuery.SparseStatistics(vectorName, indices)),
        consistency,
        ShardMessages::readLongs);
  }

  @Override
  public CompletableFuture<io.quiver.storage.ShardInfo> info(ReadConsistency consistency) {
    return read(ShardMessages.encode(new ShardQuery.Info()), consistency, ShardMessages::readInfo);
  }

  private CompletableFuture<Long> write(Message command) {
    return decode(pastWitness(() -> client.async().send(command)), DataInputStream::readLong);
  }

  /**
   * How long a request refused by a witness leader is retried: the leader hands over within about
   * an election.
   */
  private static final long WITNESS_RETRY_BUDGET_MS = NO_LEADER_BUDGET_MS;

  private static final long WITNESS_RETRY_SLEEP_MS = 100;

  /**
   * Sends a request to the group's leader, and again (a new request: the refused one never entered
   * the log) every {@value #WITNESS_RETRY_SLEEP_MS} ms for up to {@link #WITNESS_RETRY_BUDGET_MS}
   * after the first refusal while the leader is the shard's witness (or steps down to hand
   * leadership to a replica), which refuses every request ({@link WitnessStateMachine}) and hands
   * leadership to a data replica once one has caught up. Writes are idempotent, so an entry the
   * witness's predecessor logged and the witness committed, whose client then sends it again here,
   * applies twice to the same effect.
   */
  private CompletableFuture<RaftClientReply> pastWitness(
      java.util.function.Supplier<CompletableFuture<RaftClientReply>> send) {
    return pastWitness(send, 0);
  }

  /**
   * True when the leader refused the request because it is handing leadership over (a witness to a
   * replica, by priority): the request never entered the log.
   */
  private static boolean isSteppingDown(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof org.apache.ratis.protocol.exceptions.LeaderSteppingDownException) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param deadline when to stop retrying, in {@link System#nanoTime()} terms; 0 until the first
   *     refusal (the budget starts there)
   */
  private CompletableFuture<RaftClientReply> pastWitness(
      java.util.function.Supplier<CompletableFuture<RaftClientReply>> send, long deadline) {
    return send.get()
        .handle(
            (reply, error) -> {
              Throwable refusal =
                  error != null ? error : reply.isSuccess() ? null : reply.getException();
              long now = System.nanoTime();
              if (refusal == null
                  || !(WitnessStateMachine.isRefusal(refusal) || isSteppingDown(refusal))
                  || (deadline != 0 && now > deadline)) {
                return error == null
                    ? CompletableFuture.completedFuture(reply)
                    : CompletableFuture.<RaftClientReply>failedFuture(error);
              }
              long until =
                  deadline != 0
                      ? deadline
                      : now
                          + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
                              WITNESS_RETRY_BUDGET_MS);
              // Sent again off the Ratis event loop (see decode).
              return CompletableFuture.supplyAsync(
                      () -> pastWitness(send, until),
                      CompletableFuture.delayedExecutor(
                          WITNESS_RETRY_SLEEP_MS,
                          java.util.concurrent.TimeUnit.MILLISECONDS,
                          replies))
                  .thenCompose(f -> f);
            })
        .thenCompose(f -> f);
  }

  private <T> CompletableFuture<T> read(
      Message query, ReadConsistency consistency, BodyReader<T> reader) {
    return read(() -> query, consistency, reader, OnCaller.NEVER, null);
  }

  /** What this node's own replica answers in process, typed (see {@link #read}). */
  @FunctionalInterface
  private interface LocalAnswer<T> {
    /**
     * @throws IOException when the replica cannot answer after all (behind the minimum index,
     *     closing): the leader is asked instead
     */
    T answer(ShardStateMachine machine, long minIndex) throws IOException;
  }

  /**
   * A read: to this node's own replica in process when it may answer ({@link LocalShardReplica}),
   * else to the replica {@code consistency} chooses. In process, {@code localAnswer} (null: the
   * encoded {@code query} handed to the state machine and its reply decoded) runs on the replica's
   * read pool, or on this thread as {@code onCaller} says; a replica that cannot answer after all
   * leaves the read to the leader, as a remote read would. Bad input fails the read either way.
   *
   * @param query the query encoded, made only when it is sent or has no typed local answer
   */
  private <T> CompletableFuture<T> read(
      java.util.function.Supplier<Message> query,
      ReadConsistency consistency,
      BodyReader<T> reader,
      OnCaller onCaller,
      LocalAnswer<T> localAnswer) {
    ShardStateMachine machine =
        local == null
            ? null
            : switch (consistency.level()) {
              case LINEARIZABLE -> null;
              case LEADER -> local.asLeader();
              case ANY -> local.asMember();
            };
    if (machine == null) {
      return decode(remoteRead(query.get(), consistency), reader);
    }
    long minIndex = consistency.minIndex();
    boolean timed = onCaller == OnCaller.IF_SEARCHES_ARE_QUICK;
    boolean here =
        io.quiver.sharding.CallerThreadReads.allowed()
            && (onCaller == OnCaller.YES || timed && local.searchesAreQuick())
            && !machine.isWriting();
    LocalAnswer<T> answer =
        localAnswer != null
            ? localAnswer
            : (m, min) -> {
              CompletableFuture<Message> reply = m.queryStale(query.get(), min);
              try {
                return readBody(reply.join().getContent(), reader);
              } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
              }
            };
    return CompletableFuture.supplyAsync(
            () -> {
              long start = timed ? System.nanoTime() : 0;
              try {
                return answer.answer(machine, minIndex);
              } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
              } finally {
                if (timed) {
                  local.searched(System.nanoTime() - start);
                }
              }
            },
            here ? Runnable::run : local.reads())
        .handle(
            (value, error) ->
                error == null
                    ? CompletableFuture.completedFuture(value)
                    : isUserError(error)
                        ? CompletableFuture.<T>failedFuture(error)
                        : decode(
                            pastWitness(
                                () -> client.async().sendReadOnlyNonLinearizable(query.get())),
                            reader))
        .thenCompose(f -> f);
  }

  /** A read's failure that asking another replica would not change: the input is refused. */
  private static boolean isUserError(Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause()
            : error;
    return cause instanceof io.quiver.storage.BadRequestException
        || cause instanceof io.quiver.sharding.PointsMovedException;
  }

  private CompletableFuture<RaftClientReply> remoteRead(
      Message query, ReadConsistency consistency) {
    return switch (consistency.level()) {
      case LINEARIZABLE -> linearizableRead(query);
      case LEADER, ANY -> pastWitness(() -> client.async().sendReadOnlyNonLinearizable(query));
    };
  }

  /**
   * A linearizable read: commits a {@link ShardCommand.ReadBarrier} through the leader, then reads
   * the replica that answered it, at or after the barrier's index. Whatever was acknowledged before
   * this read began has a lower index, and a committed barrier proves that a majority followed its
   * leader after the read began.
   *
   * <p>Not Ratis' ReadIndex ({@code sendReadOnly}): in Ratis 3.2.0 and 3.2.1 a leader answers a
   * read at once when an earlier heartbeat round already acknowledged its commit index ({@code
   * ReadIndexHeartbeats.addAppendEntriesListener} returns null), however long ago that was. A
   * leader that has been paused or cut off, and has not noticed yet that another replica leads with
   * newer writes, then serves its own stale state (the Jepsen delete-pause anomaly, reproduced by
   * {@code StaleLeaderReadTest}).
   */
  private CompletableFuture<RaftClientReply> linearizableRead(Message query) {
    return pastWitness(
            () -> client.async().send(ShardMessages.encode(new ShardCommand.ReadBarrier())))
        // continued off the Ratis event loop (see decode)
        .thenComposeAsync(
            barrier ->
                barrier.isSuccess()
                    ? staleRead(query, barrier.getLogIndex(), barrier.getServerId())
                    : CompletableFuture.completedFuture(barrier),
            replies);
  }

  /**
   * A read of replica {@code server} once it has applied {@code minIndex}, sent <em>unordered</em>.
   * Ratis' {@code async().sendStaleRead} sends it on the client's ordered stream, numbered in a
   * window of its own per server; Ratis 3.2.1 flags the first request of such a window as first
   * only when the leader's window says so ({@code OrderedAsync.sendRequestWithRetry} asks the
   * leader's window, fixed upstream in RATIS-2403), so the first read addressed to a replica waited
   * on the server for a predecessor that never comes until the client timed out twice: 6 s (every
   * first {@code consistency=any} or linearizable read through a node, and resharding's first copy
   * page). Reads need no order; the unordered stream has no windows, and it is separate from the
   * ordered stream the writes use, so the client's writes and these reads do not interfere.
   */
  private CompletableFuture<RaftClientReply> staleRead(
      Message query, long minIndex, RaftPeerId server) {
    return org.apache.ratis.client.impl.UnorderedAsync.send(
        org.apache.ratis.protocol.RaftClientRequest.staleReadRequestType(minIndex),
        query,
        server,
        (org.apache.ratis.client.impl.RaftClientImpl) client);
  }

  /**
   * Decodes the reply on {@link #replies}, never on the thread that completed it: that is a thread
   * of the Ratis client's transport, which must not run the callers' continuations (the next stage
   * of a query, a REST reply). On Ratis' Netty transport, which Quiver used before gRPC and which
   * matches replies to requests in the order they were queued (NettyRpcProxy), a request sent from
   * its event loop was even written ahead of requests other threads had queued, so replies reached
   * the wrong callers.
   */
  private <T> CompletableFuture<T> decode(
      CompletableFuture<RaftClientReply> reply, BodyReader<T> reader) {
    return RaftReplies.content(reply, name)
        .handleAsync(
            (ByteString content, Throwable error) -> {
              if (error != null) {
                if (RaftReplies.isClientBroken(error)) {
                  onBroken.run();
                }
                throw error instanceof java.util.concurrent.CompletionException c
                    ? c
                    : new java.util.concurrent.CompletionException(error);
              }
              return readBody(content, reader);
            },
            replies);
  }

  private <T> T readBody(ByteString content, BodyReader<T> reader) {
    try {
      return reader.read(ShardMessages.openReply(content));
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": undecodable reply", e);
    }
  }

  @Override
  public void close() throws IOException {
    client.close();
  }

  @Override
  public String toString() {
    return name;
  }
}
