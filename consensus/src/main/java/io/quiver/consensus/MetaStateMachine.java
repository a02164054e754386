package io.quiver.consensus;

import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.PlacementPlanner;
import io.quiver.sharding.ShardMap;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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
 * The state machine of the meta group: the cluster's nodes and collections as a {@link ClusterState}.
 * Placement of a new collection's shards is computed here, in apply, with the pure
 * {@link PlacementPlanner}: every node derives the same shard map from the same log.
 *
 * <p>Listeners are told of every new state on the apply thread and must return quickly.
 */
final class MetaStateMachine extends BaseStateMachine {

  private static final Logger LOG = LoggerFactory.getLogger(MetaStateMachine.class);

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final AppliedRequests appliedRequests = new AppliedRequests();
  private final List<Consumer<ClusterState>> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> leaderListeners = new CopyOnWriteArrayList<>();
  private volatile ClusterState state = ClusterState.EMPTY;

  ClusterState state() {
    return state;
  }

  void addListener(Consumer<ClusterState> listener) {
    listeners.add(listener);
  }

  /** Runs {@code listener} (on a Ratis thread; it must return quickly) whenever the meta group's leader changes. */
  void addLeaderListener(Runnable listener) {
    leaderListeners.add(listener);
  }

  @Override
  public void notifyLeaderChanged(org.apache.ratis.protocol.RaftGroupMemberId groupMemberId,
      org.apache.ratis.protocol.RaftPeerId newLeaderId) {
    leaderListeners.forEach(Runnable::run);
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    // RUNNING is what pause() (before a snapshot install) transitions from.
    getLifeCycle().startAndTransition(() -> {
      storage.init(raftStorage);
      SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
      if (latest != null) {
        // Before Ratis opens the log: see LogBehindSnapshot (a crash right after a snapshot install).
        var dropped = LogBehindSnapshot.dropIfBehind(raftStorage.getStorageDir().getCurrentDir().toPath(), latest.getIndex());
        if (!dropped.isEmpty()) {
          LOG.warn("{}: the Raft log ended below snapshot {} (a crash right after installing it): dropped {}", getId(),
              latest.getTermIndex(), dropped);
        }
      }
      loadSnapshot(latest);
    }, IOException.class);
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
   * Refuses a stale copy of a command this replica already applied, as
   * {@link ShardStateMachine#startTransaction} does for writes: a late copy of a create after a
   * delete would bring a collection back, one of an old replica set would undo a move.
   */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext context = super.startTransaction(request);
    if (appliedRequests.contains(ClientInvocationId.valueOf(request))) {
      LOG.warn("{}: refused a second copy of request {} of {}, which was already applied", getId(), request.getCallId(),
          request.getClientId());
      context.setException(new IOException("request " + request.getCallId() + " of " + request.getClientId()
          + " was already applied; this copy is stale"));
    }
    return context;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    Message reply;
    ClusterState current = state;
    ClusterState next;
    try {
      MetaCommand command = MetaMessages.decodeCommand(entry.getStateMachineLogEntry().getLogData());
      switch (command) {
        case MetaCommand.RegisterNode r -> {
          next = current.withNode(index, r.nodeId(), r.address());
          reply = MetaMessages.reply(MetaMessages.STATUS_OK, index);
        }
        case MetaCommand.CreateCollection c -> {
          if (current.collections().containsKey(c.name())) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_CONFLICT, c.name());
          } else if (current.aliases().containsKey(c.name())) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_BAD_REQUEST, "Wrong input: Can't create collection with name `"
                + c.name() + "`: an alias with the same name exists");
          } else {
            ShardMap map = PlacementPlanner.place(List.copyOf(current.nodes().keySet()), c.name(), index, c.config(), c.hashing());
            next = current.withCollection(index, new CollectionDescriptor(c.name(), c.config(), map));
            reply = MetaMessages.reply(MetaMessages.STATUS_OK, index);
          }
        }
        case MetaCommand.RemoveNode r -> {
          String holds = replicasOn(current, r.nodeId(), false);
          String only = replicasOn(current, r.nodeId(), true);
          if (!current.nodes().containsKey(r.nodeId())) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_NOT_FOUND, "Not found: peer " + r.nodeId() + " is not a member of the cluster");
          } else if (holds != null && !r.force()) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_CONFLICT, only != null
                ? "peer " + r.nodeId() + " holds the only copy of shards " + only + "; drain it first (POST /cluster/peer/"
                    + r.nodeId() + "/drain) or raise their replication_factor. force=true removes it anyway and loses that data"
                : "peer " + r.nodeId() + " still holds replicas (" + holds + "); drain it first (POST /cluster/peer/"
                    + r.nodeId() + "/drain), or move or drop them");
          } else if (only != null && current.nodes().size() == 1) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_CONFLICT, "peer " + r.nodeId() + " is the last node of the cluster");
          } else {
            next = ForcedRemoval.apply(current, index, r.nodeId());
            reply = MetaMessages.reply(MetaMessages.STATUS_OK, index);
          }
        }
        case MetaCommand.SetDraining d -> {
          String stuck = d.drain() ? undrainable(current, d.nodeId()) : null;
          if (!current.nodes().containsKey(d.nodeId())) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_NOT_FOUND, "Not found: peer " + d.nodeId() + " is not a member of the cluster");
          } else if (stuck != null) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_CONFLICT, stuck);
          } else {
            next = current.withDraining(index, d.nodeId(), d.drain());
            reply = MetaMessages.reply(MetaMessages.STATUS_OK, index);
          }
        }
        case MetaCommand.SetRebalancing r -> {
          next = current.withRebalancing(index, r.on());
          reply = MetaMessages.reply(MetaMessages.STATUS_OK, index);
        }
        case MetaCommand.SetShardReplicas r -> {
          String problem = checkReplicas(current, r);
          if (problem != null) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(problem.startsWith("Not found") ? MetaMessages.STATUS_NOT_FOUND
                : MetaMessages.STATUS_BAD_REQUEST, problem);
          } else {
            next = current.withShardReplicas(index, r.collection(), r.shardId(), r.replicas());
            reply = MetaMessages.reply(MetaMessages.STATUS_OK, index);
          }
        }
        case MetaCommand.SetShardWitnesses w -> {
          String problem = checkWitnesses(current, w);
          if (problem != null) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(problem.startsWith("Not found") ? MetaMessages.STATUS_NOT_FOUND
                : MetaMessages.STATUS_BAD_REQUEST, problem);
          } else {
            next = current.withShardWitnesses(index, w.collection(), w.shardId(), w.witnesses());
            reply = MetaMessages.reply(MetaMessages.STATUS_OK, index);
          }
        }
        case MetaCommand.StartResharding r -> {
          ReshardingTransitions.Outcome outcome = ReshardingTransitions.start(current, index, r);
          next = outcome.next();
          reply = outcome.problem() == null ? MetaMessages.reply(MetaMessages.STATUS_OK, index)
              : MetaMessages.reply(outcome.status(), outcome.problem());
        }
        case MetaCommand.ReshardingStep r -> {
          ReshardingTransitions.Outcome outcome = ReshardingTransitions.step(current, index, r);
          next = outcome.next();
          reply = outcome.problem() == null ? MetaMessages.reply(MetaMessages.STATUS_OK, index)
              : MetaMessages.reply(outcome.status(), outcome.problem());
        }
        case MetaCommand.UpdateCollection u -> {
          CollectionDescriptor c = current.collections().get(u.name());
          if (c == null) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_NOT_FOUND, "Not found: Collection `" + u.name() + "` doesn't exist!");
          } else if (!sameShape(c.config(), u.config())) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_BAD_REQUEST,
                "Wrong input: an update cannot change the vectors' sizes or distances or the number of shards");
          } else if (u.config().replicationFactor() != c.config().replicationFactor()
              && u.config().replicationFactor() > current.eligibleNodes().size()) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_BAD_REQUEST, "Wrong input: `params.replication_factor` "
                + u.config().replicationFactor() + " is larger than the number of nodes that can hold replicas ("
                + current.eligibleNodes().size() + ")");
          } else {
            next = current.withCollection(index, new CollectionDescriptor(c.name(), u.config(), c.shardMap()));
            reply = MetaMessages.reply(MetaMessages.STATUS_OK, index);
          }
        }
        case MetaCommand.ChangeVectorName v -> {
          CollectionDescriptor c = current.collections().get(v.collection());
          String problem = c == null ? null : io.quiver.storage.VectorNameChange.problem(c.config().vectors(), v.vector(), v.added());
          if (c == null) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_NOT_FOUND,
                "Not found: Collection `" + v.collection() + "` doesn't exist!");
          } else if (problem != null) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(MetaMessages.STATUS_BAD_REQUEST, problem);
          } else {
            CollectionConfig config = c.config();
            CollectionConfig changed = new CollectionConfig(io.quiver.storage.VectorNameChange.apply(config.vectors(), v.vector(), v.added()),
                config.shardNumber(), config.replicationFactor(), config.writeConsistencyFactor(), config.hnsw(),
                config.optimizers(), config.quantization(), config.strictMode(), config.payloadMemory());
            next = current.withCollection(index, new CollectionDescriptor(c.name(), changed, c.shardMap()));
            reply = MetaMessages.reply(MetaMessages.STATUS_OK, index);
          }
        }
        case MetaCommand.UpdateAliases u -> {
          AliasChanges.Result result = AliasChanges.apply(current, u.actions());
          if (result.error() != null) {
            next = current.atIndex(index);
            reply = MetaMessages.reply(result.status(), result.error());
          } else {
            next = current.withAliases(index, result.aliases());
            reply = MetaMessages.reply(MetaMessages.STATUS_OK, index);
          }
        }
        case MetaCommand.DeleteCollection d -> {
          boolean existed = current.collections().containsKey(d.name());
          next = current.withoutCollection(index, d.name());
          reply = existed
              ? MetaMessages.reply(MetaMessages.STATUS_OK, index)
              : MetaMessages.reply(MetaMessages.STATUS_NOT_FOUND, d.name());
        }
      }
    } catch (IllegalArgumentException e) {
      next = current.atIndex(index);
      reply = MetaMessages.reply(MetaMessages.STATUS_BAD_REQUEST, e.getMessage());
    } catch (IOException e) {
      LOG.error("{}: undecodable log entry at index {}, skipped: {}", getId(), index, e.toString());
      next = current.atIndex(index);
      reply = MetaMessages.reply(MetaMessages.STATUS_BAD_REQUEST, "undecodable command: " + e.getMessage());
    }
    appliedRequests.record(ClientInvocationId.valueOf(entry.getStateMachineLogEntry()));
    updateLastAppliedTermIndex(entry.getTerm(), index);
    publish(next);
    return CompletableFuture.completedFuture(reply);
  }

  /** True when an update keeps the vectors (names, sizes, distances) and the shard count. */
  private static boolean sameShape(CollectionConfig before, CollectionConfig after) {
    if (before.shardNumber() != after.shardNumber()
        || !before.vectors().vectors().keySet().equals(after.vectors().vectors().keySet())) {
      return false;
    }
    for (var e : before.vectors().vectors().entrySet()) {
      var p = after.vectors().get(e.getKey());
      if (p.size() != e.getValue().size() || p.distance() != e.getValue().distance()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The shards with a replica on {@code nodeId} (only those whose only copy it holds, when
   * {@code onlyCopy}), as "collection/shard, ...", or null when none.
   */
  private static String replicasOn(ClusterState state, long nodeId, boolean onlyCopy) {
    java.util.List<String> held = new java.util.ArrayList<>();
    for (CollectionDescriptor c : state.collections().values()) {
      for (var s : c.shardMap().shards()) {
        if (s.replicas().contains(nodeId) && (!onlyCopy || s.replicas().size() == 1)) {
          held.add(c.name() + "/" + s.shardId());
        }
      }
    }
    return held.isEmpty() ? null : String.join(", ", held);
  }

  /** Why draining {@code nodeId} could never finish (it holds an only copy and no other node may take it), or null. */
  private static String undrainable(ClusterState state, long nodeId) {
    String only = replicasOn(state, nodeId, true);
    boolean elsewhere = state.eligibleNodes().stream().anyMatch(n -> n != nodeId);
    if (only != null && !elsewhere) {
      return "peer " + nodeId + " holds the only copy of shards " + only + " and no other node can take them; add a node first";
    }
    return null;
  }

  /** Why a replica change is invalid in {@code state}, or null when it is valid. Deterministic. */
  private static String checkReplicas(ClusterState state, MetaCommand.SetShardReplicas r) {
    CollectionDescriptor c = state.collections().get(r.collection());
    if (c == null) {
      return "Not found: Collection `" + r.collection() + "` doesn't exist!";
    }
    if (r.shardId() < 0 || r.shardId() >= c.shardMap().shardCount()) {
      return "Wrong input: shard " + r.shardId() + " does not exist in collection `" + r.collection() + "`";
    }
    if (r.replicas().isEmpty()) {
      return "Wrong input: shard " + r.shardId() + " would have no replica left";
    }
    if (new java.util.HashSet<>(r.replicas()).size() != r.replicas().size()) {
      return "Wrong input: a node can hold only one replica of a shard";
    }
    for (long node : r.replicas()) {
      if (!state.nodes().containsKey(node)) {
        return "Wrong input: peer " + node + " is not a member of the cluster";
      }
      if (c.shardMap().shard(r.shardId()).witnesses().contains(node)) {
        return "Wrong input: peer " + node + " holds the witness of shard " + r.shardId() + " of `" + r.collection()
            + "`; a node holds either a replica or the witness of a shard";
      }
    }
    return null;
  }

  /** Why a witness change is invalid in {@code state}, or null when it is valid. Deterministic. */
  private static String checkWitnesses(ClusterState state, MetaCommand.SetShardWitnesses w) {
    CollectionDescriptor c = state.collections().get(w.collection());
    if (c == null) {
      return "Not found: Collection `" + w.collection() + "` doesn't exist!";
    }
    if (w.shardId() < 0 || w.shardId() >= c.shardMap().shardCount()) {
      return "Wrong input: shard " + w.shardId() + " does not exist in collection `" + w.collection() + "`";
    }
    if (new java.util.HashSet<>(w.witnesses()).size() != w.witnesses().size()) {
      return "Wrong input: a node can hold only one witness of a shard";
    }
    for (long node : w.witnesses()) {
      if (!state.nodes().containsKey(node)) {
        return "Wrong input: peer " + node + " is not a member of the cluster";
      }
      if (c.shardMap().shard(w.shardId()).replicas().contains(node)) {
        return "Wrong input: peer " + node + " holds a replica of shard " + w.shardId() + " of `" + w.collection() + "`";
      }
    }
    return null;
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
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    return last.getIndex();
  }
}
