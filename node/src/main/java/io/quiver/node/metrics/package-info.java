/**
 * The Prometheus metrics of {@code GET /metrics}: {@link io.quiver.node.metrics.NodeMetrics} (the
 * registry: Qdrant's app, collection and cluster families, the JVM's), {@link
 * io.quiver.node.metrics.RestMetrics} (Qdrant's {@code rest_responses_*}, by method, route template
 * and status) and {@link io.quiver.node.metrics.ReplicaMetrics} (Quiver's {@code quiver_raft_*} per
 * Raft group and {@code quiver_shard_*} per hosted replica, read when scraped).
 * docs/design/operations-internals.md, "Metrics", lists the families; {@code deploy/prometheus/}
 * and {@code deploy/grafana/} use them.
 */
package io.quiver.node.metrics;
