package io.quiver.sharding;

/** Gives the {@link ShardClient} of a shard of a collection. Thread-safe; clients may be cached. */
public interface ShardClients {
  ShardClient forShard(String collection, ShardPlacement shard);
}
