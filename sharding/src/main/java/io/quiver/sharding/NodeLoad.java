package io.quiver.sharding;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one node carries, as the replica planner evens it out: the bytes of the shard replicas it
 * holds ({@link ShardWeights}), how many replicas, and how many shard groups it leads (as reported;
 * a group of unknown leader counts for no node).
 */
public record NodeLoad(long bytes, int replicas, int leaders) {

  /** The load of every node of {@code nodes} (0s for one that holds nothing), in node order. */
  public static Map<Long, NodeLoad> perNode(
      Collection<Long> nodes,
      Collection<CollectionDescriptor> collections,
      ShardWeights weights,
      Map<java.util.UUID, Long> leaders) {
    Map<Long, long[]> sums = new TreeMap<>();
    nodes.forEach(n -> sums.put(n, new long[3]));
    for (CollectionDescriptor c : collections) {
      for (ShardPlacement s : c.shardMap().shards()) {
        for (long r : s.replicas()) {
          long[] sum = sums.computeIfAbsent(r, k -> new long[3]);
          sum[0] += weights.bytes(s.groupId());
          sum[1]++;
        }
        Long leader = leaders.get(s.groupId());
        if (leader != null && s.replicas().contains(leader)) {
          sums.computeIfAbsent(leader, k -> new long[3])[2]++;
        }
      }
    }
    Map<Long, NodeLoad> out = new TreeMap<>();
    sums.forEach((n, sum) -> out.put(n, new NodeLoad(sum[0], (int) sum[1], (int) sum[2])));
    return out;
  }
}
