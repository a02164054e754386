package io.quiver.index.hnsw;

/**
 * Read view of an HNSW graph over ordinals {@code 0 .. size()-1}: on the heap while it is built, or
 * mapped from a file. Safe for concurrent readers; the graph under construction may be read while
 * it changes (a reader then sees some valid, possibly stale, neighbour list).
 */
public interface HnswGraph {

  /** Number of nodes. */
  int size();

  /** The top level (0 for a graph of one level); -1 for an empty graph. */
  int maxLevel();

  /** The node every search starts from, at {@link #maxLevel()}; -1 for an empty graph. */
  int entryPoint();

  /** The highest level {@code node} is on. */
  int levelOf(int node);

  /** M: the capacity of neighbour lists above level 0. */
  int maxConn();

  /** 2M: the capacity of level-0 neighbour lists. */
  default int maxConn0() {
    return 2 * maxConn();
  }

  /**
   * Copies the neighbours of {@code node} at {@code level} into {@code out} (which has room for
   * {@link #maxConn0()} ints) and returns how many there are. {@code level} must be at most {@link
   * #levelOf(int) levelOf(node)}. Cost: one short copy, no allocation.
   */
  int neighbours(int level, int node, int[] out);

  /** Bytes the graph occupies on the Java heap. */
  long heapBytes();

  /** Bytes the graph occupies outside the heap (mapped). */
  long offHeapBytes();
}
