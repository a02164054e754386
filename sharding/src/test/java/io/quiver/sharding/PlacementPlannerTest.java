package io.quiver.sharding;

import static io.quiver.sharding.ShardRoutingHashTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The placement every node computes inside the meta state machine's apply: pure and even. */
class PlacementPlannerTest {

  private static final List<Long> NODES = List.of(30L, 10L, 50L, 20L, 40L);

  @Test
  void theSameInputsGiveTheSamePlacementWhateverTheNodeOrder() {
    ShardMap a = PlacementPlanner.place(NODES, "c", 12, config(7, 3));
    ShardMap b = PlacementPlanner.place(List.of(50L, 40L, 30L, 20L, 10L), "c", 12, config(7, 3));
    assertEquals(a, b);
    assertEquals(12, a.epoch());
  }

  @Test
  void replicasOfAShardAreOnDistinctNodesAndLeadersAndReplicasSpreadEvenly() {
    int shards = 10;
    ShardMap map = PlacementPlanner.place(NODES, "c", 3, config(shards, 3));
    Map<Long, Integer> firstReplicas = new HashMap<>();
    Map<Long, Integer> replicas = new HashMap<>();
    for (ShardPlacement shard : map.shards()) {
      assertEquals(3, shard.replicas().size());
      assertEquals(3, new HashSet<>(shard.replicas()).size(), "two replicas on one node: " + shard);
      firstReplicas.merge(shard.replicas().getFirst(), 1, Integer::sum);
      shard.replicas().forEach(node -> replicas.merge(node, 1, Integer::sum));
    }
    for (long node : NODES) {
      assertEquals(
          shards / NODES.size(), firstReplicas.get(node), "first replicas on node " + node);
      assertEquals(shards * 3 / NODES.size(), replicas.get(node), "replicas on node " + node);
    }
  }

  @Test
  void everyShardAndEveryCreationGetsItsOwnRaftGroup() {
    ShardMap first = PlacementPlanner.place(NODES, "c", 3, config(4, 1));
    ShardMap again = PlacementPlanner.place(NODES, "c", 99, config(4, 1));
    ShardMap other = PlacementPlanner.place(NODES, "d", 3, config(4, 1));
    Set<Object> groups = new HashSet<>();
    for (ShardMap map : List.of(first, again, other)) {
      map.shards().forEach(s -> groups.add(s.groupId()));
    }
    assertEquals(12, groups.size());
    assertNotEquals(
        first.shard(0).groupId(),
        again.shard(0).groupId(),
        "a re-created collection reused a group");
  }

  @Test
  void moreReplicasThanNodesIsRefusedWithTheSettingsName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PlacementPlanner.place(List.of(1L, 2L), "c", 3, config(1, 3)));
    assertTrue(e.getMessage().contains("replication_factor"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> PlacementPlanner.place(List.of(), "c", 3, config(1, 1)));
  }
}
