package io.quiver.node.api;

import static io.quiver.node.api.QueryJson.bad;
import static io.quiver.node.api.QueryJson.integer;
import static io.quiver.node.api.QueryJson.path;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.router.query.Query;
import io.quiver.router.query.QueryRequest;
import io.quiver.router.query.QueryStage;
import io.quiver.router.query.VectorInput;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.VectorsConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the bodies of the older endpoints ({@code points/search}, {@code recommend}, {@code
 * discover}, as {@code openapi-1.16.json} defines them) into Query API requests: search is a
 * nearest query, recommend a recommend query, discover a discover query (a context query when
 * {@code target} is absent).
 */
final class LegacyQueryJson {

  private LegacyQueryJson() {}

  /** {@code SearchRequest}: {@code vector} is an array or {@code {"name", "vector"}}. */
  static QueryJson.Parsed search(JsonNode body, String at) {
    QueryJson.requireObject(body, at);
    QueryJson.rejectShardKey(body, at);
    JsonNode vectorNode = QueryJson.required(body, "vector", at);
    String using = VectorsConfig.DEFAULT;
    String vectorAt = path(at, "vector");
    if (vectorNode.isObject()) {
      using =
          QueryJson.text(
              QueryJson.required(vectorNode, "name", vectorAt), vectorAt + ".name", null);
      JsonNode inner = QueryJson.required(vectorNode, "vector", vectorAt);
      if (inner.isObject()) { // NamedSparseVector
        Query sparse =
            new Query.Nearest(
                new VectorInput.Sparse(PointJson.sparseVector(inner, vectorAt + ".vector")), null);
        return parsed(body, at, sparse, using, true);
      }
      vectorAt = vectorAt + ".vector";
      vectorNode = inner;
    }
    if (vectorNode.size() > 0 && vectorNode.get(0).isArray()) {
      throw QueryJson.unsupported(vectorAt, "multi-vectors are not supported yet");
    }
    Query query =
        new Query.Nearest(new VectorInput.Dense(PointJson.floats(vectorNode, vectorAt)), null);
    return parsed(body, at, query, using, true);
  }

  /** {@code RecommendRequest}: positive / negative examples (ids or vectors) and a strategy. */
  static QueryJson.Parsed recommend(JsonNode body, String at) {
    QueryJson.requireObject(body, at);
    QueryJson.rejectShardKey(body, at);
    List<VectorInput> positive = QueryJson.inputs(body.get("positive"), path(at, "positive"));
    List<VectorInput> negative = QueryJson.inputs(body.get("negative"), path(at, "negative"));
    Query.Strategy strategy = QueryJson.strategy(body.get("strategy"), path(at, "strategy"));
    if (positive.isEmpty() && negative.isEmpty()) {
      throw bad(
          path(at, "positive"),
          "must not be empty: give at least one positive or negative example");
    }
    Query query = new Query.Recommend(positive, negative, strategy);
    return parsed(body, at, query, using(body.get("using"), path(at, "using")), true);
  }

  /** {@code DiscoverRequest}: target and context pairs; without a target, a context search. */
  static QueryJson.Parsed discover(JsonNode body, String at) {
    QueryJson.requireObject(body, at);
    QueryJson.rejectShardKey(body, at);
    List<Query.Pair> context = QueryJson.pairs(body.get("context"), path(at, "context"));
    JsonNode target = body.get("target");
    Query query =
        target == null || target.isNull()
            ? new Query.Context(context)
            : new Query.Discover(QueryJson.vectorInput(target, path(at, "target")), context);
    return parsed(body, at, query, using(body.get("using"), path(at, "using")), true);
  }

  /** {@code UsingVector}: a vector name. */
  private static String using(JsonNode node, String at) {
    return QueryJson.text(node, at, VectorsConfig.DEFAULT);
  }

  /**
   * The fields every older request shares: filter, limit (or {@code top}), offset, threshold,
   * lookup, with_*.
   */
  private static QueryJson.Parsed parsed(
      JsonNode body, String at, Query query, String using, boolean limitRequired) {
    JsonNode limitNode = body.has("limit") ? body.get("limit") : body.get("top");
    if (limitRequired && (limitNode == null || limitNode.isNull())) {
      throw bad(path(at, "limit"), "is required");
    }
    int limit =
        integer(limitNode, path(at, "limit"), QueryJson.DEFAULT_LIMIT, 1, SearchRequest.MAX_LIMIT);
    int offset = integer(body.get("offset"), path(at, "offset"), 0, 0, SearchRequest.MAX_LIMIT);
    QueryStage stage =
        new QueryStage(
            new ArrayList<>(),
            query,
            using,
            QueryJson.filter(body.get("filter"), path(at, "filter")),
            QueryJson.number(body.get("score_threshold"), path(at, "score_threshold")),
            limit,
            QueryJson.lookup(body.get("lookup_from"), path(at, "lookup_from")),
            QueryJson.params(body.get("params"), path(at, "params")));
    PayloadSelector payload = PayloadSelector.parse(body.get("with_payload"), false);
    VectorSelector vector =
        VectorSelector.of(body.get("with_vector"), false, path(at, "with_vector"));
    return new QueryJson.Parsed(
        new QueryRequest(stage, offset, payload.enabled(), vector.enabled()), payload, vector);
  }
}
