package io.quiver.storage.sparse;

import io.quiver.storage.PointId;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The files of a shard's sealed sparse parts, in the shard's {@code sparse/} directory:
 *
 * <pre>
 *   MANIFEST      the sealed parts by vector name: magic "QSPM", version 1, name count (int), then
 *                 per name: name (UTF), part count (int), part stems (UTF), oldest first; CRC32C
 *                 (long). Replaced atomically (MANIFEST.tmp, fsync, rename, directory fsync).
 *   STEM.qspi     the part's inverted index (index module's SparseIndexFormat, QSPI v1) over its
 *                 ords 0..n-1.
 *   STEM.ids      the part's points by ord: magic "QSPD", version 1, count (int), then per ord the
 *                 content fingerprint of the point's vector (long, {@link SparseFingerprint}) and
 *                 the id's bytes (length byte, then PointId.toBytes); CRC32C (long).
 * </pre>
 *
 * Both files of a part are written under temporary names, fsynced and renamed before the manifest
 * that names them is written; a file the manifest does not name is removed at open.
 */
final class SparsePartFiles {

  static final String MANIFEST = "MANIFEST";
  private static final int MANIFEST_MAGIC = 0x5153504D;
  private static final int IDS_MAGIC = 0x51535044;
  private static final int VERSION = 1;

  private SparsePartFiles() {}

  static Path indexFile(Path dir, String stem) {
    return dir.resolve(stem + ".qspi");
  }

  static Path idsFile(Path dir, String stem) {
    return dir.resolve(stem + ".ids");
  }

  /** The points of a part by ord, with their fingerprints. */
  record Ids(PointId[] ids, long[] fingerprints) {}

  /** Writes the ids file of a part under a temporary name, fsyncs it and renames it into place. */
  static void writeIds(Path dir, String stem, PointId[] ids, long[] fingerprints, int count)
      throws IOException {
    Path file = idsFile(dir, stem);
    Path tmp = dir.resolve(stem + ".ids.tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      CRC32C crc = new CRC32C();
      OutputStream raw = Channels.newOutputStream(ch);
      DataOutputStream out =
          new DataOutputStream(
              new java.io.BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16));
      out.writeInt(IDS_MAGIC);
      out.writeInt(VERSION);
      out.writeInt(count);
      for (int i = 0; i < count; i++) {
        byte[] id = ids[i].toBytes();
        out.writeLong(fingerprints[i]);
        out.writeByte(id.length);
        out.write(id);
      }
      out.flush();
      new DataOutputStream(raw).writeLong(crc.getValue());
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static Ids readIds(Path dir, String stem) throws IOException {
    Path file = idsFile(dir, stem);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = checked(file, bytes, IDS_MAGIC);
    int count = buf.getInt();
    if (count < 0 || count > (bytes.length - 20) / 10) {
      throw new IOException(file + ": bad point count " + count);
    }
    PointId[] ids = new PointId[count];
    long[] fingerprints = new long[count];
    for (int i = 0; i < count; i++) {
      fingerprints[i] = buf.getLong();
      byte[] id = new byte[buf.get() & 0xFF];
      buf.get(id);
      ids[i] = PointId.fromBytes(id);
    }
    if (buf.position() != bytes.length - 8) {
      throw new IOException(file + ": length does not match its point count");
    }
    return new Ids(ids, fingerprints);
  }

  /**
   * Replaces the manifest atomically with one naming {@code parts} (vector name -> part stems,
   * oldest first).
   */
  static void writeManifest(Path dir, Map<String, List<String>> parts) throws IOException {
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
      out.writeInt(parts.size());
      for (Map.Entry<String, List<String>> e : parts.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().size());
        for (String stem : e.getValue()) {
          out.writeUTF(stem);
        }
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

  /** The parts the manifest names, by vector name; empty when there is none yet. */
  static Map<String, List<String>> readManifest(Path dir) throws IOException {
    Path file = dir.resolve(MANIFEST);
    Map<String, List<String>> parts = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return parts;
    }
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = checked(file, bytes, MANIFEST_MAGIC);
    DataInputStream in =
        new DataInputStream(
            new ByteArrayInputStream(bytes, buf.position(), bytes.length - 8 - buf.position()));
    int names = in.readInt();
    for (int n = 0; n < names; n++) {
      String name = in.readUTF();
      int count = in.readInt();
      List<String> stems = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        stems.add(in.readUTF());
      }
      parts.put(name, stems);
    }
    return parts;
  }

  /** Checks magic, CRC and version of a whole file; returns it positioned after the version. */
  private static ByteBuffer checked(Path file, byte[] bytes, int magic) throws IOException {
    if (bytes.length < 16) {
      throw new IOException(file + ": truncated");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 8);
    if (crc.getValue() != buf.getLong(bytes.length - 8)) {
      throw new IOException(file + ": checksum mismatch");
    }
    if (buf.getInt() != magic) {
      throw new IOException(file + ": bad magic");
    }
    int version = buf.getInt();
    if (version != VERSION) {
      throw new IOException(file + ": format version " + version + " is not supported");
    }
    return buf;
  }

  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
