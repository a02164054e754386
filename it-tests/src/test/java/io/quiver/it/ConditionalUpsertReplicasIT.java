package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Conditional upserts on replicas, run as Qdrant's multi-node tests run it: 2 peers, a collection
 * of 2 shards with replication factor 2. Conditional upserts ({@code update_mode}, {@code
 * update_filter}) sent through the second node are decided by each replica when it applies the
 * entry; both nodes' own replicas ({@code consistency=any} at the last write's {@code
 * operation_id}) then hold the same points with the same payloads and versions.
 */
@Timeout(240)
class ConditionalUpsertReplicasIT {

  @RegisterExtension final QuiverNodes NODES = new QuiverNodes();

  @Test
  void everyReplicaChangesTheSamePoints() throws Exception {
    List<NodeProcess> nodes = NODES.startCluster(2, n -> {});
    SpecClient viaSecond = new SpecClient(nodes.get(1).baseUrl());
    WritePathIT.conditionalUpserts(
        viaSecond,
        "rf2",
        "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2,\"replication_factor\":2}");
    long operation =
        viaSecond
            .call(
                "PUT",
                "/collections/{collection_name}/points",
                "/collections/rf2/points?wait=true",
                "{\"update_mode\":\"insert_only\",\"points\":[{\"id\":1,\"vector\":[0,0],\"payload\":{\"last\":true}}]}",
                200)
            .result()
            .get("operation_id")
            .asLong();
    List<JsonNode> replicas = new ArrayList<>();
    for (NodeProcess node : nodes) {
      replicas.add(
          new SpecClient(node.baseUrl())
              .call(
                  "POST",
                  "/collections/{collection_name}/points",
                  "/collections/rf2/points?consistency=any&operation_id=" + operation,
                  "{\"ids\":[1,2,3,4,5,6,7,8,9,10,11],\"with_payload\":true,\"with_vector\":true}",
                  200)
              .result());
    }
    assertEquals(9, replicas.get(0).size(), replicas.get(0).toString());
    assertEquals(replicas.get(0), replicas.get(1), "both nodes' replicas hold the same points");
  }
}
