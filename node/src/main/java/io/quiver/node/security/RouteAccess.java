package io.quiver.node.security;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place where every REST route is classified: open, read, write or manage, on one
 * collection or on the node (see {@link AccessRule}). Reads that use POST (query, search, scroll,
 * count, retrieve, facet, ...) are reads. A route missing here requires global manage access (fail
 * closed), and {@link #unclassified} names it so the node can warn at start.
 */
public final class RouteAccess {

  private static final String C = "/collections/{collection_name}";
  private static final String P = C + "/points";

  private static final Map<String, AccessRule> RULES = new HashMap<>();

  static {
    // Service: health checks are open; everything else needs a credential.
    open("GET /healthz", "GET /livez", "GET /readyz");
    // The web UI's static files hold no data; every API call the UI makes needs a credential.
    open("GET /dashboard", "GET /dashboard/{file}", "GET /dashboard/assets/{file}");
    rule(AccessRule.LISTING, "GET /", "GET /collections", "GET /aliases");
    rule(
        AccessRule.READ_GLOBAL,
        "GET /metrics",
        "GET /telemetry",
        "GET /cluster",
        "GET /cluster/rebalance",
        "GET /snapshots",
        "GET /snapshots/{snapshot_name}");
    rule(
        AccessRule.MANAGE_GLOBAL,
        "POST /collections/aliases",
        "DELETE /cluster/peer/{peer_id}",
        "POST /cluster/peer/{peer_id}/drain",
        "POST /cluster/rebalance",
        "POST /snapshots",
        "DELETE /snapshots/{snapshot_name}");

    // A collection as a whole.
    rule(
        AccessRule.READ_COLLECTION,
        "GET " + C,
        "GET " + C + "/exists",
        "GET " + C + "/aliases",
        "GET " + C + "/cluster",
        "GET " + C + "/cluster/replicas",
        "GET " + C + "/snapshots",
        "GET " + C + "/snapshots/{snapshot_name}");
    rule(
        AccessRule.MANAGE_COLLECTION,
        "PUT " + C,
        "PATCH " + C,
        "DELETE " + C,
        "POST " + C + "/cluster",
        "PUT " + C + "/snapshots/recover",
        "POST " + C + "/snapshots/upload",
        "PUT " + C + "/vectors/{vector_name}",
        "DELETE " + C + "/vectors/{vector_name}");
    rule(
        AccessRule.WRITE_COLLECTION,
        "POST " + C + "/snapshots",
        "DELETE " + C + "/snapshots/{snapshot_name}",
        "PUT " + C + "/index",
        "DELETE " + C + "/index/{field_name}");

    // Points: reads (many by POST) and writes.
    rule(
        AccessRule.READ_COLLECTION,
        "GET " + P + "/{id}",
        "POST " + P,
        "POST " + P + "/count",
        "POST " + P + "/scroll",
        "POST " + C + "/facet",
        "POST " + P + "/query",
        "POST " + P + "/query/batch",
        "POST " + P + "/query/groups",
        "POST " + P + "/search",
        "POST " + P + "/search/batch",
        "POST " + P + "/search/groups",
        "POST " + P + "/recommend",
        "POST " + P + "/recommend/batch",
        "POST " + P + "/recommend/groups",
        "POST " + P + "/discover",
        "POST " + P + "/discover/batch",
        "POST " + P + "/search/matrix/pairs",
        "POST " + P + "/search/matrix/offsets");
    rule(
        AccessRule.WRITE_COLLECTION,
        "PUT " + P,
        "POST " + P + "/delete",
        "POST " + P + "/payload",
        "PUT " + P + "/payload",
        "POST " + P + "/payload/delete",
        "POST " + P + "/payload/clear",
        "PUT " + P + "/vectors",
        "POST " + P + "/vectors/delete",
        "POST " + P + "/batch");
  }

  private RouteAccess() {}

  private static void open(String... routes) {
    rule(AccessRule.OPEN, routes);
  }

  private static void rule(AccessRule rule, String... routes) {
    for (String r : routes) {
      if (RULES.put(r, rule) != null) {
        throw new IllegalStateException("route classified twice: " + r);
      }
    }
  }

  /**
   * The rule of a route, by method and template ({@code POST
   * /collections/{collection_name}/points/query}).
   */
  public static AccessRule of(String method, String template) {
    return RULES.getOrDefault(method + " " + template, AccessRule.MANAGE_GLOBAL);
  }

  /** True when the route has its own rule here. */
  public static boolean isClassified(String method, String template) {
    return RULES.containsKey(method + " " + template);
  }

  /** The routes ({@code "METHOD /template"}) among {@code routes} that have no rule here. */
  public static List<String> unclassified(List<String> routes) {
    List<String> missing = new ArrayList<>();
    for (String r : routes) {
      if (!RULES.containsKey(r)) {
        missing.add(r);
      }
    }
    return missing;
  }
}
