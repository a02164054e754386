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
import io.quiver.router.query.PointGroups;
import io.quiver.router.query.QueryEngine;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.storage.ScoreScale;
import io.quiver.storage.filter.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * The Query API ({@code points/query}, {@code /batch}, {@code /groups}) and the older endpoints
 * mapped onto it ({@code points/search}, {@code recommend}, {@code discover} with their {@code
 * /batch} and {@code /groups} forms). Parsing is in {@link QueryJson} and {@link LegacyQueryJson};
 * the work is the router's {@link QueryEngine}.
 */
public final class QueryApi {

  private static final String POINTS = "/collections/{collection_name}/points";

  /** Most requests one batch may carry. */
  private static final int BATCH_MAX = 1_000;

  private final PointsRouter router;
  private final QueryEngine engine;
  private final ObjectMapper json;
  private final ResultJson results;

  public QueryApi(PointsRouter router, ObjectMapper json) {
    this.router = router;
    this.engine = new QueryEngine(router);
    this.json = json;
    this.results = new ResultJson(json);
  }

  public void register(RestRoutes routes) {
    routes
        .add("POST", POINTS + "/query", r -> single(r, QueryJson::request, true))
        .add("POST", POINTS + "/query/batch", r -> batch(r, QueryJson::request, true))
        .add("POST", POINTS + "/query/groups", r -> groups(r, QueryJson::request, "limit"))
        .add("POST", POINTS + "/search", r -> single(r, LegacyQueryJson::search, false))
        .add("POST", POINTS + "/search/batch", r -> batch(r, LegacyQueryJson::search, false))
        .add("POST", POINTS + "/search/groups", r -> groups(r, LegacyQueryJson::search, "limit"))
        .add("POST", POINTS + "/recommend", r -> single(r, LegacyQueryJson::recommend, false))
        .add("POST", POINTS + "/recommend/batch", r -> batch(r, LegacyQueryJson::recommend, false))
        .add(
            "POST",
            POINTS + "/recommend/groups",
            r -> groups(r, LegacyQueryJson::recommend, "limit"))
        .add("POST", POINTS + "/discover", r -> single(r, LegacyQueryJson::discover, false))
        .add("POST", POINTS + "/discover/batch", r -> batch(r, LegacyQueryJson::discover, false));
  }

  /** One request; the Query API answers {@code {"points": [...]}}, the older ones a bare list. */
  private CompletableFuture<RestResponse> single(
      RestRequest request,
      BiFunction<JsonNode, String, QueryJson.Parsed> parser,
      boolean queryApi) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    QueryEngine engine = engine(request);
    QueryJson.Parsed parsed = parser.apply(request.jsonBody(!queryApi), "");
    return run(engine, c, parsed, ConsistencyParam.parse(request))
        .thenApply(hits -> RestResponse.ok(queryApi ? points(hits) : hits));
  }

  private CompletableFuture<RestResponse> batch(
      RestRequest request,
      BiFunction<JsonNode, String, QueryJson.Parsed> parser,
      boolean queryApi) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    QueryEngine engine = engine(request); // one clock for the whole batch
    JsonNode searches = QueryJson.required(request.jsonBody(true), "searches", "");
    if (!searches.isArray() || searches.size() > BATCH_MAX) {
      throw QueryJson.bad("searches", "must be an array of at most " + BATCH_MAX + " requests");
    }
    List<QueryJson.Parsed> parsed = new ArrayList<>();
    for (int i = 0; i < searches.size(); i++) {
      parsed.add(parser.apply(searches.get(i), "searches[" + i + "]"));
    }
    ReadConsistency consistency = ConsistencyParam.parse(request);
    List<CompletableFuture<ArrayNode>> parts = new ArrayList<>();
    parsed.forEach(p -> parts.add(run(engine, c, p, consistency)));
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              ArrayNode out = json.createArrayNode();
              parts.forEach(part -> out.add(queryApi ? points(part.join()) : part.join()));
              return RestResponse.ok(out);
            });
  }

  /** The engine for one request: bounded by its {@code timeout} when it has one. */
  private QueryEngine engine(RestRequest request) {
    Duration timeout = TimeoutParam.parse(request);
    return timeout == null ? engine : new QueryEngine(router.withTimeout(timeout));
  }

  private CompletableFuture<ArrayNode> run(
      QueryEngine engine,
      CollectionDescriptor c,
      QueryJson.Parsed parsed,
      ReadConsistency consistency) {
    checkVectorNames(c, parsed.vector(), "with_vector");
    return engine
        .query(c, parsed.request(), consistency)
        .thenApply(
            hits ->
                results
                    .in(c.config().vectors())
                    .scored(
                        hits,
                        QueryEngine.scale(c, parsed.request()),
                        parsed.payload(),
                        parsed.vector()));
  }

  private ObjectNode points(ArrayNode hits) {
    ObjectNode result = json.createObjectNode();
    result.set("points", hits);
    return result;
  }

  /** {@code group_by}, {@code group_size} and {@code with_lookup} beside a request of any kind. */
  private CompletableFuture<RestResponse> groups(
      RestRequest request,
      BiFunction<JsonNode, String, QueryJson.Parsed> parser,
      String limitField) {
    CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
    QueryEngine engine = engine(request);
    JsonNode body = request.jsonBody(true);
    QueryJson.Parsed parsed = parser.apply(body, "");
    String groupByText = QueryJson.text(QueryJson.required(body, "group_by", ""), "group_by", null);
    JsonPath groupBy;
    try {
      groupBy = JsonPath.parse(groupByText);
    } catch (IllegalArgumentException e) {
      throw QueryJson.bad("group_by", e.getMessage());
    }
    int groupSize =
        QueryJson.integer(
            body.get("group_size"), "group_size", QueryJson.DEFAULT_GROUP_SIZE, 1, 10_000);
    int limit =
        QueryJson.integer(body.get(limitField), limitField, QueryJson.DEFAULT_LIMIT, 1, 10_000);
    Lookup lookup = lookup(body.get("with_lookup"));
    checkVectorNames(c, parsed.vector(), "with_vector");
    QueryEngine.GroupLookup groupLookup =
        lookup == null
            ? null
            : new QueryEngine.GroupLookup(
                lookup.collection(), lookup.payload().enabled(), lookup.vector().enabled());
    if (lookup != null) {
      router.collection(lookup.collection());
    }
    return engine
        .groups(
            c,
            parsed.request(),
            groupBy,
            groupSize,
            limit,
            groupLookup,
            ConsistencyParam.parse(request))
        .thenApply(
            groups -> {
              ObjectNode result = json.createObjectNode();
              ArrayNode array = result.putArray("groups");
              ScoreScale scale = QueryEngine.scale(c, parsed.request());
              for (PointGroups.Group g : groups) {
                ObjectNode group = array.addObject();
                group.set(
                    "hits",
                    results
                        .in(c.config().vectors())
                        .scored(g.hits(), scale, parsed.payload(), parsed.vector()));
                if (g.id().integer() != null) {
                  group.put("id", g.id().integer());
                } else {
                  group.put("id", g.id().string());
                }
                if (lookup != null) {
                  group.set(
                      "lookup",
                      g.lookup() == null
                          ? json.nullNode()
                          : results
                              .in(router.collection(lookup.collection()).config().vectors())
                              .record(g.lookup(), lookup.payload(), lookup.vector()));
                }
              }
              return RestResponse.ok(result);
            });
  }

  private record Lookup(String collection, PayloadSelector payload, VectorSelector vector) {}

  /**
   * Qdrant's {@code WithLookupInterface}: a collection name, or {@code {collection, with_payload,
   * with_vectors}}.
   */
  private static Lookup lookup(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return new Lookup(node.asText(), PayloadSelector.ALL, VectorSelector.NONE);
    }
    QueryJson.requireObject(node, "with_lookup");
    String collection =
        QueryJson.text(
            QueryJson.required(node, "collection", "with_lookup"), "with_lookup.collection", null);
    return new Lookup(
        collection,
        PayloadSelector.parse(node.get("with_payload"), true),
        VectorSelector.of(node.get("with_vectors"), false, "with_lookup.with_vectors"));
  }

  private static void checkVectorNames(
      CollectionDescriptor c, VectorSelector selector, String field) {
    if (selector.names() == null) {
      return;
    }
    for (String name : selector.names()) {
      if (c.config().vectors().get(name) == null
          && c.config().vectors().getSparse(name) == null
          && c.config().vectors().getMulti(name) == null) {
        throw ApiException.badRequest("Wrong input: Not existing vector name error: " + name);
      }
    }
  }
}
