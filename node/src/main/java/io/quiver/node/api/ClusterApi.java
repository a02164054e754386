package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.consensus.RaftNode;
import io.quiver.consensus.meta.ClusterState;
import io.quiver.consensus.raft.RaftStatus;
import io.quiver.consensus.snapshot.IncomingTransfer;
import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.ReplicaStep;
import io.quiver.sharding.ShardPlacement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@code GET /cluster} and {@code GET /collections/{c}/cluster}, in Qdrant's shapes. */
public final class ClusterApi {

  private final RaftNode raft;
  private final PointsRouter router;
  private final ObjectMapper json;
  private final io.quiver.node.cluster.PeerLiveness liveness;

  public ClusterApi(
      RaftNode raft,
      PointsRouter router,
      ObjectMapper json,
      io.quiver.node.cluster.PeerLiveness liveness) {
    this.raft = raft;
    this.router = router;
    this.json = json;
    this.liveness = liveness;
  }

  public void register(RestRoutes routes) {
    routes
        .add("GET", "/cluster", this::cluster)
        .add("GET", "/collections/{collection_name}/cluster", this::collectionCluster)
        .add("POST", "/collections/{collection_name}/cluster", this::updateCollectionCluster)
        .add("DELETE", "/cluster/peer/{peer_id}", this::removePeer)
        .add("POST", "/cluster/peer/{peer_id}/drain", this::drainPeer)
        .add("GET", "/cluster/rebalance", this::rebalancePlan)
        .add("POST", "/cluster/rebalance", this::rebalance);
  }

  /**
   * Removes a peer. Refused (409) while it holds a replica, saying whether it holds the only copy
   * of some shard; {@code force=true} removes it anyway: its replicas with other copies leave their
   * groups, and a shard whose only copy it held starts again empty elsewhere (its points are lost).
   */
  private CompletableFuture<RestResponse> removePeer(RestRequest request) {
    long peer = peerId(request);
    if (request.booleanParam("force", false)) {
      return raft.removeNodeForcibly(peer).thenApply(index -> RestResponse.ok(true));
    }
    return raft.removeNode(peer).thenApply(index -> RestResponse.ok(true));
  }

  /**
   * A Quiver extension: the meta leader moves every replica off the peer (one membership change at
   * a time) and places no new one there; {@code cancel=true} stops draining. Answers at once;
   * progress is in {@code GET /cluster} ({@code quiver_scaling}) and the collections' cluster info.
   */
  private CompletableFuture<RestResponse> drainPeer(RestRequest request) {
    long peer = peerId(request);
    boolean cancel = request.booleanParam("cancel", false);
    return raft.setDraining(peer, !cancel).thenApply(index -> RestResponse.ok(true));
  }

  /**
   * How old the shard sizes and leaders a plan is made from may be: older ones are asked of the
   * shard groups first (a few seconds at most; see the consensus module's ShardSurvey).
   */
  static final long PLAN_REPORTS_AGE_MS = 2_000;

  /**
   * A Quiver extension: the steps a rebalance would take now (not carried out), each with its
   * shard's size and the per-peer loads once it is done, and the loads now and after the plan.
   */
  private CompletableFuture<RestResponse> rebalancePlan(RestRequest request) {
    return raft.rebalancePlan(PLAN_REPORTS_AGE_MS)
        .thenApply(view -> RestResponse.ok(planJson(view)));
  }

  /**
   * A Quiver extension: asks the meta leader to carry out the rebalance plan, one step at a time (a
   * move: an added replica that catches up, then the old one dropped; a leadership transfer).
   * Answers at once with the plan as {@code GET} shows it; progress is in {@code GET /cluster}
   * ({@code quiver_scaling}). The leader plans each step afresh, so what it does may differ from
   * this plan where sizes or leaders changed meanwhile.
   */
  private CompletableFuture<RestResponse> rebalance(RestRequest request) {
    // It takes no settings: a field in its body (a dry-run flag, say) is refused, never ignored.
    KnownFields.only(request.jsonBody(false), "", java.util.Set.of());
    return raft.rebalancePlan(PLAN_REPORTS_AGE_MS)
        .thenCompose(
            view -> raft.requestRebalance().thenApply(index -> RestResponse.ok(planJson(view))));
  }

  /**
   * {@code moves}: each step in Qdrant-like words plus {@code shard_bytes} (what a replica of the
   * shard weighs: points x the bytes of a point's dense vectors and id; the collection's mean while
   * its size is not known), {@code shard_points} (null when not known) and {@code loads_after};
   * {@code loads_before} and {@code loads_after} of the whole plan; {@code reports_age_seconds}:
   * the age of the oldest size or leader it was planned from. A load is {@code bytes}, {@code
   * replicas} and {@code leaders} (shard groups led) per peer.
   */
  private ObjectNode planJson(RaftNode.RebalanceView view) {
    ObjectNode result = json.createObjectNode();
    ArrayNode moves = result.putArray("moves");
    for (var planned : view.plan().planned()) {
      ObjectNode o = step(moves.addObject(), planned.step());
      o.put("shard_bytes", planned.shardBytes());
      if (planned.shardPoints() < 0) {
        o.putNull("shard_points");
      } else {
        o.put("shard_points", planned.shardPoints());
      }
      loads(o.putObject("loads_after"), planned.loadsAfter());
    }
    loads(result.putObject("loads_before"), view.plan().before());
    loads(result.putObject("loads_after"), view.plan().after());
    result.put("reports_age_seconds", view.reportsAgeMs() / 1000.0);
    return result;
  }

  private static void loads(ObjectNode out, Map<Long, io.quiver.sharding.NodeLoad> loads) {
    new java.util.TreeMap<>(loads)
        .forEach(
            (peer, load) -> {
              ObjectNode o = out.putObject(Long.toString(peer));
              o.put("bytes", load.bytes());
              o.put("replicas", load.replicas());
              o.put("leaders", load.leaders());
            });
  }

  private static long peerId(RestRequest request) {
    String text = request.pathParam("peer_id");
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(
          "Validation error in path parameters: `peer_id` must be a peer id, got `" + text + "`");
    }
  }

  private static void steps(ArrayNode out, List<ReplicaStep> steps) {
    for (ReplicaStep s : steps) {
      step(out.addObject(), s);
    }
  }

  private static ObjectNode step(ObjectNode o, ReplicaStep s) {
    o.put("collection", s.collection());
    o.put("shard_id", s.shardId());
    switch (s) {
      case ReplicaStep.Add a -> {
        o.put("operation", "add_replica");
        o.put("to_peer_id", a.to());
      }
      case ReplicaStep.Drop d -> {
        o.put("operation", "drop_replica");
        o.put("peer_id", d.node());
      }
      case ReplicaStep.Move m -> {
        o.put("operation", "move_replica");
        o.put("from_peer_id", m.from());
        o.put("to_peer_id", m.to());
      }
      case ReplicaStep.AddWitness a -> {
        o.put("operation", "add_witness");
        o.put("to_peer_id", a.to());
      }
      case ReplicaStep.DropWitness d -> {
        o.put("operation", "drop_witness");
        o.put("peer_id", d.node());
      }
      case ReplicaStep.TransferLeader t -> {
        o.put("operation", "transfer_leader");
        o.put("from_peer_id", t.from());
        o.put("to_peer_id", t.to());
      }
    }
    o.put("reason", s.reason());
    return o;
  }

  /**
   * Qdrant's cluster operations on a collection. Transfers run to completion before the answer (the
   * new replica holds the data when {@code true} comes back), so there is never a transfer in
   * progress for {@code abort_transfer} to abort.
   */
  private CompletableFuture<RestResponse> updateCollectionCluster(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    JsonNode body = request.jsonBody(true);
    CompletableFuture<Void> done;
    if (body.has("move_shard")) {
      var op = body.get("move_shard");
      done =
          raft.replicaChanges()
              .move(
                  c.name(),
                  intField(op, "move_shard.shard_id", "shard_id"),
                  peer(op, "move_shard", "from_peer_id"),
                  peer(op, "move_shard", "to_peer_id"));
    } else if (body.has("replicate_shard")) {
      var op = body.get("replicate_shard");
      done =
          raft.replicaChanges()
              .replicate(
                  c.name(),
                  intField(op, "replicate_shard.shard_id", "shard_id"),
                  peer(op, "replicate_shard", "from_peer_id"),
                  peer(op, "replicate_shard", "to_peer_id"));
    } else if (body.has("drop_replica")) {
      var op = body.get("drop_replica");
      done =
          raft.replicaChanges()
              .drop(
                  c.name(),
                  intField(op, "drop_replica.shard_id", "shard_id"),
                  peer(op, "drop_replica", "peer_id"));
    } else if (body.has("transfer_leader")) {
      // A Quiver extension: leadership of the shard's Raft group passes to the data replica on
      // to_peer_id (before maintenance of the current leader's node, or to spread leaders by hand).
      var op = body.get("transfer_leader");
      done =
          raft.replicaChanges()
              .transferLeader(
                  c.name(),
                  intField(op, "transfer_leader.shard_id", "shard_id"),
                  peer(op, "transfer_leader", "to_peer_id"));
    } else if (body.has("start_resharding")) {
      JsonNode op = body.get("start_resharding");
      JsonNode direction = op == null ? null : op.get("direction");
      if (direction == null
          || !direction.isTextual()
          || !(direction.asText().equals("up") || direction.asText().equals("down"))) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `start_resharding.direction` must be \"up\" or \"down\"");
      }
      if (op.hasNonNull("shard_key")) {
        throw ApiException.badRequest(
            "Wrong input: `start_resharding.shard_key`: custom shard keys are not supported");
      }
      Long peer = op.hasNonNull("peer_id") ? peer(op, "start_resharding", "peer_id") : null;
      done =
          raft.startResharding(
                  c.name(),
                  direction.asText().equals("up")
                      ? io.quiver.sharding.Resharding.Direction.UP
                      : io.quiver.sharding.Resharding.Direction.DOWN,
                  peer)
              .thenApply(index -> null);
    } else if (body.has("abort_resharding")) {
      done = raft.abortResharding(c.name()).thenApply(index -> null);
    } else if (body.has("abort_transfer")) {
      throw ApiException.badRequest(
          "Wrong input: no shard transfer is in progress for collection `"
              + c.name()
              + "` (transfers complete before their request returns)");
    } else {
      throw ApiException.badRequest(
          "Wrong input: expected one of move_shard, replicate_shard, drop_replica, abort_transfer,"
              + " start_resharding, abort_resharding, transfer_leader (a Quiver extension); other"
              + " cluster operations are not supported yet");
    }
    return done.thenApply(ignored -> RestResponse.ok(true));
  }

  private static int intField(JsonNode op, String path, String field) {
    JsonNode v = op == null ? null : op.get(field);
    if (v == null || !v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + path + "` must be a non-negative integer");
    }
    return v.asInt();
  }

  private static long peer(JsonNode op, String operation, String field) {
    JsonNode v = op == null ? null : op.get(field);
    if (v == null || !v.isIntegralNumber() || v.asLong() < 0) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + operation + "." + field + "` must be a peer id");
    }
    return v.asLong();
  }

  private CompletableFuture<RestResponse> cluster(RestRequest request) {
    RaftStatus meta;
    try {
      meta = raft.metaStatus();
    } catch (IOException e) {
      throw new UncheckedIOException("the meta group is not hosted on this node", e);
    }
    ClusterState state = raft.clusterState();
    ObjectNode result = json.createObjectNode();
    result.put("status", "enabled");
    result.put("peer_id", raft.id());
    ObjectNode peers = result.putObject("peers");
    state
        .nodes()
        .forEach(
            (id, address) -> {
              ObjectNode peer = peers.putObject(Long.toString(id));
              peer.put("uri", "http://" + address.raftAddress() + "/");
              peer.put("rest_uri", "http://" + address.httpAddress() + "/");
              // A Quiver extension: liveness as this node sees it (Dead after
              // cluster.peer_dead_timeout_ms).
              var seen = liveness.peer(id);
              ObjectNode live = peer.putObject("quiver_liveness");
              live.put("state", seen.state().name());
              if (seen.lastContact() == null) {
                live.putNull("last_contact");
              } else {
                live.put("last_contact", seen.lastContact().toString());
              }
            });
    ObjectNode info = result.putObject("raft_info");
    info.put("term", meta.term());
    info.put("commit", meta.commitIndex());
    info.put("pending_operations", meta.pendingOperations());
    if (meta.leaderNodeId() == null) {
      info.putNull("leader");
    } else {
      info.put("leader", meta.leaderNodeId());
    }
    info.put("role", meta.role() == RaftStatus.Role.Listener ? "Follower" : meta.role().name());
    info.put("is_voter", meta.voter());
    ObjectNode thread = result.putObject("consensus_thread_status");
    thread.put("consensus_thread_status", "working");
    thread.put("last_update", Instant.now().toString());
    result.putObject("message_send_failures");
    // A Quiver extension: replicas per peer, draining peers, the rebalance and the replica steps
    // still planned (from this node's metadata), and the step in progress (known on the meta
    // leader).
    RaftNode.ScalingStatus scaling = raft.scalingStatus();
    var load =
        io.quiver.sharding.ReplicaPlanner.loads(
            state.nodes().keySet(), state.collections().values());
    ObjectNode ext = result.putObject("quiver_scaling");
    ObjectNode replicas = ext.putObject("replicas_per_peer");
    load.entrySet().stream()
        .sorted(java.util.Map.Entry.comparingByKey())
        .forEach(e -> replicas.put(Long.toString(e.getKey()), e.getValue()));
    // Bytes and leaders as this node last learnt them (the meta leader keeps them fresh; see GET
    // /cluster/rebalance).
    loads(ext.putObject("loads_per_peer"), raft.peerLoads());
    ArrayNode draining = ext.putArray("draining_peers");
    scaling.draining().forEach(draining::add);
    ext.put("rebalancing", scaling.rebalancing());
    steps(ext.putArray("pending_steps"), scaling.planned());
    if (scaling.current() == null) {
      ext.putNull("current_step");
    } else {
      step(ext.putObject("current_step"), scaling.current());
    }
    ext.put("steps_done", scaling.stepsDone());
    if (scaling.lastError() == null) {
      ext.putNull("last_error");
    } else {
      ext.put("last_error", scaling.lastError());
    }
    return CompletableFuture.completedFuture(RestResponse.ok(result));
  }

  /**
   * A transfer's progress as Qdrant words it in {@code comment} ("Transferring ..., ETA: ..."), and
   * as numbers in the Quiver extension {@code quiver_progress}: the snapshot's bytes received and
   * in all, those kept from a fetch cut short, the rate so far, seconds left (-1 while unknown) and
   * the node's rate limit (0: none).
   */
  private void progress(ObjectNode t, IncomingTransfer received, String prefix) {
    long elapsedSec = Math.max(0, (System.currentTimeMillis() - received.startedMillis()) / 1000);
    double eta = received.etaSeconds();
    t.put(
        "comment",
        String.format(
            java.util.Locale.ROOT,
            "%sTransferring snapshot bytes (%d/%d)%s, started %ds ago, ETA: %s",
            prefix,
            received.bytesDone(),
            received.bytesTotal(),
            received.pointsTotal() < 0 ? "" : " of " + received.pointsTotal() + " points",
            elapsedSec,
            eta < 0 ? "unknown" : String.format(java.util.Locale.ROOT, "%.1fs", eta)));
    ObjectNode p = t.putObject("quiver_progress");
    p.put("bytes_done", received.bytesDone());
    p.put("bytes_total", received.bytesTotal());
    // Bytes that were already here when this fetch (re)started: kept from one cut short.
    p.put("bytes_resumed", received.bytesResumed());
    p.put("bytes_per_second", Math.round(received.bytesPerSecond()));
    p.put("eta_seconds", Math.round(eta * 10) / 10.0);
    // The receiving node's limit.
    p.put("rate_limit_bytes_per_second", received.rateLimitBytesPerSecond());
    p.put("snapshot_index", received.snapshotIndex());
    if (received.pointsTotal() >= 0) {
      // The points the snapshot holds, counted when it was taken: the new replica has them all
      // once its bytes are in, then catches up on the log after the snapshot.
      p.put("points_total", received.pointsTotal());
    }
  }

  private CompletableFuture<RestResponse> collectionCluster(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    ObjectNode result = json.createObjectNode();
    result.put("peer_id", raft.id());
    result.put("shard_count", c.shardMap().shardCount());
    ArrayNode local = result.putArray("local_shards");
    ArrayNode remote = result.putArray("remote_shards");
    ArrayNode transfers = result.putArray("shard_transfers");
    // A Quiver extension: each shard's witness, a voter of its group that holds no data.
    ArrayNode witnesses = result.putArray("quiver_witnesses");
    for (ShardPlacement shard : c.shardMap().shards()) {
      for (long node : shard.witnesses()) {
        ObjectNode entry = witnesses.addObject();
        entry.put("shard_id", shard.shardId());
        entry.put("peer_id", node);
        entry.put("state", liveness.isDead(node) ? "Dead" : "Active");
      }
    }
    io.quiver.sharding.Resharding resharding = c.shardMap().resharding();
    if (resharding != null) {
      ObjectNode r = result.putArray("resharding_operations").addObject();
      r.put("direction", resharding.direction().name().toLowerCase(java.util.Locale.ROOT));
      r.put("shard_id", resharding.changedShard());
      r.put("peer_id", resharding.peerId());
      // Quiver extensions: where the resharding is (copying, cleanup, aborting) and the shards
      // routed by now.
      r.put("quiver_phase", resharding.phase().name().toLowerCase(java.util.Locale.ROOT));
      r.put("quiver_routing_shards", resharding.routingCount());
    }
    // The transfers listed so far, by shard and receiving node, with the comment their progress
    // follows.
    Map<String, ObjectNode> listed = new java.util.HashMap<>();
    Map<String, String> commentOf = new java.util.HashMap<>();
    ReplicaStep inProgress = raft.scalingStatus().current();
    Long to = null; // the node that the step in progress here (the meta leader) adds a replica to
    if (inProgress != null && inProgress.collection().equals(c.name())) {
      to =
          switch (inProgress) {
            case ReplicaStep.Add a -> a.to();
            case ReplicaStep.Move m -> m.to();
            case ReplicaStep.AddWitness a -> a.to();
            case ReplicaStep.Drop d -> null;
            case ReplicaStep.DropWitness d -> null;
            case ReplicaStep.TransferLeader t -> null;
          };
      if (to != null) {
        ObjectNode t = transfers.addObject();
        t.put("shard_id", inProgress.shardId());
        long from =
            inProgress instanceof ReplicaStep.Move m
                ? m.from()
                : c.shardMap().shard(inProgress.shardId()).replicas().getFirst();
        t.put("from", from);
        t.put("to", to.longValue());
        t.put("sync", true);
        t.put("method", "snapshot");
        t.put("comment", inProgress.reason());
        listed.put(inProgress.shardId() + "/" + to, t);
        commentOf.put(inProgress.shardId() + "/" + to, inProgress.reason() + ": ");
      }
    }
    // The snapshots this node and the nodes asked below are receiving for the collection's shards.
    Map<java.util.UUID, Integer> shardOf = new java.util.HashMap<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      shardOf.put(shard.groupId(), shard.shardId());
    }
    Map<Long, CompletableFuture<List<IncomingTransfer>>> receiving = new java.util.TreeMap<>();
    receiving.put(raft.id(), CompletableFuture.completedFuture(raft.incomingTransfers()));
    if (to != null) {
      receiving.computeIfAbsent(to, raft::incomingTransfers);
    }
    Map<String, ObjectNode> remoteEntries = new java.util.HashMap<>(); // by shard and node
    List<CompletableFuture<Void>> counts = new ArrayList<>();
    for (ShardPlacement shard : c.shardMap().shards()) {
      var members = raft.shardMembers(shard.groupId());
      for (long node : shard.replicas()) {
        if (node == raft.id()) {
          ObjectNode entry = json.createObjectNode();
          entry.put("shard_id", shard.shardId());
          // Initializing: placed here, group not started yet; Partial: started, not yet in the
          // group's configuration (receiving a snapshot and the log); Active: a member.
          boolean active = members.isPresent() && members.get().contains(node);
          entry.put("state", members.isEmpty() ? "Initializing" : active ? "Active" : "Partial");
          raft.shardStatus(shard.groupId()).ifPresent(s -> entry.put("role", s.role().name()));
          local.add(entry);
          if (!active) {
            // Receiving a snapshot and the log: nothing to count yet, and a count would wait for
            // the install.
            entry.put("points_count", 0);
            continue;
          }
          // ANY reads this node's own replica; one that does not answer within the deadline counts
          // 0.
          counts.add(
              router
                  .shardCount(c, shard, ReadConsistency.ANY)
                  .handle(
                      (n, error) -> {
                        entry.put("points_count", error == null ? n : 0);
                        return null;
                      }));
        } else {
          ObjectNode entry = remote.addObject();
          entry.put("shard_id", shard.shardId());
          entry.put("peer_id", node);
          remoteEntries.put(shard.shardId() + "/" + node, entry);
          boolean joining =
              members.isPresent() && !members.get().isEmpty() && !members.get().contains(node);
          if ((members.isEmpty() || joining) && !liveness.isDead(node)) {
            // A replica that may be receiving a snapshot: this node does not host the group (and
            // cannot tell) or sees it outside the group's configuration. Its node says (once per
            // request, whatever the shards it is asked for).
            receiving.computeIfAbsent(node, raft::incomingTransfers);
          }
          // Dead: this node has not reached the replica's peer for cluster.peer_dead_timeout_ms.
          entry.put("state", liveness.isDead(node) ? "Dead" : joining ? "Partial" : "Active");
        }
      }
    }
    List<CompletableFuture<?>> waits = new ArrayList<>(counts);
    receiving.values().forEach(waits::add);
    return CompletableFuture.allOf(
            waits.stream().map(f -> f.handle((v, error) -> null)).toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              receiving.forEach(
                  (node, asked) -> {
                    if (asked.isCompletedExceptionally()) {
                      return; // the node did not say: its transfers stay unknown
                    }
                    for (IncomingTransfer received : asked.join()) {
                      Integer shardId = shardOf.get(received.groupId());
                      if (shardId == null || received.done()) {
                        continue;
                      }
                      String key = shardId + "/" + node;
                      ObjectNode t = listed.get(key);
                      if (t == null) {
                        t = transfers.addObject();
                        t.put("shard_id", shardId);
                        if (received.fromNode() != null) {
                          t.put("from", received.fromNode().longValue());
                        }
                        t.put("to", node.longValue());
                        t.put("sync", true);
                        t.put("method", "snapshot");
                        listed.put(key, t);
                      }
                      if (!t.has("quiver_progress")) {
                        progress(t, received, commentOf.getOrDefault(key, ""));
                      }
                      ObjectNode replica = remoteEntries.get(key);
                      if (replica != null && replica.get("state").asText().equals("Active")) {
                        replica.put("state", "Partial"); // not a member until its snapshot is in
                      }
                    }
                  });
              return RestResponse.ok(result);
            });
  }
}
