package io.quiver.sharding;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * What the shard groups last reported about themselves, as the replica planner weighs them: the
 * node leading each group and the live points it holds. A group missing from a map is not known (it
 * did not answer, or was not asked yet); the planner counts an unknown size as the mean (see {@link
 * ShardWeights}) and plans no leadership transfer for a group of unknown leader.
 *
 * @param leaders group id -> the node whose replica leads it
 * @param points group id -> the live points of the shard
 */
public record ShardReports(Map<UUID, Long> leaders, Map<UUID, Long> points) {

  /** Nothing known: every shard weighs the same (0 bytes), every leader unknown. */
  public static final ShardReports NONE = new ShardReports(Map.of(), Map.of());

  public ShardReports {
    leaders = Map.copyOf(Objects.requireNonNull(leaders, "leaders"));
    points = Map.copyOf(Objects.requireNonNull(points, "points"));
  }

  /** These reports with the leaders in {@code fresher} replacing the ones known here. */
  public ShardReports withLeaders(Map<UUID, Long> fresher) {
    if (fresher.isEmpty()) {
      return this;
    }
    var merged = new java.util.HashMap<>(leaders);
    merged.putAll(fresher);
    return new ShardReports(merged, points);
  }
}
