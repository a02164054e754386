package io.quiver.index.hnsw;

import java.util.Arrays;

/**
 * A binary heap of (score, node) pairs packed into one {@code long} each: the score's bits made
 * order-preserving as an int in the high half, the node in the low half. One primitive array, no
 * objects, no boxing; comparisons are single long compares. Ties on score order by node id.
 *
 * <p>{@link Order#WORST_FIRST} keeps the worst pair on top (a bounded result set: the top is what
 * to evict); {@link Order#BEST_FIRST} keeps the best on top (the candidates to expand). Not
 * thread-safe; reused across searches via {@link #clear()}.
 */
final class NodeQueue {

  enum Order {
    WORST_FIRST,
    BEST_FIRST
  }

  private final boolean bestFirst;
  private long[] heap;
  private int size;

  NodeQueue(int initialCapacity, Order order) {
    this.heap = new long[Math.max(2, initialCapacity + 1)];
    this.bestFirst = order == Order.BEST_FIRST;
  }

  static long encode(float score, int node) {
    int bits = Float.floatToRawIntBits(score);
    int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
    return ((long) sortable << 32) | (node & 0xffffffffL);
  }

  static float decodeScore(long packed) {
    int sortable = (int) (packed >> 32);
    return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & 0x7fffffff));
  }

  static int decodeNode(long packed) {
    return (int) packed;
  }

  int size() {
    return size;
  }

  void clear() {
    size = 0;
  }

  void push(float score, int node) {
    long packed = encode(score, node);
    // A best-first queue is a min-heap of the complement: ~x reverses the order of longs exactly.
    pushRaw(bestFirst ? ~packed : packed);
  }

  /**
   * For a worst-first queue bounded to {@code capacity}: adds the pair if there is room or it beats
   * the current worst (which is then evicted). Returns true if the pair was added.
   */
  boolean offer(float score, int node, int capacity) {
    long packed = encode(score, node);
    if (size < capacity) {
      pushRaw(packed);
      return true;
    }
    if (packed > heap[1]) {
      heap[1] = packed;
      siftDown(1);
      return true;
    }
    return false;
  }

  /** The score on top (worst for WORST_FIRST, best for BEST_FIRST). Queue must be non-empty. */
  float topScore() {
    return decodeScore(top());
  }

  int topNode() {
    return decodeNode(top());
  }

  /** Removes the top pair and returns its node. */
  int pop() {
    int node = decodeNode(top());
    heap[1] = heap[size];
    size--;
    if (size > 1) {
      siftDown(1);
    }
    return node;
  }

  private long top() {
    assert size > 0;
    return bestFirst ? ~heap[1] : heap[1];
  }

  /**
   * Drains a worst-first queue into the arrays, best first, and returns the count. The queue is
   * empty afterwards.
   */
  int drainBestFirst(int[] nodes, float[] scores) {
    int n = size;
    for (int i = n - 1; i >= 0; i--) {
      long packed = heap[1];
      nodes[i] = decodeNode(packed);
      scores[i] = decodeScore(packed);
      heap[1] = heap[size];
      size--;
      if (size > 1) {
        siftDown(1);
      }
    }
    return n;
  }

  private void pushRaw(long value) {
    if (++size == heap.length) {
      heap = Arrays.copyOf(heap, heap.length * 2);
    }
    int i = size;
    while (i > 1) {
      int parent = i >>> 1;
      long p = heap[parent];
      if (value >= p) {
        break;
      }
      heap[i] = p;
      i = parent;
    }
    heap[i] = value;
  }

  private void siftDown(int i) {
    long value = heap[i];
    int half = size >>> 1;
    while (i <= half) {
      int child = i << 1;
      long c = heap[child];
      int right = child + 1;
      if (right <= size && heap[right] < c) {
        child = right;
        c = heap[right];
      }
      if (value <= c) {
        break;
      }
      heap[i] = c;
      i = child;
    }
    heap[i] = value;
  }
}
