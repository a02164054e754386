package io.quiver.consensus;

import io.quiver.consensus.meta.ClusterState;
import io.quiver.consensus.meta.ForcedRemoval;
import io.quiver.consensus.meta.MetaStateMachine;
import io.quiver.consensus.meta.NodeAddress;
import io.quiver.consensus.raft.DivisionStartGate;
import io.quiver.consensus.raft.GroupManagementThreads;
import io.quiver.consensus.raft.MonotonicTimeouts;
import io.quiver.consensus.raft.PeerCredentials;
import io.quiver.consensus.raft.PeerReconnects;
import io.quiver.consensus.raft.RaftFailureWords;
import io.quiver.consensus.raft.RaftStatus;
import io.quiver.consensus.raft.RaftTls;
import io.quiver.consensus.raft.StateMachineUpdaterSignal;
import io.quiver.consensus.raft.TransferRate;
import io.quiver.consensus.shard.ShardStateMachine;
import io.quiver.consensus.shard.WitnessStateMachine;
import io.quiver.consensus.snapshot.IncomingSnapshots;
import io.quiver.consensus.snapshot.IncomingTransfer;
import io.quiver.consensus.snapshot.InstallNoticePacing;
import io.quiver.consensus.snapshot.SnapshotFetcher;
import io.quiver.sharding.CollectionCatalog;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReplicaPlanner;
import io.quiver.sharding.ReplicaStep;
import io.quiver.sharding.ShardClients;
import io.quiver.sharding.ShardPlacement;
import io.quiver.storage.ShardConfig;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's Raft side: one Ratis server hosting the meta group and every shard group placed here
 * (multi-raft), the reconciler that keeps the hosted groups equal to the placement, and the clients
 * the router uses ({@link #catalog()}, {@link #shardClients()}).
 *
 * <p>On the first start of a data directory the node bootstraps a meta group of one (itself); on a
 * restart Ratis reopens every group found in the directory and replays their logs.
 */
public final class RaftNode implements Closeable, LocalNode {

  private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);

  static {
    // Before any Ratis server or client of this process exists: Ratis' timeouts and retries would
    // otherwise count on the wall clock (see MonotonicTimeouts).
    MonotonicTimeouts.install();
    // Nor may every group's Ratis metrics become JMX MBeans (see RatisJmxMetrics).
    RatisJmxMetrics.disable();
  }

  static final RaftGroupId META_GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("quiver-meta".getBytes(StandardCharsets.UTF_8)));

  /** The UUID of the meta group's id (log lines name groups by it). */
  public static UUID metaGroupUuid() {
    return META_GROUP_ID.getUuid();
  }

  private final RaftNodeConfig config;
  private final RaftPeer self;
  private final RaftProperties properties;
  private final MetaStateMachine meta;
  private final RaftServer server;
  private final java.util.concurrent.atomic.AtomicLong metaLeaderChanges =
      new java.util.concurrent.atomic.AtomicLong();
  private final MetaClients metaClients;
  private final LocalDivisions divisions;
  private final ShardGroupViews groupViews;
  private final RaftClients clients;
  private final PeerInfoClients peerInfoClients;
  private final RaftShardClients shardClients;
  private final RaftCollectionCatalog catalog;
  private final ShardGroupReconciler reconciler;

  private final MetaMembership membership;
  private final ShardReplicaChanges replicaChanges;
  private final ShardReplicaInspector replicaInspector;
  private final ReplicaController replicaController;
  private final ShardSurvey shardSurvey;
  private final IncomingSnapshots incomingSnapshots;

  /** Fetches the snapshots this node's replicas need from their peers (resumable). */
  private final SnapshotFetcher snapshotFetcher;

  private final ReshardingDriver resharding;
  private final boolean joining;
  private final MetaCatchUp catchUp;
  private final PeerReconnects reconnects;

  /** Mutual TLS on the Raft transport (Ratis' gRPC), or null for plain gRPC. */
  private final RaftTls tls;

  /**
   * The TLS identity and trust of every Raft connection, reloaded when its files change; null
   * without TLS.
   */
  private final PeerCredentials credentials;

  private RaftNode(RaftNodeConfig config, RaftTls tls) throws IOException {
    this.config = config;
    this.tls = tls;
    this.credentials = tls == null ? null : new PeerCredentials(tls, tls.checkEvery());
    this.clients = new RaftClients(config.requestTimeout(), credentials);
    this.peerInfoClients = new PeerInfoClients(clients);
    this.self = peer(config.nodeId(), config.raftAddress());
    this.properties = serverProperties(config);
    boolean firstStart =
        !new File(config.raftDir().toFile(), META_GROUP_ID.getUuid().toString()).exists();
    // A node whose bootstrap address is its own Raft address is the seed: it bootstraps, so every
    // node of a StatefulSet or compose file may be given the same --bootstrap.
    this.joining =
        firstStart
            && config.bootstrapAddress() != null
            && !config.bootstrapAddress().equalsIgnoreCase(config.raftAddress());
    RaftServer.Builder builder =
        RaftServer.newBuilder()
            .setServerId(self.getId())
            .setProperties(properties)
            .setStateMachineRegistry(this::newStateMachine);
    this.incomingSnapshots =
        new IncomingSnapshots(new TransferRate(config.transferBytesPerSecond()));
    this.snapshotFetcher =
        new SnapshotFetcher(
            this::snapshotPeers, incomingSnapshots, peer -> nodeIdOf(peer.toString()));
    this.meta = new MetaStateMachine(snapshotFetcher);
    org.apache.ratis.conf.Parameters parameters =
        tls != null ? RaftTls.parameters(credentials) : new org.apache.ratis.conf.Parameters();
    InstallNoticePacing pacing = new InstallNoticePacing();
    DivisionStartGate startGate = new DivisionStartGate(this::server);
    GrpcConfigKeys.Server.setServicesCustomizer(
        parameters,
        (netty, types) ->
            types.contains(org.apache.ratis.grpc.server.GrpcServices.Type.SERVER)
                ? netty.intercept(pacing).intercept(startGate)
                : netty);
    builder.setParameters(parameters);
    if (firstStart && !joining) {
      LOG.info("node {}: new data directory, bootstrapping a cluster of one", config.nodeId());
      builder.setGroup(RaftGroup.valueOf(META_GROUP_ID, self));
    }
    this.server = builder.build();
    GroupManagementThreads.install(server);
    this.reconnects = new PeerReconnects(server, config.nodeId());
    // Each helper gets what it uses: this node as a LocalNode (id, settings, metadata), and its
    // other collaborators one by one.
    this.divisions = new LocalDivisions(server, self, properties);
    this.groupViews = new ShardGroupViews(server, config.nodeId(), peerInfoClients);
    this.metaClients = new MetaClients(config.nodeId(), divisions, clients);
    this.shardClients = new RaftShardClients(this, divisions, clients);
    this.catalog =
        new RaftCollectionCatalog(
            this, meta, metaClients, divisions, shardClients, this::notReadyReason);
    this.reconciler = new ShardGroupReconciler(this, meta, divisions, clients, shardClients);
    this.membership = new MetaMembership(this, meta, divisions, clients);
    this.replicaChanges = new ShardReplicaChanges(this, catalog, clients, groupViews);
    this.replicaInspector = new ShardReplicaInspector(clients, this::clusterState);
    this.shardSurvey = new ShardSurvey(this, divisions, groupViews, shardClients);
    this.replicaController =
        new ReplicaController(this, shardSurvey, replicaChanges, catalog, groupViews);
    this.resharding = new ReshardingDriver(this, catalog, shardClients);
    this.catchUp =
        new MetaCatchUp(
            this,
            meta,
            divisions,
            clients,
            metaClients,
            joining,
            new NodeAddress(config.raftAddress(), config.httpAddress()),
            reconciler::start);
    meta.addListener(reconciler::onStateChanged);
    meta.addListener(membership::onStateChanged);
    meta.addLeaderListener(membership::onLeaderChanged);
    meta.addLeaderListener(metaLeaderChanges::incrementAndGet);
    meta.addListener(replicaController::onStateChanged);
    meta.addLeaderListener(replicaController::onLeaderChanged);
    meta.addListener(resharding::onStateChanged);
    meta.addLeaderListener(resharding::onLeaderChanged);
  }

  /**
   * Starts the Raft server and returns; this node's metadata is brought up to date in the
   * background ({@link MetaCatchUp}: on a new cluster or a restart by writing a {@code
   * RegisterNode} entry; when joining, by asking the cluster at the bootstrap address to register
   * it, after which the meta leader adds it to the meta group and catches it up). Only then does
   * the reconciler start (see {@link ShardGroupReconciler#start}) and can the node become ready
   * ({@link #isReady}). A node that cannot reach the meta leader keeps waiting, never exits for it.
   */
  public static RaftNode start(RaftNodeConfig config) throws IOException {
    RaftNode node = create(config);
    node.start();
    return node;
  }

  /**
   * Builds this node's Raft side without starting it, so that a caller can prepare the rest of the
   * process (the REST layer) while {@link #start()} runs; until then every group is closed.
   */
  public static RaftNode create(RaftNodeConfig config) throws IOException {
    return create(config, null);
  }

  /**
   * As {@link #create(RaftNodeConfig)}, with mutual TLS between peers when {@code tls} is not null.
   */
  public static RaftNode create(RaftNodeConfig config, RaftTls tls) throws IOException {
    return new RaftNode(config, tls);
  }

  /**
   * Starts the Raft server (opening every group in the data directory) and the catch-up; see {@link
   * #start(RaftNodeConfig)}.
   */
  public void start() throws IOException {
    server.start();
    // Every group found in the data directory is open now; its applier sleeps until signalled.
    for (RaftGroupId id : server.getGroupIds()) {
      StateMachineUpdaterSignal.install(server, id);
    }
    reconnects.start();
    LOG.info(
        "node {}: raft server up on {}{}",
        config.nodeId(),
        config.raftAddress(),
        joining ? ", joining the cluster through " + config.bootstrapAddress() : "");
    catchUp.start();
  }

  public CollectionCatalog catalog() {
    return catalog;
  }

  public ShardClients shardClients() {
    return shardClients;
  }

  /** Adding, dropping and moving shard replicas. */
  public ShardReplicaChanges replicaChanges() {
    return replicaChanges;
  }

  /** Each replica's own view of its shard group (role, indexes), for dashboards. */
  public ShardReplicaInspector replicaInspector() {
    return replicaInspector;
  }

  /** Removes a node without replicas from the cluster ({@code DELETE /cluster/peer/{id}}). */
  public CompletableFuture<Long> removeNode(long nodeId) {
    return catalog.removeNode(nodeId, false);
  }

  /**
   * Removes a node whatever it holds ({@code DELETE /cluster/peer/{id}?force=true}): first each of
   * its replicas that has other copies leaves its shard's Raft group (best effort: a group without
   * a majority cannot change), then the node leaves the metadata, and a shard whose only copy it
   * held starts again empty on another node ({@link ForcedRemoval}).
   */
  public CompletableFuture<Long> removeNodeForcibly(long nodeId) {
    return CompletableFuture.supplyAsync(
        () -> {
          for (CollectionDescriptor c : clusterState().collections().values()) {
            for (ShardPlacement s : c.shardMap().shards()) {
              if (s.replicas().contains(nodeId) && s.replicas().size() > 1) {
                try {
                  replicaChanges.drop(c.name(), s.shardId(), nodeId).join();
                } catch (RuntimeException e) {
                  LOG.warn(
                      "node {}: forced removal of node {}: its replica of {}/{} could not leave the group: {}",
                      config.nodeId(),
                      nodeId,
                      c.name(),
                      s.shardId(),
                      RaftFailureWords.describe(e));
                }
              }
            }
          }
          return catalog.removeNode(nodeId, true).join();
        },
        // A thread of its own: the drops block for as long as the groups take, and the common
        // pool (one worker on 2 cores) completes Ratis' unordered replies, replica reads among
        // them.
        work -> Thread.ofPlatform().daemon().name("forced-removal-" + nodeId).start(work));
  }

  /** Starts ({@code drain}) or stops draining a node: the meta leader moves its replicas away. */
  public CompletableFuture<Long> setDraining(long nodeId, boolean drain) {
    return catalog.setDraining(nodeId, drain);
  }

  /**
   * Asks the meta leader to rebalance replicas across the nodes ({@code POST /cluster/rebalance}).
   */
  public CompletableFuture<Long> requestRebalance() {
    return catalog.setRebalancing(true);
  }

  /**
   * What the meta leader's replica controller is doing, as far as this node knows: the step it
   * carries out (only known on the leader), steps done, the last failure; and the steps still
   * planned from this node's metadata (computed here with the same pure planner).
   */
  /**
   * The shard snapshots this node is receiving (replica transfers into it), and those finished in
   * the last seconds.
   */
  /** Bytes of shard snapshots this node fetched from peers since it started. */
  public long snapshotBytesFetched() {
    return incomingSnapshots.bytesFetched();
  }

  /** Bytes of shard snapshots kept from fetches cut short (not fetched again) since it started. */
  public long snapshotBytesKept() {
    return incomingSnapshots.bytesKept();
  }

  /** The shard snapshots this node is receiving now (and those finished within seconds). */
  public List<IncomingTransfer> incomingTransfers() {
    return incomingSnapshots.transfers();
  }

  /**
   * The shard snapshots node {@code nodeId} is receiving ({@link #incomingTransfers} there), their
   * times on this node's clock; fails when the node does not answer within 2 s or is not a member.
   */
  public CompletableFuture<List<IncomingTransfer>> incomingTransfers(long nodeId) {
    if (nodeId == config.nodeId()) {
      return CompletableFuture.completedFuture(incomingTransfers());
    }
    var address = clusterState().nodes().get(nodeId);
    if (address == null) {
      return CompletableFuture.failedFuture(
          new IOException("node " + nodeId + " is not a member of the cluster"));
    }
    return peerInfoClients.transfers(nodeId, address.raftAddress()).orTimeout(2, TimeUnit.SECONDS);
  }

  public ScalingStatus scalingStatus() {
    ClusterState state = clusterState();
    List<ReplicaStep> planned =
        ReplicaPlanner.plan(
                state.nodes().keySet(),
                state.draining(),
                state.collections().values(),
                state.rebalancing(),
                shardSurvey.reports(),
                1000)
            .steps();
    return new ScalingStatus(
        state.rebalancing(),
        state.draining(),
        planned,
        replicaController.currentStep(),
        replicaController.stepsDone(),
        replicaController.lastError());
  }

  /** See {@link #scalingStatus()}. */
  public record ScalingStatus(
      boolean rebalancing,
      java.util.SortedSet<Long> draining,
      List<ReplicaStep> planned,
      ReplicaStep current,
      long stepsDone,
      String lastError) {}

  /**
   * The steps a rebalance would take now, from this node's metadata and the shard groups' sizes and
   * leaders ({@code GET /cluster/rebalance}): those older than {@code maxAgeMs} are asked again
   * first (see {@link ShardSurvey}), on a virtual thread.
   */
  public CompletableFuture<RebalanceView> rebalancePlan(long maxAgeMs) {
    CompletableFuture<RebalanceView> out = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("rebalance-plan")
        .start(
            () -> {
              try {
                ClusterState state = clusterState();
                var reports = shardSurvey.refresh(state, maxAgeMs);
                out.complete(
                    new RebalanceView(
                        ReplicaPlanner.plan(
                            state.nodes().keySet(),
                            state.draining(),
                            state.collections().values(),
                            true,
                            reports,
                            1000),
                        shardSurvey.oldestAgeMs()));
              } catch (InterruptedException | RuntimeException e) {
                out.completeExceptionally(e);
              }
            });
    return out;
  }

  /**
   * Bytes, replicas and shard groups led per member, from this node's metadata and the sizes and
   * leaders it last learnt (nothing is asked: on a node that never planned, bytes and leaders are
   * 0).
   */
  public Map<Long, io.quiver.sharding.NodeLoad> peerLoads() {
    ClusterState state = clusterState();
    var reports = shardSurvey.reports();
    return io.quiver.sharding.NodeLoad.perNode(
        state.nodes().keySet(),
        state.collections().values(),
        io.quiver.sharding.ShardWeights.of(state.collections().values(), reports),
        reports.leaders());
  }

  /** A rebalance plan and how old (ms) the oldest size or leader it was planned from is. */
  public record RebalanceView(io.quiver.sharding.RebalancePlan plan, long reportsAgeMs) {}

  /**
   * Starts resharding a collection by one shard (see {@link
   * RaftCollectionCatalog#startResharding}).
   */
  public java.util.concurrent.CompletableFuture<Long> startResharding(
      String collection, io.quiver.sharding.Resharding.Direction direction, Long peerId) {
    return catalog.startResharding(collection, direction, peerId);
  }

  /**
   * Aborts a collection's resharding before its routing switched (see {@link
   * RaftCollectionCatalog#abortResharding}).
   */
  public java.util.concurrent.CompletableFuture<Long> abortResharding(String collection) {
    return catalog.abortResharding(collection);
  }

  /**
   * Points copied by the reshardings this node drove, and why its last resharding step failed
   * (null: it did not).
   */
  public long reshardingPointsCopied() {
    return resharding.pointsCopied();
  }

  public String reshardingLastError() {
    return resharding.lastError();
  }

  /** This node's applied copy of the cluster metadata. */
  @Override
  public ClusterState clusterState() {
    return meta.state();
  }

  /** The meta group as this node sees it. */
  public RaftStatus metaStatus() throws IOException {
    return divisions.statusOf(META_GROUP_ID);
  }

  /** Leaders of the meta group this node has seen change since it started. */
  public long metaLeaderChanges() {
    return metaLeaderChanges.get();
  }

  /**
   * Every shard replica this node hosts, and every shard witness (without shard figures), read
   * without any Raft round trip (for metrics). A group the cluster metadata no longer names (being
   * removed) is left out. Thread-safe; O(replicas).
   */
  public java.util.List<ReplicaStats> localReplicas() {
    java.util.Map<UUID, Object[]> placements = new java.util.HashMap<>();
    for (var c : clusterState().collections().values()) {
      for (var p : c.shardMap().shards()) {
        placements.put(
            p.groupId(),
            new Object[] {c.name(), p.shardId(), c.config().vectors().vectors().size()});
      }
    }
    java.util.List<ReplicaStats> out = new java.util.ArrayList<>();
    for (RaftGroupId groupId : server.getGroupIds()) {
      Object[] placement = placements.get(groupId.getUuid());
      if (placement == null) {
        continue;
      }
      try {
        RaftServer.Division division = server.getDivision(groupId);
        RaftStatus status = divisions.statusOf(groupId);
        long lag = -1;
        if (status.role() == RaftStatus.Role.Leader) {
          long last =
              division.getRaftLog().getLastEntryTermIndex() == null
                  ? 0
                  : division.getRaftLog().getLastEntryTermIndex().getIndex();
          lag = 0;
          for (long match : division.getInfo().getFollowerMatchIndices()) {
            lag = Math.max(lag, last - match);
          }
        }
        if (division.getStateMachine() instanceof WitnessStateMachine) {
          // The shard's witness: its Raft group as seen here, no shard.
          out.add(
              new ReplicaStats(
                  (String) placement[0],
                  (Integer) placement[1],
                  groupId.getUuid(),
                  status,
                  0,
                  0,
                  lag,
                  (Integer) placement[2],
                  null,
                  null,
                  null));
          continue;
        }
        if (!(division.getStateMachine() instanceof ShardStateMachine machine)) {
          continue;
        }
        io.quiver.storage.Shard shard = machine.shardIfOpen();
        io.quiver.storage.ShardInfo info = null;
        io.quiver.storage.segment.SegmentsInfo segments = null;
        io.quiver.storage.segment.SegmentWork work = null;
        if (shard != null) {
          try {
            info = shard.info();
            segments = shard.segmentsInfo();
            work = shard.segmentWork();
          } catch (RuntimeException closing) {
            // closed between the read of the field and these calls: reported without shard figures
          }
        }
        out.add(
            new ReplicaStats(
                (String) placement[0],
                (Integer) placement[1],
                groupId.getUuid(),
                status,
                machine.leaderChanges(),
                machine.snapshotInstalls(),
                lag,
                (Integer) placement[2],
                info,
                segments,
                work));
      } catch (IOException removed) {
        // the group was removed meanwhile
      }
    }
    return out;
  }

  /** This node's id. */
  public long id() {
    return config.nodeId();
  }

  /**
   * True once this node's metadata has caught up with the meta group's log and every shard group
   * placed here is hosted by the local server.
   */
  public boolean isReady() {
    return catchUp.isCaughtUp() && reconciler.isConverged();
  }

  /**
   * Waits until this node's metadata has caught up (see {@link MetaCatchUp}); for callers that need
   * the catalog at once, such as tests.
   *
   * @throws IOException when it has not caught up within {@code timeout}
   */
  public void awaitCaughtUp(java.time.Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!catchUp.isCaughtUp()) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "node "
                + config.nodeId()
                + " not caught up after "
                + timeout
                + ": "
                + catchUp.waitingFor());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  /** True once this node's copy of the cluster metadata has caught up with the meta group's log. */
  @Override
  public boolean isCaughtUp() {
    return catchUp.isCaughtUp();
  }

  /** Why this node is not ready, in words; null when it is ready. */
  public String notReadyReason() {
    if (!catchUp.isCaughtUp()) {
      return "the cluster metadata is not caught up yet: " + catchUp.waitingFor();
    }
    return reconciler.isConverged() ? null : "some shards placed on this node are not started yet";
  }

  @Override
  public long nodeId() {
    return config.nodeId();
  }

  @Override
  public RaftNodeConfig config() {
    return config;
  }

  @Override
  public boolean leadsMeta() {
    try {
      return server.getDivision(META_GROUP_ID).getInfo().isLeaderReady() && isCaughtUp();
    } catch (IOException notHosted) {
      return false;
    }
  }

  public RaftServer server() {
    return server;
  }

  /** The meta group's voters as this node knows them (itself alone while it knows none). */
  public List<RaftPeer> metaVoters() {
    return metaClients.voters();
  }

  /**
   * Makes the local server host the meta group with an empty configuration (see {@link
   * LocalDivisions#hostMetaGroup}).
   */
  void hostMetaGroup() throws IOException {
    divisions.hostMetaGroup();
  }

  /** A shard group's local replica, or empty when this node does not host the group. */
  public java.util.Optional<RaftStatus> shardStatus(UUID groupId) {
    return divisions.status(groupId);
  }

  /**
   * The nodes in the Raft configuration of a shard group as this node's replica knows it (see
   * {@link LocalDivisions#members}), or empty when this node does not host the group.
   */
  public java.util.Optional<java.util.Set<Long>> shardMembers(UUID groupId) {
    return divisions.members(groupId);
  }

  /** True when this server hosts shard group {@code groupId} as its witness. */
  boolean hostsWitness(RaftGroupId groupId) {
    return divisions.hostsWitness(groupId);
  }

  static RaftPeerId peerId(long nodeId) {
    return RaftPeerId.valueOf("n" + nodeId);
  }

  /** The node of a Raft peer id ({@code n<node id>}), or null for an id Quiver did not give. */
  static Long nodeIdOf(String peerId) {
    if (peerId.length() < 2 || peerId.charAt(0) != 'n') {
      return null;
    }
    try {
      return Long.valueOf(peerId.substring(1));
    } catch (NumberFormatException notOurs) {
      return null;
    }
  }

  static RaftPeer peer(long nodeId, String raftAddress) {
    return RaftPeer.newBuilder().setId(peerId(nodeId)).setAddress(raftAddress).build();
  }

  /** The Raft group of a shard as placed: see {@link #shardGroup(UUID, List, List, Map)}. */
  static RaftGroup shardGroup(ShardPlacement shard, Map<Long, NodeAddress> nodes) {
    return shardGroup(shard.groupId(), shard.replicas(), shard.witnesses(), nodes);
  }

  /**
   * Ratis priority of a shard's data replicas: above its witnesses', so a witness leader hands
   * over.
   */
  static final int REPLICA_PRIORITY = 1;

  /** Ratis priority of a shard's witnesses (see {@link WitnessStateMachine}). */
  static final int WITNESS_PRIORITY = 0;

  /**
   * The Raft group of a shard: its id and a peer per replica and per witness, addressed from the
   * cluster state. Replicas have a higher priority than witnesses: Ratis' voters refuse a
   * lower-priority candidate whose log is no longer than theirs, and a leader hands leadership to a
   * caught-up follower of higher priority, so a witness leads only while it alone holds the newest
   * entries, and only until a data replica has them.
   */
  static RaftGroup shardGroup(
      UUID groupId, List<Long> replicas, List<Long> witnesses, Map<Long, NodeAddress> nodes) {
    List<RaftPeer> peers = new java.util.ArrayList<>();
    for (long id : replicas) {
      peers.add(shardPeer(groupId, id, nodes, REPLICA_PRIORITY));
    }
    for (long id : witnesses) {
      peers.add(shardPeer(groupId, id, nodes, WITNESS_PRIORITY));
    }
    return RaftGroup.valueOf(RaftGroupId.valueOf(groupId), peers);
  }

  private static RaftPeer shardPeer(
      UUID groupId, long nodeId, Map<Long, NodeAddress> nodes, int priority) {
    NodeAddress address = nodes.get(nodeId);
    if (address == null) {
      throw new IllegalStateException(
          "replica on unknown node " + nodeId + " for group " + groupId);
    }
    return RaftPeer.newBuilder()
        .setId(peerId(nodeId))
        .setAddress(address.raftAddress())
        .setPriority(priority)
        .build();
  }

  /**
   * This node's clients of the other nodes for group-info questions ({@link ShardGroupViews#ask}).
   */
  PeerInfoClients peerInfoClients() {
    return peerInfoClients;
  }

  /**
   * Room left in an entry for what Ratis adds around a command (term, index, client and call ids:
   * under 100 bytes).
   */
  public static final int ENTRY_HEADROOM_BYTES = 4096;

  /**
   * The properties of this node's Raft clients: the servers' transport, each request given up after
   * {@code requestTimeout}.
   */
  public static RaftProperties clientProperties(TimeDuration requestTimeout) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, requestTimeout);
    return p;
  }

  /**
   * The state machine of a group this server opens: a witness's ({@link WitnessStateMachine}) when
   * the group's directory is a witness's, or, for a directory that does not tell yet (a group new
   * here), when the cluster metadata places the shard's witness here; else a data replica's.
   */
  /**
   * The peers of {@code group} for a snapshot fetch: each request is a stale read, which any
   * replica answers (leader or not), sent once (the fetch itself moves on to another peer or tries
   * again). Sent with Ratis' blocking client, each on a thread of the fetch's own: its unordered
   * async client completes every reply on the common fork-join pool, which anything blocking there
   * holds up (a test harness starting nodes on it delayed every describe by 5 s), and its ordered
   * one waits on the first request to a replica other than the leader (see {@code
   * RaftShardClient.staleRead}).
   */
  private SnapshotFetcher.Peers snapshotPeers(RaftGroup group) {
    RaftClient client =
        clients.newClient(
            group, TimeDuration.valueOf(30, TimeUnit.SECONDS), RetryPolicies.noRetry());
    java.util.concurrent.ExecutorService askers =
        java.util.concurrent.Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("snapshot-ask-", 0).factory());
    return new SnapshotFetcher.Peers() {
      @Override
      public CompletableFuture<ByteString> ask(RaftPeerId peer, Message request) {
        return CompletableFuture.supplyAsync(
            () -> {
              try {
                var reply = client.io().sendStaleRead(request, 0, peer);
                if (!reply.isSuccess()) {
                  throw new java.util.concurrent.CompletionException(reply.getException());
                }
                return reply.getMessage().getContent();
              } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
              }
            },
            askers);
      }

      @Override
      public void close() {
        askers.shutdownNow();
        try {
          client.close();
        } catch (IOException e) {
          LOG.debug("closing a snapshot fetch client: {}", e.toString());
        }
      }
    };
  }

  private StateMachine newStateMachine(RaftGroupId groupId) {
    if (groupId.equals(META_GROUP_ID)) {
      return meta;
    }
    Boolean witnessDirectory =
        WitnessStateMachine.witnessDirectory(
            config.raftDir().resolve(groupId.getUuid().toString()));
    boolean witness =
        witnessDirectory != null ? witnessDirectory : isWitnessHere(groupId.getUuid());
    return witness
        ? new WitnessStateMachine(snapshotFetcher)
        : new ShardStateMachine(this::shardConfigOf, snapshotFetcher);
  }

  /**
   * True when the applied metadata places the witness of shard group {@code groupId} on this node.
   */
  boolean isWitnessHere(UUID groupId) {
    return meta.state()
        .findGroup(groupId)
        .map(e -> e.getValue().witnesses().contains(config.nodeId()))
        .orElse(false);
  }

  /**
   * The shard config of a group new to this node, from the cluster metadata; null when the metadata
   * does not place it. Waits up to {@link #METADATA_WAIT_MS} for it to appear: at a restart Ratis
   * starts every group in parallel, and a group whose add was interrupted (a directory without a
   * shard yet) can start before the meta group has loaded its snapshot and replayed the entry that
   * created the collection (InterruptedGroupAddTest).
   */
  private ShardConfig shardConfigOf(RaftGroupId groupId) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(METADATA_WAIT_MS);
    while (true) {
      ShardConfig config =
          meta.state()
              .findGroup(groupId.getUuid())
              .map(e -> e.getKey().config().shardConfig())
              .orElse(null);
      if (config != null || System.nanoTime() > deadline) {
        return config;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }

  /**
   * How long a new group's state machine waits for the metadata that places it (see {@link
   * #shardConfigOf}).
   */
  private static final long METADATA_WAIT_MS = 20_000;

  /** The first election of a group after it starts: 150-300 ms (see {@link #serverProperties}). */
  static final TimeDuration FIRST_ELECTION_MIN = TimeDuration.valueOf(150, TimeUnit.MILLISECONDS);

  /**
   * The first election of a group whose only voter is this node: 10-20 ms (see {@link
   * LocalDivisions#firstElectionFor}).
   */
  static final TimeDuration SOLE_VOTER_FIRST_ELECTION_MIN =
      TimeDuration.valueOf(10, TimeUnit.MILLISECONDS);

  static void setFirstElectionTimeout(RaftProperties p, TimeDuration min) {
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, min);
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, min.multiply(2));
  }

  /**
   * The shortest election timeout of every group (the longest is twice it); see {@link
   * #serverProperties}.
   */
  static final TimeDuration ELECTION_TIMEOUT_MIN = TimeDuration.valueOf(600, TimeUnit.MILLISECONDS);

  /**
   * Ratis' staging timeout: how long a replica being added may go without answering (see its use).
   */
  static final long STAGING_TIMEOUT_SECONDS = 20;

  static RaftProperties serverProperties(RaftNodeConfig config) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    GrpcConfigKeys.Server.setPort(p, config.raftPort());
    if (config.bindsOneAddress()) {
      GrpcConfigKeys.Server.setHost(p, config.bindHost());
    }
    RaftServerConfigKeys.setStorageDir(p, List.of(config.raftDir().toFile()));
    // Shard reads: "leader" uses sendReadOnlyNonLinearizable; "linearizable" commits a barrier and
    // reads at its index (RaftShardClient), not Ratis' ReadIndex, which can answer from a deposed
    // leader (StaleLeaderReadTest). DEFAULT, not LINEARIZABLE: with LINEARIZABLE a follower sent a
    // sendReadOnly asks the leader for a read index; on Ratis' Netty transport (Quiver's until it
    // moved to gRPC) that protocol is missing:
    // the exception leaves the request unanswered, and Ratis' Netty client, which pairs replies
    // with
    // requests by order alone, then hands every later request on that connection the next one's
    // reply (FollowerReadRepliesTest). With DEFAULT a follower answers NotLeader.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.DEFAULT);
    // Election timeouts 600-1200 ms (Ratis' default is 150-300 ms): on a busy machine (2 cores, a
    // few
    // JVMs, GC) a leader that did not hear from a majority for 300 ms stepped down ("Lost
    // leadership
    // on term 1. Election timeout: 300ms") in every group at once, and the next write met "no
    // leader
    // elected" (ReplicationFactorIT in CI, load 5 on 2 cores). A leader now rides out 1.2 s of
    // starvation; a dead leader is replaced in about 0.6-1.2 s plus an election, well within a
    // shard
    // client's retry budget (RaftShardClient.NO_LEADER_BUDGET_MS). Heartbeats go at half the
    // minimum (300 ms),
    // so idle groups also wake half as often.
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ELECTION_TIMEOUT_MIN);
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ELECTION_TIMEOUT_MIN.multiply(2));
    // The first election after a group starts keeps Ratis' default timeout (150-300 ms). A 25-75 ms
    // first election made collection creates faster (0.35-0.98 s -> 0.13-0.20 s on one node) but a
    // replica that added a new group before its peers could win term 1 and lose it at once; Ratis
    // 3.2.1 then logged "Failed to step down for term 1" (TimeoutException) and that division never
    // applied again (SnapshotInstallIT, ThreeNodeClusterIT: a new leader "not ready" for good).
    // (A group with a single voter has nobody to lose term 1 to: see firstElectionFor.)
    setFirstElectionTimeout(p, FIRST_ELECTION_MIN);
    // The shard's data is on disk; a snapshot only flushes it, so take them often enough that
    // the log (and replay after a restart) stays short.
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotThreshold());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    // No snapshot of every group when the server stops (Ratis' default): with 1,400 idle groups the
    // stop wrote 1,400 snapshots of nothing ("snapshot at (t:1, i:0)") one after another, and a
    // SIGTERM took 22 s (bench groups, issue 17). What a restart replays instead is the log since
    // each group's last snapshot, which the threshold above keeps short.
    RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(
        p, (int) Math.min(Integer.MAX_VALUE, config.snapshotThreshold()));
    // Keep some log behind each snapshot: a follower that has just installed a snapshot continues
    // from the log instead of needing the next snapshot, which under steady writes never ends.
    RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, 4 * config.snapshotThreshold());
    RaftServerConfigKeys.Log.setSegmentSizeMax(
        p, org.apache.ratis.util.SizeInBytes.valueOf(config.logSegmentBytes()));
    setLogWriteBuffer(p);
    // A new replica (staging, before its configuration change commits) may go without answering
    // for up to 20 s. Ratis' default is 3 x the longest election timeout (3.6 s), which a busy disk
    // exceeded; 60 s made a change whose new replica died hold its shard for 65.7 s
    // (TransferCrashIT).
    RaftServerConfigKeys.setStagingTimeout(
        p, TimeDuration.valueOf(STAGING_TIMEOUT_SECONDS, TimeUnit.SECONDS));
    // A replica that needs a snapshot is only notified, and fetches it itself (SnapshotFetcher):
    // resumable after a crash of either side, held to the node's transfer rate. Ratis' own
    // install streams every file from byte 0 again after any interruption.
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, false);
    return p;
  }

  /**
   * Every division's log worker allocates its write buffer ({@code
   * raft.server.log.write.buffer.size}, 8 MB by default) as a zeroed direct buffer: resident memory
   * per shard group, idle or not (9.7 MB per group measured with 200 groups, issue 17). Ratis
   * requires it to hold one whole entry, the appender's byte limit (4 MB, which bounds {@link
   * LocalDivisions#maxShardEntryBytes}) plus 8 bytes; so the smallest buffer that keeps the entry
   * limit, which only batches log writes less.
   */
  private static void setLogWriteBuffer(RaftProperties p) {
    int entryLimit = RaftServerConfigKeys.Log.Appender.bufferByteLimit(p).getSizeInt();
    RaftServerConfigKeys.Log.setWriteBufferSize(
        p, org.apache.ratis.util.SizeInBytes.valueOf(entryLimit + 8));
  }

  @Override
  public void close() throws IOException {
    catchUp.close();
    reconnects.close();
    replicaController.close();
    resharding.close();
    replicaChanges.close();
    replicaInspector.close();
    membership.close();
    reconciler.close();
    shardClients.close();
    metaClients.close();
    peerInfoClients.close();
    server.close();
    snapshotFetcher.close();
    if (credentials != null) {
      credentials.close();
    }
    LOG.info("node {}: raft server stopped", config.nodeId());
  }
}
