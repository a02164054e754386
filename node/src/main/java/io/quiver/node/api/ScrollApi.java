package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.api.filter.FilterJson;
import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.storage.OrderBy;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.filter.Filter;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /collections/{c}/points/scroll}: pages of points in Qdrant's id order (integer ids
 * first, then UUIDs), with {@code offset}, {@code limit}, {@code filter}, {@code with_payload},
 * {@code with_vector}; {@code next_page_offset} is the first id of the next page, null after the
 * last. With {@code order_by} (a key with a range-capable index) points come in the order of the
 * key's values, each with its {@code order_value}, once per distinct value; {@code offset} is
 * refused and {@code next_page_offset} is null, as in Qdrant (page with {@code start_from} and a
 * filter).
 */
public final class ScrollApi {

  /** Qdrant's default page size. */
  private static final int DEFAULT_LIMIT = 10;

  private static final int MAX_LIMIT = 100_000;

  private final PointsRouter router;
  private final ObjectMapper json;
  private final ResultJson results;

  public ScrollApi(PointsRouter router, ObjectMapper json) {
    this.router = router;
    this.json = json;
    this.results = new ResultJson(json);
  }

  public void register(RestRoutes routes) {
    routes.add("POST", "/collections/{collection_name}/points/scroll", this::scroll);
  }

  private CompletableFuture<RestResponse> scroll(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    PointsRouter router = TimeoutParam.router(this.router, request);
    JsonNode body = request.jsonBody(false);
    OrderBy orderBy =
        body.hasNonNull("order_by") ? OrderByJson.parse(body.get("order_by"), "order_by") : null;
    if (orderBy != null && body.hasNonNull("offset")) {
      throw ApiException.badRequest(
          "Wrong input: Cannot use an `offset` when using `order_by`. The alternative for paging "
              + "is to use `order_by.start_from` and a filter to exclude the IDs that you've already seen for the "
              + "`order_by.start_from` value");
    }
    PointId offset = body.hasNonNull("offset") ? PointJson.id(body.get("offset"), "offset") : null;
    int limit = limit(body.get("limit"));
    Filter filter =
        body.hasNonNull("filter") ? FilterJson.parse(body.get("filter"), "filter") : null;
    PayloadSelector payload = PayloadSelector.parse(body.get("with_payload"), true);
    VectorSelector vectors = VectorSelector.of(body.get("with_vector"), false, "with_vector");
    boolean withVector = vectors.enabled();
    if (orderBy != null) {
      return router
          .scrollOrdered(
              c,
              orderBy,
              limit,
              filter,
              payload.enabled(),
              withVector,
              ConsistencyParam.parse(request))
          .thenApply(records -> RestResponse.ok(page(records, null, payload, vectors, c)));
    }
    return router
        .scroll(
            c,
            offset,
            limit,
            filter,
            payload.enabled(),
            withVector,
            ConsistencyParam.parse(request))
        .thenApply(
            page -> RestResponse.ok(page(page.points(), page.nextOffset(), payload, vectors, c)));
  }

  private ObjectNode page(
      java.util.List<PointRecord> records,
      PointId nextOffset,
      PayloadSelector payload,
      VectorSelector vectors,
      CollectionDescriptor c) {
    ObjectNode result = json.createObjectNode();
    ArrayNode points = result.putArray("points");
    for (PointRecord r : records) {
      points.add(results.in(c.config().vectors()).record(r, payload, vectors));
    }
    if (nextOffset == null) {
      result.putNull("next_page_offset");
    } else {
      results.putId(result, "next_page_offset", nextOffset);
    }
    return result;
  }

  private static int limit(JsonNode node) {
    if (node == null || node.isNull()) {
      return DEFAULT_LIMIT;
    }
    if (!node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > MAX_LIMIT) {
      throw ApiException.badRequest(
          "Validation error in JSON body: `limit` must be an integer in [1, "
              + MAX_LIMIT
              + "], got "
              + node);
    }
    return node.asInt();
  }
}
