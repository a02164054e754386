package io.quiver.node.api;

import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRequest;
import io.quiver.sharding.ReadConsistency;

/**
 * The {@code consistency} query parameter of reads. Quiver's own values are {@code linearizable},
 * {@code leader} (the default) and {@code any}. Qdrant's values map onto them: {@code all}, {@code
 * majority}, {@code quorum} and any number above 1 ask for agreement between replicas, which a read
 * barrier committed through the shard's Raft leader gives (see {@link
 * io.quiver.sharding.ReadConsistency.Level#LINEARIZABLE}), so they mean {@code linearizable};
 * {@code 1} means {@code leader}. With {@code any}, {@code operation_id} (the {@code operation_id}
 * of the client's last write) makes the read at least as new as that write: a replica that has not
 * applied it yet is skipped for the shard's leader.
 */
final class ConsistencyParam {

  private ConsistencyParam() {}

  static ReadConsistency parse(RestRequest request) {
    String v = request.queryParam("consistency");
    if (v == null || v.isEmpty()) {
      return ReadConsistency.LEADER;
    }
    return switch (v) {
      case "linearizable", "all", "majority", "quorum" -> ReadConsistency.LINEARIZABLE;
      case "leader" -> ReadConsistency.LEADER;
      case "any" -> {
        String after = request.queryParam("operation_id");
        if (after == null || after.isEmpty()) {
          yield ReadConsistency.ANY;
        }
        try {
          long id = Long.parseLong(after);
          if (id < 0) {
            throw new NumberFormatException();
          }
          yield ReadConsistency.anyAfter(id);
        } catch (NumberFormatException e) {
          throw ApiException.badRequest(
              "Query parameter `operation_id` must be the non-negative `operation_id` of a write; got `"
                  + after
                  + "`");
        }
      }
      default -> {
        try {
          int n = Integer.parseInt(v);
          if (n < 1) {
            throw new NumberFormatException();
          }
          yield n == 1 ? ReadConsistency.LEADER : ReadConsistency.LINEARIZABLE;
        } catch (NumberFormatException e) {
          throw ApiException.badRequest(
              "Query parameter `consistency` must be a positive number, all, majority, quorum, "
                  + "linearizable, leader or any; got `"
                  + v
                  + "`");
        }
      }
    };
  }
}
