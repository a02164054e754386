package io.quiver.node.http;

/** Told of every answered REST request (for metrics). Called on Netty's threads: must be quick. */
public interface RequestObserver {

  /**
   * @param endpoint the matched route template ({@code /collections/{collection_name}/points}), or
   *     {@code "unmatched"}: never the raw path, so label values stay bounded
   */
  void observe(String method, String endpoint, int status, long durationNanos);

  RequestObserver NONE = (method, endpoint, status, durationNanos) -> {};
}
