package io.quiver.storage.segment;

import io.quiver.storage.PointId;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The files of a shard's sealed segments, all in one directory:
 *
 * <pre>
 *   MANIFEST             the sealed segments of the shard: magic "QSMF", version 1, count (int),
 *                        names (UTF), CRC32C of the preceding bytes (long). Replaced atomically
 *                        (written to MANIFEST.tmp, fsynced, renamed, directory fsynced).
 *   NAME.ids             the segment's points by ord: magic "QSID", version 1, count (int), then per
 *                        ord the id's bytes (PointId.toBytes: 9 or 17 bytes) and the version (long);
 *                        CRC32C (long).
 *   NAME.V.hnsw          graph and vectors of the configured vector number V (config order), in
 *                        the index module's HnswFormat (an indexed segment).
 *   NAME.V.plain         the vectors of number V of a plain (unindexed) segment, in PlainVectorsFile's
 *                        format. A plain segment's name starts with "p", an indexed one's with "s".
 *   NAME.ID.quant        the quantized codes of an indexed segment (SegmentCodes); the manifest
 *                        entry of a segment with codes is "NAME@ID", of one without "NAME".
 * </pre>
 *
 * Every file is fsynced before the manifest that names it is written; a file the manifest does not
 * name is an unfinished or replaced one and is removed at open.
 */
final class SegmentFiles {

  static final String MANIFEST = "MANIFEST";
  private static final int MANIFEST_MAGIC = 0x51534D46;
  private static final int IDS_MAGIC = 0x51534944;
  private static final int VERSION = 1;

  private SegmentFiles() {}

  static Path idsFile(Path dir, String name) {
    return dir.resolve(name + ".ids");
  }

  static Path hnswFile(Path dir, String name, int vectorNumber) {
    return dir.resolve(name + "." + vectorNumber + ".hnsw");
  }

  static Path plainFile(Path dir, String name, int vectorNumber) {
    return dir.resolve(name + "." + vectorNumber + ".plain");
  }

  /** A new segment name: "p" (plain) or "s" (indexed) and 16 random hex digits. */
  static String newName(boolean plain) {
    return (plain ? "p" : "s")
        + java.util.HexFormat.of()
            .toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextLong());
  }

  /** True when segment {@code name} is plain: vectors without graphs, scanned exactly. */
  static boolean isPlain(String name) {
    return name.startsWith("p");
  }

  /** The segment name of a manifest entry ("NAME" or "NAME@CODES"). */
  static String segmentName(String entry) {
    int at = entry.indexOf('@');
    return at < 0 ? entry : entry.substring(0, at);
  }

  /** The codes id of a manifest entry, or null when the segment has no codes. */
  static String codesId(String entry) {
    int at = entry.indexOf('@');
    return at < 0 ? null : entry.substring(at + 1);
  }

  /** The manifest entry of segment {@code name} with codes {@code codesId} (null: none). */
  static String entry(String name, String codesId) {
    return codesId == null ? name : name + "@" + codesId;
  }

  /** Every file of the segment of manifest entry {@code entry} for {@code vectorCount} vectors. */
  static List<Path> filesOf(Path dir, String entry, int vectorCount) {
    List<Path> files = new ArrayList<>();
    String name = segmentName(entry);
    if (codesId(entry) != null) {
      files.add(SegmentCodes.file(dir, name, codesId(entry)));
    }
    files.add(idsFile(dir, name));
    for (int i = 0; i < vectorCount; i++) {
      files.add(isPlain(name) ? plainFile(dir, name, i) : hnswFile(dir, name, i));
    }
    return files;
  }

  static void writeIds(Path file, PointId[] ids, long[] versions, int count) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      CRC32C crc = new CRC32C();
      OutputStream raw = Channels.newOutputStream(ch);
      DataOutputStream out =
          new DataOutputStream(
              new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc));
      out.writeInt(IDS_MAGIC);
      out.writeInt(VERSION);
      out.writeInt(count);
      for (int i = 0; i < count; i++) {
        out.write(ids[i].toBytes());
        out.writeLong(versions[i]);
      }
      out.flush();
      DataOutputStream tail = new DataOutputStream(raw);
      tail.writeLong(crc.getValue());
      tail.flush();
      ch.force(true);
    }
  }

  /** The ids and versions of a segment, checksum verified. */
  record Ids(PointId[] ids, long[] versions) {}

  static Ids readIds(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = checked(file, bytes, IDS_MAGIC);
    int count = buf.getInt();
    if (count < 0) {
      throw new IOException(file + ": corrupt count " + count);
    }
    PointId[] ids = new PointId[count];
    long[] versions = new long[count];
    for (int i = 0; i < count; i++) {
      int length = buf.get(buf.position()) == 0 ? 9 : 17;
      byte[] id = new byte[length];
      buf.get(id);
      ids[i] = PointId.fromBytes(id);
      versions[i] = buf.getLong();
    }
    return new Ids(ids, versions);
  }

  /** Checks length, magic, version and CRC; returns a buffer positioned after the version. */
  static ByteBuffer checked(Path file, byte[] bytes, int magic) throws IOException {
    if (bytes.length < 16) {
      throw new IOException(file + ": truncated (" + bytes.length + " bytes)");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 8);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    if (buf.getLong(bytes.length - 8) != crc.getValue()) {
      throw new IOException(file + ": checksum mismatch");
    }
    if (buf.getInt() != magic) {
      throw new IOException(file + ": wrong magic");
    }
    int version = buf.getInt();
    if (version != VERSION) {
      throw new IOException(file + ": format version " + version + " is not supported");
    }
    return buf;
  }

  /** Replaces the manifest atomically with one naming {@code names}. */
  static void writeManifest(Path dir, List<String> names) throws IOException {
    Path tmp = dir.resolve(MANIFEST + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      CRC32C crc = new CRC32C();
      OutputStream raw = Channels.newOutputStream(ch);
      DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, crc));
      out.writeInt(MANIFEST_MAGIC);
      out.writeInt(VERSION);
      out.writeInt(names.size());
      for (String name : names) {
        out.writeUTF(name);
      }
      out.flush();
      new DataOutputStream(raw).writeLong(crc.getValue());
      ch.force(true);
    }
    Files.move(
        tmp,
        dir.resolve(MANIFEST),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(dir);
  }

  /** The segment names of the manifest; empty when there is none yet. */
  static List<String> readManifest(Path dir) throws IOException {
    Path file = dir.resolve(MANIFEST);
    if (!Files.exists(file)) {
      return List.of();
    }
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = checked(file, bytes, MANIFEST_MAGIC);
    int count = buf.getInt();
    List<String> names = new ArrayList<>(count);
    var in =
        new java.io.DataInputStream(
            new java.io.ByteArrayInputStream(
                bytes, buf.position(), bytes.length - 8 - buf.position()));
    for (int i = 0; i < count; i++) {
      names.add(in.readUTF());
    }
    return names;
  }

  /** Makes renames and creations in {@code dir} durable. */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
