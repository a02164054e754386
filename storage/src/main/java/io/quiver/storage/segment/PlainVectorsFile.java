package io.quiver.storage.segment;

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
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

/**
 * The vectors of one name of a plain (unindexed) sealed segment: a flat file of float32, float16 or
 * uint8 elements (the vector's datatype), mapped and scanned exactly, no graph. Little endian:
 *
 * <pre>
 *   offset  size            field
 *   0       4               magic 0x51505646 ("QPVF")
 *   4       4               version (1, or 2 when the vectors are not float32)
 *   8       4               distance (Distance ordinal)
 *   12      4               dim
 *   16      4               size (vectors)
 *   20      4               datatype (VectorDatatype ordinal; version 1: reserved, 0 = float32)
 *   24      40              reserved (0)
 *   64      size * dim * w  the vectors, ord after ord (w: 4, 2 or 1 bytes per element)
 *   end-12  8               CRC32C of bytes [0, end - 12), as a long
 *   end-4   4               magic again (a truncated file fails here first)
 * </pre>
 *
 * Written and fsynced before the manifest names the segment; a reader rejects another magic, an
 * unknown version and a checksum mismatch. Float32 files are written as version 1 (unchanged).
 */
final class PlainVectorsFile {

  private static final int MAGIC = 0x51505646;
  private static final int VERSION = 1;
  private static final int VERSION_DATATYPE = 2;
  private static final int HEADER_BYTES = 64;
  private static final int TRAILER_BYTES = 12;
  private static final ValueLayout.OfInt LE_INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LE_LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private PlainVectorsFile() {}

  /**
   * A mapped file's vectors; closing unmaps them (scoring afterwards throws IllegalStateException).
   */
  record Mapped(FloatVectors vectors, Arena arena) implements AutoCloseable {
    @Override
    public void close() {
      arena.close();
    }
  }

  /**
   * Writes the vectors {@code vectorName} of the points at {@code origins}, in that order, to
   * {@code file} (replacing it) and fsyncs it. Returns false, leaving a partial file for the caller
   * to remove, when {@code cancelled} says true (asked every 4,096 vectors).
   */
  static boolean write(
      Path file,
      String vectorName,
      int dim,
      Distance distance,
      VectorDatatype datatype,
      List<SealedSegment.Origin> origins,
      BooleanSupplier cancelled)
      throws IOException {
    int vectorBytes = dim * datatype.bytesPerDimension();
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf =
          ByteBuffer.allocate(Math.max(1 << 16, HEADER_BYTES + vectorBytes))
              .order(ByteOrder.LITTLE_ENDIAN);
      CRC32C crc = new CRC32C();
      boolean float32 = datatype == VectorDatatype.FLOAT32;
      buf.putInt(MAGIC)
          .putInt(float32 ? VERSION : VERSION_DATATYPE)
          .putInt(distance.ordinal())
          .putInt(dim)
          .putInt(origins.size())
          .putInt(float32 ? 0 : datatype.ordinal());
      while (buf.position() < HEADER_BYTES) {
        buf.put((byte) 0);
      }
      float[] vector = new float[dim];
      Segment source = null;
      FloatVectors sourceVectors = null;
      for (int i = 0; i < origins.size(); i++) {
        if ((i & 4095) == 0 && cancelled.getAsBoolean()) {
          return false;
        }
        SealedSegment.Origin o = origins.get(i);
        if (o.segment() != source) {
          source = o.segment();
          sourceVectors = source.vectors(vectorName);
        }
        sourceVectors.copyVector(o.ord(), vector);
        if (buf.remaining() < vectorBytes) {
          drain(ch, buf, crc);
        }
        for (float x : vector) {
          datatype.put(x, buf);
        }
      }
      drain(ch, buf, crc);
      buf.putLong(crc.getValue()).putInt(MAGIC).flip();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
      return true;
    }
  }

  private static void drain(FileChannel ch, ByteBuffer buf, CRC32C crc) throws IOException {
    buf.flip();
    crc.update(buf.duplicate());
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    buf.clear();
  }

  /**
   * Maps {@code file} read-only, verifies magic, version and checksum, and views its vectors in
   * place.
   */
  static Mapped open(Path file) throws IOException {
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      // One MemorySegment class for every vector read in the process, as HnswFormat does (the
      // Vector API's loads are specialized on the segment's class).
      MemorySegment seg =
          MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize(), arena, null);
      long length = seg.byteSize();
      if (length < HEADER_BYTES + TRAILER_BYTES
          || seg.get(LE_INT, 0) != MAGIC
          || seg.get(LE_INT, length - 4) != MAGIC) {
        throw new IOException(file + ": not a Quiver plain vectors file, or truncated");
      }
      int version = seg.get(LE_INT, 4);
      if (version != VERSION && version != VERSION_DATATYPE) {
        throw new IOException(
            file + ": plain vectors format version " + version + " is not supported");
      }
      CRC32C crc = new CRC32C();
      long chunk = 1 << 20;
      for (long pos = 0; pos < length - TRAILER_BYTES; pos += chunk) {
        crc.update(seg.asSlice(pos, Math.min(chunk, length - TRAILER_BYTES - pos)).asByteBuffer());
      }
      if (seg.get(LE_LONG, length - TRAILER_BYTES) != crc.getValue()) {
        throw new IOException(file + ": checksum mismatch");
      }
      Distance distance = Distance.values()[seg.get(LE_INT, 8)];
      int dim = seg.get(LE_INT, 12);
      int size = seg.get(LE_INT, 16);
      int datatypeOrdinal = version == VERSION ? 0 : seg.get(LE_INT, 20);
      if (datatypeOrdinal < 0 || datatypeOrdinal >= VectorDatatype.values().length) {
        throw new IOException(file + ": unknown vector datatype " + datatypeOrdinal);
      }
      VectorDatatype datatype = VectorDatatype.values()[datatypeOrdinal];
      if (HEADER_BYTES + (long) size * dim * datatype.bytesPerDimension() + TRAILER_BYTES
          != length) {
        throw new IOException(
            file
                + ": "
                + length
                + " bytes do not hold "
                + size
                + " x "
                + dim
                + " "
                + datatype.qdrantName());
      }
      FloatVectors vectors =
          datatype == VectorDatatype.FLOAT32
              ? new SegmentFloatVectors(seg, HEADER_BYTES, size, dim, distance)
              : new SegmentNarrowVectors(seg, HEADER_BYTES, size, dim, distance, datatype);
      return new Mapped(vectors, arena);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }
}
