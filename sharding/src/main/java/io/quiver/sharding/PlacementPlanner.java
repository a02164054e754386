package io.quiver.sharding;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Decides where a new collection's shards live. Pure and deterministic: the same inputs give the
 * same placement on every node, so it can run inside a state machine's apply.
 *
 * <p>Replicas go round-robin over the nodes sorted by id, starting at a different node for each
 * shard, so leaders and load spread evenly; a shard never has two replicas on one node. With {@code
 * replication_factor} 2 and a third node, each shard also gets a witness on the next node of the
 * round (see {@link ShardPlacement}): its group starts with three voters.
 */
public final class PlacementPlanner {

  private PlacementPlanner() {}

  /**
   * @param nodes the ids of the nodes that may hold replicas
   * @param collection the collection's name, part of each group id
   * @param creationIndex the log index that created the collection; a collection deleted and
   *     created again under the same name gets new Raft groups
   */
  public static ShardMap place(
      List<Long> nodes, String collection, long creationIndex, CollectionConfig config) {
    return place(nodes, collection, creationIndex, config, io.quiver.storage.PointHashing.MOD);
  }

  /**
   * As {@link #place(List, String, long, CollectionConfig)}, the map hashing points with {@code
   * hashing}.
   */
  public static ShardMap place(
      List<Long> nodes,
      String collection,
      long creationIndex,
      CollectionConfig config,
      io.quiver.storage.PointHashing hashing) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("no nodes to place shards on");
    }
    if (config.replicationFactor() > nodes.size()) {
      throw new IllegalArgumentException(
          "replication_factor "
              + config.replicationFactor()
              + " is larger than the number of nodes ("
              + nodes.size()
              + ")");
    }
    List<Long> sorted = nodes.stream().sorted().toList();
    List<ShardPlacement> shards = new ArrayList<>(config.shardNumber());
    for (int shard = 0; shard < config.shardNumber(); shard++) {
      List<Long> replicas = new ArrayList<>(config.replicationFactor());
      for (int r = 0; r < config.replicationFactor(); r++) {
        replicas.add(sorted.get((shard + r) % sorted.size()));
      }
      List<Long> witnesses =
          config.replicationFactor() == 2 && sorted.size() > 2
              ? List.of(sorted.get((shard + 2) % sorted.size()))
              : List.of();
      shards.add(
          new ShardPlacement(
              shard, groupId(collection, shard, creationIndex), replicas, witnesses));
    }
    return new ShardMap(creationIndex, shards, hashing, null);
  }

  /**
   * Where a shard added by resharding lives: {@code replicationFactor} replicas on the nodes that
   * hold the fewest replicas ({@code load}; ties by node id), {@code preferred} first when given,
   * and for two replicas a witness on the next least loaded node, when there is one.
   *
   * @param nodes the nodes that may take it (not draining)
   * @param load replicas and witnesses per node, over every collection
   */
  public static ShardPlacement placeAddedShard(
      List<Long> nodes,
      java.util.Map<Long, Integer> load,
      Long preferred,
      String collection,
      int shardId,
      long index,
      int replicationFactor) {
    if (replicationFactor > nodes.size()) {
      throw new IllegalArgumentException(
          "replication_factor "
              + replicationFactor
              + " is larger than the number of nodes that may take a new shard ("
              + nodes.size()
              + ")");
    }
    List<Long> order =
        new ArrayList<>(
            nodes.stream()
                .sorted(
                    java.util.Comparator.<Long>comparingInt(n -> load.getOrDefault(n, 0))
                        .thenComparing(n -> n))
                .toList());
    if (preferred != null) {
      if (!order.remove(preferred)) {
        throw new IllegalArgumentException(
            "peer " + preferred + " cannot take a new shard (unknown or draining)");
      }
      order.addFirst(preferred);
    }
    List<Long> replicas = order.subList(0, replicationFactor);
    List<Long> witnesses =
        replicationFactor == 2 && order.size() > 2 ? List.of(order.get(2)) : List.of();
    return new ShardPlacement(shardId, groupId(collection, shardId, index), replicas, witnesses);
  }

  /**
   * The Raft group id of a shard created (or started again empty) at log index {@code
   * creationIndex}.
   */
  public static UUID groupId(String collection, int shard, long creationIndex) {
    String key = "quiver-shard/" + collection + "/" + shard + "/" + creationIndex;
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
  }
}
