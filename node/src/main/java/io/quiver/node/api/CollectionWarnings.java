package io.quiver.node.api;

import io.quiver.sharding.CollectionConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code warnings} of a collection's info (Qdrant's {@code CollectionWarning}): configurations
 * that work but do not give what a user would likely expect of them.
 */
final class CollectionWarnings {

  private CollectionWarnings() {}

  static List<String> of(CollectionConfig config) {
    List<String> warnings = new ArrayList<>();
    if (config.replicationFactor() == 2) {
      // Each shard is a Raft group of its replicas, and 2 voters have a majority only together.
      warnings.add("replication_factor 2 tolerates no node failure: each shard is a Raft group of its 2 replicas, "
          + "and with either node down the shard has no majority and answers neither writes nor reads. "
          + "Use replication_factor 3 to keep serving through the loss of one node.");
    }
    return warnings;
  }
}
