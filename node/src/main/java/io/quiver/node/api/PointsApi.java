package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.PointValidator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /collections/{c}/points...}: upsert, retrieve, count (changes to existing points: {@link
 * PointsUpdateApi}; queries: {@link QueryApi}).
 */
public final class PointsApi {

  private final PointsRouter router;
  private final ObjectMapper json;
  private final ResultJson results;

  public PointsApi(PointsRouter router, ObjectMapper json) {
    this.router = router;
    this.json = json;
    this.results = new ResultJson(json);
  }

  public void register(RestRoutes routes) {
    routes
        .add("PUT", "/collections/{collection_name}/points", this::upsert)
        .add("GET", "/collections/{collection_name}/points/{id}", this::getPoint)
        .add("POST", "/collections/{collection_name}/points", this::retrieve)
        .add("POST", "/collections/{collection_name}/points/count", this::count);
  }

  private CompletableFuture<RestResponse> upsert(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    PointsRouter router = TimeoutParam.router(this.router, request);
    JsonNode body = request.jsonBody(true);
    List<Point> points = PointJson.upsert(body, c.config().vectors());
    new PointValidator(c.config().vectors()).validate(points);
    var condition = UpsertConditionJson.parse(body, "");
    WriteOrderingParam.check(request);
    boolean wait = request.booleanParam("wait", false);
    return router
        .upsert(c, points, condition)
        .thenApply(index -> RestResponse.ok(ResultJson.updateResult(index, wait)));
  }

  private CompletableFuture<RestResponse> getPoint(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    PointId id = PointJson.id(request.pathParam("id"), "id");
    return router
        .retrieve(c, List.of(id), true, true, ConsistencyParam.parse(request))
        .thenApply(
            found -> {
              if (found.isEmpty()) {
                throw ApiException.notFound("Not found: Point with id " + id + " does not exists!");
              }
              return RestResponse.ok(
                  results.in(c.config().vectors()).record(found.getFirst(), PayloadSelector.ALL));
            });
  }

  private CompletableFuture<RestResponse> retrieve(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    PointsRouter router = TimeoutParam.router(this.router, request);
    JsonNode body = request.jsonBody(true);
    List<PointId> ids = PointJson.ids(body.get("ids"), "ids");
    PayloadSelector payload = PayloadSelector.parse(body.get("with_payload"), true);
    VectorSelector vector = VectorSelector.of(body.get("with_vector"), false, "with_vector");
    return router
        .retrieve(c, ids, payload.enabled(), vector.enabled(), ConsistencyParam.parse(request))
        .thenApply(
            found -> {
              ArrayNode array = json.createArrayNode();
              for (PointRecord r : found) {
                array.add(results.in(c.config().vectors()).record(r, payload, vector));
              }
              return RestResponse.ok(array);
            });
  }

  private CompletableFuture<RestResponse> count(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    PointsRouter router = TimeoutParam.router(this.router, request);
    JsonNode body = request.jsonBody(false);
    var filter =
        body.hasNonNull("filter")
            ? io.quiver.node.api.filter.FilterJson.parse(body.get("filter"), "filter")
            : null;
    JsonNode exact = body.get("exact");
    if (exact != null && !exact.isNull() && !exact.isBoolean()) {
      throw ApiException.badRequest("Json deserialize error: `exact` must be a boolean");
    }
    // exact: false is answered from the payload indexes' cardinality estimates (expected value).
    var count =
        exact != null && exact.isBoolean() && !exact.booleanValue()
            ? router.estimateCount(c, filter, ConsistencyParam.parse(request))
            : router.count(c, filter, ConsistencyParam.parse(request));
    return count.thenApply(n -> RestResponse.ok(Map.of("count", n)));
  }
}
