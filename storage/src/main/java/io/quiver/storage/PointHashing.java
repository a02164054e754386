package io.quiver.storage;

/**
 * How a collection maps a point to one of its {@code n} shards, from the point's {@link
 * PointId#stableHash()}. Both are stable across releases; a collection records which one it uses.
 *
 * <ul>
 *   <li>{@link #MOD}: {@code floorMod(hash, n)}, what every collection created before resharding
 *       existed uses. Going from {@code n} to {@code n + 1} shards moves about {@code n / (n + 1)}
 *       of the points.
 *   <li>{@link #JUMP}: Lamping and Veach's jump consistent hash ("A Fast, Minimal Memory,
 *       Consistent Hash Algorithm", 2014). Going from {@code n} to {@code n + 1} shards moves only
 *       the {@code 1 / (n + 1)} of the points that the new shard takes, and going back moves only
 *       the last shard's points: what resharding wants.
 * </ul>
 */
public enum PointHashing {
  MOD {
    @Override
    public int shardOf(long hash, int shards) {
      return (int) Math.floorMod(hash, (long) shards);
    }
  },
  JUMP {
    @Override
    public int shardOf(long hash, int shards) {
      long key = hash;
      long bucket = -1;
      long next = 0;
      while (next < shards) {
        bucket = next;
        key = key * 2862933555777941757L + 1;
        next = (long) ((bucket + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
      }
      return (int) bucket;
    }
  };

  /** The shard, in {@code [0, shards)}, of a point whose stable hash is {@code hash}. */
  public abstract int shardOf(long hash, int shards);

  /** The shard, in {@code [0, shards)}, of {@code id}. */
  public int shardOf(PointId id, int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be positive: " + shards);
    }
    return shardOf(id.stableHash(), shards);
  }
}
