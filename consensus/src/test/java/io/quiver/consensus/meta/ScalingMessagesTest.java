package io.quiver.consensus.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.PlacementPlanner;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Goal: the meta log's scaling commands (drain, rebalance, forced removal) and the version 3
 * snapshot (draining nodes, the rebalance flag) round-trip, and a version 2 snapshot (written
 * before them) still reads, with nothing draining and no rebalance. Oracle: equality with what was
 * encoded.
 */
class ScalingMessagesTest {

  @Test
  void scalingCommandsRoundTrip() throws Exception {
    for (MetaCommand c :
        List.<MetaCommand>of(
            new MetaCommand.SetDraining(7, true),
            new MetaCommand.SetDraining(7, false),
            new MetaCommand.SetRebalancing(true),
            new MetaCommand.RemoveNode(9, true),
            new MetaCommand.RemoveNode(9, false),
            new MetaCommand.SetShardWitnesses("c", 2, List.of(4L)),
            new MetaCommand.SetShardWitnesses("c", 0, List.of()))) {
      assertEquals(c, MetaMessages.decodeCommand(MetaMessages.encode(c).getContent()));
    }
  }

  @Test
  void snapshotsCarryDrainingAndRebalancingAndVersion2StillReads() throws Exception {
    CollectionConfig config =
        new CollectionConfig(
            new VectorsConfig(Map.of("", new VectorParams(2, Distance.DOT, false))), 2, 1, 1);
    TreeMap<Long, NodeAddress> nodes =
        new TreeMap<>(Map.of(1L, new NodeAddress("h:1", "h:2"), 2L, new NodeAddress("h:3", "h:4")));
    TreeMap<String, CollectionDescriptor> collections =
        new TreeMap<>(
            Map.of(
                "c",
                new CollectionDescriptor(
                    "c", config, PlacementPlanner.place(List.of(1L, 2L), "c", 5, config))));
    ClusterState state =
        new ClusterState(42, nodes, collections, new TreeMap<>(), new TreeSet<>(List.of(2L)), true);
    ClusterState read =
        MetaMessages.decodeSnapshot(new ByteArrayInputStream(MetaMessages.encodeSnapshot(state)));
    assertEquals(state, read);

    // Version 2: the same body without the two trailing fields.
    byte[] v3 =
        MetaMessages.encodeSnapshot(new ClusterState(42, nodes, collections, new TreeMap<>()));
    ByteArrayOutputStream v2 = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(v2);
    out.write(v3, 0, 4);
    out.writeByte(2);
    out.write(v3, 5, v3.length - 5 - 4 - 1); // drop the draining count (int) and the flag (boolean)
    ClusterState old = MetaMessages.decodeSnapshot(new ByteArrayInputStream(v2.toByteArray()));
    assertEquals(collections, old.collections());
    assertEquals(List.of(), List.copyOf(old.draining()));
    assertFalse(old.rebalancing());
  }

  @Test
  void snapshotsCarryWitnessesAndAreVersion5OnlyWithThem() throws Exception {
    CollectionConfig config =
        new CollectionConfig(
            new VectorsConfig(Map.of("", new VectorParams(2, Distance.DOT, false))), 3, 2, 1);
    TreeMap<Long, NodeAddress> nodes =
        new TreeMap<>(
            Map.of(
                1L,
                new NodeAddress("h:1", "h:2"),
                2L,
                new NodeAddress("h:3", "h:4"),
                3L,
                new NodeAddress("h:5", "h:6")));
    CollectionDescriptor c =
        new CollectionDescriptor(
            "c", config, PlacementPlanner.place(List.of(1L, 2L, 3L), "c", 5, config));
    assertEquals(List.of(3L), c.shardMap().shard(0).witnesses());
    ClusterState state =
        new ClusterState(
            42, nodes, new TreeMap<>(Map.of("c", c)), new TreeMap<>(), new TreeSet<>(), false);
    byte[] bytes = MetaMessages.encodeSnapshot(state);
    assertEquals(5, bytes[4], "version 5 with witnesses");
    assertEquals(state, MetaMessages.decodeSnapshot(new ByteArrayInputStream(bytes)));
    // Without witnesses the snapshot keeps the version earlier builds read.
    ClusterState without =
        state
            .withShardWitnesses(43, "c", 0, List.of())
            .withShardWitnesses(44, "c", 1, List.of())
            .withShardWitnesses(45, "c", 2, List.of());
    assertEquals(3, MetaMessages.encodeSnapshot(without)[4]);
    // A removed node leaves every witness list.
    ClusterState removed = state.withoutNode(46, 3L);
    assertTrue(
        removed.collections().get("c").shardMap().shards().stream()
            .noneMatch(s -> s.witnesses().contains(3L)));
  }
}
