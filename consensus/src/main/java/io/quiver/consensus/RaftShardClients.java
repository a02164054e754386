package io.quiver.consensus;

import io.quiver.consensus.raft.RaftStatus;
import io.quiver.consensus.shard.LocalShardReplica;
import io.quiver.consensus.shard.RaftShardClient;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ShardClient;
import io.quiver.sharding.ShardClients;
import io.quiver.sharding.ShardPlacement;
import java.io.IOException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cached {@link RaftShardClient} per shard group, closed when the group leaves the cluster
 * state.
 */
final class RaftShardClients implements ShardClients, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RaftShardClients.class);

  private final LocalNode local;
  private final LocalDivisions divisions;
  private final RaftClients raftClients;

  /**
   * Keyed by placement (group and replicas): a changed replica set gets a client that knows the new
   * peers.
   */
  private final ConcurrentHashMap<ShardPlacement, RaftShardClient> clients =
      new ConcurrentHashMap<>();

  /**
   * Decodes replies off the Ratis event loops (see {@link RaftShardClient}); shared by all clients.
   */
  private final java.util.concurrent.ExecutorService replies =
      java.util.concurrent.Executors.newFixedThreadPool(
          Math.max(2, Runtime.getRuntime().availableProcessors()),
          Thread.ofPlatform().daemon().name("shard-replies-", 0).factory());

  /**
   * Runs the queries this node's replicas answer in-process (see {@link LocalShardReplica}): a pool
   * of its own, so that a long scan never holds back the decoding of other shards' replies; twice
   * the cores, as searches wait on memory-mapped pages too.
   */
  private final java.util.concurrent.ExecutorService localReads =
      java.util.concurrent.Executors.newFixedThreadPool(
          Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
          Thread.ofPlatform().daemon().name("shard-reads-", 0).factory());

  /**
   * Closes retired clients: closing one waits (up to 5 s) for its channel, which must hold neither
   * a Ratis reply thread nor the common fork-join pool, where Ratis' unordered client completes
   * every stale read (one worker on 2 cores: a close there held every such read for 5 s).
   */
  private final java.util.concurrent.ExecutorService closer =
      java.util.concurrent.Executors.newCachedThreadPool(
          Thread.ofPlatform().daemon().name("shard-client-closer-", 0).factory());

  RaftShardClients(LocalNode local, LocalDivisions divisions, RaftClients raftClients) {
    this.local = local;
    this.divisions = divisions;
    this.raftClients = raftClients;
  }

  @Override
  public ShardClient forShard(String collection, ShardPlacement shard) {
    return clients.computeIfAbsent(
        shard,
        placement -> {
          UUID id = placement.groupId();
          RaftGroup group = RaftNode.shardGroup(shard, local.clusterState().nodes());
          boolean hostsReplica = shard.replicas().contains(local.nodeId());
          String name = "shard " + shard.shardId() + " of collection `" + collection + "`";
          // consistency=any reads this node's own replica only once it is a member of the group's
          // configuration: a replica placed here but still receiving its snapshot or the log (a new
          // replica) failed them, or would have answered from part of the data.
          LocalShardReplica localReplica =
              hostsReplica
                  ? divisions.localReplica(
                      id,
                      () ->
                          divisions
                              .members(id)
                              .map(members -> members.contains(local.nodeId()))
                              .orElse(false),
                      localReads)
                  : null;
          // The first request goes to the leader this node knows of (its own replica's view), else
          // to
          // another replica than this one: a replica only joining here does not host the group yet.
          RaftPeerId leaderHint =
              divisions
                  .status(id)
                  .map(RaftStatus::leaderNodeId)
                  .map(RaftNode::peerId)
                  .orElseGet(
                      () ->
                          shard.replicas().stream()
                              .filter(r -> r != local.nodeId())
                              .findFirst()
                              .map(RaftNode::peerId)
                              .orElse(null));
          RaftShardClient[] self = new RaftShardClient[1];
          self[0] =
              new RaftShardClient(
                  name,
                  raftClients.newShardClient(group, leaderHint),
                  localReplica,
                  () -> evict(placement, self[0]),
                  replies,
                  divisions.maxShardEntryBytes(),
                  vector -> {
                    CollectionDescriptor c = local.clusterState().resolve(collection);
                    return c == null
                        ? io.quiver.storage.ScoreScale.SIMILARITY
                        : io.quiver.storage.ScoreScale.of(c.config().vectors(), vector);
                  });
          return self[0];
        });
  }

  /**
   * Drops {@code client}, broken, from the clients in use, unless a new client of {@code placement}
   * already replaced it (a request that failed on the old one must not evict the new one).
   */
  private void evict(ShardPlacement placement, RaftShardClient client) {
    if (client != null && clients.remove(placement, client)) {
      // Not on this thread: it is the Ratis client's own reply thread, and closing the client
      // from it waits (5 s) for the client's channel to close.
      CompletableFuture.runAsync(() -> closeQuietly(client), closer);
    }
  }

  /**
   * Retires the clients of placements no longer in the cluster state: new requests get a client of
   * the new placement at once, while requests already sent through an old one (a write in flight
   * while a replica is added, moved or dropped) finish on it — it is closed only after twice the
   * request timeout. Closing it at once failed them with "the replica is closed".
   */
  void retainOnly(Set<ShardPlacement> livePlacements) {
    long graceMs = 2 * local.config().requestTimeout().toMillis();
    clients
        .entrySet()
        .removeIf(
            e -> {
              if (livePlacements.contains(e.getKey())) {
                return false;
              }
              RaftShardClient retiring = e.getValue();
              retired.add(retiring);
              CompletableFuture.runAsync(
                  () -> {
                    if (retired.remove(retiring)) {
                      closeQuietly(retiring);
                    }
                  },
                  CompletableFuture.delayedExecutor(
                      graceMs, java.util.concurrent.TimeUnit.MILLISECONDS, closer));
              return true;
            });
  }

  /** Clients of old placements waiting for their requests in flight (see {@link #retainOnly}). */
  private final Set<RaftShardClient> retired = ConcurrentHashMap.newKeySet();

  private static void closeQuietly(RaftShardClient client) {
    try {
      client.close();
    } catch (IOException e) {
      LOG.warn("{}: close failed", client, e);
    }
  }

  @Override
  public void close() {
    clients.values().forEach(RaftShardClients::closeQuietly);
    clients.clear();
    for (RaftShardClient c : retired) {
      if (retired.remove(c)) {
        closeQuietly(c);
      }
    }
    replies.shutdown();
    localReads.shutdown();
    closer.shutdown();
  }
}
