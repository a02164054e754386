package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Goal: {@link PointHashing#MOD} is exactly the placement collections had before (floorMod of the
 * stable hash), and {@link PointHashing#JUMP} is a consistent hash: going from n to n + 1 shards, a
 * point either stays or moves to the new shard, about 1/(n + 1) of them move, and the shards are
 * even. Oracle: the definitions, over 200,000 ids (numbers and UUIDs).
 */
class PointHashingTest {

  private static PointId id(int i) {
    return i % 2 == 0 ? PointId.of(i) : PointId.of(new UUID(i * 0x9E3779B97F4A7C15L, ~i));
  }

  @Test
  void modIsTheOldPlacement() {
    for (int i = 0; i < 10_000; i++) {
      PointId id = id(i);
      for (int n = 1; n <= 7; n++) {
        assertEquals(
            (int) Math.floorMod(id.stableHash(), (long) n), PointHashing.MOD.shardOf(id, n));
      }
    }
  }

  @Test
  void jumpMovesOnlyWhatTheNewShardTakesAndSpreadsEvenly() {
    int points = 200_000;
    for (int n = 1; n <= 8; n++) {
      int[] perShard = new int[n + 1];
      int moved = 0;
      for (int i = 0; i < points; i++) {
        PointId id = id(i);
        int before = PointHashing.JUMP.shardOf(id, n);
        int after = PointHashing.JUMP.shardOf(id, n + 1);
        assertTrue(before >= 0 && before < n && after >= 0 && after <= n);
        if (before != after) {
          assertEquals(n, after, "a moving point goes to the new shard");
          moved++;
        }
        perShard[after]++;
      }
      double expected = points / (double) (n + 1);
      assertEquals(
          expected, moved, expected * 0.05, "points moved going from " + n + " to " + (n + 1));
      for (int s = 0; s <= n; s++) {
        assertEquals(expected, perShard[s], expected * 0.05, "shard " + s + " of " + (n + 1));
      }
    }
  }
}
