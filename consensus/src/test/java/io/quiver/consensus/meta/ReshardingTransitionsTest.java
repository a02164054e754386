package io.quiver.consensus.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.PlacementPlanner;
import io.quiver.sharding.Resharding;
import io.quiver.sharding.ShardMap;
import io.quiver.storage.PointHashing;
import io.quiver.storage.PointId;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Goal: resharding's metadata transitions, as every node applies them: up adds a shard on the least
 * loaded node and routes by the old count until the switch (copying, then syncing, which may go
 * back to copying); no phase is skipped; down keeps the last shard until the end; abort only before
 * the switch; the end removes the shard that takes no points and reports the new shard_number; a
 * step from the wrong phase changes nothing. The commands, a create's hashing and a snapshot
 * holding a resharding round-trip, and a create from an older log reads as MOD. Oracle: the rules
 * above and equality with what was encoded.
 */
class ReshardingTransitionsTest {

  private static final CollectionConfig CONFIG =
      new CollectionConfig(
          new VectorsConfig(Map.of("", new VectorParams(2, Distance.DOT, false))), 2, 1, 1);

  private static ClusterState withCollection() {
    TreeMap<Long, NodeAddress> nodes =
        new TreeMap<>(
            Map.of(
                1L,
                new NodeAddress("h:1", "h:2"),
                2L,
                new NodeAddress("h:3", "h:4"),
                3L,
                new NodeAddress("h:5", "h:6")));
    ShardMap map = PlacementPlanner.place(List.of(1L, 2L, 3L), "c", 5, CONFIG, PointHashing.JUMP);
    return new ClusterState(
        10,
        nodes,
        new TreeMap<>(Map.of("c", new CollectionDescriptor("c", CONFIG, map))),
        new TreeMap<>());
  }

  @Test
  void upAddsAShardRoutedOnlyAfterTheSwitchAndEndsWithThreeShards() {
    ClusterState state = withCollection();
    var started =
        ReshardingTransitions.start(
            state, 11, new MetaCommand.StartResharding("c", Resharding.Direction.UP, null));
    assertNull(started.problem());
    ShardMap map = started.next().collections().get("c").shardMap();
    assertEquals(3, map.shardCount());
    assertEquals(2, map.routingCount());
    assertEquals(
        List.of(3L), map.shard(2).replicas(), "the node without a shard takes the new one");
    assertEquals(PlacementPlanner.groupId("c", 2, 11), map.shard(2).groupId());
    for (int i = 0; i < 1000; i++) {
      assertTrue(map.shardOf(PointId.of(i)).shardId() < 2, "routed by the old count while copying");
    }
    assertNotNull(map.readRestriction(map.shard(0)));

    var again =
        ReshardingTransitions.start(
            started.next(),
            12,
            new MetaCommand.StartResharding("c", Resharding.Direction.DOWN, null));
    assertTrue(again.problem().contains("being resharded already"), again.problem());
    assertEquals(started.next().collections(), again.next().collections());

    var wrongPhase =
        ReshardingTransitions.step(
            started.next(),
            12,
            new MetaCommand.ReshardingStep("c", Resharding.Phase.CLEANUP, null));
    assertEquals(MetaOutcome.Status.CONFLICT, wrongPhase.outcome().status());

    var skipping =
        ReshardingTransitions.step(
            started.next(),
            12,
            new MetaCommand.ReshardingStep(
                "c", Resharding.Phase.COPYING, Resharding.Phase.CLEANUP));
    assertTrue(
        skipping.problem().contains("cannot go from copying to cleanup"), skipping.problem());
    var syncing =
        ReshardingTransitions.step(
            started.next(),
            12,
            new MetaCommand.ReshardingStep(
                "c", Resharding.Phase.COPYING, Resharding.Phase.SYNCING));
    assertNull(syncing.problem());
    assertEquals(
        2,
        syncing.next().collections().get("c").shardMap().routingCount(),
        "still routed by the old count");
    assertTrue(syncing.next().collections().get("c").shardMap().resharding().holdsMovingWrites());
    var back =
        ReshardingTransitions.step(
            syncing.next(),
            13,
            new MetaCommand.ReshardingStep(
                "c", Resharding.Phase.SYNCING, Resharding.Phase.COPYING));
    assertNull(back.problem(), "a new driver sends a sync it did not copy for back to copying");
    var switched =
        ReshardingTransitions.step(
            syncing.next(),
            13,
            new MetaCommand.ReshardingStep(
                "c", Resharding.Phase.SYNCING, Resharding.Phase.CLEANUP));
    ShardMap afterSwitch = switched.next().collections().get("c").shardMap();
    assertEquals(3, afterSwitch.routingCount());
    int inNew = 0;
    for (int i = 0; i < 3000; i++) {
      inNew += afterSwitch.shardOf(PointId.of(i)).shardId() == 2 ? 1 : 0;
    }
    assertEquals(1000, inNew, 150, "about a third of the points route to the new shard");

    var abort =
        ReshardingTransitions.step(
            switched.next(),
            14,
            new MetaCommand.ReshardingStep(
                "c", Resharding.Phase.COPYING, Resharding.Phase.ABORTING));
    assertTrue(abort.problem().contains("cannot be aborted"), abort.problem());

    var ended =
        ReshardingTransitions.step(
            switched.next(),
            15,
            new MetaCommand.ReshardingStep("c", Resharding.Phase.CLEANUP, null));
    CollectionDescriptor c = ended.next().collections().get("c");
    assertNull(c.shardMap().resharding());
    assertEquals(3, c.shardMap().shardCount());
    assertEquals(3, c.config().shardNumber());
    assertNull(c.shardMap().readRestriction(c.shardMap().shard(0)));
  }

  @Test
  void downKeepsTheLastShardUntilTheEndAndAnAbortTakesAnAddedShardAway() {
    ClusterState state = withCollection();
    var down =
        ReshardingTransitions.start(
            state, 11, new MetaCommand.StartResharding("c", Resharding.Direction.DOWN, null));
    ShardMap map = down.next().collections().get("c").shardMap();
    assertEquals(2, map.shardCount());
    assertEquals(2, map.routingCount());
    assertEquals(map.shard(1).replicas().getFirst(), map.resharding().peerId());
    var syncing =
        ReshardingTransitions.step(
            down.next(),
            12,
            new MetaCommand.ReshardingStep(
                "c", Resharding.Phase.COPYING, Resharding.Phase.SYNCING));
    var switched =
        ReshardingTransitions.step(
            syncing.next(),
            12,
            new MetaCommand.ReshardingStep(
                "c", Resharding.Phase.SYNCING, Resharding.Phase.CLEANUP));
    assertEquals(1, switched.next().collections().get("c").shardMap().readShards().size());
    var ended =
        ReshardingTransitions.step(
            switched.next(),
            13,
            new MetaCommand.ReshardingStep("c", Resharding.Phase.CLEANUP, null));
    assertEquals(1, ended.next().collections().get("c").shardMap().shardCount());
    var tooFew =
        ReshardingTransitions.start(
            ended.next(),
            14,
            new MetaCommand.StartResharding("c", Resharding.Direction.DOWN, null));
    assertTrue(tooFew.problem().contains("single shard"), tooFew.problem());

    var up =
        ReshardingTransitions.start(
            state, 11, new MetaCommand.StartResharding("c", Resharding.Direction.UP, 1L));
    assertEquals(
        1L,
        up.next().collections().get("c").shardMap().shard(2).replicas().getFirst(),
        "the peer asked for");
    var aborting =
        ReshardingTransitions.step(
            up.next(),
            12,
            new MetaCommand.ReshardingStep(
                "c", Resharding.Phase.COPYING, Resharding.Phase.ABORTING));
    assertEquals(2, aborting.next().collections().get("c").shardMap().routingCount());
    var aborted =
        ReshardingTransitions.step(
            aborting.next(),
            13,
            new MetaCommand.ReshardingStep("c", Resharding.Phase.ABORTING, null));
    assertEquals(
        state.collections().get("c").shardMap().shards(),
        aborted.next().collections().get("c").shardMap().shards());
    assertEquals(2, aborted.next().collections().get("c").config().shardNumber());

    var unknownPeer =
        ReshardingTransitions.start(
            state, 11, new MetaCommand.StartResharding("c", Resharding.Direction.UP, 99L));
    assertTrue(unknownPeer.problem().contains("peer 99"), unknownPeer.problem());
  }

  @Test
  void commandsAndSnapshotsRoundTrip() throws Exception {
    for (MetaCommand c :
        List.<MetaCommand>of(
            new MetaCommand.StartResharding("c", Resharding.Direction.UP, null),
            new MetaCommand.StartResharding("c", Resharding.Direction.DOWN, 7L),
            new MetaCommand.ReshardingStep("c", Resharding.Phase.COPYING, Resharding.Phase.SYNCING),
            new MetaCommand.ReshardingStep("c", Resharding.Phase.SYNCING, Resharding.Phase.CLEANUP),
            new MetaCommand.ReshardingStep("c", Resharding.Phase.ABORTING, null),
            new MetaCommand.CreateCollection("c", CONFIG),
            new MetaCommand.CreateCollection("c", CONFIG, PointHashing.MOD))) {
      assertEquals(c, MetaMessages.decodeCommand(MetaMessages.encode(c).getContent()));
    }
    // A create without a hashing (version 1, an earlier build's log) keeps hashing by MOD.
    var old =
        MetaMessages.decodeCommand(
            MetaMessages.encode(new MetaCommand.CreateCollection("c", CONFIG, PointHashing.MOD))
                .getContent());
    assertEquals(PointHashing.MOD, ((MetaCommand.CreateCollection) old).hashing());

    ClusterState resharding =
        ReshardingTransitions.start(
                withCollection(),
                11,
                new MetaCommand.StartResharding("c", Resharding.Direction.UP, null))
            .next();
    assertEquals(
        resharding,
        MetaMessages.decodeSnapshot(
            new ByteArrayInputStream(MetaMessages.encodeSnapshot(resharding))));
  }
}
