package io.quiver.index.hnsw;

import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.SegmentFloatVectors;
import io.quiver.index.scorer.SegmentNarrowVectors;
import io.quiver.index.vector.VectorDatatype;
import io.quiver.index.vector.Distance;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The on-disk format of an HNSW index: one file holding the vectors and the graph, little
 * endian, searched in place through a mapping.
 *
 * <pre>
 *   offset  size        field
 *   0       4           magic 0x5156484E ("QVHN")
 *   4       4           version (1, or 2 when the vectors are not float32)
 *   8       4           distance (Distance ordinal)
 *   12      4           dim
 *   16      4           size (nodes = vectors)
 *   20      4           maxConn (M)
 *   24      4           maxConn0 (2M)
 *   28      4           maxLevel (-1 when empty)
 *   32      4           entryPoint (-1 when empty)
 *   36      4           datatype (VectorDatatype ordinal; version 1: reserved, 0 = float32)
 *   40      8           vectorsOffset   (64-aligned)  size * dim elements of the datatype (float32:
 *                                          4 bytes, float16: 2 bytes little endian, uint8: 1 byte)
 *   48      8           level0Offset    (64-aligned)  size * (maxConn0 + 1) int32: [count, neighbours...]
 *   56      8           upperOffset     (64-aligned)  per level 1..maxLevel:
 *                                          int32 k, int32[k] nodes ascending, int32[k * (maxConn + 1)] lists
 *   end-12  8           CRC32C of bytes [0, end - 12), as a long
 *   end-4   4           magic again (a truncated file fails here first)
 * </pre>
 *
 * A reader rejects another magic, a version it does not know, and a checksum mismatch. Writers
 * write version 1 for float32 vectors (those files are unchanged), version 2 otherwise.
 */
public final class HnswFormat {

  static final int MAGIC = 0x5156484E;
  static final int VERSION = 1;
  /** Version 2: the datatype field at offset 36 says the width of the stored vectors. */
  static final int VERSION_DATATYPE = 2;
  static final int HEADER_BYTES = 64;
  static final int TRAILER_BYTES = 12;
  private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private HnswFormat() {}

  /** Writes {@code graph} and {@code vectors} to {@code file} (replacing it), then fsyncs it. */
  public static void write(Path file, HnswGraph graph, FloatVectors vectors) throws IOException {
    write(file, graph, vectors, vectors.datatype());
  }

  /**
   * Writes {@code graph} and {@code vectors}, stored as {@code datatype} (every value must be one
   * that {@link VectorDatatype#canStore} accepts and {@link VectorDatatype#round} leaves as is),
   * to {@code file} (replacing it), then fsyncs it.
   */
  public static void write(Path file, HnswGraph graph, FloatVectors vectors, VectorDatatype datatype) throws IOException {
    int size = graph.size();
    int dim = vectors.dimension();
    long vectorsOffset = HEADER_BYTES;
    long level0Offset = align64(vectorsOffset + (long) size * dim * datatype.bytesPerDimension());
    long upperOffset = align64(level0Offset + (long) size * (graph.maxConn0() + 1) * Integer.BYTES);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
        ChecksummedWriter out = new ChecksummedWriter(ch)) {
      boolean float32 = datatype == VectorDatatype.FLOAT32;
      out.putInt(MAGIC).putInt(float32 ? VERSION : VERSION_DATATYPE).putInt(vectors.distance().ordinal()).putInt(dim)
          .putInt(size).putInt(graph.maxConn()).putInt(graph.maxConn0()).putInt(graph.maxLevel())
          .putInt(graph.entryPoint()).putInt(datatype.ordinal()).putLong(vectorsOffset).putLong(level0Offset)
          .putLong(upperOffset);
      float[] vector = new float[dim];
      for (int i = 0; i < size; i++) {
        vectors.copyVector(i, vector);
        for (float f : vector) {
          out.put(f, datatype);
        }
      }
      out.padTo(level0Offset);
      int[] list = new int[graph.maxConn0()];
      for (int i = 0; i < size; i++) {
        writeList(out, graph.neighbours(0, i, list), list, graph.maxConn0());
      }
      out.padTo(upperOffset);
      for (int level = 1; level <= graph.maxLevel(); level++) {
        int k = 0;
        for (int i = 0; i < size; i++) {
          k += graph.levelOf(i) >= level ? 1 : 0;
        }
        out.putInt(k);
        for (int i = 0; i < size; i++) {
          if (graph.levelOf(i) >= level) {
            out.putInt(i);
          }
        }
        for (int i = 0; i < size; i++) {
          if (graph.levelOf(i) >= level) {
            writeList(out, graph.neighbours(level, i, list), list, graph.maxConn());
          }
        }
      }
      out.finish(MAGIC);
      ch.force(true);
    }
  }

  private static void writeList(ChecksummedWriter out, int count, int[] list, int cap) throws IOException {
    out.putInt(count);
    for (int j = 0; j < cap; j++) {
      out.putInt(j < count ? list[j] : 0);
    }
  }

  /**
   * Maps {@code file} read-only in a shared arena, verifies magic, version and checksum, and
   * returns an index whose graph and vectors are read from the mapping. Closing the index unmaps.
   */
  public static HnswIndex open(Path file) throws IOException {
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      // Read the mapping through a plain native segment of the same address, size and arena
      // (it is unmapped when the arena closes, like the mapped one). Why: the JIT specializes
      // the Vector API's segment loads on the segment's class; with both mapped and native
      // segments in one process (an index built from native memory, searched from a file),
      // the polluted profile cost ~30% of search throughput. One class keeps them monomorphic.
      MemorySegment segment = MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize(), arena, null);
      return open(segment, arena, file.toString());
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static HnswIndex open(MemorySegment seg, Arena arena, String name) throws IOException {
    long length = seg.byteSize();
    if (length < HEADER_BYTES + TRAILER_BYTES || seg.get(LE_INT, 0) != MAGIC || seg.get(LE_INT, length - 4) != MAGIC) {
      throw new IOException(name + ": not a Quiver HNSW file, or truncated");
    }
    int version = seg.get(LE_INT, 4);
    if (version != VERSION && version != VERSION_DATATYPE) {
      throw new IOException(name + ": HNSW format version " + version + " is not supported (expected " + VERSION
          + " or " + VERSION_DATATYPE + ")");
    }
    long stored = seg.get(LE_LONG, length - TRAILER_BYTES);
    long actual = crc(seg, length - TRAILER_BYTES);
    if (stored != actual) {
      throw new IOException(name + ": checksum mismatch (stored " + Long.toHexString(stored) + ", computed " + Long.toHexString(actual) + ")");
    }
    Distance distance = Distance.values()[seg.get(LE_INT, 8)];
    int dim = seg.get(LE_INT, 12);
    int size = seg.get(LE_INT, 16);
    int maxConn = seg.get(LE_INT, 20);
    int maxConn0 = seg.get(LE_INT, 24);
    int maxLevel = seg.get(LE_INT, 28);
    int entryPoint = seg.get(LE_INT, 32);
    int datatypeOrdinal = version == VERSION ? 0 : seg.get(LE_INT, 36);
    if (datatypeOrdinal < 0 || datatypeOrdinal >= VectorDatatype.values().length) {
      throw new IOException(name + ": unknown vector datatype " + datatypeOrdinal);
    }
    VectorDatatype datatype = VectorDatatype.values()[datatypeOrdinal];
    long vectorsOffset = seg.get(LE_LONG, 40);
    long level0Offset = seg.get(LE_LONG, 48);
    long upperOffset = seg.get(LE_LONG, 56);
    MappedHnswGraph graph = MappedHnswGraph.read(seg, size, maxConn, maxConn0, maxLevel, entryPoint, level0Offset, upperOffset);
    FloatVectors vectors = datatype == VectorDatatype.FLOAT32
        ? new SegmentFloatVectors(seg, vectorsOffset, size, dim, distance)
        : new SegmentNarrowVectors(seg, vectorsOffset, size, dim, distance, datatype);
    return new HnswIndex(graph, vectors, arena::close);
  }

  private static long crc(MemorySegment seg, long length) {
    CRC32C crc = new CRC32C();
    long chunk = 1 << 20;
    for (long pos = 0; pos < length; pos += chunk) {
      crc.update(seg.asSlice(pos, Math.min(chunk, length - pos)).asByteBuffer());
    }
    return crc.getValue();
  }

  private static long align64(long offset) {
    return (offset + 63) & ~63L;
  }

  /** Buffered little-endian writer that checksums everything it writes. */
  private static final class ChecksummedWriter implements AutoCloseable {
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long position;

    ChecksummedWriter(FileChannel channel) {
      this.channel = channel;
    }

    ChecksummedWriter putInt(int v) throws IOException {
      ensure(4);
      buffer.putInt(v);
      position += 4;
      return this;
    }

    ChecksummedWriter putLong(long v) throws IOException {
      ensure(8);
      buffer.putLong(v);
      position += 8;
      return this;
    }

    ChecksummedWriter putFloat(float v) throws IOException {
      ensure(4);
      buffer.putFloat(v);
      position += 4;
      return this;
    }

    /** Puts {@code v} at the width of {@code datatype}. */
    void put(float v, VectorDatatype datatype) throws IOException {
      ensure(4);
      datatype.put(v, buffer);
      position += datatype.bytesPerDimension();
    }

    void padTo(long offset) throws IOException {
      while (position < offset) {
        ensure(1);
        buffer.put((byte) 0);
        position++;
      }
    }

    /** Appends the checksum of everything so far and the closing magic. */
    void finish(int magic) throws IOException {
      flush();
      long value = crc.getValue();
      buffer.putLong(value).putInt(magic);
      buffer.flip();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    private void ensure(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        flush();
      }
    }

    private void flush() throws IOException {
      buffer.flip();
      crc.update(buffer.duplicate());
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    @Override
    public void close() {}
  }
}
