package io.quiver.node.http;

import java.util.concurrent.CompletableFuture;

/**
 * Handles one route. Called on a Netty event-loop thread: must not block; long work returns an
 * incomplete future. May throw {@link ApiException} (or complete with it) for bad input.
 */
@FunctionalInterface
public interface RestHandler {
  CompletableFuture<RestResponse> handle(RestRequest request);
}
