package io.quiver.index.hnsw;

import java.util.Arrays;

/**
 * The nodes one search has seen, as a generation-stamped int array: a node is visited when its
 * stamp equals the current generation, so clearing is one increment instead of a fill of n bits (a
 * fill happens only when the generation wraps, once per 2^31 searches). One int per node of the
 * graph, reused by every search of one thread.
 */
final class VisitedSet {

  private int[] stamps;
  private int generation = 1;

  VisitedSet(int capacity) {
    stamps = new int[Math.max(1, capacity)];
  }

  /** Forgets every node, making room for at least {@code capacity} nodes. */
  void clear(int capacity) {
    if (capacity > stamps.length) {
      stamps = new int[Math.max(capacity, stamps.length + (stamps.length >> 1))];
      generation = 1;
      return;
    }
    if (++generation == Integer.MAX_VALUE) {
      Arrays.fill(stamps, 0);
      generation = 1;
    }
  }

  /** Marks {@code node} visited; returns true when it was not visited before. */
  boolean visit(int node) {
    if (stamps[node] == generation) {
      return false;
    }
    stamps[node] = generation;
    return true;
  }
}
