package io.quiver.index.hnsw;

/**
 * An HNSW graph on the Java heap, mutable while {@link HnswBuilder} builds it.
 *
 * <pre>
 *   level0      int[size * (2M + 1)]   node i: [count, n_0 .. n_(2M-1)]   (one flat array)
 *   level0Score float[size * 2M]       similarity of node i to each neighbour (build only)
 *   upper[i]    int[levelOf(i) * (M + 1)] levels 1..L of node i, [count, n_0 .. n_(M-1)] each
 *   upperScore  the same shape, floats (build only)
 * </pre>
 *
 * Writers of a node's lists hold that node's lock ({@link #lockOf(int)}); readers do not lock: a
 * list is rewritten entries-first, count-last, and every slot always holds some valid ordinal, so a
 * racing reader sees a usable (maybe stale or mixed) list, which a graph search tolerates.
 */
public final class OnHeapHnswGraph implements HnswGraph {

  private static final int LOCK_STRIPES = 1 << 12;

  private final int size;
  private final int maxConn;
  private final int maxConn0;
  private final int stride0;
  private final byte[] levels;
  private final int[] level0;
  private final int[][] upper;
  private float[] level0Score;
  private float[][] upperScore;
  private final Object[] locks = new Object[LOCK_STRIPES];
  private volatile long entry = -1; // (maxLevel << 32) | entryPoint, published together

  OnHeapHnswGraph(int size, int maxConn, byte[] levels) {
    this.size = size;
    this.maxConn = maxConn;
    this.maxConn0 = 2 * maxConn;
    this.stride0 = maxConn0 + 1;
    this.levels = levels;
    this.level0 = new int[Math.multiplyExact(size, stride0)];
    this.level0Score = new float[Math.multiplyExact(size, maxConn0)];
    this.upper = new int[size][];
    this.upperScore = new float[size][];
    for (int i = 0; i < size; i++) {
      if (levels[i] > 0) {
        upper[i] = new int[levels[i] * (maxConn + 1)];
        upperScore[i] = new float[levels[i] * maxConn];
      }
    }
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int maxLevel() {
    long e = entry;
    return e < 0 ? -1 : (int) (e >>> 32);
  }

  @Override
  public int entryPoint() {
    long e = entry;
    return e < 0 ? -1 : (int) e;
  }

  /** The entry point and max level read together: {@code (maxLevel << 32) | entryPoint}, or -1. */
  long entry() {
    return entry;
  }

  void setEntry(int node, int level) {
    entry = ((long) level << 32) | node;
  }

  @Override
  public int levelOf(int node) {
    return levels[node];
  }

  @Override
  public int maxConn() {
    return maxConn;
  }

  @Override
  public int maxConn0() {
    return maxConn0;
  }

  Object lockOf(int node) {
    return locks[node & (LOCK_STRIPES - 1)];
  }

  @Override
  public int neighbours(int level, int node, int[] out) {
    int[] list;
    int start;
    int cap;
    if (level == 0) {
      list = level0;
      start = node * stride0;
      cap = maxConn0;
    } else {
      list = upper[node];
      start = (level - 1) * (maxConn + 1);
      cap = maxConn;
    }
    int count = Math.min(list[start], cap);
    System.arraycopy(list, start + 1, out, 0, count);
    return count;
  }

  /** Copies the neighbours and their stored scores; the caller holds the node's lock. */
  int neighboursWithScores(int level, int node, int[] out, float[] scores) {
    int count = neighbours(level, node, out);
    if (level == 0) {
      System.arraycopy(level0Score, node * maxConn0, scores, 0, count);
    } else {
      System.arraycopy(upperScore[node], (level - 1) * maxConn, scores, 0, count);
    }
    return count;
  }

  /** Replaces the list of {@code node} at {@code level}; the caller holds the node's lock. */
  void setNeighbours(int level, int node, int[] nodes, float[] scores, int count) {
    int[] list;
    int start;
    float[] scoreList;
    int scoreStart;
    if (level == 0) {
      list = level0;
      start = node * stride0;
      scoreList = level0Score;
      scoreStart = node * maxConn0;
    } else {
      list = upper[node];
      start = (level - 1) * (maxConn + 1);
      scoreList = upperScore[node];
      scoreStart = (level - 1) * maxConn;
    }
    System.arraycopy(nodes, 0, list, start + 1, count);
    System.arraycopy(scores, 0, scoreList, scoreStart, count);
    list[start] = count; // count last: see the class comment
  }

  /**
   * Appends {@code neighbour} if the list has room; returns false (and changes nothing) when it is
   * full. The caller holds the node's lock.
   */
  boolean tryAppend(int level, int node, int neighbour, float score) {
    if (level == 0) {
      int start = node * stride0;
      int count = level0[start];
      if (count >= maxConn0) {
        return false;
      }
      level0[start + 1 + count] = neighbour;
      level0Score[node * maxConn0 + count] = score;
      level0[start] = count + 1;
      return true;
    }
    int[] list = upper[node];
    int start = (level - 1) * (maxConn + 1);
    int count = list[start];
    if (count >= maxConn) {
      return false;
    }
    list[start + 1 + count] = neighbour;
    upperScore[node][(level - 1) * maxConn + count] = score;
    list[start] = count + 1;
    return true;
  }

  /** Drops the build-only score arrays; the graph is read-only from then on. */
  void freeze() {
    level0Score = null;
    upperScore = null;
  }

  @Override
  public long heapBytes() {
    long bytes = 4L * level0.length + levels.length + 16L * size;
    for (int[] u : upper) {
      if (u != null) {
        bytes += 16 + 4L * u.length;
      }
    }
    if (level0Score != null) {
      bytes += 4L * level0Score.length;
    }
    return bytes;
  }

  @Override
  public long offHeapBytes() {
    return 0;
  }
}
