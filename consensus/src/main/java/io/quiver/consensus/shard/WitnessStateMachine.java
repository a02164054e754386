package io.quiver.consensus.shard;

import io.quiver.consensus.raft.LifeCycles;
import io.quiver.consensus.snapshot.FetchOnNotice;
import io.quiver.consensus.snapshot.SnapshotFetcher;
import io.quiver.consensus.snapshot.SnapshotMessages;
import io.quiver.consensus.snapshot.SnapshotSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.util.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of a shard group's <b>witness</b> (see {@link
 * io.quiver.sharding.ShardPlacement}): a voter that keeps the group's log but no shard. It applies
 * nothing, refuses every client request (writes in {@link #startTransaction}, reads in {@link
 * #query}) with {@link #REFUSAL}, which the shard clients retry until leadership has moved to a
 * data replica (Ratis hands it over by priority: {@link
 * io.quiver.consensus.RaftNode#shardGroup(java.util.UUID, List, List, java.util.Map)}).
 *
 * <p><b>Snapshots without data.</b> A witness's snapshot is only a term and index, recorded in
 * {@value #MARKER} at the root of the group's directory (outside the state-machine directory, which
 * an older build's leader replaced when it streamed a snapshot). Ratis purges the witness's log up
 * to it, like any replica's. It offers the snapshot as a term and index without data, so a data
 * replica that a witness leader notifies to install a snapshot fetches one from a data replica
 * instead (see {@link SnapshotFetcher}), waiting for one with a recent enough snapshot. To keep
 * that rare, a witness snapshots no further than every peer's commit index as it last heard of
 * them, so it keeps the entries a lagging data replica still needs. When the witness itself needs a
 * snapshot (it joins, or fell behind the leader's log), it fetches a data replica's term and index
 * only. A snapshot that an older build's leader streamed here (files and all) is reduced to its
 * term and index and its files are deleted.
 *
 * <p>The marker also tells {@link io.quiver.consensus.RaftNode} on a restart that the group's
 * directory is a witness's.
 */
public final class WitnessStateMachine extends BaseStateMachine {

  private static final Logger LOG = LoggerFactory.getLogger(WitnessStateMachine.class);

  /**
   * The file at the root of a witness group's directory: "witness", then its snapshot's term and
   * index.
   */
  public static final String MARKER = "quiver-witness";

  /** The words of every refusal; the shard clients retry a request refused with them. */
  static final String REFUSAL =
      "is the shard's witness: it holds no data and hands leadership to a replica";

  private final WitnessStorage storage = new WitnessStorage();
  private final SnapshotSource source = new SnapshotSource(storage);

  /** Fetches a data replica's snapshot term and index when Ratis says this witness needs one. */
  private final FetchOnNotice fetchOnNotice;

  public WitnessStateMachine(SnapshotFetcher fetcher) {
    this.fetchOnNotice =
        new FetchOnNotice(
            fetcher,
            null,
            false,
            false,
            (manifest, files) ->
                storage.record(TermIndex.valueOf(manifest.term(), manifest.index())));
  }

  /**
   * What a group directory holds: {@code TRUE} a witness's (its marker), {@code FALSE} a data
   * replica's (a shard or a snapshot of one in its state-machine directory), null neither yet (a
   * group whose add was interrupted before either was written).
   */
  public static Boolean witnessDirectory(Path groupDir) {
    if (Files.exists(groupDir.resolve(MARKER))) {
      return Boolean.TRUE;
    }
    Path sm = groupDir.resolve("sm");
    if (Files.exists(sm.resolve("shard")) || Files.exists(sm.resolve("snapshots"))) {
      return Boolean.FALSE;
    }
    return null;
  }

  /** True when {@code error} (or a cause) is a witness's refusal of a client request. */
  static boolean isRefusal(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains(REFUSAL)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    getLifeCycle()
        .startAndTransition(
            () -> {
              storage.init(raftStorage);
              adoptInstalledSnapshot();
              TermIndex latest = storage.recorded();
              if (latest != null) {
                setLastAppliedTermIndex(latest);
              }
              LOG.info("{} {}: witness of the shard group, snapshot {}", getId(), groupId, latest);
            },
            IOException.class);
  }

  /**
   * Keeps only the term and index of a snapshot a data leader installed here (or that a crash left
   * installed but not yet reduced), and deletes its files.
   */
  private void adoptInstalledSnapshot() throws IOException {
    ShardSnapshotStorage installed = new ShardSnapshotStorage();
    installed.init(storage.raftStorage);
    FileListSnapshotInfo snapshot = installed.getLatestSnapshot();
    TermIndex current = storage.recorded();
    if (snapshot != null && (current == null || snapshot.getIndex() > current.getIndex())) {
      storage.record(snapshot.getTermIndex());
      LOG.info(
          "{} {}: witness kept snapshot {} of the leader as its term and index only",
          getId(),
          getGroupId(),
          snapshot.getTermIndex());
    } else {
      storage.record(current); // writes the marker of a new witness
    }
    Path sm = storage.raftStorage.getStorageDir().getStateMachineDir().toPath();
    if (Files.exists(sm.resolve("shard"))) {
      io.quiver.storage.Shard.destroy(sm.resolve("shard")); // its store in the node's engine too
    }
    if (Files.exists(sm.resolve("snapshots"))) {
      FileUtils.deleteFully(sm.resolve("snapshots"));
    }
  }

  @Override
  public void pause() {
    LifeCycles.pause(getLifeCycle());
  }

  @Override
  public void reinitialize() throws IOException {
    adoptInstalledSnapshot();
    TermIndex latest = storage.recorded();
    if (latest != null
        && (getLastAppliedTermIndex() == null
            || latest.getIndex() > getLastAppliedTermIndex().getIndex())) {
      setLastAppliedTermIndex(latest);
    }
    LifeCycles.resume(getLifeCycle());
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext context = super.startTransaction(request);
    context.setException(refusal());
    return context;
  }

  private IOException refusal() {
    return new IOException("node " + getId() + " " + REFUSAL);
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    var entry = trx.getLogEntry();
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    return CompletableFuture.completedFuture(Message.EMPTY);
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    return queryStale(request, 0);
  }

  /** Refuses every read, but describes its snapshot (a term and index) to a peer that asks. */
  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    if (SnapshotMessages.isRequest(request.getContent())) {
      return source.answer(request.getContent());
    }
    return CompletableFuture.failedFuture(refusal());
  }

  /**
   * Ratis' notice that this witness needs a snapshot (it is new to the group, or its log ends
   * before the leader's begins): a data replica's snapshot term and index, fetched without its
   * files, become the witness's snapshot.
   */
  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(
      org.apache.ratis.proto.RaftProtos.RoleInfoProto roleInfo, TermIndex firstAvailable) {
    return fetchOnNotice.start(this, roleInfo, firstAvailable);
  }

  @Override
  public void close() throws IOException {
    fetchOnNotice.cancel();
    super.close();
  }

  /**
   * Records a snapshot at the applied index, or at the lowest commit index of the group's peers as
   * this replica last heard of them when that is lower (see the class comment).
   */
  @Override
  public long takeSnapshot() throws IOException {
    TermIndex applied = getLastAppliedTermIndex();
    if (applied == null || applied.getIndex() < 0) {
      return -1;
    }
    long index = applied.getIndex();
    RaftServer.Division division = getServer().join().getDivision(getGroupId());
    for (CommitInfoProto info : division.getCommitInfos()) {
      index = Math.min(index, info.getCommitIndex());
    }
    TermIndex current = storage.recorded();
    TermIndex at = division.getRaftLog().getTermIndex(index);
    if (at == null || (current != null && index <= current.getIndex())) {
      return current == null ? -1 : current.getIndex();
    }
    storage.record(at);
    return index;
  }

  /** The witness's snapshot record, in {@value #MARKER} at the root of the group's directory. */
  private static final class WitnessStorage
      implements StateMachineStorage, io.quiver.consensus.snapshot.SnapshotSource.Snapshots {
    private volatile RaftStorage raftStorage;

    @Override
    public void init(RaftStorage raftStorage) {
      this.raftStorage = raftStorage;
    }

    private Path marker() {
      return raftStorage.getStorageDir().getRoot().toPath().resolve(MARKER);
    }

    /** The recorded snapshot, or null when there is none yet. */
    TermIndex recorded() throws IOException {
      Path marker = marker();
      if (!Files.exists(marker)) {
        return null;
      }
      List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
      if (lines.size() < 2 || lines.get(1).isBlank()) {
        return null;
      }
      String[] termIndex = lines.get(1).trim().split(" ");
      return TermIndex.valueOf(Long.parseLong(termIndex[0]), Long.parseLong(termIndex[1]));
    }

    /**
     * Writes the marker with {@code termIndex} (none when null), durably, replacing the old one.
     */
    void record(TermIndex termIndex) throws IOException {
      Path marker = marker();
      Path tmp = marker.resolveSibling(MARKER + ".tmp");
      String text =
          "witness\n"
              + (termIndex == null ? "" : termIndex.getTerm() + " " + termIndex.getIndex())
              + "\n";
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public FileListSnapshotInfo getLatestSnapshot() {
      try {
        TermIndex latest = recorded();
        return latest == null ? null : new FileListSnapshotInfo(List.of(), latest);
      } catch (IOException | RuntimeException unreadable) {
        return null;
      }
    }

    /** Offers the recorded term and index, without data (no data replica installs it). */
    @Override
    public io.quiver.consensus.snapshot.SnapshotSource.Offered latest() {
      TermIndex recorded = getLatestSnapshot() == null ? null : getLatestSnapshot().getTermIndex();
      return recorded == null
          ? null
          : io.quiver.consensus.snapshot.SnapshotSource.Offered.withoutData(recorded);
    }

    @Override
    public Path file(long term, long index, String path) {
      return null;
    }

    @Override
    public void format() {
      // the marker is written when the state machine starts
    }

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
      // a witness keeps one record, replaced in place
    }
  }
}
