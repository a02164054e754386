package io.quiver.sharding;

import java.util.List;
import java.util.Map;

/**
 * Every step from the current placement to a settled one ({@link ReplicaPlanner#plan}), each with
 * the weight of its shard and the node loads once it is done: what {@code GET /cluster/rebalance}
 * shows. A step after the move of a group's leading replica cannot know that group's next leader,
 * so leadership transfers of such groups appear only once the move is done.
 *
 * @param before the load of every member now
 * @param after the load of every member once every step is done
 */
public record RebalancePlan(
    List<Planned> planned, Map<Long, NodeLoad> before, Map<Long, NodeLoad> after) {

  public RebalancePlan {
    planned = List.copyOf(planned);
    before = Map.copyOf(before);
    after = Map.copyOf(after);
  }

  /**
   * One step of the plan.
   *
   * @param shardBytes what a replica of the shard weighs ({@link ShardWeights}; the mean when not
   *     known)
   * @param shardPoints the points its group reported, or -1 when not known
   * @param loadsAfter the load of every member once this step (and the ones before it) is done
   */
  public record Planned(
      ReplicaStep step, long shardBytes, long shardPoints, Map<Long, NodeLoad> loadsAfter) {
    public Planned {
      loadsAfter = Map.copyOf(loadsAfter);
    }
  }

  /** The steps alone, in order. */
  public List<ReplicaStep> steps() {
    return planned.stream().map(Planned::step).toList();
  }
}
