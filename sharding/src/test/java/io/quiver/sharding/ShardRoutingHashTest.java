package io.quiver.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.storage.PointId;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Pins the routing of point ids to shards. {@link PointId#stableHash()} is documented as never
 * changing between releases: a change would send existing points' updates, deletes and reads
 * to shards that do not hold them. If this test fails, the change is the bug.
 */
class ShardRoutingHashTest {

  @Test
  void stableHashIsPinned() {
    assertEquals(0L, PointId.of(0).stableHash());
    assertEquals(6238072747940578789L, PointId.of(1).stableHash());
    assertEquals(-6387817139659442654L, PointId.of(42).stableHash());
    assertEquals(-5417735806833148549L, PointId.of(-1L).stableHash(), "u64 max");
    assertEquals(48217637115032568L, PointId.of(1L << 40).stableHash());
    assertEquals(6922169256631107603L,
        PointId.of(UUID.fromString("5c56c793-69f3-4fbf-87e6-c4bf54c28c26")).stableHash());
  }

  @Test
  void shardOfIsTheHashModuloTheShardCount() {
    ShardMap map = PlacementPlanner.place(List.of(1L), "c", 7, config(4, 1));
    assertEquals(0, map.shardOf(PointId.of(0)).shardId());
    assertEquals(1, map.shardOf(PointId.of(1)).shardId());
    assertEquals(2, map.shardOf(PointId.of(42)).shardId());
    assertEquals(3, map.shardOf(PointId.of(-1L)).shardId());
    assertEquals(0, map.shardOf(PointId.of(1L << 40)).shardId());
  }

  @Test
  void sequentialIdsSpreadEvenlyOverShards() {
    int shards = 6;
    int points = 60_000;
    ShardMap map = PlacementPlanner.place(List.of(1L), "c", 7, config(shards, 1));
    int[] counts = new int[shards];
    for (int i = 0; i < points; i++) {
      counts[map.shardOf(PointId.of(i)).shardId()]++;
    }
    for (int shard = 0; shard < shards; shard++) {
      // 10,000 expected, standard deviation about 91: 5% is more than 5 sigma.
      assertTrue(Math.abs(counts[shard] - points / shards) < points / shards / 20,
          "shard " + shard + " got " + counts[shard] + " of " + points);
    }
  }

  @Test
  void aShardMapRefusesShardsOutOfOrder() {
    ShardMap map = PlacementPlanner.place(List.of(1L), "c", 7, config(2, 1));
    assertThrows(IllegalArgumentException.class, () -> new ShardMap(7, List.of(map.shard(1), map.shard(0))));
  }

  static CollectionConfig config(int shards, int replicationFactor) {
    return new CollectionConfig(VectorsConfig.single(new VectorParams(4, Distance.COSINE, false)), shards,
        replicationFactor, 1);
  }
}
