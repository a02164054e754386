/**
 * Qdrant's filter language as a library: an immutable AST ({@link io.quiver.storage.filter.Filter},
 * {@link io.quiver.storage.filter.Condition}, {@link io.quiver.storage.filter.FieldPredicate},
 * {@link io.quiver.storage.filter.JsonPath}), an evaluator over a point's payload tree ({@link
 * io.quiver.storage.filter.FilterEvaluator}) and a versioned binary codec ({@link
 * io.quiver.storage.filter.FilterCodec}). Parsing Qdrant's JSON lives in {@code node} ({@code
 * io.quiver.node.api.filter.FilterJson}).
 *
 * <h2>Semantics, and where they come from</h2>
 *
 * The reference is Qdrant's no-index evaluation path: {@code lib/segment/src/payload_storage/
 * query_checker.rs} and {@code condition_checker.rs}, {@code lib/segment/src/json_path/}, and
 * {@code lib/segment/src/types.rs} of qdrant/qdrant, with the bug fixes noted below. Choices:
 *
 * <ul>
 *   <li><b>Boolean structure.</b> {@code must}: all; {@code must_not}: none; {@code should}: at
 *       least one <em>if given</em> — an explicit empty {@code should} matches nothing
 *       (qdrant/qdrant#554, closed as intended); {@code min_should}: at least {@code min_count}
 *       (&ge; 1) of its conditions, so an empty list matches nothing (qdrant/qdrant#9369). An empty
 *       filter matches everything.
 *   <li><b>Key paths.</b> Qdrant's grammar: {@code a.b}, {@code a."quoted.key"}, {@code a[2]},
 *       {@code a[]}. {@code .key} steps into objects only and {@code [n]}/{@code []} into arrays
 *       only: {@code a.b} does <em>not</em> reach into an array of objects, {@code a[].b} does. A
 *       path yields zero or more values; an explicit {@code null} is a value, a missing key is not.
 *   <li><b>Arrays.</b> A field condition holds if any value at the key passes; a value that is an
 *       array is tested element by element (one level only: {@code [[1]]} never matches 1).
 *   <li><b>Missing keys.</b> A field condition on a missing key is false, except {@code
 *       values_count}, which counts 0 there (qdrant/qdrant#9607).
 *   <li><b>{@code match.value}.</b> Strict types: a string equals a string, an integer an integer
 *       (a stored {@code 1.0} does not match {@code 1}), a bool a bool. {@code any} likewise.
 *       {@code except}: a string not in a string list, an integer not in an integer list; any other
 *       non-null value matches (also a string against an integer list); {@code null} never does.
 *   <li><b>Full text without an index</b> (this library never sees indexes): {@code text} and
 *       {@code phrase} are case-sensitive substring tests; {@code text_any} is "contains any
 *       whitespace-separated token of the query"; {@code prefix} is a case-sensitive {@code
 *       startsWith}. With a full-text index Qdrant tokenizes instead; whoever adds indexes must
 *       keep both paths in agreement or document the difference, as Qdrant does.
 *   <li><b>{@code range}.</b> Numbers: any JSON number, compared as a double. Datetimes: string
 *       values in the forms {@link io.quiver.storage.filter.Datetimes} lists (RFC 3339 with or
 *       without zone, space or {@code T}, and Qdrant's extra forms), compared in UTC microseconds.
 *   <li><b>Geo.</b> A payload geo value is an object with numeric {@code lat} and {@code lon}.
 *       Bounding box: strict inequalities, crossing the antimeridian when the top-left longitude is
 *       greater than the bottom-right one. Radius: haversine distance, Earth radius 6371008.8 m
 *       (the {@code geo} crate's mean radius), strictly less than the radius. Polygon: planar
 *       containment (lon as x), strictly inside the exterior ring and outside every interior ring;
 *       points on any ring's boundary do not match (the {@code geo} crate's {@code Contains}).
 *       Rings need at least 4 points and must be closed; filter points must lie within lat [-90,
 *       90], lon [-180, 180].
 *   <li><b>{@code values_count}.</b> Per value at the key: array length, 0 for {@code null}
 *       (qdrant/qdrant#10113, kept as intended), else 1; any value passing suffices.
 *   <li><b>{@code is_empty}.</b> True when every value at the key is {@code null} or {@code []}, so
 *       also for a missing key. The field form {@code {"key": k, "is_empty": true}} means the same
 *       and {@code false} its negation; Qdrant's unindexed field form differs on multi-valued keys
 *       (qdrant/qdrant#10621, open) and we follow the indexed behaviour there.
 *   <li><b>{@code is_null}.</b> True when some value at the key is {@code null} or an array holding
 *       a {@code null} (qdrant/qdrant#10101, released in 1.19.1); false for a missing key. The
 *       field form {@code is_null: false} is its negation.
 *   <li><b>{@code nested}.</b> The key gets {@code []} appended unless it ends with one; each
 *       object element is matched against the inner filter on its own, as if it were a payload
 *       root; non-object elements are skipped; some element must match. {@code has_id}, {@code
 *       has_vector} and {@code slice} inside a nested filter never match (Qdrant passes no id
 *       tracker or vector storage there).
 *   <li><b>{@code has_id}</b> tests the point's user id; <b>{@code has_vector}</b> asks the
 *       caller's predicate ({@code ""} names the unnamed vector).
 *   <li><b>{@code slice}</b>: {@code siphash24(zero key, id bytes) mod total == index}, with the id
 *       bytes of the OpenAPI description (8 little-endian bytes, or the 16 UUID bytes).
 *   <li><b>Several clauses in one field condition</b> (e.g. {@code match} and {@code range}
 *       together) are not an AST shape; the JSON reader turns them into Qdrant's meaning.
 * </ul>
 *
 * <h2>Not here</h2>
 *
 * Payload indexes, their cardinality estimates and the full-text tokenizers live in {@code
 * io.quiver.storage.payloadindex}; they answer exactly what this evaluator answers, except that a
 * full-text index gives {@code text}, {@code text_any} and {@code phrase} Qdrant's token semantics
 * (as Qdrant does), after the index's analysis (tokenizer, lowercasing, ASCII folding, stop words
 * and stemming, as the index's schema asks). Not implemented: Qdrant's {@code CustomIdChecker}
 * (internal only).
 */
package io.quiver.storage.filter;
