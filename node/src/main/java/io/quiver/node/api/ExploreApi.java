package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import io.quiver.router.PointsRouter;
import io.quiver.router.query.SearchMatrix;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.storage.PointId;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.VectorsConfig;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.scoring.FacetValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Exploring a collection: {@code POST /collections/{c}/facet} (how many points have each value of a
 * payload key) and {@code points/search/matrix/pairs} and {@code /offsets} (a random sample and
 * each sampled point's nearest sampled neighbours).
 */
public final class ExploreApi {

  /** Qdrant's defaults: 10 facet hits, a sample of 10, 3 neighbours each. */
  private static final int DEFAULT_FACET_LIMIT = 10;

  private static final int DEFAULT_SAMPLE = 10;
  private static final int DEFAULT_NEIGHBOURS = 3;
  private static final int SAMPLE_MAX = 10_000;

  private final PointsRouter router;
  private final SearchMatrix matrix;
  private final ObjectMapper json;
  private final ResultJson results;

  public ExploreApi(PointsRouter router, ObjectMapper json) {
    this.router = router;
    this.matrix = new SearchMatrix(router);
    this.json = json;
    this.results = new ResultJson(json);
  }

  public void register(RestRoutes routes) {
    routes
        .add("POST", "/collections/{collection_name}/facet", this::facet)
        .add(
            "POST",
            "/collections/{collection_name}/points/search/matrix/pairs",
            r -> matrix(r, true))
        .add(
            "POST",
            "/collections/{collection_name}/points/search/matrix/offsets",
            r -> matrix(r, false));
  }

  /**
   * Counts are always exact ({@code exact} is accepted either way), and a key needs no payload
   * index. Hits: count descending, then value ascending (strings, then integers, then booleans).
   */
  private CompletableFuture<RestResponse> facet(RestRequest request) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    PointsRouter router = TimeoutParam.router(this.router, request);
    JsonNode body = request.jsonBody(true);
    QueryJson.rejectShardKey(body, "");
    String keyText = QueryJson.text(QueryJson.required(body, "key", ""), "key", null);
    JsonPath key;
    try {
      key = JsonPath.parse(keyText);
    } catch (IllegalArgumentException e) {
      throw QueryJson.bad("key", e.getMessage());
    }
    int limit = QueryJson.integer(body.get("limit"), "limit", DEFAULT_FACET_LIMIT, 1, 100_000);
    if (body.hasNonNull("exact") && !body.get("exact").isBoolean()) {
      throw QueryJson.bad("exact", "must be a boolean");
    }
    var filter = QueryJson.filter(body.get("filter"), "filter");
    return router
        .facet(c, key, filter, ConsistencyParam.parse(request))
        .thenApply(
            counts -> {
              List<Map.Entry<FacetValue, Long>> entries = new ArrayList<>(counts.entrySet());
              entries.sort(
                  Map.Entry.<FacetValue, Long>comparingByValue(Comparator.reverseOrder())
                      .thenComparing(Map.Entry.comparingByKey()));
              ObjectNode result = json.createObjectNode();
              ArrayNode hits = result.putArray("hits");
              for (Map.Entry<FacetValue, Long> e :
                  entries.subList(0, Math.min(limit, entries.size()))) {
                ObjectNode hit = hits.addObject();
                FacetValue v = e.getKey();
                switch (v.kind()) {
                  case STRING -> hit.put("value", v.string());
                  case INTEGER -> hit.put("value", v.integer());
                  case BOOL -> hit.put("value", v.bool());
                }
                hit.put("count", e.getValue());
              }
              return RestResponse.ok(result);
            });
  }

  private CompletableFuture<RestResponse> matrix(RestRequest request, boolean pairs) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    Duration timeout = TimeoutParam.parse(request);
    SearchMatrix matrix =
        timeout == null ? this.matrix : new SearchMatrix(router.withTimeout(timeout));
    JsonNode body = request.jsonBody(false);
    QueryJson.rejectShardKey(body, "");
    int sample = QueryJson.integer(body.get("sample"), "sample", DEFAULT_SAMPLE, 2, SAMPLE_MAX);
    int limit = QueryJson.integer(body.get("limit"), "limit", DEFAULT_NEIGHBOURS, 1, SAMPLE_MAX);
    String using = QueryJson.text(body.get("using"), "using", VectorsConfig.DEFAULT);
    var filter = QueryJson.filter(body.get("filter"), "filter");
    return matrix
        .compute(c, using, filter, sample, limit, ConsistencyParam.parse(request))
        .thenApply(m -> RestResponse.ok(pairs ? pairs(m) : offsets(m)));
  }

  private ObjectNode pairs(SearchMatrix.Result m) {
    ObjectNode result = json.createObjectNode();
    ArrayNode pairs = result.putArray("pairs");
    for (int row = 0; row < m.ids().size(); row++) {
      for (ScoredPoint p : m.nearest().get(row)) {
        ObjectNode pair = pairs.addObject();
        results.putId(pair, "a", m.ids().get(row));
        results.putId(pair, "b", p.id());
        pair.put("score", m.scale().reported(p.score()));
      }
    }
    return result;
  }

  private ObjectNode offsets(SearchMatrix.Result m) {
    Map<PointId, Integer> offsetOf = new HashMap<>();
    for (int i = 0; i < m.ids().size(); i++) {
      offsetOf.put(m.ids().get(i), i);
    }
    ObjectNode result = json.createObjectNode();
    ArrayNode rows = result.putArray("offsets_row");
    ArrayNode cols = result.putArray("offsets_col");
    ArrayNode scores = result.putArray("scores");
    for (int row = 0; row < m.ids().size(); row++) {
      for (ScoredPoint p : m.nearest().get(row)) {
        rows.add(row);
        cols.add(offsetOf.get(p.id()));
        scores.add(m.scale().reported(p.score()));
      }
    }
    ArrayNode ids = result.putArray("ids");
    for (PointId id : m.ids()) {
      ObjectNode holder = json.createObjectNode();
      results.putId(holder, id);
      ids.add(holder.get("id"));
    }
    return result;
  }
}
