package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.api.filter.FilterJson;
import io.quiver.node.http.ApiException;
import io.quiver.router.query.LookupLocation;
import io.quiver.router.query.Query;
import io.quiver.router.query.QueryRequest;
import io.quiver.router.query.QueryStage;
import io.quiver.router.query.ScoreFusion;
import io.quiver.router.query.VectorInput;
import io.quiver.storage.QuantizationSearchParams;
import io.quiver.storage.SearchParams;
import io.quiver.storage.SearchRequest;
import io.quiver.storage.VectorsConfig;
import io.quiver.storage.filter.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads Qdrant's Query API bodies ({@code QueryRequest}, {@code Prefetch}, {@code QueryInterface})
 * into the router's request tree. Every error is a 400 naming the field by its JSON path, e.g.
 * {@code query.recommend.positive[1]}.
 */
final class QueryJson {

  /** Qdrant's defaults. */
  static final int DEFAULT_LIMIT = 10;

  static final int DEFAULT_GROUP_SIZE = 3;

  /** Qdrant's limit on nested prefetches. */
  static final int PREFETCH_DEPTH_MAX = 64;

  /** A parsed request and how its hits are to be shown. */
  record Parsed(QueryRequest request, PayloadSelector payload, VectorSelector vector) {}

  private static final Set<String> QUERY_KINDS =
      Set.of(
          "nearest",
          "recommend",
          "discover",
          "context",
          "order_by",
          "fusion",
          "rrf",
          "formula",
          "sample",
          "relevance_feedback");

  private QueryJson() {}

  /**
   * A {@code QueryRequest} (or the common part of a {@code QueryGroupsRequest}) at {@code at} (""
   * for the body).
   */
  static Parsed request(JsonNode body, String at) {
    requireObject(body, at);
    rejectShardKey(body, at);
    QueryStage stage = stage(body, at, 0);
    int offset = integer(body.get("offset"), path(at, "offset"), 0, 0, SearchRequest.MAX_LIMIT);
    PayloadSelector payload = PayloadSelector.parse(body.get("with_payload"), false);
    VectorSelector vector =
        VectorSelector.of(body.get("with_vector"), false, path(at, "with_vector"));
    return new Parsed(
        new QueryRequest(stage, offset, payload.enabled(), vector.enabled()), payload, vector);
  }

  private static QueryStage stage(JsonNode node, String at, int depth) {
    requireObject(node, at);
    if (depth > PREFETCH_DEPTH_MAX) {
      throw bad(at, "nests prefetches deeper than " + PREFETCH_DEPTH_MAX + " levels");
    }
    List<QueryStage> prefetches = new ArrayList<>();
    JsonNode prefetch = node.get("prefetch");
    if (prefetch != null && !prefetch.isNull()) {
      String p = path(at, "prefetch");
      if (prefetch.isArray()) {
        for (int i = 0; i < prefetch.size(); i++) {
          prefetches.add(stage(prefetch.get(i), p + "[" + i + "]", depth + 1));
        }
      } else {
        prefetches.add(stage(prefetch, p, depth + 1));
      }
    }
    JsonNode queryNode = node.get("query");
    Query query =
        queryNode == null || queryNode.isNull() ? null : query(queryNode, node, path(at, "query"));
    String using = text(node.get("using"), path(at, "using"), VectorsConfig.DEFAULT);
    Filter filter = filter(node.get("filter"), path(at, "filter"));
    Float threshold = number(node.get("score_threshold"), path(at, "score_threshold"));
    int limit =
        integer(node.get("limit"), path(at, "limit"), DEFAULT_LIMIT, 1, SearchRequest.MAX_LIMIT);
    return new QueryStage(
        prefetches,
        query,
        using,
        filter,
        threshold,
        limit,
        lookup(node.get("lookup_from"), path(at, "lookup_from")),
        params(node.get("params"), path(at, "params")));
  }

  /**
   * Qdrant's {@code SearchParams}: {@code hnsw_ef}, {@code exact} and {@code quantization} ({@code
   * ignore}, {@code rescore}, {@code oversampling}). {@code indexed_only: true}, {@code acorn}
   * options and {@code idf} are refused by name (not implemented); their defaults are accepted.
   */
  static SearchParams params(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return SearchParams.DEFAULT;
    }
    requireObject(node, at);
    KnownFields.only(node, at, KnownFields.SEARCH_PARAMS);
    JsonNode ef = node.get("hnsw_ef");
    Integer hnswEf =
        ef == null || ef.isNull()
            ? null
            : integer(ef, path(at, "hnsw_ef"), 0, 1, SearchRequest.MAX_HNSW_EF);
    Boolean exact = bool(node.get("exact"), path(at, "exact"));
    if (Boolean.TRUE.equals(bool(node.get("indexed_only"), path(at, "indexed_only")))) {
      throw unsupported(
          path(at, "indexed_only"), "searching only indexed segments is not supported");
    }
    JsonNode acorn = node.get("acorn");
    if (acorn != null && !acorn.isNull()) {
      requireObject(acorn, path(at, "acorn"));
      KnownFields.only(acorn, path(at, "acorn"), KnownFields.ACORN_SEARCH_PARAMS);
      if (Boolean.TRUE.equals(bool(acorn.get("enable"), path(at, "acorn.enable")))) {
        throw unsupported(path(at, "acorn.enable"), "ACORN filtered search is not supported");
      }
      if (acorn.hasNonNull("max_selectivity")) {
        throw unsupported(
            path(at, "acorn.max_selectivity"), "ACORN filtered search is not supported");
      }
    }
    JsonNode idf = node.get("idf");
    if (idf != null && !idf.isNull() && !(idf.isTextual() && idf.asText().equals("global"))) {
      // "global" (collection-wide statistics) is what Quiver computes, and Qdrant's default.
      if (idf.isObject() && idf.has("corpus")) {
        throw unsupported(
            path(at, "idf.corpus"),
            "IDF statistics over a corpus filter are not supported; "
                + "they are computed over the whole collection (\"global\")");
      }
      throw ApiException.badRequest(
          "Wrong input: `" + path(at, "idf") + "` must be \"global\" or {\"corpus\": filter}");
    }
    return new SearchParams(
        hnswEf,
        exact != null && exact,
        quantizationParams(node.get("quantization"), path(at, "quantization")));
  }

  /** Qdrant's {@code QuantizationSearchParams}, or null when absent. */
  static QuantizationSearchParams quantizationParams(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return null;
    }
    requireObject(node, at);
    KnownFields.only(node, at, KnownFields.QUANTIZATION_SEARCH_PARAMS);
    Boolean ignore = bool(node.get("ignore"), path(at, "ignore"));
    Boolean rescore = bool(node.get("rescore"), path(at, "rescore"));
    JsonNode over = node.get("oversampling");
    Double oversampling = null;
    if (over != null && !over.isNull()) {
      if (!over.isNumber()
          || !(over.asDouble() >= 1)
          || over.asDouble() > QuantizationSearchParams.MAX_OVERSAMPLING) {
        throw bad(
            path(at, "oversampling"),
            "must be a number in [1, "
                + (int) QuantizationSearchParams.MAX_OVERSAMPLING
                + "], got "
                + over);
      }
      oversampling = over.asDouble();
    }
    return new QuantizationSearchParams(ignore != null && ignore, rescore, oversampling);
  }

  private static Boolean bool(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isBoolean()) {
      throw bad(at, "must be a boolean, got " + node);
    }
    return node.asBoolean();
  }

  /** Qdrant's {@code QueryInterface}: a vector input, or one of the query objects. */
  static Query query(JsonNode node, JsonNode stage, String at) {
    if (!node.isObject() || isVectorObject(node)) {
      return new Query.Nearest(vectorInput(node, at), null);
    }
    List<String> kinds = new ArrayList<>();
    node.fieldNames()
        .forEachRemaining(
            name -> {
              if (QUERY_KINDS.contains(name)) {
                kinds.add(name);
              }
            });
    if (kinds.size() != 1) {
      throw bad(
          at,
          "must be a vector, a point id, or an object with one of "
              + new java.util.TreeSet<>(QUERY_KINDS));
    }
    String kind = kinds.getFirst();
    JsonNode value = node.get(kind);
    if (node.hasNonNull("defaults") && !kind.equals("formula")) {
      throw bad(at + ".defaults", "is for a `formula` query only");
    }
    String p = at + "." + kind;
    return switch (kind) {
      case "nearest" -> new Query.Nearest(vectorInput(value, p), mmr(node.get("mmr"), at + ".mmr"));
      case "recommend" -> recommend(value, p);
      case "discover" -> {
        requireObject(value, p);
        yield new Query.Discover(
            vectorInput(required(value, "target", p), p + ".target"),
            pairs(value.get("context"), p + ".context"));
      }
      case "context" -> new Query.Context(pairs(value, p));
      case "fusion" -> fusion(value, p);
      case "rrf" -> rrf(value, p);
      case "sample" -> {
        if (!value.isTextual() || !value.asText().equals("random")) {
          throw bad(p, "must be \"random\"");
        }
        yield new Query.Sample();
      }
      case "order_by" -> new Query.OrderBy(OrderByJson.parse(value, p));
      case "formula" -> FormulaJson.parse(value, node.get("defaults"), p);
      case "relevance_feedback" ->
          throw unsupported(p, "relevance feedback queries are not supported yet");
      default -> throw bad(at, "unknown query kind " + kind);
    };
  }

  private static boolean isVectorObject(JsonNode node) {
    return node.has("indices")
        || node.has("text")
        || node.has("image")
        || node.has("object")
        || node.has("model");
  }

  /**
   * A list of vectors (a multivector query), flat: every row non-empty and of the first row's
   * length (the router checks that length against the queried multivector's size).
   */
  private static VectorInput multiVector(JsonNode node, String at) {
    if (node.size() > io.quiver.storage.MultiVectorParams.MAX_ROWS) {
      throw bad(
          at,
          "has "
              + node.size()
              + " vectors, at most "
              + io.quiver.storage.MultiVectorParams.MAX_ROWS
              + " are allowed");
    }
    float[][] rows = new float[node.size()][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = PointJson.floats(node.get(r), at + "[" + r + "]");
      if (rows[r].length != rows[0].length) {
        throw bad(
            at + "[" + r + "]",
            "has "
                + rows[r].length
                + " numbers but "
                + at
                + "[0] has "
                + rows[0].length
                + ": every vector of a multivector has the same size");
      }
    }
    int size = rows[0].length;
    float[] flat = new float[rows.length * size];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * size, size);
    }
    return new VectorInput.Dense(flat, size);
  }

  /**
   * Qdrant's {@code VectorInput}: a dense vector, a multivector, a sparse vector or a point id
   * (inference inputs are refused).
   */
  static VectorInput vectorInput(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      throw bad(at, "is required");
    }
    if (node.isArray()) {
      if (node.size() > 0 && node.get(0).isArray()) {
        return multiVector(node, at);
      }
      return new VectorInput.Dense(PointJson.floats(node, at));
    }
    if (node.isIntegralNumber() || node.isTextual()) {
      return new VectorInput.Id(PointJson.id(node, at));
    }
    if (node.isObject() && node.has("indices")) {
      return new VectorInput.Sparse(PointJson.sparseVector(node, at));
    }
    if (node.isObject()) {
      throw unsupported(at, "inference inputs (documents, images, objects) are not supported");
    }
    throw bad(at, "must be a vector or a point id, got " + node);
  }

  private static Query.Mmr mmr(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return null;
    }
    requireObject(node, at);
    Float diversity = number(node.get("diversity"), at + ".diversity");
    if (diversity != null && (diversity < 0f || diversity > 1f)) {
      throw bad(at + ".diversity", "must be in [0, 1], got " + diversity);
    }
    JsonNode limit = node.get("candidates_limit");
    Integer candidates =
        limit == null || limit.isNull()
            ? null
            : integer(limit, at + ".candidates_limit", 0, 0, 16_384);
    return new Query.Mmr(diversity == null ? 0.5f : diversity, candidates);
  }

  private static Query recommend(JsonNode node, String at) {
    requireObject(node, at);
    List<VectorInput> positive = inputs(node.get("positive"), at + ".positive");
    List<VectorInput> negative = inputs(node.get("negative"), at + ".negative");
    return new Query.Recommend(
        positive, negative, strategy(node.get("strategy"), at + ".strategy"));
  }

  static Query.Strategy strategy(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return Query.Strategy.AVERAGE_VECTOR;
    }
    return switch (node.isTextual() ? node.asText() : "") {
      case "average_vector" -> Query.Strategy.AVERAGE_VECTOR;
      case "best_score" -> Query.Strategy.BEST_SCORE;
      case "sum_scores" -> Query.Strategy.SUM_SCORES;
      default ->
          throw bad(at, "must be one of average_vector, best_score, sum_scores, got " + node);
    };
  }

  static List<VectorInput> inputs(JsonNode node, String at) {
    List<VectorInput> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw bad(at, "must be an array of vectors or point ids");
    }
    for (int i = 0; i < node.size(); i++) {
      out.add(vectorInput(node.get(i), at + "[" + i + "]"));
    }
    return out;
  }

  /** Qdrant's {@code ContextInput}: one pair, a list of pairs, or null. */
  static List<Query.Pair> pairs(JsonNode node, String at) {
    List<Query.Pair> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (node.isObject()) {
      out.add(pair(node, at));
      return out;
    }
    if (!node.isArray()) {
      throw bad(at, "must be a context pair or an array of them");
    }
    for (int i = 0; i < node.size(); i++) {
      out.add(pair(node.get(i), at + "[" + i + "]"));
    }
    return out;
  }

  private static Query.Pair pair(JsonNode node, String at) {
    requireObject(node, at);
    return new Query.Pair(
        vectorInput(required(node, "positive", at), at + ".positive"),
        vectorInput(required(node, "negative", at), at + ".negative"));
  }

  private static Query fusion(JsonNode node, String at) {
    String method = node.isTextual() ? node.asText() : "";
    return switch (method) {
      case "rrf" -> new Query.Fusion(Query.FusionMethod.RRF, ScoreFusion.DEFAULT_RRF_K, null);
      case "dbsf" -> new Query.Fusion(Query.FusionMethod.DBSF, 0, null);
      default -> throw bad(at, "must be \"rrf\" or \"dbsf\", got " + node);
    };
  }

  private static Query rrf(JsonNode node, String at) {
    requireObject(node, at);
    JsonNode k = node.get("k");
    int kValue =
        k == null || k.isNull()
            ? ScoreFusion.DEFAULT_RRF_K
            : integer(k, at + ".k", 0, 1, Integer.MAX_VALUE);
    List<Float> weights = null;
    JsonNode w = node.get("weights");
    if (w != null && !w.isNull()) {
      if (!w.isArray()) {
        throw bad(at + ".weights", "must be an array of numbers");
      }
      weights = new ArrayList<>();
      for (int i = 0; i < w.size(); i++) {
        weights.add(number(w.get(i), at + ".weights[" + i + "]"));
      }
    }
    return new Query.Fusion(Query.FusionMethod.RRF, kValue, weights);
  }

  static LookupLocation lookup(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return null;
    }
    requireObject(node, at);
    rejectShardKey(node, at);
    String collection = text(required(node, "collection", at), at + ".collection", null);
    String vector = text(node.get("vector"), at + ".vector", null);
    return new LookupLocation(collection, vector);
  }

  // ---- small readers ----

  static Filter filter(JsonNode node, String at) {
    return node == null || node.isNull() ? null : FilterJson.parse(node, at);
  }

  static JsonNode required(JsonNode object, String field, String at) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      throw bad(path(at, field), "is required");
    }
    return value;
  }

  static String text(JsonNode node, String at, String defaultValue) {
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.isTextual()) {
      throw bad(at, "must be a string");
    }
    return node.asText();
  }

  static Float number(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isNumber()) {
      throw bad(at, "must be a number, got " + node);
    }
    return node.floatValue();
  }

  static int integer(JsonNode node, String at, int defaultValue, int min, int max) {
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.isIntegralNumber()
        || !node.canConvertToLong()
        || node.asLong() < min
        || node.asLong() > max) {
      throw bad(at, "must be an integer in [" + min + ", " + max + "], got " + node);
    }
    return node.asInt();
  }

  static void requireObject(JsonNode node, String at) {
    if (node == null || !node.isObject()) {
      throw bad(at.isEmpty() ? "body" : at, "must be a JSON object");
    }
  }

  static void rejectShardKey(JsonNode node, String at) {
    JsonNode key = node.get("shard_key");
    if (key != null && !key.isNull()) {
      throw unsupported(path(at, "shard_key"), "user-defined shard keys are not supported");
    }
  }

  static String path(String at, String field) {
    return at.isEmpty() ? field : at + "." + field;
  }

  static ApiException bad(String at, String what) {
    return ApiException.badRequest("Validation error in JSON body: `" + at + "` " + what);
  }

  static ApiException unsupported(String at, String what) {
    return ApiException.badRequest("Wrong input: `" + at + "`: " + what);
  }
}
