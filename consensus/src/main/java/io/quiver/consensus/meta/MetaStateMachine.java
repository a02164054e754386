package io.quiver.consensus.meta;

import io.quiver.consensus.raft.AppliedRequests;
import io.quiver.consensus.raft.LifeCycles;
import io.quiver.consensus.raft.LogBehindSnapshot;
import io.quiver.consensus.snapshot.FetchOnNotice;
import io.quiver.consensus.snapshot.SnapshotFetcher;
import io.quiver.consensus.snapshot.SnapshotManifest;
import io.quiver.consensus.snapshot.SnapshotMessages;
import io.quiver.consensus.snapshot.SnapshotSource;
import io.quiver.sharding.PlacementPlanner;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.ClientInvocationId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of the meta group: the cluster's nodes and collections as a {@link
 * ClusterState}. The rules live in the pure {@link ClusterState#apply} (placement of a new
 * collection's shards included, with the {@link PlacementPlanner}: every node derives the same
 * shard map from the same log); this class keeps the Ratis plumbing around them: decoding entries,
 * the applied term and index, refusing stale duplicates, snapshots, and encoding each {@link
 * MetaOutcome} as the reply.
 *
 * <p>Listeners are told of every new state on the apply thread and must return quickly.
 */
public final class MetaStateMachine extends BaseStateMachine {

  private static final Logger LOG = LoggerFactory.getLogger(MetaStateMachine.class);

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final AppliedRequests appliedRequests = new AppliedRequests();
  private final List<Consumer<ClusterState>> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> leaderListeners = new CopyOnWriteArrayList<>();
  private volatile ClusterState state = ClusterState.EMPTY;

  /** Fetches a peer's snapshot when Ratis says this replica needs one. */
  private final FetchOnNotice fetchOnNotice;

  /** Offers the snapshot to peers, and says which snapshots this node is receiving. */
  private final SnapshotSource source;

  /** The state-machine directory (snapshots, and a snapshot being fetched in incoming/). */
  private volatile Path smDir;

  public MetaStateMachine(SnapshotFetcher fetcher) {
    this.source =
        new SnapshotSource(
            new OfferedSnapshots(), fetcher == null ? List::of : fetcher::incomingTransfers);
    this.fetchOnNotice =
        new FetchOnNotice(
            fetcher, () -> smDir.resolve("incoming"), true, false, this::installFetched);
  }

  public ClusterState state() {
    return state;
  }

  public void addListener(Consumer<ClusterState> listener) {
    listeners.add(listener);
  }

  /**
   * Runs {@code listener} (on a Ratis thread; it must return quickly) whenever the meta group's
   * leader changes.
   */
  public void addLeaderListener(Runnable listener) {
    leaderListeners.add(listener);
  }

  @Override
  public void notifyLeaderChanged(
      org.apache.ratis.protocol.RaftGroupMemberId groupMemberId,
      org.apache.ratis.protocol.RaftPeerId newLeaderId) {
    leaderListeners.forEach(Runnable::run);
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
              smDir = raftStorage.getStorageDir().getStateMachineDir().toPath();
              SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
              if (latest != null) {
                // Before Ratis opens the log: see LogBehindSnapshot (a crash right after a snapshot
                // install).
                var dropped =
                    LogBehindSnapshot.dropIfBehind(
                        raftStorage.getStorageDir().getCurrentDir().toPath(), latest.getIndex());
                if (!dropped.isEmpty()) {
                  LOG.warn(
                      "{}: the Raft log ended below snapshot {} (a crash right after installing it): dropped {}",
                      getId(),
                      latest.getTermIndex(),
                      dropped);
                }
              }
              loadSnapshot(latest);
            },
            IOException.class);
  }

  /** Called after a snapshot from the leader was installed (a joining or lagging node). */
  @Override
  public void reinitialize() throws IOException {
    loadSnapshot(storage.loadLatestSnapshot());
    LifeCycles.resume(getLifeCycle());
  }

  /** Called before each chunk of a snapshot from the leader is installed. */
  @Override
  public void pause() {
    LifeCycles.pause(getLifeCycle());
  }

  private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
    if (snapshot == null) {
      return;
    }
    try (InputStream in = Files.newInputStream(snapshot.getFile().getPath())) {
      publish(MetaMessages.decodeSnapshot(in));
    }
    setLastAppliedTermIndex(snapshot.getTermIndex());
    LOG.info("{}: loaded cluster state at {}", getId(), snapshot.getTermIndex());
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /**
   * Ratis' notice that this replica needs a snapshot (a joining node, or one whose log ends before
   * the leader's begins): fetches a peer's (one small file, never held to the transfer rate).
   */
  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(
      org.apache.ratis.proto.RaftProtos.RoleInfoProto roleInfo, TermIndex firstAvailable) {
    return fetchOnNotice.start(this, roleInfo, firstAvailable);
  }

  /** Makes a fetched snapshot file this replica's latest snapshot; reinitialize loads it. */
  private void installFetched(SnapshotManifest manifest, Path files) throws IOException {
    if (manifest.files().size() != 1) {
      throw new IOException(
          "a metadata snapshot is one file, the peer offered " + manifest.files().size());
    }
    File file = storage.getSnapshotFile(manifest.term(), manifest.index());
    Files.move(
        files.resolve(manifest.files().getFirst().path()),
        file.toPath(),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    storage.updateLatestSnapshot(
        new SingleFileSnapshotInfo(
            new FileInfo(file.toPath(), md5),
            TermIndex.valueOf(manifest.term(), manifest.index())));
  }

  /**
   * Reads from peers: only the snapshot fetch, and which snapshots this node receives (the metadata
   * is read from the applied state).
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    if (SnapshotMessages.isRequest(request.getContent())) {
      return source.answer(request.getContent());
    }
    return CompletableFuture.failedFuture(
        new IOException("the metadata group answers no queries but snapshot fetches"));
  }

  @Override
  public void close() throws IOException {
    fetchOnNotice.cancel();
    super.close();
  }

  /** The latest snapshot file, offered to peers that fetch it. */
  private final class OfferedSnapshots implements SnapshotSource.Snapshots {
    @Override
    public SnapshotSource.Offered latest() {
      SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
      if (latest == null) {
        return null;
      }
      Path file = latest.getFile().getPath();
      return new SnapshotSource.Offered(
          latest.getTermIndex(), file.getParent(), List.of(file), true);
    }

    @Override
    public Path file(long term, long index, String path) {
      File file = storage.getSnapshotFile(term, index);
      return file.exists() && file.getName().equals(path) ? file.toPath() : null;
    }
  }

  /**
   * Refuses a stale copy of a command this replica already applied, as {@link
   * io.quiver.consensus.shard.ShardStateMachine#startTransaction} does for writes: a late copy of a
   * create after a delete would bring a collection back, one of an old replica set would undo a
   * move.
   */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext context = super.startTransaction(request);
    appliedRequests.refuseIfApplied(context, request, getId());
    return context;
  }

  /**
   * Decodes the entry and applies it with the pure rules of {@link ClusterState#apply}; here only
   * the Ratis plumbing: the applied term and index, the reply encoding, the listeners.
   */
  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    ClusterState current = state;
    ClusterState.Applied applied;
    try {
      MetaCommand command =
          MetaMessages.decodeCommand(entry.getStateMachineLogEntry().getLogData());
      applied = current.apply(index, command);
    } catch (IllegalArgumentException e) {
      applied =
          new ClusterState.Applied(current.atIndex(index), MetaOutcome.badRequest(e.getMessage()));
    } catch (IOException e) {
      LOG.error("{}: undecodable log entry at index {}, skipped: {}", getId(), index, e.toString());
      applied =
          new ClusterState.Applied(
              current.atIndex(index),
              MetaOutcome.undecodable("undecodable command: " + e.getMessage()));
    }
    appliedRequests.record(ClientInvocationId.valueOf(entry.getStateMachineLogEntry()));
    updateLastAppliedTermIndex(entry.getTerm(), index);
    publish(applied.state());
    return CompletableFuture.completedFuture(MetaMessages.reply(applied.outcome(), index));
  }

  private void publish(ClusterState next) {
    state = next;
    for (Consumer<ClusterState> listener : listeners) {
      try {
        listener.accept(next);
      } catch (RuntimeException e) {
        LOG.warn("{}: cluster state listener failed", getId(), e);
      }
    }
  }

  @Override
  public long takeSnapshot() throws IOException {
    ClusterState snapshotState = state;
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return -1;
    }
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    File tmp = new File(file.getPath() + ".tmp");
    Files.write(tmp.toPath(), MetaMessages.encodeSnapshot(snapshotState));
    Files.move(tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    storage.updateLatestSnapshot(
        new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    return last.getIndex();
  }
}
