package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.storage.Point;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.PointValidator;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.VectorsConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@code /collections/{c}/points...}: upsert, retrieve, count, query, search (changes to existing points: {@link PointsUpdateApi}). */
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
    routes.add("PUT", "/collections/{collection_name}/points", this::upsert)
        .add("GET", "/collections/{collection_name}/points/{id}", this::getPoint)
        .add("POST", "/collections/{collection_name}/points", this::retrieve)
        .add("POST", "/collections/{collection_name}/points/count", this::count)
        .add("POST", "/collections/{collection_name}/points/query", this::query)
        .add("POST", "/collections/{collection_name}/points/search", this::search);
  }

  private CompletableFuture<RestResponse> upsert(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    List<Point> points = PointJson.upsert(request.jsonBody(true));
    new PointValidator(c.config().vectors()).validate(points);
    boolean wait = request.booleanParam("wait", false);
    return router.upsert(c.name(), points).thenApply(index -> RestResponse.ok(ResultJson.updateResult(index, wait)));
  }

  private CompletableFuture<RestResponse> getPoint(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    PointId id = PointJson.id(request.pathParam("id"), "id");
    return router.retrieve(c.name(), List.of(id), true, true, ConsistencyParam.parse(request)).thenApply(found -> {
      if (found.isEmpty()) {
        throw ApiException.notFound("Not found: Point with id " + id + " does not exists!");
      }
      return RestResponse.ok(results.record(found.getFirst(), PayloadSelector.ALL));
    });
  }

  private CompletableFuture<RestResponse> retrieve(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    JsonNode body = request.jsonBody(true);
    List<PointId> ids = PointJson.ids(body.get("ids"), "ids");
    PayloadSelector payload = PayloadSelector.parse(body.get("with_payload"), true);
    boolean withVector = VectorSelector.parse(body.get("with_vector"), false);
    return router.retrieve(c.name(), ids, payload.enabled(), withVector, ConsistencyParam.parse(request)).thenApply(found -> {
      ArrayNode array = json.createArrayNode();
      for (PointRecord r : found) {
        array.add(results.record(r, payload));
      }
      return RestResponse.ok(array);
    });
  }

  private CompletableFuture<RestResponse> count(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    JsonNode body = request.jsonBody(false);
    var filter = body.hasNonNull("filter") ? io.quiver.node.api.filter.FilterJson.parse(body.get("filter"), "filter") : null;
    JsonNode exact = body.get("exact");
    if (exact != null && !exact.isNull() && !exact.isBoolean()) {
      throw ApiException.badRequest("Json deserialize error: `exact` must be a boolean");
    }
    // exact: false is answered from the payload indexes' cardinality estimates (expected value).
    var count = exact != null && exact.isBoolean() && !exact.booleanValue()
        ? router.estimateCount(c.name(), filter, ConsistencyParam.parse(request))
        : router.count(c.name(), filter, ConsistencyParam.parse(request));
    return count.thenApply(n -> RestResponse.ok(Map.of("count", n)));
  }

  /** The Query API: {@code query} is a vector (or {@code {"nearest": vector}}). */
  private CompletableFuture<RestResponse> query(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    JsonNode body = request.jsonBody(false);
    String using = textOrDefault(body.get("using"), "using", VectorsConfig.DEFAULT);
    JsonNode query = body.get("query");
    if (query != null && query.isObject() && query.has("nearest")) {
      query = query.get("nearest");
    }
    if (query == null || query.isNull()) {
      throw ApiException.badRequest("Wrong input: `query` is required (a vector); queries without one are not supported yet");
    }
    if (!query.isArray()) {
      throw ApiException.badRequest("Wrong input: `query` must be a vector; this kind of query is not supported yet: " + abbreviate(query));
    }
    float[] vector = PointJson.floats(query, "query");
    return search(request, c, body, using, vector).thenApply(hits -> {
      ObjectNode result = json.createObjectNode();
      result.set("points", hits);
      return RestResponse.ok(result);
    });
  }

  /** The older search API: {@code vector} is an array or {@code {"name": ..., "vector": [...]}}. */
  private CompletableFuture<RestResponse> search(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    JsonNode body = request.jsonBody(true);
    JsonNode vectorNode = body.get("vector");
    String using = VectorsConfig.DEFAULT;
    if (vectorNode != null && vectorNode.isObject()) {
      using = textOrDefault(vectorNode.get("name"), "vector.name", using);
      vectorNode = vectorNode.get("vector");
    }
    float[] vector = PointJson.floats(vectorNode, "vector");
    return search(request, c, body, using, vector).thenApply(RestResponse::ok);
  }

  private CompletableFuture<ArrayNode> search(RestRequest request, CollectionDescriptor c, JsonNode body, String using, float[] vector) {
    var filter = body.hasNonNull("filter") ? io.quiver.node.api.filter.FilterJson.parse(body.get("filter"), "filter") : null;
    new PointValidator(c.config().vectors()).validateQuery(using, vector);
    int limit = intParam(body, "limit", 10, 0, SearchRequest.MAX_LIMIT);
    int offset = intParam(body, "offset", 0, 0, SearchRequest.MAX_LIMIT);
    PayloadSelector payload = PayloadSelector.parse(body.get("with_payload"), false);
    boolean withVector = VectorSelector.parse(body.get("with_vector"), false);
    Float threshold = body.hasNonNull("score_threshold") ? (float) body.get("score_threshold").asDouble() : null;
    ReadConsistency consistency = ConsistencyParam.parse(request);
    SearchRequest search = new SearchRequest(using, vector, limit, payload.enabled(), withVector, threshold, filter);
    return router.search(c.name(), search, offset, consistency).thenApply(hits -> results.scored(hits, payload));
  }

  private static String textOrDefault(JsonNode node, String field, String defaultValue) {
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.isTextual()) {
      throw ApiException.badRequest("Validation error in JSON body: `" + field + "` must be a string");
    }
    return node.asText();
  }

  private static int intParam(JsonNode body, String field, int defaultValue, int min, int max) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
      throw ApiException.badRequest("Validation error in JSON body: `" + field + "` must be an integer in [" + min + ", " + max + "], got " + node);
    }
    return node.asInt();
  }

  private static String abbreviate(JsonNode node) {
    String s = node.toString();
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
