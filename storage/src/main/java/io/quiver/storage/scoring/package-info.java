/**
 * Exact scans of a shard scored by something other than the distance to one query vector: the
 * {@link io.quiver.storage.scoring.Scorer}s of Qdrant's custom objectives (recommend {@code
 * best_score} and {@code sum_scores}, {@code discover}, {@code context}) and the orders that ignore
 * vectors ({@code sample: random}), run through a {@link io.quiver.storage.scoring.ScoreRequest}
 * (best {@code limit}, ties by id, optional filter and threshold); and facets, which count the
 * {@link io.quiver.storage.scoring.FacetValue}s at a payload key read as Qdrant reads them ({@link
 * io.quiver.storage.scoring.PayloadValues}, also used for {@code group_by}). The router's query
 * engine sends these to every shard and merges the per-shard answers.
 */
package io.quiver.storage.scoring;
