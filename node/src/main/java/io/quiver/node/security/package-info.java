/**
 * Who may call what, with Qdrant's names and outcomes: API keys and a read-only key, JWTs signed
 * with the API key ({@link io.quiver.node.security.JwtTokens}: {@code exp}, {@code access} per
 * collection, {@code value_exists} checked against the data by {@link
 * io.quiver.node.security.ValueExistsCheck}). {@link io.quiver.node.security.RouteAccess}
 * classifies every REST route once (open, read, write, manage; on one collection or the node) and
 * {@link io.quiver.node.security.RequestAuthorizer} checks each request against it (401, 403).
 * {@link io.quiver.node.security.RestSecurity} builds this and the TLS of the REST server and of
 * the Raft transport from the configuration.
 */
package io.quiver.node.security;
