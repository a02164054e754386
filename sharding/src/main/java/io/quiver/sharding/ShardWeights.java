package io.quiver.sharding;

import io.quiver.storage.MultiVectorParams;
import io.quiver.storage.VectorParams;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The bytes the replica planner weighs each shard replica by: its live points times the bytes a
 * point of its collection takes ({@link #bytesPerPoint}: its dense vectors as stored, plus {@value
 * #POINT_OVERHEAD_BYTES} bytes for its id and version). Payloads, sparse vectors and the HNSW graph
 * are left out: the figure is a deterministic estimate from a point count every replica agrees on,
 * not a disk measurement, and it is comparable across collections of different dimensions. A shard
 * whose count is not known weighs the mean of the known shards of its collection, else of all known
 * shards, else 0 (so a cluster that reported nothing is balanced by replica counts alone).
 */
public final class ShardWeights {

  /** What a point costs besides its vectors (its id and version in the id tracker), in bytes. */
  public static final long POINT_OVERHEAD_BYTES = 16;

  /** A shard weighs at most this (1 PiB), so that sums over nodes never overflow. */
  static final long MAX_SHARD_BYTES = 1L << 50;

  private final Map<UUID, Long> bytes = new HashMap<>();
  private final Map<UUID, Long> points = new HashMap<>();

  private ShardWeights() {}

  /** The weights of every shard of {@code collections}, from the points in {@code reports}. */
  public static ShardWeights of(
      Collection<CollectionDescriptor> collections, ShardReports reports) {
    ShardWeights w = new ShardWeights();
    long knownBytes = 0;
    long knownCount = 0;
    Map<String, long[]> perCollection = new HashMap<>(); // name -> {bytes, count} of known shards
    for (CollectionDescriptor c : collections) {
      long perPoint = bytesPerPoint(c);
      long[] sum = perCollection.computeIfAbsent(c.name(), k -> new long[2]);
      for (ShardPlacement s : c.shardMap().shards()) {
        Long n = reports.points().get(s.groupId());
        if (n != null) {
          long b = Math.min(Math.max(0, n), MAX_SHARD_BYTES / perPoint) * perPoint;
          w.points.put(s.groupId(), n);
          w.bytes.put(s.groupId(), b);
          sum[0] += b;
          sum[1]++;
          knownBytes += b;
          knownCount++;
        }
      }
    }
    long overallMean = knownCount == 0 ? 0 : knownBytes / knownCount;
    for (CollectionDescriptor c : collections) {
      long[] sum = perCollection.get(c.name());
      long mean = sum[1] == 0 ? overallMean : sum[0] / sum[1];
      for (ShardPlacement s : c.shardMap().shards()) {
        w.bytes.putIfAbsent(s.groupId(), mean);
      }
    }
    return w;
  }

  /**
   * The bytes a replica of the group weighs (the mean when its size is not known; 0 for a group not
   * given).
   */
  public long bytes(UUID group) {
    return bytes.getOrDefault(group, 0L);
  }

  /** True when the group's points were reported (else {@link #bytes} is a mean). */
  public boolean known(UUID group) {
    return points.containsKey(group);
  }

  /** The points the group reported, or -1 when not known. */
  public long points(UUID group) {
    return points.getOrDefault(group, -1L);
  }

  /**
   * Bytes of one point of the collection: each dense vector (a multivector's first row) as stored,
   * plus its id.
   */
  public static long bytesPerPoint(CollectionDescriptor c) {
    long total = POINT_OVERHEAD_BYTES;
    for (VectorParams v : c.config().vectors().vectors().values()) {
      total += (long) v.size() * v.storedDatatype().bytesPerDimension();
    }
    for (MultiVectorParams m : c.config().vectors().multi().values()) {
      total += (long) m.vector().size() * m.vector().storedDatatype().bytesPerDimension();
    }
    return total;
  }
}
