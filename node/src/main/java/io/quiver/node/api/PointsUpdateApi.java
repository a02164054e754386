package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestHandler;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.storage.Point;
import io.quiver.storage.PointValidator;
import io.quiver.storage.PointsOperation;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Changes to existing points: delete (by ids or filter), payload set / overwrite / delete keys /
 * clear, vector updates, and {@code POST .../points/batch} (mixed operations applied in order).
 * Every body is parsed and validated completely before anything is written.
 */
public final class PointsUpdateApi {

  private final PointsRouter router;
  private final ObjectMapper json;

  public PointsUpdateApi(PointsRouter router, ObjectMapper json) {
    this.router = router;
    this.json = json;
  }

  public void register(RestRoutes routes) {
    routes
        .add(
            "POST",
            "/collections/{collection_name}/points/delete",
            one(PointsOperationJson::delete))
        .add(
            "POST",
            "/collections/{collection_name}/points/payload",
            one((b, at) -> PointsOperationJson.setPayload(b, at, false)))
        .add(
            "PUT",
            "/collections/{collection_name}/points/payload",
            one((b, at) -> PointsOperationJson.setPayload(b, at, true)))
        .add(
            "POST",
            "/collections/{collection_name}/points/payload/delete",
            one(PointsOperationJson::deletePayload))
        .add(
            "POST",
            "/collections/{collection_name}/points/payload/clear",
            one(PointsOperationJson::clearPayload))
        .add(
            "PUT",
            "/collections/{collection_name}/points/vectors",
            configured(PointsOperationJson::updateVectors))
        .add(
            "POST",
            "/collections/{collection_name}/points/vectors/delete",
            one(PointsOperationJson::deleteVectors))
        .add("POST", "/collections/{collection_name}/points/batch", this::batch);
  }

  /**
   * Parses one operation's body with the collection's vectors config (multivectors are lists of
   * vectors).
   */
  private interface ConfiguredParse {
    PointsOperation apply(JsonNode body, String at, io.quiver.storage.VectorsConfig config);
  }

  /** An endpoint whose body is one operation. */
  private RestHandler one(BiFunction<JsonNode, String, PointsOperation> parse) {
    return configured((body, at, config) -> parse.apply(body, at));
  }

  /** An endpoint whose body is one operation, parsed knowing the collection's vectors. */
  private RestHandler configured(ConfiguredParse parse) {
    return request -> {
      CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
      PointsRouter router = TimeoutParam.router(this.router, request);
      PointsOperation operation = parse.apply(request.jsonBody(true), "", c.config().vectors());
      validate(c, operation);
      WriteOrderingParam.check(request);
      boolean wait = request.booleanParam("wait", false);
      return router
          .apply(c, operation)
          .thenApply(index -> RestResponse.ok(ResultJson.updateResult(index, wait)));
    };
  }

  /** A step of a batch: an upsert, or a change to existing points. */
  private sealed interface Step {
    record Upsert(List<Point> points, io.quiver.storage.UpsertCondition condition)
        implements Step {}

    record Apply(PointsOperation operation) implements Step {}
  }

  private CompletableFuture<RestResponse> batch(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    PointsRouter router =
        TimeoutParam.router(this.router, request); // one clock for the whole batch
    JsonNode operations = request.jsonBody(true).get("operations");
    if (operations == null || !operations.isArray()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: field `operations` is required (an array)");
    }
    List<Step> steps = new ArrayList<>(operations.size());
    for (int i = 0; i < operations.size(); i++) {
      steps.add(step(c, operations.get(i), "operations[" + i + "]"));
    }
    WriteOrderingParam.check(request);
    boolean wait = request.booleanParam("wait", false);
    CompletableFuture<List<Long>> done = CompletableFuture.completedFuture(new ArrayList<>());
    for (Step step : steps) {
      done =
          done.thenCompose(
              indexes ->
                  run(router, c, step)
                      .thenApply(
                          index -> {
                            indexes.add(index);
                            return indexes;
                          }));
    }
    return done.thenApply(
        indexes -> {
          ArrayNode out = json.createArrayNode();
          for (long index : indexes) {
            out.add(json.valueToTree(ResultJson.updateResult(index, wait)));
          }
          return RestResponse.ok(out);
        });
  }

  private static CompletableFuture<Long> run(
      PointsRouter router, CollectionDescriptor c, Step step) {
    return switch (step) {
      case Step.Upsert u -> router.upsert(c, u.points(), u.condition());
      case Step.Apply a -> router.apply(c, a.operation());
    };
  }

  private Step step(CollectionDescriptor c, JsonNode node, String at) {
    if (node == null || !node.isObject() || node.size() != 1) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `"
              + at
              + "` must be an object with exactly one "
              + "operation (upsert, delete, set_payload, overwrite_payload, delete_payload, clear_payload, update_vectors, delete_vectors)");
    }
    Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
    Map.Entry<String, JsonNode> e = it.next();
    JsonNode body = e.getValue();
    String bodyAt = at + "." + e.getKey() + ".";
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `" + at + "." + e.getKey() + "` must be an object");
    }
    if (e.getKey().equals("upsert")) {
      List<Point> points = PointJson.upsert(body, c.config().vectors());
      new PointValidator(c.config().vectors()).validate(points);
      return new Step.Upsert(points, UpsertConditionJson.parse(body, bodyAt));
    }
    PointsOperation operation =
        switch (e.getKey()) {
          case "delete" -> PointsOperationJson.delete(body, bodyAt);
          case "set_payload" -> PointsOperationJson.setPayload(body, bodyAt, false);
          case "overwrite_payload" -> PointsOperationJson.setPayload(body, bodyAt, true);
          case "delete_payload" -> PointsOperationJson.deletePayload(body, bodyAt);
          case "clear_payload" -> PointsOperationJson.clearPayload(body, bodyAt);
          case "update_vectors" ->
              PointsOperationJson.updateVectors(body, bodyAt, c.config().vectors());
          case "delete_vectors" -> PointsOperationJson.deleteVectors(body, bodyAt);
          default ->
              throw ApiException.badRequest(
                  "Validation error in JSON body: `"
                      + at
                      + "` has unknown operation `"
                      + e.getKey()
                      + "`");
        };
    validate(c, operation);
    return new Step.Apply(operation);
  }

  /**
   * Checks vector updates against the collection's config at the edge, so bad input writes nothing.
   */
  private static void validate(CollectionDescriptor c, PointsOperation operation) {
    if (operation instanceof PointsOperation.UpdateVectors u) {
      PointValidator validator = new PointValidator(c.config().vectors());
      for (PointsOperation.PointVectors pv : u.points()) {
        validator.validateVectors(pv.id(), pv.vectors());
        validator.validateSparse(pv.id(), pv.sparse());
      }
    } else if (operation instanceof PointsOperation.DeleteVectors d) {
      new PointValidator(c.config().vectors()).validateVectorNames(d.names());
    }
  }
}
