package io.quiver.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.http.RestHandler;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestRoutes;
import io.quiver.router.PointsRouter;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.ReadConsistency;
import io.quiver.sharding.StrictModeConfig;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Enforces a collection's {@code strict_mode_config} at the REST edge of whichever node receives
 * the request: it wraps the points, query and index routes, reads the collection's config from the
 * cluster metadata (every node has it through the meta log), and refuses a request that breaks a
 * limit before its handler runs. Refusals use Qdrant's status and wording: its strict-mode errors
 * are bad requests, {@code "Bad request: <what>. Help: <how to fix>"} (400).
 *
 * <p>Collections without strict mode, or with it disabled, cost one metadata lookup per request.
 * The payload-index and point-count limits ask the shards (their payload schema / their counts) and
 * so cost one round trip when they are set.
 */
public final class StrictModeGuard {

  private static final String PREFIX = "/collections/{collection_name}";
  private static final Set<String> QUERIES =
      Set.of(
          "/points/query",
          "/points/search",
          "/points/recommend",
          "/points/discover",
          "/points/query/groups",
          "/points/search/groups",
          "/points/recommend/groups");
  private static final Set<String> BATCHES =
      Set.of(
          "/points/query/batch",
          "/points/search/batch",
          "/points/recommend/batch",
          "/points/discover/batch");
  private static final Set<String> FILTERED_READS =
      Set.of(
          "/points/count",
          "/facet",
          "/points/search/matrix/pairs",
          "/points/search/matrix/offsets");
  private static final Set<String> FILTERED_WRITES =
      Set.of(
          "/points/delete",
          "/points/payload",
          "/points/payload/delete",
          "/points/payload/clear",
          "/points/vectors/delete");

  /**
   * Qdrant's default {@code limit} of a scroll, counted against {@code max_query_limit} when
   * omitted.
   */
  private static final long SCROLL_DEFAULT_LIMIT = 10;

  private final PointsRouter router;
  private final StrictModeRateLimits rates = new StrictModeRateLimits();

  public StrictModeGuard(PointsRouter router) {
    this.router = router;
  }

  /** Wraps every route it guards. */
  public void guard(RestRoutes routes) {
    routes.decorate(
        (method, template, handler) -> {
          if (!template.startsWith(PREFIX + "/")) {
            return handler;
          }
          String route = template.substring(PREFIX.length());
          boolean guarded =
              QUERIES.contains(route)
                  || BATCHES.contains(route)
                  || FILTERED_READS.contains(route)
                  || FILTERED_WRITES.contains(route)
                  || route.equals("/points/scroll")
                  || route.equals("/points/batch")
                  || route.equals("/points")
                  || route.equals("/points/{id}")
                  || (route.equals("/points/vectors") && method.equals("PUT"))
                  || (route.equals("/index") && method.equals("PUT"));
          return guarded ? guarded(method + " " + route, handler) : handler;
        });
  }

  /**
   * @param endpoint the method, a space, and the route below the collection ({@code POST
   *     /points/query})
   */
  private RestHandler guarded(String endpoint, RestHandler handler) {
    String route = endpoint.substring(endpoint.indexOf(' ') + 1);
    boolean read =
        endpoint.startsWith("GET ") || endpoint.equals("POST /points") || !isWrite(route);
    return request -> {
      CollectionDescriptor c = router.collection(request.pathParam("collection_name"));
      StrictModeConfig s = c.config().strictMode();
      if (s == null || !s.active()) {
        return handler.handle(request);
      }
      checkTimeout(request, s);
      JsonNode body = request.method().equals("GET") ? null : request.jsonBody(false);
      if (body != null && !body.isObject()) {
        return handler.handle(request); // the handler answers a malformed body
      }
      return check(read && route.equals("/points") ? "/points (retrieve)" : route, body, c, s)
          .thenCompose(
              ok -> {
                Long perMinute = read ? s.readRateLimit() : s.writeRateLimit();
                if (perMinute != null && !route.equals("/index")) {
                  rates.acquire(c.name(), !read, perMinute, cost(route, body, read));
                }
                return handler.handle(request);
              });
    };
  }

  private static boolean isWrite(String route) {
    return FILTERED_WRITES.contains(route)
        || route.equals("/points")
        || route.equals("/points/vectors")
        || route.equals("/points/batch")
        || route.equals("/index");
  }

  /**
   * Tokens a request takes: one per search of a read, one per point a write names (one for a
   * filter).
   */
  private static long cost(String route, JsonNode body, boolean read) {
    if (body == null) {
      return 1;
    }
    if (read) {
      return BATCHES.contains(route) ? Math.max(1, body.path("searches").size()) : 1;
    }
    if (route.equals("/points/batch")) {
      long total = 0;
      for (JsonNode op : body.path("operations")) {
        for (JsonNode inner : op) {
          total += pointsNamed(inner);
        }
      }
      return Math.max(1, total);
    }
    return pointsNamed(body);
  }

  private static long pointsNamed(JsonNode body) {
    JsonNode points = body.get("points");
    if (points != null && points.isArray()) {
      return Math.max(1, points.size());
    }
    JsonNode ids = body.path("batch").get("ids");
    return ids != null && ids.isArray() ? Math.max(1, ids.size()) : 1;
  }

  private CompletableFuture<Void> check(
      String route, JsonNode body, CollectionDescriptor c, StrictModeConfig s) {
    if (body == null) {
      return done();
    }
    StrictModeRules rules = new StrictModeRules(s);
    if (QUERIES.contains(route)) {
      rules.query(body, false);
      return filterKeys(c, rules, false);
    }
    if (BATCHES.contains(route)) {
      JsonNode searches = body.get("searches");
      if (searches != null && searches.isArray()) {
        rules.limit(searches.size(), s.searchMaxBatchsize(), "search batch size");
        searches.forEach(q -> rules.query(q, false));
      }
      return filterKeys(c, rules, false);
    }
    switch (route) {
      case "/points (retrieve)" -> {
        return done(); // by ids: nothing strict mode limits but the read rate
      }
      case "/points/scroll" -> {
        rules.query(body, true);
        return filterKeys(c, rules, false);
      }
      case "/points" -> {
        rules.upsert(body, "upsert limit", c.config().vectors());
        return pointsCount(c, s);
      }
      case "/points/vectors" -> {
        JsonNode points = body.get("points");
        if (points != null && points.isArray()) {
          rules.limit(points.size(), s.upsertMaxBatchsize(), "update limit");
        }
        return done();
      }
      case "/points/batch" -> {
        boolean upserts = rules.operations(body.get("operations"), c.config().vectors());
        return filterKeys(c, rules, true).thenCompose(ok -> upserts ? pointsCount(c, s) : done());
      }
      case "/index" -> {
        return payloadIndexCount(c, s, body);
      }
      default -> {
        boolean write = FILTERED_WRITES.contains(route);
        rules.filter(body.get("filter"), write);
        if (route.equals("/facet")) {
          rules.query(body, false);
        }
        return filterKeys(c, rules, write);
      }
    }
  }

  /** {@code max_timeout} against the {@code timeout} query parameter (seconds). */
  private static void checkTimeout(RestRequest request, StrictModeConfig s) {
    String timeout = request.queryParam("timeout");
    if (s.maxTimeout() == null || timeout == null || timeout.isBlank()) {
      return;
    }
    try {
      if (new BigDecimal(timeout.trim()).compareTo(BigDecimal.valueOf(s.maxTimeout())) > 0) {
        throw StrictModeRules.exceeded(timeout.trim(), s.maxTimeout(), "timeout");
      }
    } catch (NumberFormatException e) {
      // TimeoutParam refuses it by name in the handler
    }
  }

  /** {@code unindexed_filtering_retrieve / _update}: every filtered key needs a payload index. */
  private CompletableFuture<Void> filterKeys(
      CollectionDescriptor c, StrictModeRules rules, boolean write) {
    StrictModeConfig s = rules.config();
    boolean refuse =
        write
            ? Boolean.FALSE.equals(s.unindexedFilteringUpdate())
            : Boolean.FALSE.equals(s.unindexedFilteringRetrieve());
    Map<String, TreeSet<String>> keys = write ? rules.writeKeys() : rules.readKeys();
    if (!refuse || keys.isEmpty()) {
      return done();
    }
    return router
        .payloadSchema(c, ReadConsistency.LEADER)
        .thenAccept(
            indexed -> {
              for (Map.Entry<String, TreeSet<String>> key : keys.entrySet()) {
                if (!indexed.containsKey(key.getKey())) {
                  throw StrictModeRules.forbidden(
                      "Index required but not found for \""
                          + key.getKey()
                          + "\" of one of the following types: ["
                          + String.join(", ", key.getValue())
                          + "]",
                      "Create an index for this key or use a different filter.");
                }
              }
            });
  }

  /** {@code max_points_count}: refused once the collection holds that many points. */
  private CompletableFuture<Void> pointsCount(CollectionDescriptor c, StrictModeConfig s) {
    if (s.maxPointsCount() == null) {
      return done();
    }
    return router
        .info(c, ReadConsistency.LEADER)
        .thenAccept(
            info -> {
              if (info.points() >= s.maxPointsCount()) {
                throw StrictModeRules.forbidden(
                    "Max points count limit of " + s.maxPointsCount() + " reached!",
                    "Delete points or raise `max_points_count` in the strict mode config of this collection.");
              }
            });
  }

  /**
   * {@code max_payload_index_count}: a new index beyond it is refused (re-creating an existing one
   * is not).
   */
  private CompletableFuture<Void> payloadIndexCount(
      CollectionDescriptor c, StrictModeConfig s, JsonNode body) {
    if (s.maxPayloadIndexCount() == null) {
      return done();
    }
    String field = body.path("field_name").asText("");
    return router
        .payloadSchema(c, ReadConsistency.LEADER)
        .thenAccept(
            indexed -> {
              if (!indexed.containsKey(field)) {
                StrictModeRules.limitOf(
                    indexed.size() + 1, s.maxPayloadIndexCount(), "payload index count");
              }
            });
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }
}
