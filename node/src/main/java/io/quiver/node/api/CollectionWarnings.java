package io.quiver.node.api;

import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ShardPlacement;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code warnings} of a collection's info (Qdrant's {@code CollectionWarning}): configurations
 * that work but do not give what a user would likely expect of them.
 */
final class CollectionWarnings {

  private CollectionWarnings() {}

  static List<String> of(CollectionDescriptor c) {
    List<String> warnings = new ArrayList<>();
    // Each shard is a Raft group of its voters; 2 voters have a majority only together. A shard
    // with 2 replicas gets a witness (a third voter without data) when there is a third node.
    List<Integer> exposed =
        c.shardMap().shards().stream()
            .filter(s -> s.replicas().size() == 2 && s.witnesses().isEmpty())
            .map(ShardPlacement::shardId)
            .toList();
    if (c.config().replicationFactor() == 2 && !exposed.isEmpty()) {
      warnings.add(
          "replication_factor 2 tolerates no node failure here: shards "
              + exposed
              + " have their 2 replicas and "
              + "no witness (a third voter without data, placed on a third node), so with either node down such a shard has "
              + "no majority and answers neither writes nor reads. Add a third node, or use replication_factor 3.");
    }
    return warnings;
  }
}
