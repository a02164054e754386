/**
 * The HTTP layer under the API, independent of any endpoint: the Netty server ({@link
 * io.quiver.node.http.HttpServer}, with TLS from {@link io.quiver.node.http.ReloadingSslContext}),
 * the route table ({@link io.quiver.node.http.RestRoutes}), and the {@link
 * io.quiver.node.http.RestDispatcher} that turns a request into a {@link
 * io.quiver.node.http.RestRequest}, runs its {@link io.quiver.node.http.RestHandler} and writes the
 * result or the error in Qdrant's envelope. The protections every request gets live here too: the
 * body size limit, {@link io.quiver.node.http.ConcurrencyLimit} (429), {@link
 * io.quiver.node.http.SlowRequestGuard} (408 for slow-loris clients), and {@link
 * io.quiver.node.http.ErrorText} / {@link io.quiver.node.http.JsonErrorText}, which keep Java class
 * names out of error messages.
 */
package io.quiver.node.http;
