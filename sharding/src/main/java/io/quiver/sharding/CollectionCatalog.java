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

  /** Deletes a collection; completes with false when it did not exist. */
  CompletableFuture<Boolean> delete(String name);

  /** This node's applied view of a collection. */
  Optional<CollectionDescriptor> get(String name);

  /** Every collection, sorted by name. */
  List<CollectionDescriptor> list();
}
