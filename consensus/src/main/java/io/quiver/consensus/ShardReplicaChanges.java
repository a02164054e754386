package io.quiver.consensus;

import io.quiver.consensus.meta.NodeAddress;
import io.quiver.consensus.raft.RaftFailureWords;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.CollectionNotFoundException;
import io.quiver.sharding.ShardPlacement;
import io.quiver.sharding.ShardUnavailableException;
import io.quiver.storage.BadRequestException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds, drops and moves replicas of a shard: a Raft membership change of the shard's group plus a
 * new shard map in the metadata. A new replica catches up inside Raft — a snapshot (a checkpoint of
 * the shard) and then the log — before the membership change commits, so the operation returns only
 * once the new replica holds the data.
 *
 * <pre>
 * replicate(to):  1. metadata: replicas + to    (to's reconciler starts hosting the group)
 *                 2. Raft: configuration + to    (the leader streams a snapshot, then the log)
 *                 on failure of 2, the metadata change is reverted
 * drop(node):     1. Raft: configuration - node  (the group stops counting it)
 *                 2. metadata: replicas - node   (node's reconciler removes the group and its data)
 * move(from, to): replicate(to), then drop(from)
 * addWitness(to): as replicate(to), with the shard's witnesses (a voter without data, which the
 *                 leader still sends a snapshot to when it joins: it keeps only its term and index)
 * dropWitness(n): as drop(n), with the shard's witnesses
 * realign:        after a change abandoned between its two steps (its node died), the metadata and
 *                 the configuration keep the voters they agree on (see {@link #realign})
 * </pre>
 *
 * Every configuration holds the shard's replicas and witnesses, with their priorities ({@link
 * RaftNode#shardGroup(java.util.UUID, List, List, java.util.Map)}).
 *
 * <p>Operations run one at a time per node (a single worker thread): concurrent changes of one
 * group would race in Raft's joint consensus.
 */
public final class ShardReplicaChanges implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ShardReplicaChanges.class);
  private static final int CONF_CHANGE_ATTEMPTS = 20;
  private static final long HOSTED_TIMEOUT_MS = 30_000;

  private final LocalNode local;
  private final RaftCollectionCatalog catalog;
  private final RaftClients clients;
  private final ShardGroupViews groupViews;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "shard-replica-changes");
            t.setDaemon(true);
            return t;
          });

  ShardReplicaChanges(
      LocalNode local,
      RaftCollectionCatalog catalog,
      RaftClients clients,
      ShardGroupViews groupViews) {
    this.local = local;
    this.catalog = catalog;
    this.clients = clients;
    this.groupViews = groupViews;
  }

  /** Replica changes asked of this node since it started, by kind and outcome (for metrics). */
  public record Counts(
      java.util.Map<String, Long> started,
      java.util.Map<String, Long> completed,
      java.util.Map<String, Long> failed,
      int inProgress) {}

  /** The kinds counted: Qdrant's operation names. */
  public static final List<String> KINDS =
      List.of(
          "replicate_shard",
          "drop_replica",
          "move_shard",
          "add_witness",
          "drop_witness",
          "transfer_leader");

  private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.AtomicLong>
      started = counters();
  private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.AtomicLong>
      completed = counters();
  private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.AtomicLong>
      failed = counters();
  private final java.util.concurrent.atomic.AtomicInteger inProgress =
      new java.util.concurrent.atomic.AtomicInteger();

  private static java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.AtomicLong>
      counters() {
    var map =
        new java.util.concurrent.ConcurrentHashMap<
            String, java.util.concurrent.atomic.AtomicLong>();
    KINDS.forEach(k -> map.put(k, new java.util.concurrent.atomic.AtomicLong()));
    return map;
  }

  /** The counts so far. Thread-safe. */
  public Counts counts() {
    java.util.function.Function<
            java.util.Map<String, java.util.concurrent.atomic.AtomicLong>,
            java.util.Map<String, Long>>
        read =
            m -> {
              var out = new java.util.TreeMap<String, Long>();
              m.forEach((k, v) -> out.put(k, v.get()));
              return out;
            };
    return new Counts(
        read.apply(started), read.apply(completed), read.apply(failed), inProgress.get());
  }

  public CompletableFuture<Void> replicate(String collection, int shardId, long from, long to) {
    return tracked(
        "replicate_shard", collection, shardId, () -> doReplicate(collection, shardId, from, to));
  }

  public CompletableFuture<Void> drop(String collection, int shardId, long peer) {
    return tracked("drop_replica", collection, shardId, () -> doDrop(collection, shardId, peer));
  }

  /** A witness of the shard on {@code to} (see {@link ShardPlacement}). */
  public CompletableFuture<Void> addWitness(String collection, int shardId, long to) {
    return tracked("add_witness", collection, shardId, () -> doAddWitness(collection, shardId, to));
  }

  /** The witness on {@code node} leaves the shard's group. */
  public CompletableFuture<Void> dropWitness(String collection, int shardId, long node) {
    return tracked(
        "drop_witness", collection, shardId, () -> doDropWitness(collection, shardId, node));
  }

  /**
   * Leadership of the shard's group passes to its data replica on {@code to}: Ratis' leadership
   * transfer, asked of the current leader, which waits for {@code to} to have its whole log, has it
   * start an election, and answers once it leads ({@value #TRANSFER_LEADER_TIMEOUT_MS} ms at most;
   * writes wait meanwhile). Refused (by Ratis as well) for a witness, which has a lower priority,
   * and while the group's configuration changes. Nothing in the metadata changes.
   */
  public CompletableFuture<Void> transferLeader(String collection, int shardId, long to) {
    return tracked(
        "transfer_leader", collection, shardId, () -> doTransferLeader(collection, shardId, to));
  }

  /**
   * How long a leadership transfer may take before it counts as failed (Ratis then keeps or elects
   * a leader by itself).
   */
  static final long TRANSFER_LEADER_TIMEOUT_MS = 10_000;

  private void doTransferLeader(String collection, int shardId, long to) {
    ShardPlacement shard = shard(collection, shardId);
    if (!shard.replicas().contains(to)) {
      throw new BadRequestException(
          "Wrong input: shard "
              + shardId
              + " of `"
              + collection
              + "`: node "
              + to
              + " holds no data replica of it; leadership goes only to a data replica (replicas: "
              + shard.replicas()
              + ")");
    }
    LOG.info(
        "node {}: transferring leadership of shard {} of {} to node {}",
        local.nodeId(),
        shardId,
        collection,
        to);
    RaftGroup group = RaftNode.shardGroup(shard, local.clusterState().nodes());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TRANSFER_LEADER_TIMEOUT_MS);
    Throwable failure = null;
    try (RaftClient client =
        clients.newClient(
            group,
            TimeDuration.valueOf(TRANSFER_LEADER_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS),
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                3, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS)))) {
      // Under writes the target can fall an entry behind between the leader's check and its
      // election, and lose it (the old leader then wins again): the transfer is asked again until
      // the target leads or the time is up.
      for (int attempt = 1; ; attempt++) {
        long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (leftMs <= 0) {
          break;
        }
        try {
          RaftClientReply reply =
              client.admin().transferLeadership(RaftNode.peerId(to), Math.max(1_000, leftMs));
          if (reply.isSuccess()) {
            return;
          }
          failure = reply.getException();
        } catch (IOException e) {
          failure = e;
        }
        if (leads(client, group, to)) {
          return;
        }
        LOG.info(
            "node {}: leadership of shard {} of {} did not pass to node {} (attempt {}: {}); asking"
                + " again",
            local.nodeId(),
            shardId,
            collection,
            to,
            attempt,
            RaftFailureWords.describe(failure));
        try {
          Thread.sleep(TRANSFER_LEADER_RETRY_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    } catch (IOException e) {
      failure = e;
    }
    throw new ShardUnavailableException(
        "shard "
            + shardId
            + " of `"
            + collection
            + "`: leadership did not move to node "
            + to
            + " within "
            + TRANSFER_LEADER_TIMEOUT_MS / 1000
            + " s: "
            + RaftFailureWords.describe(failure),
        failure);
  }

  /** Pause between two asks of one leadership transfer (an election takes 150-300 ms). */
  static final long TRANSFER_LEADER_RETRY_MS = 300;

  /** True when {@code to}'s replica says it leads the group now (false when it cannot say). */
  private static boolean leads(RaftClient client, RaftGroup group, long to) {
    try {
      var info = client.getGroupManagementApi(RaftNode.peerId(to)).info(group.getGroupId());
      return info.isSuccess()
          && info.getRoleInfoProto().getRole()
              == org.apache.ratis.proto.RaftProtos.RaftPeerRole.LEADER;
    } catch (IOException e) {
      return false;
    }
  }

  public CompletableFuture<Void> move(String collection, int shardId, long from, long to) {
    return tracked(
        "move_shard",
        collection,
        shardId,
        () -> {
          doReplicate(collection, shardId, from, to);
          doDrop(collection, shardId, from);
        });
  }

  /**
   * Runs a change on the worker, counting it as started, in progress, then completed or failed; its
   * log lines carry the collection and shard (MDC, the JSON log's first fields).
   */
  private CompletableFuture<Void> tracked(
      String kind, String collection, int shardId, Runnable change) {
    return CompletableFuture.runAsync(
        () -> {
          org.slf4j.MDC.put("collection", collection);
          org.slf4j.MDC.put("shard", Integer.toString(shardId));
          started.get(kind).incrementAndGet();
          inProgress.incrementAndGet();
          try {
            change.run();
            completed.get(kind).incrementAndGet();
          } catch (RuntimeException e) {
            failed.get(kind).incrementAndGet();
            throw e;
          } finally {
            inProgress.decrementAndGet();
            org.slf4j.MDC.remove("collection");
            org.slf4j.MDC.remove("shard");
          }
        },
        worker);
  }

  /**
   * Repairs a shard whose metadata and group configuration disagree because a change was abandoned
   * between its two steps (the node carrying it out died): a replica in the metadata that never
   * joined the configuration (an interrupted add) or that already left it (an interrupted drop), or
   * a voter of the configuration missing from the metadata. An interrupted add whose new replicas
   * host the group is finished ({@link #finishInterruptedAdd}); otherwise both end with the voters
   * they agree on: the configuration first, then the metadata. The planner then adds what the shard
   * still lacks, the ordinary way. Refused when they agree on no data replica.
   */
  public CompletableFuture<Void> realign(
      String collection, int shardId, java.util.Set<Long> configured) {
    return CompletableFuture.runAsync(
        () -> {
          ShardPlacement shard = shard(collection, shardId);
          List<Long> replicas = shard.replicas().stream().filter(configured::contains).toList();
          List<Long> witnesses = shard.witnesses().stream().filter(configured::contains).toList();
          if (replicas.isEmpty()) {
            throw new ShardUnavailableException(
                "shard "
                    + shardId
                    + " of `"
                    + collection
                    + "`: its group's voters "
                    + configured
                    + " hold none of its replicas "
                    + shard.replicas()
                    + " in the metadata; not repaired automatically",
                null);
          }
          if (finishInterruptedAdd(collection, shard, configured)) {
            return;
          }
          ShardPlacement agreed = new ShardPlacement(shardId, shard.groupId(), replicas, witnesses);
          LOG.warn(
              "node {}: shard {} of {} has voters {} in its group but replicas {} and witnesses {} in the metadata, "
                  + "after a change that was abandoned: both keep replicas {} and witnesses {}",
              local.nodeId(),
              shardId,
              collection,
              configured,
              shard.replicas(),
              shard.witnesses(),
              replicas,
              witnesses);
          if (!java.util.Set.copyOf(agreed.voters()).equals(configured)) {
            changeConfiguration(shard, agreed);
          }
          if (!replicas.equals(shard.replicas())) {
            setReplicas(collection, shardId, replicas);
          }
          if (!witnesses.equals(shard.witnesses())) {
            setWitnesses(collection, shardId, witnesses);
          }
        },
        worker);
  }

  /**
   * Finishes an add that its driver abandoned after the metadata step (the meta leader, or the
   * group's leader, died before the configuration change committed): when every replica the
   * metadata has beyond the configuration is a live member that hosts the group (it may even have
   * fetched the snapshot already), the configuration change is made again, instead of dropping the
   * new replica and copying the shard to it from scratch. False when that cannot be done; the
   * caller then falls back to the voters both agree on.
   */
  private boolean finishInterruptedAdd(
      String collection, ShardPlacement shard, java.util.Set<Long> configured) {
    List<Long> joining = shard.replicas().stream().filter(r -> !configured.contains(r)).toList();
    boolean onlyAdds =
        configured.stream().allMatch(v -> shard.voters().contains(v)) && !joining.isEmpty();
    if (!onlyAdds) {
      return false;
    }
    try {
      for (long node : joining) {
        if (!local.clusterState().nodes().containsKey(node) || !hostsGroup(shard, node)) {
          return false;
        }
      }
      LOG.warn(
          "node {}: shard {} of {} has voters {} in its group but replicas {} in the metadata, after an"
              + " add that was abandoned: finishing it (the new replicas host the group)",
          local.nodeId(),
          shard.shardId(),
          collection,
          configured,
          shard.replicas());
      changeConfiguration(shard, shard);
      return true;
    } catch (RuntimeException e) {
      LOG.warn(
          "node {}: the abandoned add to shard {} of {} could not be finished ({}); keeping the voters"
              + " both agree on",
          local.nodeId(),
          shard.shardId(),
          collection,
          e.toString());
      return false;
    }
  }

  private void doReplicate(String collection, int shardId, long from, long to) {
    ShardPlacement shard = shard(collection, shardId);
    if (!shard.replicas().contains(from)) {
      throw new BadRequestException(
          "Wrong input: peer "
              + from
              + " holds no replica of shard "
              + shardId
              + " of `"
              + collection
              + "`");
    }
    if (shard.replicas().contains(to)) {
      throw new BadRequestException(
          "Wrong input: peer "
              + to
              + " already holds a replica of shard "
              + shardId
              + " of `"
              + collection
              + "`");
    }
    if (shard.witnesses().contains(to)) {
      throw new BadRequestException(
          "Wrong input: peer "
              + to
              + " holds the witness of shard "
              + shardId
              + " of `"
              + collection
              + "`; a node holds either a replica or the witness of a shard");
    }
    if (!local.clusterState().nodes().containsKey(to)) {
      throw new BadRequestException("Wrong input: peer " + to + " is not a member of the cluster");
    }
    List<Long> wider = new ArrayList<>(shard.replicas());
    wider.add(to);
    LOG.info(
        "node {}: adding a replica of shard {} of {} on node {}",
        local.nodeId(),
        shardId,
        collection,
        to);
    setReplicas(collection, shardId, wider);
    try {
      // The new replica must host the group (started, passive) before the leader contacts it.
      awaitHosted(shard, to);
      changeConfiguration(shard, shard.withReplicas(wider));
    } catch (RuntimeException e) {
      LOG.warn(
          "node {}: adding node {} to shard {} of {} failed, reverting: {}",
          local.nodeId(),
          to,
          shardId,
          collection,
          e.toString());
      setReplicas(collection, shardId, shard.replicas());
      throw e;
    }
  }

  private void doDrop(String collection, int shardId, long peer) {
    ShardPlacement shard = shard(collection, shardId);
    if (!shard.replicas().contains(peer)) {
      throw new BadRequestException(
          "Wrong input: peer "
              + peer
              + " holds no replica of shard "
              + shardId
              + " of `"
              + collection
              + "`");
    }
    if (shard.replicas().size() == 1) {
      throw new BadRequestException(
          "Wrong input: peer "
              + peer
              + " holds the last replica of shard "
              + shardId
              + " of `"
              + collection
              + "`; replicate it elsewhere first");
    }
    List<Long> narrower = new ArrayList<>(shard.replicas());
    narrower.remove(peer);
    LOG.info(
        "node {}: dropping the replica of shard {} of {} on node {}",
        local.nodeId(),
        shardId,
        collection,
        peer);
    changeConfiguration(shard, shard.withReplicas(narrower));
    setReplicas(collection, shardId, narrower);
  }

  private void doAddWitness(String collection, int shardId, long to) {
    ShardPlacement shard = shard(collection, shardId);
    if (shard.voters().contains(to)) {
      throw new BadRequestException(
          "Wrong input: peer "
              + to
              + " already holds a replica or the witness of shard "
              + shardId
              + " of `"
              + collection
              + "`");
    }
    if (!local.clusterState().nodes().containsKey(to)) {
      throw new BadRequestException("Wrong input: peer " + to + " is not a member of the cluster");
    }
    List<Long> wider = new ArrayList<>(shard.witnesses());
    wider.add(to);
    LOG.info(
        "node {}: adding a witness of shard {} of {} on node {}",
        local.nodeId(),
        shardId,
        collection,
        to);
    setWitnesses(collection, shardId, wider);
    try {
      awaitHosted(shard, to);
      changeConfiguration(shard, shard.withWitnesses(wider));
    } catch (RuntimeException e) {
      LOG.warn(
          "node {}: adding the witness on node {} to shard {} of {} failed, reverting: {}",
          local.nodeId(),
          to,
          shardId,
          collection,
          e.toString());
      setWitnesses(collection, shardId, shard.witnesses());
      throw e;
    }
  }

  private void doDropWitness(String collection, int shardId, long peer) {
    ShardPlacement shard = shard(collection, shardId);
    if (!shard.witnesses().contains(peer)) {
      throw new BadRequestException(
          "Wrong input: peer "
              + peer
              + " holds no witness of shard "
              + shardId
              + " of `"
              + collection
              + "`");
    }
    List<Long> narrower = new ArrayList<>(shard.witnesses());
    narrower.remove(peer);
    LOG.info(
        "node {}: dropping the witness of shard {} of {} on node {}",
        local.nodeId(),
        shardId,
        collection,
        peer);
    changeConfiguration(shard, shard.withWitnesses(narrower));
    setWitnesses(collection, shardId, narrower);
  }

  private void setWitnesses(String collection, int shardId, List<Long> witnesses) {
    long index = catalog.setShardWitnesses(collection, shardId, witnesses).join();
    catalog.awaitApplied(index);
  }

  private ShardPlacement shard(String collection, int shardId) {
    CollectionDescriptor c = local.clusterState().collections().get(collection);
    if (c == null) {
      throw new CollectionNotFoundException(collection);
    }
    if (shardId < 0 || shardId >= c.shardMap().shardCount()) {
      throw new BadRequestException(
          "Wrong input: shard " + shardId + " does not exist in collection `" + collection + "`");
    }
    return c.shardMap().shard(shardId);
  }

  private void setReplicas(String collection, int shardId, List<Long> replicas) {
    long index = catalog.setShardReplicas(collection, shardId, replicas).join();
    catalog.awaitApplied(index);
  }

  /** True when the node's Raft server hosts the shard's group now (one question, no waiting). */
  private boolean hostsGroup(ShardPlacement shard, long nodeId) {
    NodeAddress address = local.clusterState().nodes().get(nodeId);
    RaftPeer peer = RaftNode.peer(nodeId, address.raftAddress());
    org.apache.ratis.protocol.RaftGroupId groupId =
        org.apache.ratis.protocol.RaftGroupId.valueOf(shard.groupId());
    try (RaftClient client =
        clients.newClient(
            RaftGroup.valueOf(groupId, peer),
            TimeDuration.valueOf(3, TimeUnit.SECONDS),
            RetryPolicies.noRetry())) {
      return client.getGroupManagementApi(peer.getId()).info(groupId).isSuccess();
    } catch (IOException | RuntimeException notHosted) {
      return false;
    }
  }

  /** Polls the node's Raft server until it hosts the shard's group. */
  private void awaitHosted(ShardPlacement shard, long nodeId) {
    NodeAddress address = local.clusterState().nodes().get(nodeId);
    RaftPeer peer = RaftNode.peer(nodeId, address.raftAddress());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOSTED_TIMEOUT_MS);
    org.apache.ratis.protocol.RaftGroupId groupId =
        org.apache.ratis.protocol.RaftGroupId.valueOf(shard.groupId());
    try (RaftClient client = clients.newClient(RaftGroup.valueOf(groupId, peer))) {
      while (true) {
        try {
          if (client.getGroupManagementApi(peer.getId()).info(groupId).isSuccess()) {
            return;
          }
        } catch (IOException notYet) {
          // the group is not there yet
        }
        if (System.nanoTime() > deadline) {
          throw new ShardUnavailableException(
              "node "
                  + nodeId
                  + " did not start hosting shard "
                  + shard.shardId()
                  + " within "
                  + HOSTED_TIMEOUT_MS
                  + " ms",
              null);
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw new ShardUnavailableException(
          "cannot reach node " + nodeId + ": " + RaftFailureWords.describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ShardUnavailableException("interrupted", e);
    }
  }

  /**
   * How long a configuration change that adds voters may go without its leader sending anything to
   * them before it counts as failed. Bringing a new replica in (a snapshot, then the log) takes as
   * long as the snapshot takes to stream, which has no bound (a 2 GiB shard, a transfer rate
   * limit).
   */
  private static final long NO_PROGRESS_MS =
      TimeUnit.SECONDS.toMillis(RaftNode.STAGING_TIMEOUT_SECONDS);

  /**
   * Asks the shard group's leader to change its configuration to {@code next}'s voters; returns
   * once the change committed. Ratis answers a change that adds voters only once they have caught
   * up, and a request sent again meanwhile is refused as "in progress": while the leader is
   * bringing a new voter in, this keeps waiting (it asks the leader once a second), and a change
   * that shows no progress for {@link #NO_PROGRESS_MS} fails (the caller reverts the metadata).
   */
  private void changeConfiguration(ShardPlacement shard, ShardPlacement next) {
    var nodes = local.clusterState().nodes();
    RaftGroup current = RaftNode.shardGroup(shard, nodes);
    List<RaftPeer> peers = RaftNode.shardGroup(next, nodes).getPeers().stream().toList();
    java.util.Set<Long> wanted = java.util.Set.copyOf(next.voters());
    long lastProgress = System.nanoTime();
    try (RaftClient client =
        clients.newClient(
            current,
            TimeDuration.valueOf(5, TimeUnit.SECONDS),
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                CONF_CHANGE_ATTEMPTS, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS)))) {
      while (true) {
        Throwable failure;
        try {
          RaftClientReply reply = client.admin().setConfiguration(peers);
          if (reply.isSuccess()) {
            return;
          }
          failure = reply.getException();
          if (!inProgress(failure)) {
            throw new ShardUnavailableException(
                "shard "
                    + shard.shardId()
                    + ": configuration change refused: "
                    + RaftFailureWords.describe(failure),
                failure);
          }
        } catch (IOException e) {
          failure = e;
        }
        ShardGroupView view = groupViews.ask(local.clusterState(), next);
        if (view != null && view.voters().equals(wanted)) {
          return; // committed while this waited for the answer
        }
        if (view != null && view.bringsIn(wanted)) {
          lastProgress = System.nanoTime();
        } else if (!inProgress(failure)
            || System.nanoTime() - lastProgress > TimeUnit.MILLISECONDS.toNanos(NO_PROGRESS_MS)) {
          throw new ShardUnavailableException(
              "shard "
                  + shard.shardId()
                  + ": configuration change failed: "
                  + RaftFailureWords.describe(failure),
              failure);
        }
        Thread.sleep(1000);
      }
    } catch (IOException e) {
      throw new ShardUnavailableException(
          "shard "
              + shard.shardId()
              + ": configuration change failed: "
              + RaftFailureWords.describe(e),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ShardUnavailableException("shard " + shard.shardId() + ": interrupted", e);
    }
  }

  /**
   * True for Ratis' "a reconfiguration is already in progress", and for a timeout while one may be.
   */
  private static boolean inProgress(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException
          || t instanceof org.apache.ratis.protocol.exceptions.TimeoutIOException
          || t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
