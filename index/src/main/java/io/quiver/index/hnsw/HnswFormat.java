package io.quiver.index.hnsw;

import io.quiver.index.scorer.FloatVectors;
import io.quiver.index.scorer.SegmentFloatVectors;
import io.quiver.index.scorer.SegmentNarrowVectors;
import io.quiver.index.vector.Distance;
import io.quiver.index.vector.VectorDatatype;
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
 * The on-disk format of an HNSW index: one file holding the vectors and the graph, little endian,
 * searched in place through a mapping.
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
 *
 * <p><b>Version 3: a graph with the caller's attachment instead of vectors</b> ({@link
 * #writeGraph}, {@link #openGraph}; e.g. a multivector graph, whose nodes have rows of varying
 * counts): the same header with dim 0 and datatype 0, where the field at 40 is the attachment's
 * offset; the level-0 lists at 64, the upper levels, then (64-aligned) the attachment's bytes up to
 * the checksum. The checksum covers the attachment too.
 */
public final class HnswFormat {

  static final int MAGIC = 0x5156484E;
  static final int VERSION = 1;

  /** Version 2: the datatype field at offset 36 says the width of the stored vectors. */
  static final int VERSION_DATATYPE = 2;

  /** Version 3: a graph and an opaque attachment, no vectors. */
  static final int VERSION_GRAPH = 3;

  static final int HEADER_BYTES = 64;
  static final int TRAILER_BYTES = 12;
  private static final ValueLayout.OfInt LE_INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LE_LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private HnswFormat() {}

  /** Writes {@code graph} and {@code vectors} to {@code file} (replacing it), then fsyncs it. */
  public static void write(Path file, HnswGraph graph, FloatVectors vectors) throws IOException {
    write(file, graph, vectors, vectors.datatype());
  }

  /**
   * Writes {@code graph} and {@code vectors}, stored as {@code datatype} (every value must be one
   * that {@link VectorDatatype#canStore} accepts and {@link VectorDatatype#round} leaves as is), to
   * {@code file} (replacing it), then fsyncs it.
   */
  public static void write(
      Path file, HnswGraph graph, FloatVectors vectors, VectorDatatype datatype)
      throws IOException {
    int size = graph.size();
    int dim = vectors.dimension();
    long vectorsOffset = HEADER_BYTES;
    long level0Offset = align64(vectorsOffset + (long) size * dim * datatype.bytesPerDimension());
    long upperOffset = align64(level0Offset + (long) size * (graph.maxConn0() + 1) * Integer.BYTES);
    try (FileChannel ch =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        ChecksummedWriter out = new ChecksummedWriter(ch)) {
      boolean float32 = datatype == VectorDatatype.FLOAT32;
      out.putInt(MAGIC)
          .putInt(float32 ? VERSION : VERSION_DATATYPE)
          .putInt(vectors.distance().ordinal())
          .putInt(dim)
          .putInt(size)
          .putInt(graph.maxConn())
          .putInt(graph.maxConn0())
          .putInt(graph.maxLevel())
          .putInt(graph.entryPoint())
          .putInt(datatype.ordinal())
          .putLong(vectorsOffset)
          .putLong(level0Offset)
          .putLong(upperOffset);
      float[] vector = new float[dim];
      for (int i = 0; i < size; i++) {
        vectors.copyVector(i, vector);
        for (float f : vector) {
          out.put(f, datatype);
        }
      }
      out.padTo(level0Offset);
      writeLists(out, graph, upperOffset);
      out.finish(MAGIC);
      ch.force(true);
    }
  }

  /**
   * Level-0 lists (from the current position), padding to {@code upperOffset}, then the upper
   * levels.
   */
  private static void writeLists(ChecksummedWriter out, HnswGraph graph, long upperOffset)
      throws IOException {
    int size = graph.size();
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
  }

  /** Bytes of the upper levels' section of {@code graph}. */
  private static long upperBytes(HnswGraph graph) {
    long bytes = 0;
    for (int level = 1; level <= graph.maxLevel(); level++) {
      long k = 0;
      for (int i = 0; i < graph.size(); i++) {
        k += graph.levelOf(i) >= level ? 1 : 0;
      }
      bytes += Integer.BYTES + k * Integer.BYTES + k * (graph.maxConn() + 1) * Integer.BYTES;
    }
    return bytes;
  }

  /** What the caller writes after a graph in a version 3 file. */
  public interface Attachment {
    void writeTo(AttachmentOutput out) throws IOException;
  }

  /** Little-endian, checksummed output of an {@link Attachment}. */
  public interface AttachmentOutput {
    void putInt(int v) throws IOException;

    void putLong(long v) throws IOException;

    void putFloat(float v) throws IOException;

    void putBytes(byte[] bytes) throws IOException;
  }

  /**
   * A version 3 file opened: its graph read in place from the mapping and the attachment's bytes
   * (little endian). Closing it unmaps both; neither may be read afterwards.
   */
  public record GraphFile(HnswGraph graph, MemorySegment attachment, Arena arena)
      implements AutoCloseable {
    @Override
    public void close() {
      arena.close();
    }
  }

  /**
   * Writes {@code graph} and then what {@code attachment} writes to {@code file} (replacing it) in
   * version 3, then fsyncs it. Callers that need the file to appear whole write a temporary file
   * and rename it.
   */
  public static void writeGraph(Path file, HnswGraph graph, Attachment attachment)
      throws IOException {
    long level0Offset = HEADER_BYTES;
    long upperOffset =
        align64(level0Offset + (long) graph.size() * (graph.maxConn0() + 1) * Integer.BYTES);
    long attachmentOffset = align64(upperOffset + upperBytes(graph));
    try (FileChannel ch =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        ChecksummedWriter out = new ChecksummedWriter(ch)) {
      out.putInt(MAGIC)
          .putInt(VERSION_GRAPH)
          .putInt(0)
          .putInt(0)
          .putInt(graph.size())
          .putInt(graph.maxConn())
          .putInt(graph.maxConn0())
          .putInt(graph.maxLevel())
          .putInt(graph.entryPoint())
          .putInt(0)
          .putLong(attachmentOffset)
          .putLong(level0Offset)
          .putLong(upperOffset);
      writeLists(out, graph, upperOffset);
      out.padTo(attachmentOffset);
      attachment.writeTo(
          new AttachmentOutput() {
            @Override
            public void putInt(int v) throws IOException {
              out.putInt(v);
            }

            @Override
            public void putLong(long v) throws IOException {
              out.putLong(v);
            }

            @Override
            public void putFloat(float v) throws IOException {
              out.putFloat(v);
            }

            @Override
            public void putBytes(byte[] bytes) throws IOException {
              for (byte b : bytes) {
                out.putByte(b);
              }
            }
          });
      out.finish(MAGIC);
      ch.force(true);
    }
  }

  /**
   * Maps a version 3 file read-only, verifies magic, version and checksum, and returns its graph
   * and attachment.
   *
   * @throws IOException when the file is not a whole version 3 file or its checksum does not match
   */
  public static GraphFile openGraph(Path file) throws IOException {
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      long length = seg.byteSize();
      if (length < HEADER_BYTES + TRAILER_BYTES
          || seg.get(LE_INT, 0) != MAGIC
          || seg.get(LE_INT, length - 4) != MAGIC) {
        throw new IOException(file + ": not a Quiver HNSW file, or truncated");
      }
      int version = seg.get(LE_INT, 4);
      if (version != VERSION_GRAPH) {
        throw new IOException(
            file
                + ": HNSW format version "
                + version
                + " is not a graph file (expected "
                + VERSION_GRAPH
                + ")");
      }
      long stored = seg.get(LE_LONG, length - TRAILER_BYTES);
      long actual = crc(seg, length - TRAILER_BYTES);
      if (stored != actual) {
        throw new IOException(
            file
                + ": checksum mismatch (stored "
                + Long.toHexString(stored)
                + ", computed "
                + Long.toHexString(actual)
                + ")");
      }
      int size = seg.get(LE_INT, 16);
      long attachmentOffset = seg.get(LE_LONG, 40);
      long level0Offset = seg.get(LE_LONG, 48);
      long upperOffset = seg.get(LE_LONG, 56);
      if (size < 0
          || level0Offset < HEADER_BYTES
          || upperOffset < level0Offset
          || attachmentOffset < upperOffset
          || attachmentOffset > length - TRAILER_BYTES) {
        throw new IOException(file + ": corrupt header");
      }
      MappedHnswGraph graph =
          MappedHnswGraph.read(
              seg,
              size,
              seg.get(LE_INT, 20),
              seg.get(LE_INT, 24),
              seg.get(LE_INT, 28),
              seg.get(LE_INT, 32),
              level0Offset,
              upperOffset);
      return new GraphFile(
          graph, seg.asSlice(attachmentOffset, length - TRAILER_BYTES - attachmentOffset), arena);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static void writeList(ChecksummedWriter out, int count, int[] list, int cap)
      throws IOException {
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
      MemorySegment segment =
          MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize(), arena, null);
      return open(segment, arena, file.toString());
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static HnswIndex open(MemorySegment seg, Arena arena, String name) throws IOException {
    long length = seg.byteSize();
    if (length < HEADER_BYTES + TRAILER_BYTES
        || seg.get(LE_INT, 0) != MAGIC
        || seg.get(LE_INT, length - 4) != MAGIC) {
      throw new IOException(name + ": not a Quiver HNSW file, or truncated");
    }
    int version = seg.get(LE_INT, 4);
    if (version != VERSION && version != VERSION_DATATYPE) {
      throw new IOException(
          name
              + ": HNSW format version "
              + version
              + " is not supported (expected "
              + VERSION
              + " or "
              + VERSION_DATATYPE
              + ")");
    }
    long stored = seg.get(LE_LONG, length - TRAILER_BYTES);
    long actual = crc(seg, length - TRAILER_BYTES);
    if (stored != actual) {
      throw new IOException(
          name
              + ": checksum mismatch (stored "
              + Long.toHexString(stored)
              + ", computed "
              + Long.toHexString(actual)
              + ")");
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
    MappedHnswGraph graph =
        MappedHnswGraph.read(
            seg, size, maxConn, maxConn0, maxLevel, entryPoint, level0Offset, upperOffset);
    FloatVectors vectors =
        datatype == VectorDatatype.FLOAT32
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

    void putByte(byte v) throws IOException {
      ensure(1);
      buffer.put(v);
      position++;
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
