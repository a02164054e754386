package io.quiver.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestRequest;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard's static files: served from the class path with their types and caching; nothing
 * else is.
 */
@Timeout(30)
class DashboardApiTest {

  private final RestRoutes routes = new RestRoutes();

  DashboardApiTest() {
    new DashboardApi().register(routes);
  }

  private RestResponse get(String... segments) {
    RestRoutes.Match match = routes.find("GET", List.of(segments), new boolean[1]);
    return match
        .handler()
        .handle(new RestRequest("GET", match.pathParams(), Map.of(), null, new byte[0], null))
        .join();
  }

  @Test
  void servesTheBundleWithTypesAndCaching() {
    Assumptions.assumeTrue(
        getClass().getResource("/dashboard/index.html") != null,
        "SKIPPED DashboardApiTest.servesTheBundleWithTypesAndCaching: built with -Dquiver.ui.skip (no bundle on the class path)");
    RestResponse index = get("dashboard");
    assertEquals(200, index.status());
    assertEquals("text/html; charset=utf-8", index.contentType());
    assertEquals("no-cache", index.headers().get("Cache-Control"));
    String html = new String(index.rawBody(), StandardCharsets.UTF_8);
    var script =
        java.util.regex.Pattern.compile("/dashboard/assets/([A-Za-z0-9._-]+\\.js)").matcher(html);
    assertTrue(script.find(), html);
    RestResponse js = get("dashboard", "assets", script.group(1));
    assertEquals("text/javascript; charset=utf-8", js.contentType());
    assertEquals("public, max-age=31536000, immutable", js.headers().get("Cache-Control"));
    assertEquals("nosniff", js.headers().get("X-Content-Type-Options"));
  }

  @Test
  void unknownOrUnsafeNamesAre404() {
    for (String name : List.of("nothing.js", "..", ".hidden", "a%2F..%2Findex.html")) {
      ApiException e =
          assertThrows(ApiException.class, () -> get("dashboard", "assets", name), name);
      assertEquals(404, e.status(), name);
    }
    // The path decoder hands a decoded segment over; a slash inside it is refused by name.
    assertEquals(
        404, assertThrows(ApiException.class, () -> get("dashboard", "../../etc/passwd")).status());
  }

  @Test
  void contentTypesByExtension() {
    assertEquals("text/css; charset=utf-8", DashboardApi.contentType("assets/index-abc.css"));
    assertEquals("image/svg+xml", DashboardApi.contentType("logo.svg"));
    assertEquals("application/octet-stream", DashboardApi.contentType("README"));
  }
}
