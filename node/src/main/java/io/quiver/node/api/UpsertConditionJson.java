package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.api.filter.FilterJson;
import io.quiver.node.http.ApiException;
import io.quiver.storage.UpdateMode;
import io.quiver.storage.UpsertCondition;
import io.quiver.storage.filter.Filter;

/**
 * Qdrant's {@code update_mode} and {@code update_filter} of an upsert body (points or batch form).
 */
final class UpsertConditionJson {

  private UpsertConditionJson() {}

  /**
   * The condition of the upsert body {@code body}; {@code at} is the body's JSON path prefix for
   * messages ({@code ""} at the top, {@code "operations[2].upsert."} in a batch).
   */
  static UpsertCondition parse(JsonNode body, String at) {
    UpdateMode mode = UpdateMode.UPSERT;
    JsonNode modeNode = body.get("update_mode");
    if (modeNode != null && !modeNode.isNull()) {
      mode = modeNode.isTextual() ? UpdateMode.ofApiName(modeNode.asText()) : null;
      if (mode == null) {
        throw ApiException.badRequest(
            "Validation error in JSON body: `"
                + at
                + "update_mode` must be one of "
                + "\"upsert\", \"insert_only\", \"update_only\"; got "
                + modeNode);
      }
    }
    JsonNode filterNode = body.get("update_filter");
    Filter filter =
        filterNode == null || filterNode.isNull()
            ? null
            : FilterJson.parse(filterNode, at + "update_filter");
    return new UpsertCondition(mode, filter);
  }
}
