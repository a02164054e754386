package io.quiver.consensus.meta;

import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ShardPlacement;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The cluster metadata at one applied log index: nodes and collections (with their shard maps),
 * aliases, the nodes being drained ({@code POST /cluster/peer/{id}/drain}: their replicas move away
 * and they take no new ones) and whether a rebalance was asked for and is not finished. Immutable;
 * the meta state machine replaces it on every apply, and readers on any thread see a consistent
 * whole.
 */
public record ClusterState(
    long appliedIndex,
    SortedMap<Long, NodeAddress> nodes,
    SortedMap<String, CollectionDescriptor> collections,
    SortedMap<String, String> aliases,
    SortedSet<Long> draining,
    boolean rebalancing) {

  public static final ClusterState EMPTY =
      new ClusterState(-1, new TreeMap<>(), new TreeMap<>(), new TreeMap<>());

  public ClusterState {
    nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    collections = Collections.unmodifiableSortedMap(new TreeMap<>(collections));
    aliases = Collections.unmodifiableSortedMap(new TreeMap<>(aliases));
    draining = Collections.unmodifiableSortedSet(new TreeSet<>(draining));
  }

  public ClusterState(
      long appliedIndex,
      SortedMap<Long, NodeAddress> nodes,
      SortedMap<String, CollectionDescriptor> collections,
      SortedMap<String, String> aliases) {
    this(appliedIndex, nodes, collections, aliases, new TreeSet<>(), false);
  }

  /** A state after one command, and what the command came to (applied, or refused and why). */
  record Applied(ClusterState state, MetaOutcome outcome) {}

  /**
   * The state after applying {@code command} as the log entry at {@code index}, with its outcome:
   * the meta group's rules ({@link MetaTransitions}) as a pure function. A refused command yields
   * this state at {@code index}. Deterministic: the same state and command give the same result on
   * every node.
   */
  Applied apply(long index, MetaCommand command) {
    return MetaTransitions.apply(this, index, command);
  }

  /** The members that may take new replicas: every node that is not draining. */
  public java.util.List<Long> eligibleNodes() {
    return nodes.keySet().stream().filter(n -> !draining.contains(n)).toList();
  }

  ClusterState withDraining(long index, long nodeId, boolean drain) {
    TreeSet<Long> d = new TreeSet<>(draining);
    if (drain) {
      d.add(nodeId);
    } else {
      d.remove(nodeId);
    }
    return new ClusterState(index, nodes, collections, aliases, d, rebalancing);
  }

  ClusterState withRebalancing(long index, boolean on) {
    return new ClusterState(index, nodes, collections, aliases, draining, on);
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
    return new ClusterState(index, nodes, collections, newAliases, draining, rebalancing);
  }

  ClusterState withNode(long index, long nodeId, NodeAddress address) {
    TreeMap<Long, NodeAddress> n = new TreeMap<>(nodes);
    n.put(nodeId, address);
    return new ClusterState(index, n, collections, aliases, draining, rebalancing);
  }

  /**
   * The state without the node: it leaves the members, the draining set and every shard's witnesses
   * (a witness holds no data; the planner places a new one, whose configuration change also takes
   * the old witness out of the shard's group).
   */
  ClusterState withoutNode(long index, long nodeId) {
    TreeMap<Long, NodeAddress> n = new TreeMap<>(nodes);
    n.remove(nodeId);
    TreeSet<Long> d = new TreeSet<>(draining);
    d.remove(nodeId);
    TreeMap<String, CollectionDescriptor> c = new TreeMap<>(collections);
    for (CollectionDescriptor collection : collections.values()) {
      if (collection.shardMap().shards().stream().noneMatch(s -> s.witnesses().contains(nodeId))) {
        continue;
      }
      java.util.List<ShardPlacement> shards =
          collection.shardMap().shards().stream()
              .map(s -> s.withWitnesses(s.witnesses().stream().filter(w -> w != nodeId).toList()))
              .toList();
      c.put(
          collection.name(),
          new CollectionDescriptor(
              collection.name(),
              collection.config(),
              collection.shardMap().withShards(index, shards)));
    }
    return new ClusterState(index, n, c, aliases, d, rebalancing);
  }

  ClusterState withCollection(long index, CollectionDescriptor collection) {
    TreeMap<String, CollectionDescriptor> c = new TreeMap<>(collections);
    c.put(collection.name(), collection);
    return new ClusterState(index, nodes, c, aliases, draining, rebalancing);
  }

  ClusterState withoutCollection(long index, String name) {
    TreeMap<String, CollectionDescriptor> c = new TreeMap<>(collections);
    c.remove(name);
    TreeMap<String, String> a = new TreeMap<>(aliases);
    a.values().removeIf(name::equals); // a deleted collection takes its aliases with it
    return new ClusterState(index, nodes, c, a, draining, rebalancing);
  }

  /** The state with one shard's replicas replaced, its collection's shard map at a new epoch. */
  ClusterState withShardReplicas(
      long index, String collection, int shardId, java.util.List<Long> replicas) {
    CollectionDescriptor c = collections.get(collection);
    java.util.List<ShardPlacement> shards = new java.util.ArrayList<>(c.shardMap().shards());
    ShardPlacement old = shards.get(shardId);
    shards.set(shardId, old.withReplicas(replicas));
    return withCollection(
        index,
        new CollectionDescriptor(collection, c.config(), c.shardMap().withShards(index, shards)));
  }

  /** The state with one shard's witnesses replaced, its collection's shard map at a new epoch. */
  ClusterState withShardWitnesses(
      long index, String collection, int shardId, java.util.List<Long> witnesses) {
    CollectionDescriptor c = collections.get(collection);
    java.util.List<ShardPlacement> shards = new java.util.ArrayList<>(c.shardMap().shards());
    shards.set(shardId, shards.get(shardId).withWitnesses(witnesses));
    return withCollection(
        index,
        new CollectionDescriptor(collection, c.config(), c.shardMap().withShards(index, shards)));
  }

  ClusterState atIndex(long index) {
    return new ClusterState(index, nodes, collections, aliases, draining, rebalancing);
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
