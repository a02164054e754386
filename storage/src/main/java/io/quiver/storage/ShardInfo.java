package io.quiver.storage;

/**
 * What one shard replica reports for collection info.
 *
 * @param points live points
 * @param segments segments, the appendable one included
 * @param indexedVectors live vectors held in segments with an HNSW graph (counted per vector name)
 * @param optimizing true while the background optimizer has work pending (collection status yellow)
 * @param updateQueue updates accepted into the replica's log and not applied yet (Qdrant's {@code
 *     update_queue.length}); the store alone knows none, its replication layer adds them
 */
public record ShardInfo(
    long points, int segments, long indexedVectors, boolean optimizing, long updateQueue) {

  /** Nothing: the identity of {@link #plus}. */
  public static final ShardInfo EMPTY = new ShardInfo(0, 0, 0, false, 0);

  /** The sum of two shards' figures (optimizing if either is). */
  public ShardInfo plus(ShardInfo other) {
    return new ShardInfo(
        points + other.points,
        segments + other.segments,
        indexedVectors + other.indexedVectors,
        optimizing || other.optimizing,
        updateQueue + other.updateQueue);
  }

  /** These figures with {@code updates} waiting to be applied. */
  public ShardInfo withUpdateQueue(long updates) {
    return new ShardInfo(points, segments, indexedVectors, optimizing, updates);
  }
}
