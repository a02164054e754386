package io.quiver.storage;

import io.quiver.index.vector.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The child process of {@link ShardCrashTest}: opens (or creates) a shard and applies the seeded
 * operation stream from the entry after its applied index on, printing {@code applied N indexed M
 * plain P sparseParts S} after each apply (an acknowledgement, how many vectors indexed segments
 * hold, how many plain segments wait for the optimizer, how many sealed sparse parts there are),
 * until it is killed. Modes:
 *
 * <ul>
 *   <li>{@code swaps}: 300 ids, tiny segment thresholds, so the flusher and the optimizer flush,
 *       index, merge and vacuum all the time;
 *   <li>{@code backlog}: 20,000 ids in large batches and a slower graph build, so ingest outruns
 *       indexing and the flusher keeps swapping full appendable segments for plain ones while the
 *       optimizer builds;
 *   <li>{@code sparse}: as swaps, with a sparse vector per point, so sparse parts are sealed,
 *       absorbed and vacuumed all the time.
 * </ul>
 *
 * <p>Usage: {@code ShardCrashChild DIR SEED [swaps|backlog]}
 */
public final class ShardCrashChild {

  enum Mode {
    SWAPS(300, 20, 4),
    BACKLOG(20_000, 200, 8),
    /**
     * As swaps, the points with a sparse vector "s" too: sparse parts are sealed all the time (1 KB
     * threshold).
     */
    SPARSE(300, 20, 4);

    final int ids;
    final int maxBatch;

    /** One operation in this many is a delete. */
    final int deleteOneIn;

    Mode(int ids, int maxBatch, int deleteOneIn) {
      this.ids = ids;
      this.maxBatch = maxBatch;
      this.deleteOneIn = deleteOneIn;
    }

    ShardConfig config() {
      ShardConfig tiny = SegmentedShardModelTest.tinySegments(Distance.EUCLID);
      if (this == SWAPS) {
        return tiny;
      }
      if (this == SPARSE) {
        return new ShardConfig(
            new VectorsConfig(
                tiny.vectors().vectors(),
                Map.of("s", new SparseVectorParams(true, 0L, null, null, null))),
            tiny.hnsw(),
            tiny.optimizers());
      }
      return new ShardConfig(
          tiny.vectors(),
          new HnswConfig(16, 200, 0, false),
          new OptimizersConfig(0.2, 1000, 2, null, 16, 0));
    }
  }

  private ShardCrashChild() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    Mode mode =
        args.length > 2 ? Mode.valueOf(args[2].toUpperCase(java.util.Locale.ROOT)) : Mode.SWAPS;
    // The node's storage engine beside the shard, where the test reopens it after the kill.
    ShardResources.install(ShardResources.Settings.defaults(), dir.resolveSibling("engine"));
    Shard shard = Shard.openOrCreate(dir, mode.config());
    for (long index = shard.appliedIndex() + 1; ; index++) {
      Op op = op(mode, seed, index);
      if (op.deletes() != null) {
        shard.delete(op.deletes(), index);
      } else {
        shard.upsert(op.upserts(), index);
      }
      var info = shard.segmentsInfo();
      System.out.println(
          "applied "
              + index
              + " indexed "
              + info.indexedVectors()
              + " plain "
              + info.plainSegments()
              + " sparseParts "
              + (mode == Mode.SPARSE ? shard.sparseIndexStats("s").sealedParts() : 0));
      System.out.flush();
    }
  }

  /**
   * The operation of log entry {@code index}: a function of (mode, seed, index) only, so a model
   * can replay it.
   */
  record Op(List<Point> upserts, List<PointId> deletes) {}

  static Op op(Mode mode, long seed, long index) {
    Random random = new Random(seed * 1_000_003L + index);
    if (random.nextInt(mode.deleteOneIn) == 0) {
      List<PointId> ids = new ArrayList<>();
      for (int i = 1 + random.nextInt(20); i > 0; i--) {
        ids.add(PointId.of(random.nextInt(mode.ids)));
      }
      return new Op(null, ids);
    }
    List<Point> points = new ArrayList<>();
    for (int i = 1 + random.nextInt(mode.maxBatch); i > 0; i--) {
      PointId id = PointId.of(random.nextInt(mode.ids));
      Map<String, float[]> vectors =
          Map.of(
              "a",
              SegmentedShardModelTest.randomVector(random, 4),
              "b",
              SegmentedShardModelTest.randomVector(random, 2));
      points.add(
          mode == Mode.SPARSE
              ? new Point(
                  id,
                  vectors,
                  Payload.EMPTY,
                  Map.of("s", SparseShardModelTest.randomSparse(random, 1 + random.nextInt(6))))
              : new Point(id, vectors, Payload.EMPTY));
    }
    return new Op(points, null);
  }
}
