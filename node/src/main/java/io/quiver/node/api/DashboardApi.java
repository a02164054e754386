package io.quiver.node.api;

import io.quiver.node.http.ApiException;
import io.quiver.node.http.RestResponse;
import io.quiver.node.http.RestRoutes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web UI at {@code /dashboard}: the static files that the node's build bundled from {@code
 * node/src/main/ui} (Vite) into the jar under {@code dashboard/}. They need no API key (they hold
 * no data); every API call the UI makes does.
 *
 * <p>Caching: {@code index.html} is revalidated on every load ({@code no-cache}); the files under
 * {@code assets/} carry a content hash in their names, so browsers keep them for a year ({@code
 * immutable}). Files are read from the class path once and kept (the whole UI is tens of KB).
 */
public final class DashboardApi {

  /** Where the bundle lives on the class path. */
  static final String RESOURCE_ROOT = "/dashboard/";

  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Map<String, String> CONTENT_TYPES =
      Map.ofEntries(
          Map.entry("html", "text/html; charset=utf-8"),
          Map.entry("js", "text/javascript; charset=utf-8"),
          Map.entry("css", "text/css; charset=utf-8"),
          Map.entry("json", "application/json"),
          Map.entry("map", "application/json"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("png", "image/png"),
          Map.entry("ico", "image/x-icon"),
          Map.entry("woff2", "font/woff2"),
          Map.entry("txt", "text/plain; charset=utf-8"));

  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  public void register(RestRoutes routes) {
    routes
        .add("GET", "/dashboard", r -> serve("index.html", "no-cache"))
        .add("GET", "/dashboard/{file}", r -> serve(checked(r.pathParam("file")), "no-cache"))
        .add(
            "GET",
            "/dashboard/assets/{file}",
            r ->
                serve(
                    "assets/" + checked(r.pathParam("file")),
                    "public, max-age=31536000, immutable"));
  }

  private CompletableFuture<RestResponse> serve(String path, String cacheControl) {
    byte[] body = file(path);
    if (body == null) {
      boolean built = file("index.html") != null;
      throw new ApiException(
          404,
          built
              ? "Not found: the dashboard has no file " + path
              : "Not found: this node was built without its dashboard (-Dquiver.ui.skip, or no npm at build time)");
    }
    return CompletableFuture.completedFuture(
        RestResponse.raw(200, body, contentType(path))
            .withHeader("Cache-Control", cacheControl)
            .withHeader("X-Content-Type-Options", "nosniff"));
  }

  /** A file of the bundle, or null; only files that exist are kept (a name asked for is not). */
  private byte[] file(String path) {
    byte[] body = files.get(path);
    if (body == null) {
      body = load(path);
      if (body != null) {
        files.putIfAbsent(path, body);
      }
    }
    return body;
  }

  private static String checked(String name) {
    if (!FILE_NAME.matcher(name).matches()) {
      throw new ApiException(404, "Not found: the dashboard has no file " + name);
    }
    return name;
  }

  private static byte[] load(String path) {
    try (InputStream in = DashboardApi.class.getResourceAsStream(RESOURCE_ROOT + path)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the dashboard's " + path + " from the node's jar", e);
    }
  }

  static String contentType(String path) {
    int dot = path.lastIndexOf('.');
    return CONTENT_TYPES.getOrDefault(
        dot < 0 ? "" : path.substring(dot + 1), "application/octet-stream");
  }
}
