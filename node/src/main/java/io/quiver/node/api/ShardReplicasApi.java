package io.quiver.node.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.consensus.RaftNode;
import io.quiver.consensus.ShardReplicaInspector.ReplicaStatus;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ShardPlacement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /collections/{c}/cluster/replicas}, a Quiver extension (Qdrant has no such call): for
 * every shard, every replica as it reports itself over Raft — its role, the leader it follows, its
 * commit and applied indexes and its lag behind the leader's commit index (log entries not applied
 * yet) — and the replicas being added (in the shard map, not yet in the leader's Raft
 * configuration) with their progress. Read-only; the dashboard's shard view.
 *
 * <pre>
 * {"shards": [{"shard_id": 0, "leader": 2, "leader_commit": 41,
 *              "replicas": [{"peer_id": 2, "state": "Active", "role": "Leader", "commit_index": 41,
 *                            "applied_index": 41, "lag": 0}, ...]}],
 *  "transfers": [{"shard_id": 1, "to_peer_id": 4, "progress": 0.62}]}
 * </pre>
 */
public final class ShardReplicasApi {

  private final RaftNode raft;
  private final PointsRouter router;
  private final ObjectMapper json;

  public ShardReplicasApi(RaftNode raft, PointsRouter router, ObjectMapper json) {
    this.raft = raft;
    this.router = router;
    this.json = json;
  }

  public void register(RestRoutes routes) {
    routes.add("GET", "/collections/{collection_name}/cluster/replicas", this::replicas);
  }

  private CompletableFuture<RestResponse> replicas(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    List<ShardPlacement> shards = c.shardMap().shards();
    List<CompletableFuture<List<ReplicaStatus>>> views = new ArrayList<>();
    for (ShardPlacement shard : shards) {
      views.add(raft.replicaInspector().inspect(shard));
    }
    return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              ObjectNode result = json.createObjectNode();
              ArrayNode shardsJson = result.putArray("shards");
              ArrayNode transfers = result.putArray("transfers");
              for (int i = 0; i < shards.size(); i++) {
                shardJson(shards.get(i), views.get(i).join(), shardsJson.addObject(), transfers);
              }
              return RestResponse.ok(result);
            });
  }

  private static void shardJson(
      ShardPlacement shard, List<ReplicaStatus> replicas, ObjectNode out, ArrayNode transfers) {
    ReplicaStatus leader =
        replicas.stream()
            .filter(r -> r.role() == io.quiver.consensus.raft.RaftStatus.Role.Leader)
            .findFirst()
            .orElse(null);
    out.put("shard_id", shard.shardId());
    if (leader == null) {
      out.putNull("leader");
      out.putNull("leader_commit");
    } else {
      out.put("leader", leader.nodeId());
      out.put("leader_commit", leader.commitIndex());
    }
    ArrayNode list = out.putArray("replicas");
    for (ReplicaStatus r : replicas) {
      ObjectNode entry = list.addObject();
      entry.put("peer_id", r.nodeId());
      if (!r.reachable()) {
        entry.put("state", "Unreachable");
        entry.put("problem", r.problem());
        continue;
      }
      entry.put("state", r.inConfiguration() ? "Active" : "Initializing");
      entry.put("role", r.role().name());
      entry.put("commit_index", r.commitIndex());
      entry.put("applied_index", r.appliedIndex());
      if (leader != null) {
        entry.put("lag", Math.max(0, leader.commitIndex() - r.appliedIndex()));
      }
      if (!r.inConfiguration()) {
        ObjectNode transfer = transfers.addObject();
        transfer.put("shard_id", shard.shardId());
        transfer.put("to_peer_id", r.nodeId());
        if (leader != null) {
          transfer.put(
              "progress",
              leader.commitIndex() <= 0
                  ? 0.0
                  : Math.min(1.0, (double) r.appliedIndex() / leader.commitIndex()));
        }
      }
    }
  }
}
