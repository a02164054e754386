/**
 * Qdrant's Query API over a sharded collection. A {@link io.quiver.router.query.QueryRequest} is a
 * tree of {@link io.quiver.router.query.QueryStage}s (the root and its prefetches), each scoring
 * its candidates by a {@link io.quiver.router.query.Query}: nearest (with {@link
 * io.quiver.router.query.MaximalMarginalRelevance}), recommend, discover, context, fusion ({@link
 * io.quiver.router.query.ScoreFusion}: rrf, dbsf), sample, order_by. {@link
 * io.quiver.router.query.QueryEngine} resolves point ids used as vectors (also from {@code
 * lookup_from} collections), runs the stages through {@code PointsRouter}'s fan-out reads, and
 * groups ({@link io.quiver.router.query.PointGroups}); {@link io.quiver.router.query.SearchMatrix}
 * answers the distance-matrix endpoints. Parsing the JSON bodies is the node's job ({@code
 * io.quiver.node.api.QueryJson}); this package works on the parsed types only.
 */
package io.quiver.router.query;
