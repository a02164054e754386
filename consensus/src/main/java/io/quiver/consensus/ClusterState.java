package io.quiver.consensus;

import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ShardPlacement;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The cluster metadata at one applied log index: nodes and collections (with their shard maps).
 * Immutable; the meta state machine replaces it on every apply, and readers on any thread see a
 * consistent whole.
 */
public record ClusterState(long appliedIndex, SortedMap<Long, NodeAddress> nodes,
    SortedMap<String, CollectionDescriptor> collections, SortedMap<String, String> aliases) {

  public static final ClusterState EMPTY = new ClusterState(-1, new TreeMap<>(), new TreeMap<>(), new TreeMap<>());

  public ClusterState {
    nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    collections = Collections.unmodifiableSortedMap(new TreeMap<>(collections));
    aliases = Collections.unmodifiableSortedMap(new TreeMap<>(aliases));
  }

  /** The collection named {@code name}, or the one the alias {@code name} points at. */
  public CollectionDescriptor resolve(String name) {
    CollectionDescriptor c = collections.get(name);
    if (c == null) {
      String target = aliases.get(name);
      c = target == null ? null : collections.get(target);
    }
    return c;
  }

  ClusterState withAliases(long index, SortedMap<String, String> newAliases) {
    return new ClusterState(index, nodes, collections, newAliases);
  }

  ClusterState withNode(long index, long nodeId, NodeAddress address) {
    TreeMap<Long, NodeAddress> n = new TreeMap<>(nodes);
    n.put(nodeId, address);
    return new ClusterState(index, n, collections, aliases);
  }

  ClusterState withoutNode(long index, long nodeId) {
    TreeMap<Long, NodeAddress> n = new TreeMap<>(nodes);
    n.remove(nodeId);
    return new ClusterState(index, n, collections, aliases);
  }

  ClusterState withCollection(long index, CollectionDescriptor collection) {
    TreeMap<String, CollectionDescriptor> c = new TreeMap<>(collections);
    c.put(collection.name(), collection);
    return new ClusterState(index, nodes, c, aliases);
  }

  ClusterState withoutCollection(long index, String name) {
    TreeMap<String, CollectionDescriptor> c = new TreeMap<>(collections);
    c.remove(name);
    TreeMap<String, String> a = new TreeMap<>(aliases);
    a.values().removeIf(name::equals); // a deleted collection takes its aliases with it
    return new ClusterState(index, nodes, c, a);
  }

  /** The state with one shard's replicas replaced, its collection's shard map at a new epoch. */
  ClusterState withShardReplicas(long index, String collection, int shardId, java.util.List<Long> replicas) {
    CollectionDescriptor c = collections.get(collection);
    java.util.List<ShardPlacement> shards = new java.util.ArrayList<>(c.shardMap().shards());
    ShardPlacement old = shards.get(shardId);
    shards.set(shardId, new ShardPlacement(shardId, old.groupId(), replicas));
    return withCollection(index, new CollectionDescriptor(collection, c.config(),
        new io.quiver.sharding.ShardMap(index, shards)));
  }

  ClusterState atIndex(long index) {
    return new ClusterState(index, nodes, collections, aliases);
  }

  /** The collection and shard a Raft group replicates, if any. */
  public Optional<Map.Entry<CollectionDescriptor, ShardPlacement>> findGroup(UUID groupId) {
    for (CollectionDescriptor c : collections.values()) {
      for (ShardPlacement s : c.shardMap().shards()) {
        if (s.groupId().equals(groupId)) {
          return Optional.of(Map.entry(c, s));
        }
      }
    }
    return Optional.empty();
  }
}
