/**
 * Payload indexes of one shard replica and the query planning they allow. {@link
 * io.quiver.storage.payloadindex.PayloadIndexes} holds one {@link
 * io.quiver.storage.payloadindex.FieldIndex} per indexed field (keyword, integer, float, bool,
 * datetime, uuid and their inverted {@link io.quiver.storage.payloadindex.PostingIndex}es, {@link
 * io.quiver.storage.payloadindex.GeoIndex}, {@link io.quiver.storage.payloadindex.TextIndex} with
 * its {@link io.quiver.storage.payloadindex.TextAnalyzer}: tokenizer, lowercasing, ASCII folding,
 * stop words, Snowball stemmers), built over dense payload-index ords. {@link
 * io.quiver.storage.payloadindex.FilterCandidates} walks a filter against them to get candidates
 * and a cardinality {@link io.quiver.storage.payloadindex.Estimate}; {@link
 * io.quiver.storage.payloadindex.SearchPlan} turns the estimate into a strategy (score only the
 * candidates, or traverse the graph with an accept test), as Qdrant's {@code full_scan_threshold}
 * logic does. An index answers exactly what the filter evaluator of {@code
 * io.quiver.storage.filter} answers, except full-text conditions, which take Qdrant's token
 * semantics. Indexes are rebuilt from the stored payloads when a shard opens; their schema is kept
 * in the shard's metadata ({@link io.quiver.storage.PayloadSchemaCodec}).
 */
package io.quiver.storage.payloadindex;
