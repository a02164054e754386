package io.quiver.router.query;

import java.util.Objects;

/**
 * A Query API request: the root {@code stage} (whose {@code limit} is the page size), the {@code
 * offset} of the page, and whether hits carry payloads and vectors.
 */
public record QueryRequest(QueryStage stage, int offset, boolean withPayload, boolean withVector) {
  public QueryRequest {
    Objects.requireNonNull(stage, "stage");
  }
}
