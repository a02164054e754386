package io.quiver.storage;

/**
 * What one shard replica reports for collection info.
 *
 * @param points live points
 * @param segments segments, the appendable one included
 * @param indexedVectors live vectors held in segments with an HNSW graph (counted per vector name)
 * @param optimizing true while the background optimizer has work pending (collection status yellow)
 */
public record ShardInfo(long points, int segments, long indexedVectors, boolean optimizing) {

  /** The sum of two shards' figures (optimizing if either is). */
  public ShardInfo plus(ShardInfo other) {
    return new ShardInfo(points + other.points, segments + other.segments, indexedVectors + other.indexedVectors,
        optimizing || other.optimizing);
  }
}
