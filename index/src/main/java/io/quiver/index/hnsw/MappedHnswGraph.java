package io.quiver.index.hnsw;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An {@link HnswGraph} read in place from a mapped {@link HnswFormat} file. Level-0 lists (the bulk
 * of the graph) stay in the mapping; the node ids of each upper level (about n/M of them) are
 * copied to the heap to find a node's list by binary search. Immutable, thread-safe.
 */
final class MappedHnswGraph implements HnswGraph {

  private static final ValueLayout.OfInt LE_INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment segment;
  private final int size;
  private final int maxConn;
  private final int maxConn0;
  private final int maxLevel;
  private final int entryPoint;
  private final long level0Offset;
  private final long stride0;
  private final long upperStride;
  private final int[][] levelNodes; // [level][i] ascending node ids on that level (index 0 unused)
  private final long[] levelListsOffset;

  private MappedHnswGraph(
      MemorySegment segment,
      int size,
      int maxConn,
      int maxConn0,
      int maxLevel,
      int entryPoint,
      long level0Offset,
      int[][] levelNodes,
      long[] levelListsOffset) {
    this.segment = segment;
    this.size = size;
    this.maxConn = maxConn;
    this.maxConn0 = maxConn0;
    this.maxLevel = maxLevel;
    this.entryPoint = entryPoint;
    this.level0Offset = level0Offset;
    this.stride0 = (long) (maxConn0 + 1) * Integer.BYTES;
    this.upperStride = (long) (maxConn + 1) * Integer.BYTES;
    this.levelNodes = levelNodes;
    this.levelListsOffset = levelListsOffset;
  }

  static MappedHnswGraph read(
      MemorySegment seg,
      int size,
      int maxConn,
      int maxConn0,
      int maxLevel,
      int entryPoint,
      long level0Offset,
      long upperOffset) {
    int levels = Math.max(0, maxLevel);
    int[][] levelNodes = new int[levels + 1][];
    long[] listsOffset = new long[levels + 1];
    long pos = upperOffset;
    for (int level = 1; level <= levels; level++) {
      int k = seg.get(LE_INT, pos);
      pos += 4;
      int[] nodes = new int[k];
      MemorySegment.copy(seg, LE_INT, pos, nodes, 0, k);
      pos += 4L * k;
      levelNodes[level] = nodes;
      listsOffset[level] = pos;
      pos += (long) k * (maxConn + 1) * Integer.BYTES;
    }
    return new MappedHnswGraph(
        seg, size, maxConn, maxConn0, maxLevel, entryPoint, level0Offset, levelNodes, listsOffset);
  }

  /**
   * This graph with its lists copied out of the mapping into memory of {@code arena} (native
   * process memory: no page of it is read from the file again, and none is evicted to it). The copy
   * is one contiguous block from the level-0 lists to the end of the upper levels; the heap node
   * ids are shared. Cost: one sequential read of the graph's bytes.
   */
  MappedHnswGraph copyTo(java.lang.foreign.Arena arena) {
    long end = level0Offset + size * stride0;
    if (maxLevel > 0) {
      end = levelListsOffset[maxLevel] + levelNodes[maxLevel].length * upperStride;
    }
    long bytes = Math.max(0, end - level0Offset);
    MemorySegment copy = arena.allocate(Math.max(bytes, 1), 64);
    MemorySegment.copy(segment, level0Offset, copy, 0, bytes);
    long[] lists = new long[levelListsOffset.length];
    for (int level = 1; level < lists.length; level++) {
      lists[level] = levelListsOffset[level] - level0Offset;
    }
    return new MappedHnswGraph(
        copy, size, maxConn, maxConn0, maxLevel, entryPoint, 0, levelNodes, lists);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int maxLevel() {
    return maxLevel;
  }

  @Override
  public int entryPoint() {
    return entryPoint;
  }

  @Override
  public int levelOf(int node) {
    for (int level = maxLevel; level > 0; level--) {
      if (Arrays.binarySearch(levelNodes[level], node) >= 0) {
        return level;
      }
    }
    return 0;
  }

  @Override
  public int maxConn() {
    return maxConn;
  }

  @Override
  public int maxConn0() {
    return maxConn0;
  }

  @Override
  public int neighbours(int level, int node, int[] out) {
    long offset;
    int cap;
    if (level == 0) {
      offset = level0Offset + node * stride0;
      cap = maxConn0;
    } else {
      int index = Arrays.binarySearch(levelNodes[level], node);
      assert index >= 0 : "node " + node + " is not on level " + level;
      offset = levelListsOffset[level] + index * upperStride;
      cap = maxConn;
    }
    int count = Math.min(segment.get(LE_INT, offset), cap);
    MemorySegment.copy(segment, LE_INT, offset + 4, out, 0, count);
    return count;
  }

  @Override
  public long heapBytes() {
    long bytes = 0;
    for (int[] nodes : levelNodes) {
      bytes += nodes == null ? 0 : 16 + 4L * nodes.length;
    }
    return bytes;
  }

  @Override
  public long offHeapBytes() {
    return size * stride0;
  }
}
