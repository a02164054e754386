/**
 * Reads Qdrant's JSON {@code Filter} (of search, query, scroll, count, delete and payload requests)
 * into the filter AST of {@code io.quiver.storage.filter}: {@link
 * io.quiver.node.api.filter.FilterJson} for the boolean structure and the non-field conditions,
 * {@link io.quiver.node.api.filter.FieldConditionJson} for a field's match, range, geo,
 * values_count and datetime clauses. Every shape of the OpenAPI contract is accepted; anything else
 * is a 400 naming the field by its JSON path. The service limits on a filter's size and depth are
 * checked before, on the whole body ({@code io.quiver.node.api.RequestLimits}).
 */
package io.quiver.node.api.filter;
