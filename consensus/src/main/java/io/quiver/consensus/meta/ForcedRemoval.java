package io.quiver.consensus.meta;

import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.PlacementPlanner;
import io.quiver.sharding.ReplicaPlanner;
import io.quiver.sharding.ShardPlacement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code DELETE /cluster/peer/{id}?force=true}, applied in the meta state machine (deterministic):
 * the node leaves the cluster and every shard's replica set. A shard whose only copy it held starts
 * again <b>empty</b> in a new Raft group on the least-loaded remaining node: its points are lost.
 * Without replicas on the node this is the ordinary removal.
 */
public final class ForcedRemoval {

  private ForcedRemoval() {}

  static ClusterState apply(ClusterState state, long index, long nodeId) {
    List<Long> remaining = state.eligibleNodes().stream().filter(n -> n != nodeId).toList();
    if (remaining.isEmpty()) {
      remaining = state.nodes().keySet().stream().filter(n -> n != nodeId).toList();
    }
    ClusterState next = state;
    for (CollectionDescriptor c : state.collections().values()) {
      List<ShardPlacement> shards = new ArrayList<>();
      boolean changed = false;
      for (ShardPlacement s : c.shardMap().shards()) {
        if (!s.replicas().contains(nodeId)) {
          shards.add(s);
          continue;
        }
        changed = true;
        List<Long> replicas = new ArrayList<>(s.replicas());
        replicas.remove(nodeId);
        if (replicas.isEmpty()) {
          Map<Long, Integer> load = ReplicaPlanner.loads(remaining, next.collections().values());
          long target =
              remaining.stream()
                  .min(
                      Comparator.<Long>comparingInt(n -> load.getOrDefault(n, 0))
                          .thenComparing(Comparator.naturalOrder()))
                  .orElseThrow();
          shards.add(
              new ShardPlacement(
                  s.shardId(),
                  PlacementPlanner.groupId(c.name(), s.shardId(), index),
                  List.of(target)));
        } else {
          shards.add(s.withReplicas(replicas));
        }
      }
      if (changed) {
        next =
            next.withCollection(
                index,
                new CollectionDescriptor(
                    c.name(), c.config(), c.shardMap().withShards(index, shards)));
      }
    }
    return next.withoutNode(index, nodeId);
  }
}
