package io.quiver.storage;

import io.quiver.index.vector.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The child process of {@link ShardCrashTest}: opens (or creates) a shard with tiny segment
 * thresholds, so the optimizer seals, merges and vacuums all the time, and applies the seeded
 * operation stream from the entry after its applied index on, printing {@code applied N indexed M}
 * after each apply (an acknowledgement, and how many vectors sealed segments hold), until it is killed.
 *
 * <p>Usage: {@code ShardCrashChild DIR SEED}
 */
public final class ShardCrashChild {

  static final int IDS = 300;

  private ShardCrashChild() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    Shard shard = Shard.openOrCreate(dir, SegmentedShardModelTest.tinySegments(Distance.EUCLID));
    for (long index = shard.appliedIndex() + 1; ; index++) {
      Op op = op(seed, index);
      if (op.deletes() != null) {
        shard.delete(op.deletes(), index);
      } else {
        shard.upsert(op.upserts(), index);
      }
      System.out.println("applied " + index + " indexed " + shard.info().indexedVectors());
      System.out.flush();
    }
  }

  /** The operation of log entry {@code index}: a function of (seed, index) only, so a model can replay it. */
  record Op(List<Point> upserts, List<PointId> deletes) {}

  static Op op(long seed, long index) {
    Random random = new Random(seed * 1_000_003L + index);
    if (random.nextInt(4) == 0) {
      List<PointId> ids = new ArrayList<>();
      for (int i = 1 + random.nextInt(20); i > 0; i--) {
        ids.add(PointId.of(random.nextInt(IDS)));
      }
      return new Op(null, ids);
    }
    List<Point> points = new ArrayList<>();
    for (int i = 1 + random.nextInt(20); i > 0; i--) {
      points.add(new Point(PointId.of(random.nextInt(IDS)), Map.of(
          "a", SegmentedShardModelTest.randomVector(random, 4), "b", SegmentedShardModelTest.randomVector(random, 2)),
          Payload.EMPTY));
    }
    return new Op(points, null);
  }
}
