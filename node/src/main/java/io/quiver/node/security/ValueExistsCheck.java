package io.quiver.node.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.api.filter.FilterJson;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.ReadConsistency;
import java.util.concurrent.CompletableFuture;

/**
 * Answers a JWT's {@code value_exists} claim: does any point of the collection match the filter?
 * Read from the shards' leaders, so a revoked token (its point deleted or changed) stops working as
 * soon as that write is acknowledged.
 */
@FunctionalInterface
public interface ValueExistsCheck {

  /**
   * Completes with true when at least one point matches; completes exceptionally with the router's
   * error (e.g. the collection does not exist). Must not block the caller.
   */
  CompletableFuture<Boolean> anyPointMatches(String collection, JsonNode filter);

  /** The check against this node's router. */
  static ValueExistsCheck of(PointsRouter router) {
    return (collection, filter) ->
        router
            .count(
                router.collection(collection),
                FilterJson.parse(filter, "value_exists"),
                ReadConsistency.LEADER)
            .thenApply(n -> n > 0);
  }
}
