package io.quiver.sharding;

/** A collection as the cluster metadata holds it: name, config and the current shard map. */
public record CollectionDescriptor(String name, CollectionConfig config, ShardMap shardMap) {}
