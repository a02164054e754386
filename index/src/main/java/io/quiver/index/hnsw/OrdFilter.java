package io.quiver.index.hnsw;

/**
 * Which ordinals a search may return (payload filters, deletes). Ordinals it rejects are still
 * traversed. Implementations must be safe for the searching thread to call; they are called once
 * per visited node, so keep them O(1) (a bitset lookup, not a payload read).
 */
@FunctionalInterface
public interface OrdFilter {

  /** Accepts every ordinal. */
  OrdFilter ALL = ord -> true;

  /** True when {@code ord} may be returned. */
  boolean accept(int ord);

  /** Accepts what both this and {@code other} accept. */
  default OrdFilter and(OrdFilter other) {
    if (other == ALL) {
      return this;
    }
    if (this == ALL) {
      return other;
    }
    return ord -> accept(ord) && other.accept(ord);
  }
}
