package io.quiver.index.sparse;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The on-disk form of an immutable inverted index, little endian, written once and searched in
 * place through a mapping ({@link MappedSparseIndex}).
 *
 * <pre>
 *   offset      size              field
 *   0           4                 magic 0x51535049 ("QSPI")
 *   4           4                 version (1)
 *   8           4                 ordBound (one more than the largest ord)
 *   12          4                 dimCount
 *   16          8                 postingCount
 *   24          8                 reserved (0)
 *   32          dimCount * 24     directory, by increasing unsigned dimension:
 *                                   dim (int), count (int), first posting (long), max (float), min (float)
 *   ordsOffset  postingCount * 4  ords, list after list (64-aligned start)
 *   valsOffset  postingCount * 4  values, in the same order (64-aligned start)
 *   end-12      8                 CRC32C of bytes [0, end - 12)
 *   end-4       4                 magic again (a truncated file fails here first)
 * </pre>
 *
 * Deleted ords of the source are left out: the file holds live postings only.
 */
public final class SparseIndexFormat {

  static final int MAGIC = 0x51535049;
  static final int VERSION = 1;
  static final int HEADER_BYTES = 32;
  static final int DIRECTORY_ENTRY_BYTES = 24;
  static final int TRAILER_BYTES = 12;
  static final ValueLayout.OfInt LE_INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfLong LE_LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private SparseIndexFormat() {}

  static long ordsOffset(int dimCount) {
    return align64(HEADER_BYTES + (long) dimCount * DIRECTORY_ENTRY_BYTES);
  }

  static long valuesOffset(int dimCount, long postingCount) {
    return align64(ordsOffset(dimCount) + postingCount * Integer.BYTES);
  }

  /**
   * One input of {@link #write(Path, int, List)}: an index and, per ord of it, the ord its postings
   * get in the file ({@code remap[ord]}, increasing in {@code ord}), or -1 to leave them out.
   */
  public record Source(SparsePostings postings, int[] remap) {}

  /**
   * Writes the live postings of {@code source} to {@code file} (replacing it), ords unchanged, then
   * fsyncs it.
   */
  public static void write(Path file, GrowingSparseIndex source) throws IOException {
    int[] remap = new int[source.ordBound()];
    for (int ord = 0; ord < remap.length; ord++) {
      remap[ord] = source.isDeleted(ord) ? -1 : ord;
    }
    write(file, source.ordBound(), List.of(new Source(source, remap)));
  }

  /**
   * Writes the postings of {@code sources} that their remaps keep to {@code file} (replacing it),
   * under the new ords, then fsyncs it: a list holds the kept postings of every source, in source
   * order, so the ords of a later source must all be above those of the earlier ones. {@code
   * ordBound} is one more than the largest new ord. The sources are read three times (counts, ords,
   * values) and never copied.
   */
  public static void write(Path file, int ordBound, List<Source> sources) throws IOException {
    int[] dims = dimensions(sources);
    long postings = 0;
    int[] counts = new int[dims.length];
    float[] maxs = new float[dims.length];
    float[] mins = new float[dims.length];
    for (int d = 0; d < dims.length; d++) {
      float max = Float.NEGATIVE_INFINITY;
      float min = Float.POSITIVE_INFINITY;
      for (Source source : sources) {
        PostingList list = source.postings().postings(dims[d]);
        if (list == null) {
          continue;
        }
        for (int i = 0; i < list.size(); i++) {
          if (source.remap()[list.ord(i)] >= 0) {
            counts[d]++;
            max = Math.max(max, list.value(i));
            min = Math.min(min, list.value(i));
          }
        }
      }
      maxs[d] = max;
      mins[d] = min;
      postings += counts[d];
    }
    try (FileChannel ch =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        Writer out = new Writer(ch)) {
      int kept = 0;
      for (int count : counts) {
        kept += count > 0 ? 1 : 0;
      }
      out.putInt(MAGIC).putInt(VERSION).putInt(ordBound).putInt(kept).putLong(postings).putLong(0);
      long first = 0;
      for (int d = 0; d < dims.length; d++) {
        if (counts[d] > 0) {
          out.putInt(dims[d]).putInt(counts[d]).putLong(first).putFloat(maxs[d]).putFloat(mins[d]);
          first += counts[d];
        }
      }
      out.padTo(ordsOffset(kept));
      for (int d = 0; d < dims.length; d++) {
        for (Source source : sources) {
          PostingList list = source.postings().postings(dims[d]);
          for (int i = 0; list != null && i < list.size(); i++) {
            int to = source.remap()[list.ord(i)];
            if (to >= 0) {
              out.putInt(to);
            }
          }
        }
      }
      out.padTo(valuesOffset(kept, postings));
      for (int d = 0; d < dims.length; d++) {
        for (Source source : sources) {
          PostingList list = source.postings().postings(dims[d]);
          for (int i = 0; list != null && i < list.size(); i++) {
            if (source.remap()[list.ord(i)] >= 0) {
              out.putFloat(list.value(i));
            }
          }
        }
      }
      out.finish();
      ch.force(true);
    }
  }

  /** The dimensions with postings in any source, by increasing unsigned value. */
  private static int[] dimensions(List<Source> sources) {
    java.util.HashSet<Integer> seen = new java.util.HashSet<>();
    for (Source source : sources) {
      source.postings().forEachDimension(seen::add);
    }
    long[] unsigned = new long[seen.size()];
    int n = 0;
    for (int d : seen) {
      unsigned[n++] = Integer.toUnsignedLong(d);
    }
    Arrays.sort(unsigned);
    int[] out = new int[unsigned.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) unsigned[i];
    }
    return out;
  }

  /**
   * Reads {@code file} into native memory (off the heap, never paged out to the file), verifies it
   * as {@link #open} does, and returns the index read from that copy. Closing it frees the copy.
   */
  public static MappedSparseIndex load(Path file) throws IOException {
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MemorySegment copy = arena.allocate(ch.size(), 64);
      try (Arena mapping = Arena.ofConfined()) {
        copy.copyFrom(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), mapping));
      }
      verify(copy, file.toString());
      return new MappedSparseIndex(copy, arena);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /**
   * Maps {@code file} read-only, verifies magic, version, checksum and the directory's bounds, and
   * returns the index read from the mapping. Closing it unmaps.
   */
  public static MappedSparseIndex open(Path file) throws IOException {
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      verify(seg, file.toString());
      return new MappedSparseIndex(seg, arena);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static void verify(MemorySegment seg, String name) throws IOException {
    long length = seg.byteSize();
    if (length < HEADER_BYTES + TRAILER_BYTES
        || seg.get(LE_INT, 0) != MAGIC
        || seg.get(LE_INT, length - 4) != MAGIC) {
      throw new IOException(name + ": not a Quiver sparse index file, or truncated");
    }
    int version = seg.get(LE_INT, 4);
    if (version != VERSION) {
      throw new IOException(
          name
              + ": sparse index format version "
              + version
              + " is not supported (expected "
              + VERSION
              + ")");
    }
    CRC32C crc = new CRC32C();
    crc.update(seg.asSlice(0, length - TRAILER_BYTES).asByteBuffer());
    if (crc.getValue() != seg.get(LE_LONG, length - TRAILER_BYTES)) {
      throw new IOException(name + ": checksum mismatch (corrupt sparse index file)");
    }
    int dims = seg.get(LE_INT, 12);
    long postings = seg.get(LE_LONG, 16);
    if (dims < 0
        || postings < 0
        || valuesOffset(dims, postings) + postings * Float.BYTES + TRAILER_BYTES > length) {
      throw new IOException(name + ": sparse index sizes do not fit the file");
    }
  }

  static long align64(long offset) {
    return (offset + 63) & ~63L;
  }

  /** A buffered channel writer that checksums what it writes. */
  private static final class Writer implements AutoCloseable {
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long position;

    Writer(FileChannel channel) {
      this.channel = channel;
    }

    Writer putInt(int v) throws IOException {
      ensure(4);
      buffer.putInt(v);
      position += 4;
      return this;
    }

    Writer putLong(long v) throws IOException {
      ensure(8);
      buffer.putLong(v);
      position += 8;
      return this;
    }

    Writer putFloat(float v) throws IOException {
      ensure(4);
      buffer.putFloat(v);
      position += 4;
      return this;
    }

    void padTo(long offset) throws IOException {
      while (position < offset) {
        ensure(1);
        buffer.put((byte) 0);
        position++;
      }
    }

    void finish() throws IOException {
      flush();
      buffer.putLong(crc.getValue()).putInt(MAGIC);
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
