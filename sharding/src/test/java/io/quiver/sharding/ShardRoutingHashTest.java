package io.quiver.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.storage.PointHashing;
import io.quiver.storage.PointId;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Pins the routing of point ids to shards. {@link PointId#stableHash()} is documented as never
 * changing between releases: a change would send existing points' updates, deletes and reads to
 * shards that do not hold them. The same holds for both {@link PointHashing}s a collection may
 * record. If this test fails, the change is the bug.
 */
class ShardRoutingHashTest {

  @Test
  void stableHashIsPinned() {
    assertEquals(0L, PointId.of(0).stableHash());
    assertEquals(6238072747940578789L, PointId.of(1).stableHash());
    assertEquals(-6387817139659442654L, PointId.of(42).stableHash());
    assertEquals(-5417735806833148549L, PointId.of(-1L).stableHash(), "u64 max");
    assertEquals(48217637115032568L, PointId.of(1L << 40).stableHash());
    assertEquals(
        6922169256631107603L,
        PointId.of(UUID.fromString("5c56c793-69f3-4fbf-87e6-c4bf54c28c26")).stableHash());
    assertEquals(-2606959012126976886L, PointId.of(2).stableHash());
    assertEquals(1346066267577507604L, PointId.of(7).stableHash());
    assertEquals(-4498139165205665065L, PointId.of(1000).stableHash());
    assertEquals(-1000775671988880032L, PointId.of(123456789).stableHash());
    assertEquals(6514504133438201533L, PointId.of(Long.MAX_VALUE).stableHash());
    assertEquals(
        -7269448703719964767L,
        PointId.of(UUID.fromString("936da01f-9abd-4d9d-80c7-02af85c822a8")).stableHash());
    assertEquals(
        4912495597530250870L,
        PointId.of(UUID.fromString("123e4567-e89b-12d3-a456-426614174000")).stableHash());
    // A UUID whose two halves are equal hashes to 0, like the numeric id 0 (pinned as it is).
    assertEquals(
        0L, PointId.of(UUID.fromString("00000000-0000-0000-0000-000000000000")).stableHash());
    assertEquals(
        0L, PointId.of(UUID.fromString("ffffffff-ffff-ffff-ffff-ffffffffffff")).stableHash());
  }

  /**
   * Pins {@link PointHashing#JUMP} (the hashing of every collection created since resharding) for 1
   * to 6 shards: the shard of each id at each count, computed once from the code of this release.
   */
  @Test
  void jumpHashingIsPinned() {
    assertJump(PointId.of(0), 0, 0, 0, 0, 0, 0);
    assertJump(PointId.of(1), 0, 0, 0, 0, 0, 0);
    assertJump(PointId.of(2), 0, 0, 2, 3, 3, 5);
    assertJump(PointId.of(7), 0, 1, 2, 3, 4, 4);
    assertJump(PointId.of(1000), 0, 1, 1, 1, 1, 5);
    assertJump(PointId.of(Long.MAX_VALUE), 0, 1, 2, 2, 2, 2);
    assertJump(PointId.of(-1L), 0, 0, 0, 3, 3, 3);
    assertJump(PointId.of(1L << 40), 0, 0, 0, 3, 3, 3);
    assertJump(
        PointId.of(UUID.fromString("936da01f-9abd-4d9d-80c7-02af85c822a8")), 0, 1, 1, 1, 1, 1);
    assertJump(
        PointId.of(UUID.fromString("123e4567-e89b-12d3-a456-426614174000")), 0, 0, 0, 0, 0, 5);
  }

  /** Pins {@link PointHashing#MOD} at 5 shards (collections created before resharding). */
  @Test
  void modHashingIsPinned() {
    assertEquals(4, PointHashing.MOD.shardOf(PointId.of(2), 5));
    assertEquals(4, PointHashing.MOD.shardOf(PointId.of(7), 5));
    assertEquals(0, PointHashing.MOD.shardOf(PointId.of(1000), 5));
    assertEquals(3, PointHashing.MOD.shardOf(PointId.of(123456789), 5));
    assertEquals(
        3,
        PointHashing.MOD.shardOf(
            PointId.of(UUID.fromString("936da01f-9abd-4d9d-80c7-02af85c822a8")), 5));
  }

  private static void assertJump(PointId id, int... shardByCount) {
    for (int n = 1; n <= shardByCount.length; n++) {
      assertEquals(
          shardByCount[n - 1], PointHashing.JUMP.shardOf(id, n), id + " over " + n + " shards");
    }
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
      assertTrue(
          Math.abs(counts[shard] - points / shards) < points / shards / 20,
          "shard " + shard + " got " + counts[shard] + " of " + points);
    }
  }

  @Test
  void aShardMapRefusesShardsOutOfOrder() {
    ShardMap map = PlacementPlanner.place(List.of(1L), "c", 7, config(2, 1));
    assertThrows(
        IllegalArgumentException.class, () -> new ShardMap(7, List.of(map.shard(1), map.shard(0))));
  }

  static CollectionConfig config(int shards, int replicationFactor) {
    return new CollectionConfig(
        VectorsConfig.single(new VectorParams(4, Distance.COSINE, false)),
        shards,
        replicationFactor,
        1);
  }
}
