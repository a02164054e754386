package io.quiver.consensus.shard;

import io.quiver.consensus.raft.AppliedRequests;
import io.quiver.consensus.raft.LifeCycles;
import io.quiver.consensus.raft.LogBehindSnapshot;
import io.quiver.consensus.snapshot.FetchOnNotice;
import io.quiver.consensus.snapshot.SnapshotFetcher;
import io.quiver.consensus.snapshot.SnapshotMessages;
import io.quiver.consensus.snapshot.SnapshotSource;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.Shard;
import io.quiver.storage.ShardConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.ClientInvocationId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one shard group: applies the group's log to a {@link Shard} stored in the
 * group's state-machine directory, and answers reads from it.
 *
 * <p>Applying is deterministic: the same entries give the same shard on every replica. Bad input
 * that reaches the log (it is validated at the edge first) applies as a no-op whose reply is a
 * bad-request message, identical on every replica; an exception out of apply would mean the replica
 * is broken.
 *
 * <p>Snapshots are checkpoints of the shard (see {@link ShardSnapshotStorage}; its store as SST
 * files the node's storage engine ingests, see {@code Shard.checkpoint}): complete copies of the
 * shard, so Ratis can purge its log up to them. A follower that is too far behind, or a new
 * replica, is only notified by Ratis: it fetches a peer's snapshot itself ({@link
 * #notifyInstallSnapshotFromLeader}, {@link SnapshotFetcher}: resumable, held to the node's
 * transfer rate), and restores its shard from the files in {@link #reinitialize()}. Its own
 * snapshots it offers to its peers the same way ({@link SnapshotSource}). After a restart, Ratis
 * replays the log after the latest snapshot and the shard skips the entries it already holds.
 */
public final class ShardStateMachine extends BaseStateMachine {

  private static final Logger LOG = LoggerFactory.getLogger(ShardStateMachine.class);

  private final ShardSnapshotStorage storage = new ShardSnapshotStorage();

  /** The vectors config of a new group, from the cluster metadata; null for an unknown group. */
  private final Function<RaftGroupId, ShardConfig> configOfNewGroup;

  private volatile Shard shard;
  private final AppliedRequests appliedRequests = new AppliedRequests();
  private final java.util.concurrent.atomic.AtomicLong leaderChanges =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong snapshotInstalls =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * Guards opening and closing the shard against a snapshot beginning on it (see {@link
   * #closeShard}).
   */
  private final Object shardLifecycle = new Object();

  /**
   * The snapshot being written (see {@link #takeSnapshot}), or the last one; null before the first.
   */
  private volatile SnapshotWrite snapshotWrite;

  /** The snapshot index last returned to Ratis (Ratis' own snapshot index), -1 for none. */
  private volatile long reportedSnapshot = -1;

  private final SnapshotSource source = new SnapshotSource(storage);

  /** Fetches a peer's snapshot when Ratis says this replica needs one. */
  private final FetchOnNotice fetchOnNotice;

  public ShardStateMachine(Function<RaftGroupId, ShardConfig> configOfNewGroup) {
    this(configOfNewGroup, null);
  }

  public ShardStateMachine(
      Function<RaftGroupId, ShardConfig> configOfNewGroup, SnapshotFetcher fetcher) {
    this.configOfNewGroup = configOfNewGroup;
    this.fetchOnNotice =
        new FetchOnNotice(fetcher, storage::stagingDir, true, true, storage::installFetched);
  }

  /**
   * Ratis' notice that this replica needs a snapshot (its log ends before the leader's begins, or
   * it is new to the group): fetches one from a peer, resuming what an earlier fetch staged. Ratis
   * then pauses this state machine and {@link #reinitialize reinitializes} it on the snapshot.
   */
  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(
      org.apache.ratis.proto.RaftProtos.RoleInfoProto roleInfo, TermIndex firstAvailable) {
    return fetchOnNotice.start(this, roleInfo, firstAvailable);
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    // RUNNING is what pause() (before a snapshot install) transitions from.
    getLifeCycle()
        .startAndTransition(
            () -> {
              storage.init(raftStorage);
              dropLogBehindSnapshot(raftStorage);
              openShard();
            },
            IOException.class);
  }

  /** Called before Ratis opens the group's log: see {@link LogBehindSnapshot}. */
  private void dropLogBehindSnapshot(RaftStorage raftStorage) throws IOException {
    var latest = storage.getLatestSnapshot();
    if (latest != null) {
      var dropped =
          LogBehindSnapshot.dropIfBehind(
              raftStorage.getStorageDir().getCurrentDir().toPath(), latest.getIndex());
      if (!dropped.isEmpty()) {
        LOG.warn(
            "{} {}: the Raft log ended below snapshot {} (a crash right after installing it): dropped {}",
            getId(),
            getGroupId(),
            latest.getTermIndex(),
            dropped);
      }
    }
  }

  /**
   * Opens the live shard; restores it from the newest snapshot first when there is none (a replica
   * that received a snapshot, or crashed before restoring it), or creates it from the collection's
   * config when there is neither (a new group).
   */
  private void openShard() throws IOException {
    Path shardDir = storage.shardDir();
    Path snapshot = storage.latestDir();
    ShardConfig config = null;
    if (snapshot != null && Shard.exists(shardDir) && storage.restorePending(snapshot)) {
      // A crash came between installing a fetched snapshot and restoring the shard from it: Ratis
      // starts from the snapshot's index, so the older shard must not stay.
      LOG.warn(
          "{} {}: the shard was not yet restored from installed snapshot {}: restoring it now",
          getId(),
          getGroupId(),
          snapshot.getFileName());
      Shard.destroy(shardDir);
    }
    if (!Shard.exists(shardDir)) {
      // No store, or a directory whose store a crash left half created or half dropped.
      if (snapshot != null) {
        storage.restoreShardFrom(snapshot);
        LOG.info(
            "{} {}: restored the shard from snapshot {}",
            getId(),
            getGroupId(),
            snapshot.getFileName());
      } else {
        config = configOfNewGroup.apply(getGroupId());
        if (config == null) {
          throw new IOException(
              getGroupId()
                  + ": no collection in the cluster metadata places this shard group here");
        }
      }
    } else if (snapshot == null) {
      // The store keeps the config it was created with; a store whose creation was interrupted
      // (a crash while the group was added) has none yet and is created now, as a new group's.
      config = configOfNewGroup.apply(getGroupId());
    }
    shard = Shard.openOrCreate(shardDir, config);
    storage.clearRestorePending();
    var latest = storage.getLatestSnapshot();
    reportedSnapshot = latest == null ? -1 : latest.getIndex();
    if (latest != null) {
      setLastAppliedTermIndex(latest.getTermIndex());
      LOG.info(
          "{}: snapshot at {}, shard applied index {}",
          getId(),
          latest.getTermIndex(),
          shard.appliedIndex());
    }
  }

  /**
   * Called before Ratis installs a snapshot from the leader: the shard's files are about to be
   * replaced.
   */
  @Override
  public void pause() {
    LifeCycles.pause(getLifeCycle());
    closeShard();
  }

  @Override
  public void notifyLeaderChanged(
      org.apache.ratis.protocol.RaftGroupMemberId groupMemberId,
      org.apache.ratis.protocol.RaftPeerId newLeaderId) {
    leaderChanges.incrementAndGet();
  }

  /** Leaders this replica has seen change since it started (for metrics). */
  public long leaderChanges() {
    return leaderChanges.get();
  }

  /** Snapshots installed into this replica from its leader since it started (for metrics). */
  public long snapshotInstalls() {
    return snapshotInstalls.get();
  }

  /**
   * True while a write holds the replica's shard or waits for it: a read now would wait (see {@link
   * Shard#isWriting}).
   */
  boolean isWriting() {
    Shard open = shard;
    return open != null && open.isWriting();
  }

  /** The open shard, or null while a snapshot is installed into it (or after close). */
  public Shard shardIfOpen() {
    return shard;
  }

  /**
   * Called after a snapshot was installed: the newest snapshot in {@link ShardSnapshotStorage} is
   * the fetched one, and replaces the shard when it is newer than what the shard applied.
   */
  @Override
  public void reinitialize() throws IOException {
    closeShard();
    Path latest = storage.latestDir();
    if (latest != null && Files.exists(storage.shardDir())) {
      var info = storage.getLatestSnapshot();
      if (info != null && info.getTermIndex().getIndex() > getLastAppliedTermIndex().getIndex()) {
        // The installed snapshot is newer than the local shard: it replaces it.
        Shard.destroy(storage.shardDir());
      }
    }
    openShard();
    // A store whose shard directory is gone without Shard.destroy (a crash in between) goes now.
    Shard.dropUnreferencedStores();
    snapshotInstalls
        .incrementAndGet(); // counted once the replica is open again on what it installed
    LifeCycles.resume(getLifeCycle());
  }

  /**
   * Closes the shard. Under {@link #shardLifecycle}, so that no snapshot begins on a shard being
   * closed: Ratis calls {@link #pause} (an install) from another thread than the apply thread that
   * takes snapshots, and a snapshot write left running would read a store whose column family the
   * install then drops.
   */
  private void closeShard() {
    synchronized (shardLifecycle) {
      Shard s = shard;
      shard = null;
      stopSnapshotWrite();
      if (s != null) {
        s.close();
      }
    }
  }

  @Override
  public ShardSnapshotStorage getStateMachineStorage() {
    return storage;
  }

  /**
   * Called on the leader for a client request the retry cache does not know: refuses a stale copy
   * of a request this replica already applied (see {@link AppliedRequests} for how one arrives), so
   * that it never enters the log a second time. The refusal reaches only the stale copy, whose
   * client already has its reply.
   */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext context = super.startTransaction(request);
    appliedRequests.refuseIfApplied(context, request, getId());
    return context;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    Message reply;
    try {
      ShardCommand command =
          ShardMessages.decodeCommand(entry.getStateMachineLogEntry().getLogData());
      String moved = notOwned(command);
      if (moved != null) {
        shard.markApplied(index);
        appliedRequests.record(ClientInvocationId.valueOf(entry.getStateMachineLogEntry()));
        updateLastAppliedTermIndex(entry.getTerm(), index);
        return CompletableFuture.completedFuture(ShardMessages.moved(moved));
      }
      switch (command) {
        case ShardCommand.Upsert u -> shard.upsert(u.points(), u.condition(), index);
        case ShardCommand.Delete d -> shard.delete(d.ids(), index);
        case ShardCommand.Apply a -> shard.apply(a.operation(), index);
        case ShardCommand.CreateFieldIndex c ->
            shard.createFieldIndex(c.field(), c.schema(), index);
        case ShardCommand.DeleteFieldIndex d -> shard.deleteFieldIndex(d.field(), index);
        case ShardCommand.ReadBarrier b -> shard.markApplied(index);
        case ShardCommand.SetOwnership o -> shard.setOwnership(o.ownership(), index);
        case ShardCommand.DropForeignPoints d -> {
          io.quiver.storage.ShardOwnership owned = shard.ownership();
          if (owned == null || owned.shard() >= owned.shards()) {
            shard.markApplied(index);
          } else {
            shard.apply(
                new io.quiver.storage.PointsOperation.DeletePoints(
                    new io.quiver.storage.PointSelector.ByFilter(owned.foreignFilter())),
                index);
          }
        }
        case ShardCommand.UpdateConfig u -> {
          shard.updateConfig(u.config(), index);
          // The engine takes new settings at open: reopen it (reads in this short window fail
          // and are retried by the client like any unavailable replica).
          closeShard();
          try {
            openShard();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(
                getId() + ": cannot reopen the shard with its new config", e);
          }
        }
      }
      reply = ShardMessages.okIndex(index);
    } catch (BadRequestException e) {
      shard.markApplied(index);
      reply = ShardMessages.badRequest(e.getMessage());
    } catch (IOException e) {
      // An entry this build cannot decode: skip it on every replica alike rather than crash-loop.
      LOG.error("{}: undecodable log entry at index {}, skipped: {}", getId(), index, e.toString());
      shard.markApplied(index);
      reply = ShardMessages.badRequest("undecodable command: " + e.getMessage());
    }
    appliedRequests.record(ClientInvocationId.valueOf(entry.getStateMachineLogEntry()));
    updateLastAppliedTermIndex(entry.getTerm(), index);
    return CompletableFuture.completedFuture(reply);
  }

  /**
   * Why {@code command} writes a point this shard does not own under its ownership fence, or null
   * when it does not (or the shard has no fence). Checked per entry: a refused entry changes
   * nothing, so its writer can route all of it again. Writes that select by filter are not checked:
   * they change only what the shard holds, and routers hold them while a collection is resharded.
   */
  private String notOwned(ShardCommand command) {
    io.quiver.storage.ShardOwnership owned = shard.ownership();
    if (owned == null) {
      return null;
    }
    java.util.List<io.quiver.storage.PointId> ids =
        switch (command) {
          case ShardCommand.Upsert u ->
              u.points().stream().map(io.quiver.storage.Point::id).toList();
          case ShardCommand.Delete d -> d.ids();
          case ShardCommand.Apply a ->
              a.operation().selector() instanceof io.quiver.storage.PointSelector.Ids selected
                  ? selected.ids()
                  : java.util.List.of();
          default -> java.util.List.of();
        };
    for (io.quiver.storage.PointId id : ids) {
      if (!owned.owns(id)) {
        return "point "
            + id
            + " belongs to another shard now (shard "
            + owned.shard()
            + " owns the points that "
            + owned.hashing().name().toLowerCase(java.util.Locale.ROOT)
            + " hashing puts in shard "
            + owned.shard()
            + " of "
            + owned.shards()
            + ")";
      }
    }
    return null;
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    if (SnapshotMessages.isRequest(request.getContent())) {
      return source.answer(request.getContent());
    }
    try {
      ShardQuery query = ShardMessages.decodeQuery(request.getContent());
      Message reply =
          switch (query) {
            case ShardQuery.Search s when s.similarities() ->
                ShardMessages.okSimilarities(shard.search(s.request()));
            case ShardQuery.Search s -> {
              // An older router's query: the scores it merges and reports are Qdrant's.
              var scale = io.quiver.storage.ScoreScale.of(shard.config(), s.request().vectorName());
              yield ShardMessages.okScored(
                  shard.search(s.request()).stream().map(scale::reported).toList());
            }
            case ShardQuery.Retrieve r ->
                ShardMessages.okRecords(shard.retrieve(r.ids(), r.withPayload(), r.withVector()));
            case ShardQuery.Count c -> ShardMessages.okIndex(shard.count(c.filter()));
            case ShardQuery.EstimateCount c ->
                ShardMessages.okIndex(shard.estimate(c.filter()).expected());
            case ShardQuery.PayloadSchema p -> ShardMessages.okPayloadSchema(shard.payloadSchema());
            case ShardQuery.Scroll sc ->
                ShardMessages.okRecords(
                    shard.scroll(
                        sc.offset(), sc.limit(), sc.filter(), sc.withPayload(), sc.withVector()));
            case ShardQuery.ScrollOrdered so ->
                ShardMessages.okOrderedRecords(
                    shard.scrollOrdered(
                        so.orderBy(), so.limit(), so.filter(), so.withPayload(), so.withVector()));
            case ShardQuery.Score s -> ShardMessages.okScored(shard.score(s.request()));
            case ShardQuery.Facet f -> ShardMessages.okFacet(shard.facet(f.key(), f.filter()));
            case ShardQuery.Info i ->
                ShardMessages.okInfo(shard.info().withUpdateQueue(unappliedEntries()));
            case ShardQuery.SparseStatistics st ->
                ShardMessages.okLongs(shard.sparseStatistics(st.vectorName(), st.indices()));
          };
      return CompletableFuture.completedFuture(reply);
    } catch (BadRequestException e) {
      return CompletableFuture.completedFuture(ShardMessages.badRequest(e.getMessage()));
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Entries in this replica's log that it has not applied yet: the updates it accepted (as leader)
   * or received and still has to apply, as Qdrant's update queue counts them. 0 while the log is
   * not open.
   */
  private long unappliedEntries() {
    try {
      var log = getServer().join().getDivision(getGroupId()).getRaftLog();
      TermIndex applied = getLastAppliedTermIndex();
      return Math.max(0, log.getNextIndex() - 1 - (applied == null ? 0 : applied.getIndex()));
    } catch (IOException | IllegalStateException notOpen) {
      return 0;
    }
  }

  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    if (SnapshotMessages.isRequest(request.getContent())) {
      return source.answer(request.getContent()); // a peer fetching this replica's snapshot
    }
    try {
      checkApplied(minIndex);
    } catch (IOException behind) {
      return CompletableFuture.failedFuture(behind);
    }
    return query(request);
  }

  /**
   * A search of this replica in process ({@link LocalShardReplica}), once it has applied {@code
   * minIndex}: the hits that {@link #query} would encode, without the encoding and the decoding.
   *
   * @throws io.quiver.storage.BadRequestException for a request the shard refuses
   * @throws IOException when this replica cannot answer (behind {@code minIndex}, or its shard
   *     closed): the caller asks the leader instead
   */
  List<io.quiver.storage.ScoredPoint> searchStale(
      io.quiver.storage.SearchRequest request, long minIndex) throws IOException {
    checkApplied(minIndex);
    Shard open = shard;
    if (open == null) {
      throw new IOException(getId() + ": the shard is closed");
    }
    return open.search(request);
  }

  private void checkApplied(long minIndex) throws IOException {
    if (getLastAppliedTermIndex().getIndex() < minIndex) {
      throw new IOException(
          getId()
              + ": replica has applied "
              + getLastAppliedTermIndex().getIndex()
              + " < requested "
              + minIndex);
    }
  }

  /**
   * Takes a snapshot without holding up the apply thread, which Ratis calls this on: the shard's
   * state is pinned and its derived files linked here (a flush, a RocksDB snapshot, hard links),
   * and the store's SST files are written by {@link SnapshotWriters} while applies go on (a full
   * read and write of the shard's RocksDB data: seconds for a large shard, every {@code
   * snapshot_threshold} entries). Ratis learns of a snapshot only once it is complete: this returns
   * -1 (nothing new) while one is being written, and its index at the first call after, so Ratis
   * purges its log only up to complete snapshots; one more snapshot's worth of log is kept
   * meanwhile. A replica writes one snapshot at a time. Ratis calls this at every apply round while
   * its threshold is passed, so a finished snapshot is reported at the next round (an idle group
   * reports it at its next write).
   */
  @Override
  public long takeSnapshot() throws IOException {
    SnapshotWrite writing = snapshotWrite;
    if (writing != null && !writing.isDone()) {
      return -1;
    }
    var latest = storage.getLatestSnapshot();
    long complete = latest == null ? -1 : latest.getIndex();
    if (complete > reportedSnapshot) {
      reportedSnapshot = complete;
      return complete;
    }
    TermIndex last = getLastAppliedTermIndex();
    synchronized (shardLifecycle) {
      Shard s = shard;
      if (last == null || last.getIndex() <= complete || s == null) {
        return -1;
      }
      Path dir = storage.newSnapshotDir(last);
      if (Files.exists(dir)) {
        org.apache.ratis.util.FileUtils.deleteFully(dir); // a snapshot cut short earlier
      }
      Files.createDirectories(dir.getParent());
      // On the thread that applies the log: the count is the snapshot's, at {@code last}.
      SnapshotWrite write = new SnapshotWrite(s.beginCheckpoint(dir), dir, last, s.count());
      snapshotWrite = write;
      SnapshotWriters.executor().execute(write);
      return -1;
    }
  }

  /**
   * Cancels a snapshot being written and waits until its writer has let go of the shard's store.
   */
  private void stopSnapshotWrite() {
    SnapshotWrite writing = snapshotWrite;
    if (writing != null) {
      writing.cancelAndWait();
    }
  }

  /**
   * A begun snapshot whose store files are still to be written: run once by a {@link
   * SnapshotWriters} thread, or abandoned by {@link #cancelAndWait} if the shard closes first
   * (whoever claims it first does its part: writes it, or releases its pinned state and removes
   * it).
   */
  private final class SnapshotWrite implements Runnable {
    private final Shard.Checkpoint checkpoint;
    private final Path dir;
    private final TermIndex at;
    private final long points;
    private final java.util.concurrent.atomic.AtomicBoolean claimed =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile boolean cancelled;

    SnapshotWrite(Shard.Checkpoint checkpoint, Path dir, TermIndex at, long points) {
      this.checkpoint = checkpoint;
      this.dir = dir;
      this.at = at;
      this.points = points;
    }

    boolean isDone() {
      return done.isDone();
    }

    @Override
    public void run() {
      if (!claimed.compareAndSet(false, true)) {
        return; // abandoned before it started
      }
      long started = System.nanoTime();
      try (checkpoint) {
        checkpoint.writeStore(() -> cancelled);
        storage.markComplete(dir, points);
        storage.cleanupOldSnapshots(null);
        LOG.info(
            "{}: snapshot at {} written in {} ms",
            getId(),
            at,
            (System.nanoTime() - started) / 1_000_000);
      } catch (IOException | RuntimeException e) {
        if (!(e instanceof java.util.concurrent.CancellationException)) {
          LOG.warn(
              "{}: the snapshot at {} could not be written (another is taken at the next threshold): {}",
              getId(),
              at,
              e.toString());
        }
        remove();
      } finally {
        done.complete(null);
      }
    }

    void cancelAndWait() {
      cancelled = true;
      if (claimed.compareAndSet(false, true)) {
        checkpoint.close();
        remove();
        done.complete(null);
      } else {
        done.join();
      }
    }

    private void remove() {
      try {
        org.apache.ratis.util.FileUtils.deleteFully(dir);
      } catch (IOException notRemoved) {
        LOG.warn(
            "{}: cannot remove the unfinished snapshot {}: {}",
            getId(),
            dir,
            notRemoved.toString());
      }
    }
  }

  @Override
  public void close() throws IOException {
    fetchOnNotice.cancel();
    super.close();
    closeShard();
  }
}
