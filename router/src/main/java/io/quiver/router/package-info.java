/**
 * Requests about points, arriving at any node, turned into per-shard calls: {@link
 * io.quiver.router.PointsRouter} splits writes by shard and sends each part to that shard's {@link
 * io.quiver.sharding.ShardClient}, fans reads out to every shard in parallel under one deadline
 * ({@link io.quiver.router.RequestTimeoutException} when the caller's {@code timeout} expires), and
 * merges the answers ({@link io.quiver.router.TopKMerger}: per-shard lists, best first, into one
 * page of the global order). {@link io.quiver.router.WriteOutcome} reports a write sent to several
 * shards as one operation id or as a failure that says which shards and points were applied. The
 * router sees only shard maps and the {@code ShardClient} interface, so it cannot tell how a
 * shard's replicas are reached; the Query API is built on it in {@code io.quiver.router.query}.
 */
package io.quiver.router;
