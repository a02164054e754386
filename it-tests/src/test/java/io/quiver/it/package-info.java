/**
 * Black-box integration tests: real node processes started from the built node artifact ({@link
 * io.quiver.it.NodeProcess}; clusters start several nodes at once, as operators do), driven only
 * over HTTP ({@link io.quiver.it.QdrantHttp}, {@link io.quiver.it.SpecClient}), one scenario per
 * {@code *IT} class, run by failsafe in {@code bin/quiver test}. Responses are validated against
 * Qdrant's OpenAPI spec where it is present ({@link io.quiver.it.OpenApiContract}; without it those
 * checks are skipped loudly, and fail under {@code CI=true}). Beyond single endpoints: the API
 * surface walk ({@code ApiSurfaceIT}), the settings rule ({@code SettingsRuleIT}), hostile input,
 * Qdrant's JavaScript client, crash recovery, shard moves and rebalancing, TLS and auth, containers
 * (Docker, compose) and the dashboard in a headless browser. A failed test leaves each node's log
 * ({@link io.quiver.it.NodeLogsOnFailure}).
 */
package io.quiver.it;
