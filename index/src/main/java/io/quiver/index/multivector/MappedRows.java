package io.quiver.index.multivector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Append-only float rows in memory-mapped scratch files instead of the heap ({@code on_disk}
 * multivectors): chunks of {@code chunkBytes} (or one multivector's size, if larger), each a file
 * {@code <prefix><n>.rows} in {@code dir} created, mapped read-write and unlinked at once (so no
 * file outlives the process, and the kernel writes cold pages back to the unlinked file instead of
 * holding them in memory). A row run never spans chunks; a position is {@code chunk << 40 | byte
 * offset}. Mappings are released when unreachable (automatic arenas). The rows are a cache: the
 * shard rebuilds them at open from RocksDB.
 *
 * <p>Appends are single-threaded; readers may read positions returned before (the chunk array is
 * replaced, never changed in place, and published through a volatile field).
 */
final class MappedRows {

  static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final long OFFSET_MASK = (1L << 40) - 1;

  private final Path dir;
  private final String prefix;
  private final long chunkBytes;
  private volatile MemorySegment[] chunks = new MemorySegment[0];
  private long used; // bytes used of the last chunk
  private int created;

  MappedRows(Path dir, String prefix, long chunkBytes) {
    this.dir = dir;
    this.prefix = prefix;
    this.chunkBytes = chunkBytes;
  }

  /** Appends {@code flat}; returns its position. */
  long append(float[] flat) {
    long bytes = (long) flat.length * Float.BYTES;
    MemorySegment[] now = chunks;
    if (now.length == 0 || used + bytes > now[now.length - 1].byteSize()) {
      now = Arrays.copyOf(now, now.length + 1);
      now[now.length - 1] = newChunk(Math.max(chunkBytes, bytes));
      used = 0;
      chunks = now;
    }
    int chunk = now.length - 1;
    MemorySegment.copy(flat, 0, now[chunk], LE_FLOAT, used, flat.length);
    long position = ((long) chunk << 40) | used;
    used += bytes;
    return position;
  }

  MemorySegment chunk(long position) {
    return chunks[(int) (position >>> 40)];
  }

  static long offset(long position) {
    return position & OFFSET_MASK;
  }

  /** Bytes mapped. */
  long mappedBytes() {
    long n = 0;
    for (MemorySegment c : chunks) {
      n += c.byteSize();
    }
    return n;
  }

  private MemorySegment newChunk(long size) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(prefix + (created++) + ".rows");
      try (FileChannel ch =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE)) {
        MemorySegment segment = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, Arena.ofAuto());
        Files.delete(file);
        return segment;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot map multivector rows in " + dir, e);
    }
  }
}
