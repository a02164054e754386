/**
 * Sparse vectors and their inverted index: {@link io.quiver.index.sparse.SparseVector} (u32 indices
 * held in {@code int}, compared unsigned, sorted and unique), posting lists by dimension on the
 * heap ({@link io.quiver.index.sparse.GrowingSparseIndex}) or in a mapped file ({@link
 * io.quiver.index.sparse.SparseIndexFormat}), and exact top-k search by dot product over shared
 * indices ({@link io.quiver.index.sparse.SparseSearcher}, MaxScore pruning).
 *
 * <p>Terms: a <em>dimension</em> is one index of a sparse vector (a term in text retrieval); a
 * <em>posting</em> is one (ord, value) pair of a dimension's list; a list's <em>upper bound</em>
 * for a query is the largest contribution any of its postings can make (Turtle and Flood's "max
 * score").
 */
package io.quiver.index.sparse;
