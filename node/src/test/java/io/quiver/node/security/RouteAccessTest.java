package io.quiver.node.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.node.api.AliasesApi;
import io.quiver.node.api.ClusterApi;
import io.quiver.node.api.CollectionsApi;
import io.quiver.node.api.ExploreApi;
import io.quiver.node.api.FieldIndexApi;
import io.quiver.node.api.MetricsApi;
import io.quiver.node.api.PointsApi;
import io.quiver.node.api.PointsUpdateApi;
import io.quiver.node.api.QueryApi;
import io.quiver.node.api.ScrollApi;
import io.quiver.node.api.ServiceApi;
import io.quiver.node.api.SnapshotsApi;
import io.quiver.node.api.TelemetryApi;
import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRoutes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every route the node registers has its own access rule, and the rules mean what Qdrant's do. */
@Timeout(30)
class RouteAccessTest {

  /** The routes as QuiverNode registers them (handlers are never called, so no dependencies). */
  private static List<String> allRoutes() {
    ObjectMapper json = new ObjectMapper();
    RestRoutes routes = new RestRoutes();
    new ServiceApi(() -> null).register(routes);
    new CollectionsApi(null, null, json).register(routes);
    new AliasesApi(null, json).register(routes);
    new PointsApi(null, json).register(routes);
    new FieldIndexApi(null).register(routes);
    new PointsUpdateApi(null, json).register(routes);
    new ScrollApi(null, json).register(routes);
    new QueryApi(null, json).register(routes);
    new ExploreApi(null, json).register(routes);
    new ClusterApi(null, null, json, null).register(routes);
    new io.quiver.node.api.ShardReplicasApi(null, null, json).register(routes);
    new io.quiver.node.api.DashboardApi().register(routes);
    new MetricsApi(null).register(routes);
    new TelemetryApi(null, json).register(routes);
    new SnapshotsApi(Path.of("unused"), null, null, json).register(routes);
    return routes.templates();
  }

  @Test
  void everyRegisteredRouteIsClassified() {
    List<String> routes = allRoutes();
    assertTrue(routes.size() > 50, "routes found: " + routes.size());
    assertEquals(List.of(), RouteAccess.unclassified(routes), "add these routes to RouteAccess");
  }

  @Test
  void readsByPostAreReadsAndUnknownRoutesNeedManage() {
    for (String read :
        List.of("query", "query/batch", "search", "scroll", "count", "recommend", "discover")) {
      assertEquals(
          AccessRule.READ_COLLECTION,
          RouteAccess.of("POST", "/collections/{collection_name}/points/" + read),
          read);
    }
    assertEquals(
        AccessRule.WRITE_COLLECTION,
        RouteAccess.of("PUT", "/collections/{collection_name}/points"));
    assertEquals(
        AccessRule.MANAGE_COLLECTION, RouteAccess.of("DELETE", "/collections/{collection_name}"));
    assertEquals(AccessRule.OPEN, RouteAccess.of("GET", "/readyz"));
    assertEquals(
        AccessRule.OPEN,
        RouteAccess.of("GET", "/dashboard/assets/{file}"),
        "the UI's static files hold no data");
    assertEquals(
        AccessRule.READ_COLLECTION,
        RouteAccess.of("GET", "/collections/{collection_name}/cluster/replicas"));
    assertEquals(AccessRule.MANAGE_GLOBAL, RouteAccess.of("POST", "/some/future/route"));
  }

  @Test
  void accessLevelsAsQdrant() {
    Access readOnly = Access.READ_ONLY;
    readOnly.check(AccessRule.READ_COLLECTION, "a");
    readOnly.check(AccessRule.READ_GLOBAL, null);
    assertForbidden(
        "Forbidden: Global manage access is required",
        () -> readOnly.check(AccessRule.WRITE_COLLECTION, "a"));
    Access.MANAGE.check(AccessRule.MANAGE_GLOBAL, null);

    Access limited = new Access.Collections(Map.of("a", true, "b", false));
    limited.check(AccessRule.WRITE_COLLECTION, "a");
    limited.check(AccessRule.READ_COLLECTION, "b");
    limited.check(AccessRule.LISTING, null);
    assertForbidden(
        "Forbidden: Write access to collection b is required",
        () -> limited.check(AccessRule.WRITE_COLLECTION, "b"));
    assertForbidden(
        "Forbidden: Access to collection c is required",
        () -> limited.check(AccessRule.READ_COLLECTION, "c"));
    assertForbidden(
        "Forbidden: Manage access for this operation is required",
        () -> limited.check(AccessRule.MANAGE_COLLECTION, "a"));
    assertForbidden(
        "Forbidden: Global access is required", () -> limited.check(AccessRule.READ_GLOBAL, null));
    assertTrue(limited.canRead("b") && !limited.canRead("c"));
  }

  private static void assertForbidden(String message, Runnable check) {
    try {
      check.run();
    } catch (ApiException e) {
      assertEquals(403, e.status());
      assertEquals(message, e.getMessage());
      return;
    }
    throw new AssertionError("not refused: " + message);
  }
}
