package io.quiver.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.storage.PointHashing;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: a {@link ShardMap} routes ids by the hashing it records, over the shard count resharding
 * says (the old count until the switch to cleanup, the new one from then on), reads only the routed
 * shards, restricts each shard's reads to the points it owns while resharding, and tells which
 * points move. Oracle: the pinned hash values of {@link ShardRoutingHashTest} (id 2 is in shard 2
 * of 3 and 3 of 4 under JUMP; id 1000 in shard 1 of both) and the phase rules of {@link
 * Resharding}.
 */
class ShardMapTest {

  private static final PointId MOVES_UP = PointId.of(2); // JUMP: shard 2 of 3, shard 3 of 4
  private static final PointId STAYS = PointId.of(1000); // JUMP: shard 1 of 3 and of 4

  @Test
  void routesByTheRecordedHashing() {
    ShardMap jump =
        PlacementPlanner.place(
            List.of(1L), "c", 7, ShardRoutingHashTest.config(3, 1), PointHashing.JUMP);
    ShardMap mod =
        PlacementPlanner.place(
            List.of(1L), "c", 7, ShardRoutingHashTest.config(3, 1), PointHashing.MOD);
    assertEquals(2, jump.shardOf(MOVES_UP).shardId());
    assertEquals(1, jump.shardOf(STAYS).shardId());
    assertEquals(Math.floorMod(MOVES_UP.stableHash(), 3L), mod.shardOf(MOVES_UP).shardId());
    assertEquals(
        PointHashing.MOD,
        new ShardMap(1, jump.shards()).hashing(),
        "a map from before resharding hashes by MOD");
  }

  @Test
  void withoutReshardingEveryShardIsReadUnrestrictedAndNothingMoves() {
    ShardMap map =
        PlacementPlanner.place(
            List.of(1L), "c", 7, ShardRoutingHashTest.config(3, 1), PointHashing.JUMP);
    assertEquals(3, map.routingCount());
    assertEquals(map.shards(), map.readShards());
    assertNull(map.readRestriction(map.shard(0)));
    assertFalse(map.isMoving(MOVES_UP));
  }

  @Test
  void reshardingUpRoutesByTheOldCountUntilCleanup() {
    ShardMap four =
        PlacementPlanner.place(
            List.of(1L), "c", 7, ShardRoutingHashTest.config(4, 1), PointHashing.JUMP);
    Resharding up = new Resharding(Resharding.Direction.UP, 3, 4, 1, Resharding.Phase.COPYING);
    ShardMap copying = four.withResharding(8, four.shards(), up);
    assertEquals(4, copying.shardCount());
    assertEquals(3, copying.routingCount());
    assertEquals(2, copying.shardOf(MOVES_UP).shardId(), "routed by the old count while copying");
    assertEquals(3, copying.readShards().size(), "the new shard is not read before the switch");
    assertTrue(copying.isMoving(MOVES_UP));
    assertFalse(copying.isMoving(STAYS));
    assertEquals(
        new Condition.OwnedBy(PointHashing.JUMP, 2, 3), copying.readRestriction(copying.shard(2)));

    for (Resharding.Phase phase : List.of(Resharding.Phase.SYNCING, Resharding.Phase.ABORTING)) {
      ShardMap before = four.withResharding(9, four.shards(), up.withPhase(phase));
      assertEquals(3, before.routingCount(), phase.name());
      assertEquals(2, before.shardOf(MOVES_UP).shardId(), phase.name());
    }

    ShardMap cleanup =
        four.withResharding(10, four.shards(), up.withPhase(Resharding.Phase.CLEANUP));
    assertEquals(4, cleanup.routingCount());
    assertEquals(3, cleanup.shardOf(MOVES_UP).shardId(), "routed by the new count from the switch");
    assertEquals(1, cleanup.shardOf(STAYS).shardId());
    assertEquals(4, cleanup.readShards().size());
    assertEquals(
        new Condition.OwnedBy(PointHashing.JUMP, 3, 4), cleanup.readRestriction(cleanup.shard(3)));
  }

  @Test
  void reshardingDownKeepsTheLastShardRoutedUntilCleanup() {
    ShardMap four =
        PlacementPlanner.place(
            List.of(1L), "c", 7, ShardRoutingHashTest.config(4, 1), PointHashing.JUMP);
    Resharding down = new Resharding(Resharding.Direction.DOWN, 4, 3, 1, Resharding.Phase.COPYING);
    ShardMap copying = four.withResharding(8, four.shards(), down);
    assertEquals(4, copying.routingCount());
    assertEquals(3, copying.shardOf(MOVES_UP).shardId());
    assertTrue(copying.isMoving(MOVES_UP));

    ShardMap cleanup =
        copying.withResharding(9, four.shards(), down.withPhase(Resharding.Phase.CLEANUP));
    assertEquals(3, cleanup.routingCount());
    assertEquals(2, cleanup.shardOf(MOVES_UP).shardId());
    assertEquals(3, cleanup.readShards().size(), "the shard being removed is no longer read");
  }

  @Test
  void aReshardingMustSpanTheShardsInTheMap() {
    ShardMap three =
        PlacementPlanner.place(
            List.of(1L), "c", 7, ShardRoutingHashTest.config(3, 1), PointHashing.JUMP);
    Resharding up = new Resharding(Resharding.Direction.UP, 3, 4, 1, Resharding.Phase.COPYING);
    assertThrows(
        IllegalArgumentException.class,
        () -> three.withResharding(8, three.shards(), up),
        "going up, the new shard is in the map from the start");
    assertThrows(
        IllegalArgumentException.class,
        () -> new Resharding(Resharding.Direction.UP, 3, 5, 1, Resharding.Phase.COPYING),
        "one shard at a time");
  }

  @Test
  void aNewEpochKeepsHashingAndResharding() {
    ShardMap four =
        PlacementPlanner.place(
            List.of(1L, 2L), "c", 7, ShardRoutingHashTest.config(4, 1), PointHashing.JUMP);
    Resharding up = new Resharding(Resharding.Direction.UP, 3, 4, 1, Resharding.Phase.SYNCING);
    ShardMap map = four.withResharding(8, four.shards(), up);
    ShardMap moved =
        map.withShards(
            9,
            List.of(
                map.shard(0).withReplicas(List.of(2L)), map.shard(1), map.shard(2), map.shard(3)));
    assertEquals(9, moved.epoch());
    assertEquals(PointHashing.JUMP, moved.hashing());
    assertEquals(up, moved.resharding());
    assertEquals(List.of(2L), moved.shard(0).replicas());
  }
}
