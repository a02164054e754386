package io.quiver.sharding;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster's collections: created and deleted through the metadata log, read from this node's
 * applied copy of it. Thread-safe.
 */
public interface CollectionCatalog {

  /**
   * Creates a collection and places its shards; completes when the shard groups are ready to take
   * writes. Fails with {@link CollectionAlreadyExistsException} if the name is taken.
   */
  CompletableFuture<CollectionDescriptor> create(String name, CollectionConfig config);

  /**
   * Replaces a collection's settings (HNSW, optimizers, per-vector on_disk/HNSW, replication and
   * write consistency factors) in the metadata; the vectors' sizes and distances and the shard
   * count cannot change. Completes with the updated collection once this node has applied it.
   */
  CompletableFuture<CollectionDescriptor> update(String name, CollectionConfig config);

  /**
   * Creates the named vector {@code vector} ({@code added}: a vectors config holding exactly it,
   * dense or sparse) or deletes it ({@code added} null) in the metadata, by the rule of {@link
   * io.quiver.storage.VectorNameChange}. Completes with the updated collection once this node has
   * applied it; the shards still have to be told (their own logs).
   */
  CompletableFuture<CollectionDescriptor> changeVectorName(
      String name, String vector, io.quiver.storage.VectorsConfig added);

  /** Deletes a collection; completes with false when it did not exist. */
  CompletableFuture<Boolean> delete(String name);

  /** This node's applied view of a collection, by its name or by one of its aliases. */
  Optional<CollectionDescriptor> get(String name);

  /**
   * Applies alias changes atomically: all of them or none. Fails with {@link
   * CollectionNotFoundException} when an alias would point at a missing collection, {@link
   * AliasNotFoundException} when a deleted or renamed alias does not exist, and {@link
   * io.quiver.storage.BadRequestException} when an alias would shadow a collection.
   */
  CompletableFuture<Void> updateAliases(List<AliasAction> actions);

  /** Every alias and the collection it points at, sorted by alias. */
  java.util.SortedMap<String, String> aliases();

  /** Every collection, sorted by name. */
  List<CollectionDescriptor> list();
}
