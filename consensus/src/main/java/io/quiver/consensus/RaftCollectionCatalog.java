package io.quiver.consensus;

import io.quiver.consensus.meta.ClusterState;
import io.quiver.consensus.meta.MetaCommand;
import io.quiver.consensus.meta.MetaMessages;
import io.quiver.consensus.meta.MetaOutcome;
import io.quiver.consensus.meta.MetaStateMachine;
import io.quiver.consensus.meta.NodeAddress;
import io.quiver.consensus.raft.RaftReplies;
import io.quiver.sharding.ClusterConflictException;
import io.quiver.sharding.CollectionAlreadyExistsException;
import io.quiver.sharding.CollectionCatalog;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ShardClients;
import io.quiver.sharding.ShardPlacement;
import io.quiver.sharding.ShardUnavailableException;
import io.quiver.storage.BadRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@link CollectionCatalog} over the meta group: changes go through its log, reads come from
 * this node's applied state. A create completes only when this node has applied it and every shard
 * group answers, so the next write to the collection finds its shards.
 */
public final class RaftCollectionCatalog implements CollectionCatalog {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(RaftCollectionCatalog.class);
  private static final long POLL_MS = 20;

  private final LocalNode local;
  private final MetaStateMachine meta;
  private final MetaClients metaClients;
  private final LocalDivisions divisions;
  private final ShardClients shardClients;
  private final java.util.function.Supplier<String> notReadyReason;

  /**
   * Waiting for a change to take effect blocks; it happens here, off Netty's and Ratis' threads.
   */
  private final ExecutorService waits = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * @param notReadyReason why this node is not ready, in words (for the error of a request that
   *     came too early)
   */
  RaftCollectionCatalog(
      LocalNode local,
      MetaStateMachine meta,
      MetaClients metaClients,
      LocalDivisions divisions,
      ShardClients shardClients,
      java.util.function.Supplier<String> notReadyReason) {
    this.local = local;
    this.meta = meta;
    this.metaClients = metaClients;
    this.divisions = divisions;
    this.shardClients = shardClients;
    this.notReadyReason = notReadyReason;
  }

  /**
   * Registers (or re-registers) a node through the meta log. Always a write, even when nothing
   * changed: once this node has applied it, its copy of the metadata holds every earlier entry.
   */
  CompletableFuture<Long> registerNode(long nodeId, NodeAddress address) {
    return send(new MetaCommand.RegisterNode(nodeId, address), "node " + nodeId);
  }

  @Override
  public CompletableFuture<CollectionDescriptor> create(String name, CollectionConfig config) {
    return send(new MetaCommand.CreateCollection(name, config), name)
        .thenApplyAsync(
            index -> {
              awaitVisible(index);
              CollectionDescriptor created =
                  get(name)
                      .orElseThrow(
                          () ->
                              new IllegalStateException(
                                  "collection "
                                      + name
                                      + " created at "
                                      + index
                                      + " but not in the applied state"));
              awaitShardsReady(created);
              return created;
            },
            waits);
  }

  @Override
  public CompletableFuture<Boolean> delete(String name) {
    return send(new MetaCommand.DeleteCollection(name), name)
        .thenApplyAsync(
            index -> {
              awaitVisible(index);
              return true;
            },
            waits)
        .exceptionally(
            e -> {
              if (unwrap(e) instanceof NotFound) {
                return false;
              }
              throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            });
  }

  /**
   * Removes a node that holds no replica from the cluster (the meta leader then drops it from the
   * meta group). Fails with a 400-kind error while it holds replicas, 404-kind when unknown.
   */
  public CompletableFuture<Long> removeNode(long nodeId, boolean force) {
    return sendAndApply(new MetaCommand.RemoveNode(nodeId, force), "peer " + nodeId);
  }

  /** Starts or stops draining a node; completes once applied here with the log index. */
  CompletableFuture<Long> setDraining(long nodeId, boolean drain) {
    return sendAndApply(new MetaCommand.SetDraining(nodeId, drain), "peer " + nodeId);
  }

  /** Asks for a rebalance, or records that it finished; completes once applied here. */
  CompletableFuture<Long> setRebalancing(boolean on) {
    return sendAndApply(new MetaCommand.SetRebalancing(on), "rebalance");
  }

  /**
   * Starts resharding {@code collection} by one shard (Qdrant's {@code start_resharding});
   * completes once this node's metadata holds it. The meta leader's {@link ReshardingDriver}
   * carries it out.
   */
  public CompletableFuture<Long> startResharding(
      String collection, io.quiver.sharding.Resharding.Direction direction, Long peerId) {
    return sendAndApply(new MetaCommand.StartResharding(collection, direction, peerId), collection);
  }

  /**
   * Aborts a resharding that has not switched its routing yet (Qdrant's {@code abort_resharding}).
   */
  public CompletableFuture<Long> abortResharding(String collection) {
    CollectionDescriptor c = local.clusterState().collections().get(collection);
    io.quiver.sharding.Resharding r = c == null ? null : c.shardMap().resharding();
    io.quiver.sharding.Resharding.Phase from =
        r == null ? io.quiver.sharding.Resharding.Phase.COPYING : r.phase();
    return sendAndApply(
        new MetaCommand.ReshardingStep(
            collection, from, io.quiver.sharding.Resharding.Phase.ABORTING),
        collection);
  }

  /**
   * Moves a resharding from one phase to the next ({@code to} null: ended); see {@link
   * MetaCommand.ReshardingStep}.
   */
  CompletableFuture<Long> reshardingStep(
      String collection,
      io.quiver.sharding.Resharding.Phase from,
      io.quiver.sharding.Resharding.Phase to) {
    return sendAndApply(new MetaCommand.ReshardingStep(collection, from, to), collection);
  }

  private CompletableFuture<Long> sendAndApply(MetaCommand command, String subject) {
    return send(command, subject)
        .thenApplyAsync(
            index -> {
              awaitApplied(index);
              return index;
            },
            waits);
  }

  /** Replaces the replicas of one shard in the metadata; completes with the log index. */
  CompletableFuture<Long> setShardReplicas(String collection, int shardId, List<Long> replicas) {
    return send(new MetaCommand.SetShardReplicas(collection, shardId, replicas), collection);
  }

  CompletableFuture<Long> setShardWitnesses(String collection, int shardId, List<Long> witnesses) {
    return send(new MetaCommand.SetShardWitnesses(collection, shardId, witnesses), collection);
  }

  @Override
  public Optional<CollectionDescriptor> get(String name) {
    return Optional.ofNullable(caughtUpState().resolve(name));
  }

  /**
   * This node's applied metadata, once it has caught up with the meta group's log (see {@link
   * MetaCatchUp}). Before that it may lack recent collections, so a read would answer 404 for a
   * collection that exists: refused with a 503 saying why instead.
   */
  private ClusterState caughtUpState() {
    if (!local.isCaughtUp()) {
      throw new ShardUnavailableException(
          "this node has not caught up with the cluster metadata yet ("
              + notReadyReason.get()
              + "); retry, or send the request to another node",
          null);
    }
    return meta.state();
  }

  @Override
  public CompletableFuture<CollectionDescriptor> changeVectorName(
      String name, String vector, io.quiver.storage.VectorsConfig added) {
    return send(new MetaCommand.ChangeVectorName(name, vector, added), name)
        .thenApplyAsync(
            index -> {
              awaitVisible(index);
              return get(name)
                  .orElseThrow(() -> new io.quiver.sharding.CollectionNotFoundException(name));
            },
            waits);
  }

  @Override
  public CompletableFuture<CollectionDescriptor> update(
      String name, io.quiver.sharding.CollectionConfig config) {
    return send(new MetaCommand.UpdateCollection(name, config), name)
        .thenApplyAsync(
            index -> {
              awaitVisible(index);
              return get(name)
                  .orElseThrow(() -> new io.quiver.sharding.CollectionNotFoundException(name));
            },
            waits);
  }

  @Override
  public CompletableFuture<Void> updateAliases(List<io.quiver.sharding.AliasAction> actions) {
    return send(new MetaCommand.UpdateAliases(actions), "aliases")
        .thenAcceptAsync(this::awaitVisible, waits);
  }

  @Override
  public java.util.SortedMap<String, String> aliases() {
    return caughtUpState().aliases();
  }

  @Override
  public List<CollectionDescriptor> list() {
    return List.copyOf(caughtUpState().collections().values());
  }

  /**
   * Sends a command to the meta group; completes with its log index or fails with the mapped error.
   */
  private CompletableFuture<Long> send(MetaCommand command, String subject) {
    org.apache.ratis.client.RaftClient client = metaClients.current();
    CompletableFuture<org.apache.ratis.protocol.RaftClientReply> sent =
        client.async().send(MetaMessages.encode(command));
    sent.whenComplete(
        (reply, error) -> {
          if (error != null) {
            metaClients.failed(client, error);
          }
        });
    return RaftReplies.content(sent, "the cluster metadata")
        .thenApply(
            content -> {
              MetaMessages.Reply reply;
              try {
                reply = MetaMessages.decodeReply(content);
              } catch (IOException e) {
                throw new UncheckedIOException("undecodable meta reply", e);
              }
              if (reply.outcome().applied()) {
                return reply.value();
              }
              throw refusal(command, subject, reply.outcome());
            });
  }

  /**
   * How long a change a user made waits for the other nodes to commit it ({@link #awaitVisible}). A
   * node that is down or slow holds no answer longer than this: the change is committed and applied
   * here, and that node catches up by itself.
   */
  private static final long OTHER_NODES_WAIT_MS = 2_000;

  /**
   * Waits until this node has applied {@code index}, and (up to {@value #OTHER_NODES_WAIT_MS} ms)
   * until every member of the meta group has committed it: a collection change answered with 200 is
   * then what the other live nodes report as well. Without the second wait a PATCH of {@code
   * replication_factor} answered while another node still reported the old value
   * (ReplicationFactorIT; only the shard writes that followed it hid the race).
   */
  void awaitVisible(long index) {
    awaitApplied(index);
    try {
      metaClients
          .current()
          .async()
          .watch(index, org.apache.ratis.proto.RaftProtos.ReplicationLevel.ALL_COMMITTED)
          .get(OTHER_NODES_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException
        | java.util.concurrent.ExecutionException slowOrDown) {
      // committed by a majority and applied here: the others follow
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void awaitApplied(long index) {
    long deadline = System.nanoTime() + local.config().requestTimeout().toNanos();
    while (meta.state().appliedIndex() < index) {
      if (System.nanoTime() > deadline) {
        throw new ShardUnavailableException(
            "the cluster metadata did not apply index " + index + " in time", null);
      }
      sleep();
    }
  }

  /** Waits until every shard group of the collection answers a read through its leader. */
  private void awaitShardsReady(CollectionDescriptor collection) {
    long deadline = System.nanoTime() + 3 * local.config().requestTimeout().toNanos();
    for (ShardPlacement shard : collection.shardMap().shards()) {
      awaitLocalLeader(shard, deadline);
      while (true) {
        try {
          shardClients.forShard(collection.name(), shard).count(ReadConsistency.LEADER).join();
          break;
        } catch (RuntimeException e) {
          if (System.nanoTime() > deadline) {
            // The collection exists (its create is in the metadata log): say so, so that a client
            // does not retry into a 409 believing nothing happened.
            throw new ShardUnavailableException(
                "collection `"
                    + collection.name()
                    + "` was created, but shard "
                    + shard.shardId()
                    + " did not start within "
                    + 3 * local.config().requestTimeout().toSeconds()
                    + " s; it keeps starting in the background (GET /collections/"
                    + collection.name()
                    + " shows its status)",
                e);
          }
          sleep();
        }
      }
    }
  }

  /**
   * When this node hosts a replica of the shard, waits (polling the local server, every
   * millisecond) until that replica knows a leader: the shard client's own retries are 100 ms
   * apart, which would add up to that to every collection create.
   */
  private void awaitLocalLeader(ShardPlacement shard, long deadline) {
    if (!shard.replicas().contains(local.nodeId())) {
      return;
    }
    while (System.nanoTime() < deadline && !divisions.knowsLeader(shard.groupId())) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(POLL_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /**
   * The exception a refused command fails with, chosen from the outcome's typed fields (never from
   * its message). A refusal from a node of an earlier build carries no subject ({@link
   * MetaOutcome.Subject#NONE}, see {@link MetaMessages#decodeReply}); it is read as that build
   * meant it, from the command sent: a conflict of a create is an existing collection, a not-found
   * of a delete is a missing collection. An alias change such a node refuses as not found answers
   * 400 with its message during the upgrade (which of alias and collection was missing is not in
   * that reply).
   */
  private static RuntimeException refusal(
      MetaCommand command, String subject, MetaOutcome outcome) {
    if (outcome.fault() == MetaOutcome.Fault.SERVICE) {
      LOG.warn(
          "the cluster metadata could not handle {}: {}",
          command.getClass().getSimpleName(),
          outcome.message());
    }
    boolean legacy = outcome.subject() == MetaOutcome.Subject.NONE;
    return switch (outcome.status()) {
      case ALREADY_EXISTS -> new CollectionAlreadyExistsException(outcome.name());
      case CONFLICT ->
          legacy && command instanceof MetaCommand.CreateCollection
              ? new CollectionAlreadyExistsException(subject)
              : new ClusterConflictException(outcome.message());
      case NOT_FOUND ->
          switch (outcome.subject()) {
            case COLLECTION ->
                command instanceof MetaCommand.DeleteCollection
                    ? new NotFound(outcome.name())
                    : new io.quiver.sharding.CollectionNotFoundException(outcome.name());
            case ALIAS -> new io.quiver.sharding.AliasNotFoundException(outcome.name());
            // The peer of DELETE /cluster/peer/{id} and of its drain is the resource asked for
            // (HTTP 404); an unknown peer in another cluster operation is bad input to it (400).
            case PEER ->
                command instanceof MetaCommand.RemoveNode
                        || command instanceof MetaCommand.SetDraining
                    ? new io.quiver.sharding.PeerNotFoundException(outcome.message())
                    : new BadRequestException(outcome.message());
            case NONE ->
                command instanceof MetaCommand.DeleteCollection
                    ? new NotFound(subject)
                    : command instanceof MetaCommand.RemoveNode
                            || command instanceof MetaCommand.SetDraining
                            || command instanceof MetaCommand.UpdateAliases
                        ? new BadRequestException(outcome.message())
                        : new io.quiver.sharding.CollectionNotFoundException(subject);
          };
      case BAD_REQUEST -> new BadRequestException(outcome.message());
      case OK -> throw new IllegalArgumentException("an applied outcome is no refusal");
    };
  }

  /** The meta group says the named thing does not exist. */
  private static final class NotFound extends RuntimeException {
    NotFound(String subject) {
      super(subject + " not found");
    }
  }
}
