package io.quiver.node.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The route table: method plus a path template such as {@code
 * /collections/{collection_name}/points/{id}}. Literal segments win over parameters, so {@code
 * /collections/aliases} is never read as a collection named "aliases".
 */
public final class RestRoutes {

  private record Route(String method, String template, String[] segments, RestHandler handler) {}

  /** A matched route: its template (for metrics and logs), path parameters and handler. */
  public record Match(String template, Map<String, String> pathParams, RestHandler handler) {}

  private final List<Route> routes = new ArrayList<>();

  public RestRoutes add(String method, String template, RestHandler handler) {
    routes.add(new Route(method, template, split(template), handler));
    return this;
  }

  /**
   * The route for a request, or null when no route has this path; when the path exists under
   * another method, {@code methodNotAllowed[0]} is set.
   */
  public Match find(String method, List<String> pathSegments, boolean[] methodNotAllowed) {
    Match best = null;
    int bestLiterals = -1;
    for (Route r : routes) {
      Map<String, String> params = match(r.segments(), pathSegments);
      if (params == null) {
        continue;
      }
      if (!r.method().equals(method)) {
        methodNotAllowed[0] = true;
        continue;
      }
      int literals = 0;
      for (String s : r.segments()) {
        if (!s.startsWith("{")) {
          literals++;
        }
      }
      if (literals > bestLiterals) {
        best = new Match(r.template(), params, r.handler());
        bestLiterals = literals;
      }
    }
    return best;
  }

  /**
   * Replaces every route's handler by {@code decorator(method, template, handler)} (checks that run
   * before handlers).
   */
  public RestRoutes decorate(Decorator decorator) {
    routes.replaceAll(
        r ->
            new Route(
                r.method(),
                r.template(),
                r.segments(),
                decorator.decorate(r.method(), r.template(), r.handler())));
    return this;
  }

  /** Wraps one route's handler. */
  @FunctionalInterface
  public interface Decorator {
    RestHandler decorate(String method, String template, RestHandler handler);
  }

  public List<String> templates() {
    return routes.stream().map(r -> r.method() + " " + r.template()).toList();
  }

  private static Map<String, String> match(String[] template, List<String> path) {
    if (template.length != path.size()) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < template.length; i++) {
      String t = template[i];
      if (t.startsWith("{")) {
        params.put(t.substring(1, t.length() - 1), path.get(i));
      } else if (!t.equals(path.get(i))) {
        return null;
      }
    }
    return params;
  }

  private static String[] split(String template) {
    return template.equals("/") ? new String[0] : template.substring(1).split("/");
  }
}
