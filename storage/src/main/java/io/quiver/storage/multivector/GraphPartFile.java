package io.quiver.storage.multivector;

import io.quiver.index.hnsw.HnswFormat;
import io.quiver.index.hnsw.HnswGraph;
import io.quiver.index.hnsw.OrdBitSet;
import io.quiver.index.multivector.MultiVectors;
import io.quiver.storage.PointId;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;

/**
 * The file of one multivector graph part, in the shard's {@code multivectors/} directory: the index
 * module's {@link HnswFormat} version 3 (the graph, then this attachment; CRC32C over all), named
 * {@code v<hex of the name's UTF-8>.<generation>.<from>.<to>.graph}. Written to a {@code .tmp}
 * file, fsynced, renamed, the directory fsynced.
 *
 * <p>The attachment makes the file self-describing, so it is never trusted blindly at open: the
 * ords' point ids and rows are in it, and a node counts as live only when RocksDB still holds that
 * point with exactly those rows (see {@link MultiVectorIndexes#open}). Little endian:
 *
 * <pre>
 *   int magic "QMVG", int version 1
 *   long generation (the name's store numbering: +1 at each compaction), int from, int to
 *   int m, int ef_construct, int dim, int distance (ordinal), int name length, name (UTF-8)
 *   per ord of [from, to): byte id length, id (PointId.toBytes), byte inserted (a graph node),
 *                          int row count, rows (float32, prepared)
 *   version 2: int codes key length, codes key (UTF-8, {@code QuantizationConfig.codesKey}; empty: no codes),
 *              then, with a key, the rows' codes ({@code QuantizedVectorsFormat}) to the end
 * </pre>
 *
 * Version 1 files (no codes) still read; their codes, if the vector wants some, are made at open.
 */
final class GraphPartFile {

  static final String SUFFIX = ".graph";
  static final String TMP = ".tmp";
  private static final int MAGIC = 0x514D5647;
  private static final int VERSION = 2;
  private static final ValueLayout.OfInt LE_INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LE_LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private GraphPartFile() {}

  /** The file name prefix of multivector {@code name}'s parts ("v" and the hex of its UTF-8). */
  static String prefix(String name) {
    return "v" + HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8)) + ".";
  }

  static Path file(Path dir, String name, long generation, int from, int to) {
    return dir.resolve(prefix(name) + generation + "." + from + "." + to + SUFFIX);
  }

  /**
   * What a part file's name says: {@code [generation, from, to]}, or null when it is not a part
   * file's name.
   */
  static long[] parseName(String fileName) {
    if (!fileName.startsWith("v") || !fileName.endsWith(SUFFIX)) {
      return null;
    }
    String[] f = fileName.substring(0, fileName.length() - SUFFIX.length()).split("\\.");
    if (f.length != 4) {
      return null;
    }
    try {
      return new long[] {Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3])};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * Writes the part of {@code build} with its graph and its rows' codes (null: none) durably (temp
   * file, fsync, rename, directory fsync); returns its path.
   */
  static Path write(
      Path dir,
      GraphBuild build,
      long generation,
      HnswGraph graph,
      io.quiver.index.multivector.QuantizedMaxSim codes)
      throws IOException {
    Files.createDirectories(dir);
    Path file = file(dir, build.name(), generation, build.from(), build.to());
    Path tmp = file.resolveSibling(file.getFileName() + TMP);
    MultiVectors view = build.view();
    PointId[] ids = build.ids();
    OrdBitSet inserted = build.inserted();
    HnswFormat.writeGraph(
        tmp,
        graph,
        out -> {
          out.putInt(MAGIC);
          out.putInt(VERSION);
          out.putLong(generation);
          out.putInt(build.from());
          out.putInt(build.to());
          out.putInt(build.params().maxConn());
          out.putInt(build.params().beamWidth());
          out.putInt(view.dim());
          out.putInt(view.distance().ordinal());
          byte[] name = build.name().getBytes(StandardCharsets.UTF_8);
          out.putInt(name.length);
          out.putBytes(name);
          for (int g = 0; g < view.size(); g++) {
            byte[] id = ids[g].toBytes();
            out.putBytes(new byte[] {(byte) id.length});
            out.putBytes(id);
            out.putBytes(new byte[] {(byte) (inserted.get(g) ? 1 : 0)});
            out.putInt(view.count(g));
            for (float f : view.get(g)) {
              out.putFloat(f);
            }
          }
          byte[] key =
              codes == null
                  ? new byte[0]
                  : build.quantization().codesKey().getBytes(StandardCharsets.UTF_8);
          out.putInt(key.length);
          out.putBytes(key);
          if (codes != null) {
            out.putBytes(PartCodes.toBytes(codes));
          }
        });
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(dir);
    return file;
  }

  /**
   * A part file read whole: its graph (mapped until {@code file} is closed), per ord its point,
   * node flag and rows, and the key and bytes of its rows' codes (null: none).
   */
  record Loaded(
      HnswFormat.GraphFile file,
      PointId[] ids,
      boolean[] inserted,
      float[][] rows,
      String codesKey,
      byte[] codes) {}

  /**
   * Opens a part file and checks it against what the caller expects (name, generation, range and
   * the settings the graph is built with) and returns it with its ords.
   *
   * @throws IOException when the file is corrupt or truncated, or does not match
   */
  static Loaded read(
      Path file,
      String name,
      long generation,
      int from,
      int to,
      int m,
      int efConstruct,
      int dim,
      int distance)
      throws IOException {
    HnswFormat.GraphFile opened = HnswFormat.openGraph(file);
    try {
      MemorySegment a = opened.attachment();
      long pos = 0;
      int version = a.byteSize() < 40 ? -1 : a.get(LE_INT, 4);
      if (a.byteSize() < 40 || a.get(LE_INT, 0) != MAGIC || version < 1 || version > VERSION) {
        throw new IOException(file + ": not a multivector graph part");
      }
      long gen = a.get(LE_LONG, 8);
      int f = a.get(LE_INT, 16);
      int t = a.get(LE_INT, 20);
      int fileM = a.get(LE_INT, 24);
      int fileEf = a.get(LE_INT, 28);
      int fileDim = a.get(LE_INT, 32);
      int fileDistance = a.get(LE_INT, 36);
      int nameLength = a.get(LE_INT, 40);
      pos = 44;
      if (nameLength < 0 || pos + nameLength > a.byteSize()) {
        throw new IOException(file + ": corrupt name");
      }
      byte[] nameBytes = new byte[nameLength];
      MemorySegment.copy(a, ValueLayout.JAVA_BYTE, pos, nameBytes, 0, nameLength);
      pos += nameLength;
      String fileName = new String(nameBytes, StandardCharsets.UTF_8);
      if (!fileName.equals(name) || gen != generation || f != from || t != to) {
        throw new IOException(
            file
                + ": holds "
                + fileName
                + " generation "
                + gen
                + " ["
                + f
                + ", "
                + t
                + "), not what its name says");
      }
      if (fileM != m || fileEf != efConstruct) {
        throw new IOException(
            file
                + ": built with m "
                + fileM
                + ", ef_construct "
                + fileEf
                + "; the vector now has "
                + m
                + ", "
                + efConstruct);
      }
      if (fileDim != dim || fileDistance != distance) {
        throw new IOException(
            file
                + ": rows of "
                + fileDim
                + " dims, distance "
                + fileDistance
                + " do not fit the vector");
      }
      if (opened.graph().size() != to - from) {
        throw new IOException(
            file
                + ": a graph of "
                + opened.graph().size()
                + " nodes over "
                + (to - from)
                + " ords");
      }
      PointId[] ids = new PointId[to - from];
      boolean[] inserted = new boolean[to - from];
      float[][] rowsOf = new float[to - from][];
      for (int g = from; g < to; g++) {
        int idLength = a.get(ValueLayout.JAVA_BYTE, pos);
        if (idLength != 9 && idLength != 17) {
          throw new IOException(file + ": corrupt point id at ord " + g);
        }
        byte[] id = new byte[idLength];
        MemorySegment.copy(a, ValueLayout.JAVA_BYTE, pos + 1, id, 0, idLength);
        pos += 1 + idLength;
        inserted[g - from] = a.get(ValueLayout.JAVA_BYTE, pos) != 0;
        int rows = a.get(LE_INT, pos + 1);
        pos += 5;
        if (rows <= 0 || pos + (long) rows * dim * Float.BYTES > a.byteSize()) {
          throw new IOException(file + ": corrupt rows at ord " + g);
        }
        float[] flat = new float[rows * dim];
        MemorySegment.copy(a, LE_FLOAT, pos, flat, 0, flat.length);
        pos += (long) flat.length * Float.BYTES;
        ids[g - from] = PointId.fromBytes(id);
        rowsOf[g - from] = flat;
      }
      String codesKey = null;
      byte[] codes = null;
      if (version >= 2) {
        int keyLength = pos + 4 > a.byteSize() ? -1 : a.get(LE_INT, pos);
        if (keyLength < 0 || pos + 4 + keyLength > a.byteSize()) {
          throw new IOException(file + ": corrupt codes key");
        }
        byte[] key = new byte[keyLength];
        MemorySegment.copy(a, ValueLayout.JAVA_BYTE, pos + 4, key, 0, keyLength);
        pos += 4 + keyLength;
        if (keyLength > 0) {
          codesKey = new String(key, StandardCharsets.UTF_8);
          codes = new byte[Math.toIntExact(a.byteSize() - pos)];
          MemorySegment.copy(a, ValueLayout.JAVA_BYTE, pos, codes, 0, codes.length);
          pos = a.byteSize();
        }
      }
      if (pos != a.byteSize()) {
        throw new IOException(file + ": " + (a.byteSize() - pos) + " bytes after the last ord");
      }
      return new Loaded(opened, ids, inserted, rowsOf, codesKey, codes);
    } catch (IOException | RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
