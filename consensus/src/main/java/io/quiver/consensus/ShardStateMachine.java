package io.quiver.consensus;

import io.quiver.storage.BadRequestException;
import io.quiver.storage.Shard;
import io.quiver.storage.VectorsConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
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
 * The state machine of one shard group: applies the group's log to a {@link Shard} stored in the
 * group's state-machine directory, and answers reads from it.
 *
 * <p>Applying is deterministic: the same entries give the same shard on every replica. Bad input
 * that reaches the log (it is validated at the edge first) applies as a no-op whose reply is a
 * bad-request message, identical on every replica; an exception out of apply would mean the
 * replica is broken.
 *
 * <p>Snapshots: the shard's data already lives on disk, so a snapshot flushes it (making it
 * durable without the log) and records the applied term and index in a small file. After a
 * restart, Ratis replays the log after that index and the shard skips entries it already holds.
 * (Installing a snapshot on a lagging follower needs the data itself: a shard checkpoint, built
 * with the cluster work.)
 */
final class ShardStateMachine extends BaseStateMachine {

  private static final Logger LOG = LoggerFactory.getLogger(ShardStateMachine.class);

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  /** The vectors config of a new group, from the cluster metadata; null for an unknown group. */
  private final Function<RaftGroupId, VectorsConfig> configOfNewGroup;
  private volatile Shard shard;

  ShardStateMachine(Function<RaftGroupId, VectorsConfig> configOfNewGroup) {
    this.configOfNewGroup = configOfNewGroup;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    File shardDir = new File(raftStorage.getStorageDir().getStateMachineDir(), "shard");
    VectorsConfig config = shardDir.exists() ? null : configOfNewGroup.apply(groupId);
    if (!shardDir.exists() && config == null) {
      throw new IOException(groupId + ": no collection in the cluster metadata places this shard group here");
    }
    shard = Shard.open(shardDir.toPath(), config);
    loadSnapshot(storage.loadLatestSnapshot());
  }

  @Override
  public void reinitialize() throws IOException {
    loadSnapshot(storage.loadLatestSnapshot());
  }

  private void loadSnapshot(SingleFileSnapshotInfo snapshot) {
    if (snapshot == null) {
      return;
    }
    setLastAppliedTermIndex(snapshot.getTermIndex());
    LOG.info("{}: snapshot at {}, shard applied index {}", getId(), snapshot.getTermIndex(), shard.appliedIndex());
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    Message reply;
    try {
      ShardCommand command = ShardMessages.decodeCommand(entry.getStateMachineLogEntry().getLogData());
      switch (command) {
        case ShardCommand.Upsert u -> shard.upsert(u.points(), index);
        case ShardCommand.Delete d -> shard.delete(d.ids(), index);
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
    updateLastAppliedTermIndex(entry.getTerm(), index);
    return CompletableFuture.completedFuture(reply);
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    try {
      ShardQuery query = ShardMessages.decodeQuery(request.getContent());
      Message reply = switch (query) {
        case ShardQuery.Search s -> ShardMessages.okScored(shard.search(s.request()));
        case ShardQuery.Retrieve r -> ShardMessages.okRecords(shard.retrieve(r.ids(), r.withPayload(), r.withVector()));
        case ShardQuery.Count c -> ShardMessages.okIndex(shard.count());
      };
      return CompletableFuture.completedFuture(reply);
    } catch (BadRequestException e) {
      return CompletableFuture.completedFuture(ShardMessages.badRequest(e.getMessage()));
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    if (getLastAppliedTermIndex().getIndex() < minIndex) {
      return CompletableFuture.failedFuture(new IOException(
          getId() + ": replica has applied " + getLastAppliedTermIndex().getIndex() + " < requested " + minIndex));
    }
    return query(request);
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return -1;
    }
    shard.flush();
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    Files.writeString(file.toPath(), "applied_index=" + shard.appliedIndex() + "\n", StandardCharsets.UTF_8);
    var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    LOG.info("{}: snapshot at {}", getId(), last);
    return last.getIndex();
  }

  @Override
  public void close() throws IOException {
    super.close();
    Shard s = shard;
    if (s != null) {
      s.close();
    }
  }
}
