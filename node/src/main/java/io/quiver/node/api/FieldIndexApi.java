package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.storage.filter.JsonPath;
import java.util.concurrent.CompletableFuture;

/**
 * {@code PUT /collections/{c}/index} and {@code DELETE /collections/{c}/index/{field_name}}:
 * payload field indexes, created and dropped through every shard's Raft log (so every replica of
 * every shard has the same indexes). Answered once every shard has applied the change, whatever
 * {@code wait} says ({@code wait=false} only changes the reported status, as for point writes).
 */
public final class FieldIndexApi {

  private final PointsRouter router;

  public FieldIndexApi(PointsRouter router) {
    this.router = router;
  }

  public void register(RestRoutes routes) {
    routes
        .add("PUT", "/collections/{collection_name}/index", this::create)
        .add("DELETE", "/collections/{collection_name}/index/{field_name}", this::delete);
  }

  private CompletableFuture<RestResponse> create(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    PointsRouter router = TimeoutParam.router(this.router, request);
    JsonNode body = request.jsonBody(true);
    KnownFields.only(body, "", KnownFields.CREATE_FIELD_INDEX);
    JsonNode fieldNode = body.get("field_name");
    if (fieldNode == null || !fieldNode.isTextual()) {
      throw ApiException.badRequest("Json deserialize error: missing field `field_name`");
    }
    String field = canonicalField(fieldNode.asText());
    var schema = FieldIndexJson.parseSchema(body.get("field_schema"));
    WriteOrderingParam.check(request);
    boolean wait = request.booleanParam("wait", false);
    return router
        .createFieldIndex(c, field, schema)
        .thenApply(index -> RestResponse.ok(ResultJson.updateResult(index, wait)));
  }

  private CompletableFuture<RestResponse> delete(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    PointsRouter router = TimeoutParam.router(this.router, request);
    String field = canonicalField(request.pathParam("field_name"));
    WriteOrderingParam.check(request);
    boolean wait = request.booleanParam("wait", false);
    return router
        .deleteFieldIndex(c, field)
        .thenApply(index -> RestResponse.ok(ResultJson.updateResult(index, wait)));
  }

  /** The key path in canonical text; 400 naming the field when it does not parse. */
  private static String canonicalField(String text) {
    try {
      return JsonPath.parse(text).toString();
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("Validation error: field_name: " + e.getMessage());
    }
  }
}
