package io.quiver.node.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.consensus.RaftNode;
import io.quiver.consensus.raft.RaftStatus;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /telemetry}: a subset of Qdrant's TelemetryData that Quiver can fill truthfully — the
 * node id, the app (name, version, start time), the number of collections and the state of the
 * cluster's metadata group.
 */
public final class TelemetryApi {

  private final RaftNode raft;
  private final ObjectMapper json;
  private final Instant startup = Instant.now();

  public TelemetryApi(RaftNode raft, ObjectMapper json) {
    this.raft = raft;
    this.json = json;
  }

  public void register(RestRoutes routes) {
    routes.add(
        "GET", "/telemetry", r -> CompletableFuture.completedFuture(RestResponse.ok(telemetry())));
  }

  private ObjectNode telemetry() {
    ObjectNode result = json.createObjectNode();
    result.put("id", Long.toString(raft.id()));
    ObjectNode app = result.putObject("app");
    app.put("name", "quiver");
    app.put("version", ServiceApi.VERSION);
    app.put("startup", startup.toString());
    // Qdrant's build features, answered for this build: a release build with RocksDB storage, no
    // GPU,
    // no debug or staging features, and no recovery mode (Quiver has none).
    ObjectNode features = app.putObject("features");
    features.put("debug", false);
    features.put("service_debug_feature", false);
    features.put("recovery_mode", false);
    features.put("gpu", false);
    features.put("rocksdb", true);
    features.put("staging", false);
    result
        .putObject("collections")
        .put("number_of_collections", raft.clusterState().collections().size());
    ObjectNode cluster = result.putObject("cluster");
    cluster.put("enabled", true);
    try {
      RaftStatus meta = raft.metaStatus();
      ObjectNode status = cluster.putObject("status");
      status.put("number_of_peers", raft.clusterState().nodes().size());
      status.put("term", meta.term());
      status.put("commit", meta.commitIndex());
      status.put("pending_operations", meta.pendingOperations());
      status.put("role", meta.role() == RaftStatus.Role.Listener ? "Follower" : meta.role().name());
      status.put("is_voter", meta.voter());
      status.put("peer_id", raft.id());
      ObjectNode thread = status.putObject("consensus_thread_status");
      thread.put("consensus_thread_status", "working");
      thread.put("last_update", Instant.now().toString());
    } catch (IOException notHosted) {
      // a node that has not joined the meta group yet reports no cluster status
    }
    return result;
  }
}
