package io.quiver.node.api;

import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRequest;
import java.util.Set;

/**
 * The {@code ordering} query parameter of writes, Qdrant's {@code WriteOrdering}: {@code weak},
 * {@code medium} or {@code strong}. Every Quiver write goes through its shard group's Raft leader
 * and is applied in log order on every replica, whichever value is asked: that is Qdrant's {@code
 * strong} ("through the permanent leader, consistent"), which also gives what {@code weak} and
 * {@code medium} promise, so each value is honoured. Any other value is a 400 naming the parameter,
 * before anything is written.
 */
final class WriteOrderingParam {

  private static final Set<String> VALUES = Set.of("weak", "medium", "strong");

  private WriteOrderingParam() {}

  /** Refuses an {@code ordering} that is not one of Qdrant's values; absent is fine. */
  static void check(RestRequest request) {
    String v = request.queryParam("ordering");
    if (v != null && !VALUES.contains(v)) {
      throw ApiException.badRequest(
          "Query deserialize error: `ordering`: unknown variant `"
              + v
              + "`, expected one of `weak`, `medium`, `strong`");
    }
  }
}
